// Kernel tuner: picks, per tunable dispatch (family, entry, shape), which of
// the family's variants (runtime/kernel.ts: FamilyTuning) a recorded dispatch
// runs. Modes:
//   'off'    the shipped default for this adapter kind (the family's first variant where none is given);
//   'cached' a stored choice where there is one, else the default; never times;
//   'full'   a stored choice, else times every candidate on scratch buffers of the
//            dispatch's real size and keeps the fastest (and stores it).
// Timing happens only inside a session (KernelRegistry.beginTuning, opened while
// a plan records) and stops when the session's budget is spent; what is left
// gets the default. Candidates are timed by timestamp queries where the device
// has 'timestamp-query', else by wall time around submit + onSubmittedWorkDone,
// as the median of a few repetitions.
// A variant that requires a device feature (KernelVariant.requires, e.g.
// 'subgroups') is no candidate on a device without it: not timed, not taken
// from the cache or the defaults table (which fall back to the entry's first
// variant, which never requires one). The cache's adapter key records which of
// these features the device has (adapterKey), so a choice made with one is
// not read without it.
// A variant with `alongside` entries (KernelVariant.alongside: dispatches its
// caller adds after it, which another candidate does itself) is timed as
// its dispatch followed by theirs (each entry's default variant) in one pass.
import { ConfigError } from './errors.js';
import { variantRuns, type AdapterKind, type KernelFamily, type KernelRegistry, type KernelVariant, type Kernel, type Overrides, type UniformValues, type VariantChooser } from './kernel.js';
import { SequenceBuilder } from './recorder.js';
import type { TuningChoices, TuningStore } from './tuning-cache.js';

export const TUNE_MODES = ['off', 'cached', 'full'] as const;
export type TuneMode = (typeof TUNE_MODES)[number];

/** A bad tuning option (mode, budget). */
export class TuningConfigError extends ConfigError {
  override name = 'TuningConfigError';
}

export function checkTuneMode(mode: unknown): TuneMode {
  if (typeof mode === 'string' && (TUNE_MODES as readonly string[]).includes(mode)) return mode as TuneMode;
  throw new TuningConfigError(`tune must be one of ${TUNE_MODES.map((m) => `'${m}'`).join(', ')}; got ${typeof mode === 'string' ? `'${mode}'` : String(mode)}`);
}

export function checkTuningBudget(ms: unknown): number {
  if (typeof ms === 'number' && ms >= 0) return ms;
  throw new TuningConfigError(`tuningBudgetMs must be a number ≥ 0 (milliseconds), got ${String(ms)}`);
}

/** The tuning budget of one session when none is given: the time a build may spend measuring. */
export const DEFAULT_TUNING_BUDGET_MS = 3000;
/** A candidate replaces the default only when this much faster: timing noise must not flip choices. */
const MARGIN = 0.95;
/** A candidate whose first dispatch takes this many times the default's per-dispatch time (and over the floor) is not timed further. */
const SLOW_CANDIDATE = 4;
const SLOW_CANDIDATE_FLOOR_MS = 1;

export interface TunerOptions {
  mode: TuneMode;
  store: TuningStore;
  /** Milliseconds of compiling and timing per session (default DEFAULT_TUNING_BUDGET_MS). */
  budgetMs?: number;
}

/** How one tunable dispatch got its variant. */
export interface TuningDecision {
  key: string;
  variant: string;
  source: 'default' | 'cache' | 'timed';
  /** Median milliseconds per dispatch of each candidate timed, its `alongside` entries' dispatches included (timed decisions only). */
  ms?: Record<string, number>;
  /** Whether every candidate that compiles was timed (false: the budget ran out first; not stored). */
  complete?: boolean;
}

type AdapterFields = Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>;

/** The adapter class of the shipped defaults table. */
export function adapterKind(info: Partial<AdapterFields> | undefined, software: boolean): AdapterKind {
  if (software) return 'software';
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`.toLowerCase();
  for (const kind of ['nvidia', 'amd', 'intel', 'apple', 'qualcomm', 'arm'] as const) if (text.includes(kind)) return kind;
  return 'unknown';
}

/** The device features some tuning variant may require (KernelVariant.requires): part of the cache's adapter key. */
export const TUNING_FEATURES: readonly GPUFeatureName[] = ['subgroups'];

/**
 * What identifies an adapter for the cache: its names, the limits a variant's validity depends on,
 * and which of TUNING_FEATURES the device has (`features`: the device's, not the adapter's: a
 * device may have been created without one its adapter offers).
 */
export function adapterKey(info: Partial<AdapterFields> | undefined, limits: GPUSupportedLimits, features?: { has(name: string): boolean }): string {
  const names = [info?.vendor, info?.architecture, info?.device, info?.description].map((s) => s ?? '').join('|');
  const l = limits;
  const feats = TUNING_FEATURES.filter((f) => features?.has(f)).join('+') || 'none';
  return `${names}|inv=${l.maxComputeInvocationsPerWorkgroup},x=${l.maxComputeWorkgroupSizeX},y=${l.maxComputeWorkgroupSizeY},wgmem=${l.maxComputeWorkgroupStorageSize}|features=${feats}`;
}

/** The variants of a tunable entry this device can run (those whose required feature it has), in order. */
export function runnableVariants(device: GPUDevice, family: KernelFamily, entry: string): KernelVariant[] {
  return (family.tuning?.variants[entry] ?? []).filter((v) => variantRuns(device, v));
}

/** FNV-1a of a family's source: a cached choice is for that exact WGSL. */
function sourceHash(source: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const hashes = new WeakMap<KernelFamily, string>();
/** A hash of the family's WGSL, its feature sources included: what a cached choice was measured on. */
export function familyHash(family: KernelFamily): string {
  let h = hashes.get(family);
  if (!h) hashes.set(family, (h = sourceHash([family.source, ...Object.values(family.featureSources ?? {})].join('\n'))));
  return h;
}

/** `family@hash.entry|m=v,…` over the family's shape members; the hash covers its feature sources too. */
export function tuningKey(family: KernelFamily, entry: string, u: UniformValues): string {
  const h = familyHash(family);
  const shape = (family.tuning?.shapeMembers ?? []).map((m) => `${m}=${u[m]}`).join(',');
  return `${family.name}@${h}.${entry}|${shape}`;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export class KernelTuner implements VariantChooser {
  /** Every choice made, in order (what the bench prints and the tests check). */
  readonly decisions: TuningDecision[] = [];
  /** Candidates timed so far (each a compile plus a few timed dispatches). */
  timedCandidates = 0;
  readonly mode: TuneMode;
  readonly budgetMs: number;
  private readonly store: TuningStore;
  private stored: Promise<TuningChoices> | null = null;
  /** Settled choices (cache hits and timed ones), and timings under way, by key. */
  private readonly chosen = new Map<string, Promise<KernelVariant>>();
  private sessions = 0;
  private spentMs = 0;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: string,
    readonly kind: AdapterKind,
    options: TunerOptions,
  ) {
    this.mode = checkTuneMode(options.mode);
    this.budgetMs = checkTuningBudget(options.budgetMs ?? DEFAULT_TUNING_BUDGET_MS);
    this.store = options.store;
  }

  openSession(): () => void {
    if (this.sessions++ === 0) this.spentMs = 0;
    let open = true;
    return () => {
      if (open) this.sessions--;
      open = false;
    };
  }

  /**
   * The variant this adapter's defaults table gives (the family's first where it names none, or
   * names one this device cannot run).
   */
  defaultVariant(family: KernelFamily, entry: string): KernelVariant {
    const variants = family.tuning?.variants[entry] ?? [];
    const named = family.tuning?.defaults?.[this.kind]?.[entry];
    const v = runnableVariants(this.device, family, entry).find((c) => c.name === named) ?? variants[0];
    if (!v) throw new Error(`${family.name}.${entry} has no tuning variants`);
    if (!variantRuns(this.device, v)) throw new Error(`${family.name}.${entry}: its first variant '${v.name}' requires '${v.requires}'; the first must run anywhere`);
    return v;
  }

  choose(registry: KernelRegistry, family: KernelFamily, entry: string, u: UniformValues, overrides: Overrides = {}): Promise<KernelVariant> {
    const key = tuningKey(family, entry, u);
    const settled = this.chosen.get(key);
    if (settled) return settled;
    const fallback = this.defaultVariant(family, entry);
    const choice =
      this.mode === 'off'
        ? Promise.resolve(this.decide(key, fallback, 'default'))
        : this.storedChoice(family, entry, key).then(async (hit) => {
      if (hit) return this.decide(key, hit, 'cache');
      if (this.mode === 'cached') return this.decide(key, fallback, 'default');
      if (!this.canTime()) {
        this.chosen.delete(key); // a later session with budget left may still time it
        return this.decide(key, fallback, 'default');
      }
      return this.timeCandidates(registry, family, entry, u, overrides, key, fallback);
    });
    this.chosen.set(key, choice);
    return choice;
  }

  private canTime(): boolean {
    return this.sessions > 0 && this.spentMs < this.budgetMs;
  }

  private decide(key: string, v: KernelVariant, source: TuningDecision['source'], extra: Partial<TuningDecision> = {}): KernelVariant {
    this.decisions.push({ key, variant: v.name, source, ...extra });
    return v;
  }

  private async storedName(key: string): Promise<string | undefined> {
    this.stored ??= this.store.read(this.adapter).catch((e: unknown) => {
      console.warn(`webgpu-gan: the kernel tuning cache could not be read, so nothing cached is used: ${(e as Error).message}`);
      return {};
    });
    return (await this.stored)[key];
  }

  private async storedChoice(family: KernelFamily, entry: string, key: string): Promise<KernelVariant | null> {
    const name = await this.storedName(key);
    // A name this device cannot run (its feature missing: a record written by another device under
    // a key that should have kept them apart) or no longer knows is no choice.
    return runnableVariants(this.device, family, entry).find((v) => v.name === name) ?? null;
  }

  private async storeChoice(key: string, name: string): Promise<void> {
    await this.store.write(this.adapter, { [key]: name }).catch((e: unknown) => console.warn(`webgpu-gan: the kernel tuning cache could not be written: ${(e as Error).message}`));
  }

  /**
   * A choice among named alternatives that the caller times itself (a trainer's plan:
   * models/gan/plan-choice.ts), under the same rules as the kernel variants: 'off' gives
   * `fallback`; 'cached' a stored name, else `fallback`; 'full' a stored name, else times
   * `fallback` and then the others while the open session's budget lasts (`time(name)`:
   * milliseconds per unit of work, null where that alternative cannot run), keeps the fastest
   * (another beats `fallback` only by MARGIN) and stores it when all were timed.
   */
  async chooseTimed(key: string, names: readonly string[], fallback: string, time: (name: string) => Promise<number | null>): Promise<string> {
    if (!names.includes(fallback)) throw new Error(`chooseTimed(${key}): the fallback '${fallback}' is not among ${names.join(', ')}`);
    const pick = (name: string, source: TuningDecision['source'], extra: Partial<TuningDecision> = {}): string => {
      this.decisions.push({ key, variant: name, source, ...extra });
      return name;
    };
    if (this.mode === 'off') return pick(fallback, 'default');
    const hit = await this.storedName(key);
    if (hit !== undefined && names.includes(hit)) return pick(hit, 'cache');
    if (this.mode === 'cached' || !this.canTime()) return pick(fallback, 'default');
    // The session's time so far plus this choice's: kernel timings that `time` sets off are inside it.
    const t0 = performance.now();
    const before = this.spentMs;
    const spent = () => before + performance.now() - t0;
    const ms: Record<string, number> = {};
    let complete = true;
    try {
      for (const name of [fallback, ...names.filter((n) => n !== fallback)]) {
        if (name !== fallback && spent() >= this.budgetMs) {
          complete = false;
          break;
        }
        this.spentMs = spent(); // what kernel timings inside time() may still spend
        const t = await time(name);
        if (t !== null) ms[name] = t;
      }
    } finally {
      this.spentMs = spent();
    }
    let best = fallback;
    for (const name of names) if (ms[name] !== undefined && ms[name] < (ms[best] ?? Infinity) * (best === fallback ? MARGIN : 1)) best = name;
    if (complete) await this.storeChoice(key, best);
    return pick(best, 'timed', { ms, complete });
  }

  private async timeCandidates(
    registry: KernelRegistry,
    family: KernelFamily,
    entry: string,
    u: UniformValues,
    overrides: Overrides,
    key: string,
    fallback: KernelVariant,
  ): Promise<KernelVariant> {
    const t0 = performance.now();
    const variants = [fallback, ...runnableVariants(this.device, family, entry).filter((v) => v !== fallback)];
    // Compile them all at once (cached by the registry for later shapes); one that does not
    // compile on this device (a workgroup past its limits) is no candidate. With the caller's
    // overrides, as kernelFor will compile the winner (the key is the shape alone). A candidate's
    // kernels: its own, then those of its `alongside` entries, timed together.
    const alongside = (e: string): KernelVariant => (family.tuning?.variants[e]?.length ? this.defaultVariant(family, e) : { name: e, entry: e, overrides: {} });
    const withAlongside = (v: KernelVariant): KernelVariant[] => [v, ...(v.alongside ?? []).map(alongside)];
    this.device.pushErrorScope('validation');
    const compiled = await Promise.all(
      variants.map((v) => Promise.all(withAlongside(v).map((c) => registry.kernel(family, c.entry, { ...overrides, ...c.overrides }, c.requires))).catch(() => null)),
    );
    await this.device.popErrorScope();
    const floats = family.tuning!.bufferFloats(u);
    // Scratch operands of the dispatch's real size (zeros: the timing does not depend on the values).
    const buffers = Object.fromEntries(
      Object.entries(floats).map(([name, n]) => [name, this.device.createBuffer({ label: `tune/${name}`, size: Math.max(4, n * 4), usage: GPUBufferUsage.STORAGE })]),
    );
    const ms: Record<string, number> = {};
    let complete = true;
    let inner = 1;
    try {
      for (let i = 0; i < variants.length; i++) {
        const kernels = compiled[i];
        if (!kernels) continue;
        if (i > 0 && performance.now() - t0 + this.spentMs >= this.budgetMs) {
          complete = false;
          break;
        }
        // A candidate far slower than the default on its first dispatch cannot win: it is timed
        // once, not `inner` × 3 times (a split-K variant can take seconds on a CPU adapter).
        const cutoff = i === 0 ? null : Math.max(SLOW_CANDIDATE * (ms[fallback.name] ?? Infinity), SLOW_CANDIDATE_FLOOR_MS);
        const t = await this.timeKernels(kernels, buffers, u, i === 0 ? null : inner, cutoff);
        if (t === null) continue;
        if (i === 0) inner = t.inner;
        ms[variants[i].name] = t.ms;
        this.timedCandidates++;
      }
    } finally {
      for (const b of Object.values(buffers)) b.destroy();
      this.spentMs += performance.now() - t0;
    }
    let best = fallback;
    for (const v of variants) if (ms[v.name] !== undefined && ms[v.name] < (ms[best.name] ?? Infinity) * (best === fallback ? MARGIN : 1)) best = v;
    if (complete) await this.storeChoice(key, best.name);
    else this.chosen.delete(key);
    return this.decide(key, best, 'timed', { ms, complete });
  }

  /**
   * Median milliseconds per run of `kernels` (a candidate's dispatch, then its `alongside` entries',
   * in one pass), over 3 submissions of `inner` repetitions each (1 submission where
   * one takes long); null if they cannot be dispatched at this size. `inner` null: chosen
   * here, so that a submission lasts ~1 ms by timestamps, ~2 ms by wall time. A first
   * repetition slower than `cutoffMs` is the answer as it is.
   */
  private async timeKernels(
    kernels: Kernel[],
    buffers: Record<string, GPUBuffer>,
    u: UniformValues,
    inner: number | null,
    cutoffMs: number | null = null,
  ): Promise<{ ms: number; inner: number } | null> {
    const seq = new SequenceBuilder(this.device, 'tune');
    const [candidate, ...alongside] = kernels;
    seq.add(candidate, candidate.pick(buffers), u, candidate.id);
    for (const kernel of alongside) {
      const uniforms = kernel.family.tuning?.alongsideUniforms?.(kernel.info.entry, u, candidate) ?? u;
      seq.add(kernel, kernel.pick(buffers), uniforms, kernel.id);
    }
    let recorded;
    try {
      recorded = seq.build();
    } catch {
      return null; // e.g. more workgroups than the device allows in one dimension
    }
    const timer = this.device.features.has('timestamp-query') ? new TimestampTimer(this.device) : null;
    try {
      const run = async (n: number): Promise<number> => {
        const encoder = this.device.createCommandEncoder({ label: 'tune' });
        const pass = encoder.beginComputePass(timer ? { timestampWrites: timer.writes } : {});
        for (let i = 0; i < n; i++) recorded.encode(pass);
        pass.end();
        timer?.resolve(encoder);
        const start = performance.now();
        this.device.queue.submit([encoder.finish()]);
        await this.device.queue.onSubmittedWorkDone();
        const wall = performance.now() - start;
        // A pass shorter than one tick of a coarse timestamp counter reads 0: take the wall time then.
        const stamped = timer ? await timer.read() : 0;
        return stamped > 0 ? stamped : wall;
      };
      const warm = await run(1);
      if (cutoffMs !== null && warm > cutoffMs) return { ms: warm, inner: 1 };
      // Short dispatches are repeated within a submission: wall time carries the submission's
      // overhead, and some timestamp counters tick coarsely (65.5 µs on SwiftShader in Dawn).
      const n = inner ?? Math.max(1, Math.min(64, Math.ceil((timer ? 1 : 2) / Math.max(warm, 0.01))));
      const reps = warm > 200 ? 1 : 3;
      const times: number[] = [];
      for (let r = 0; r < reps; r++) times.push((await run(n)) / n);
      return { ms: median(times), inner: n };
    } finally {
      recorded.destroy();
      timer?.destroy();
    }
  }
}

/** A compute pass's begin and end timestamps, resolved and read back in milliseconds. */
class TimestampTimer {
  private readonly set: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readback: GPUBuffer;
  readonly writes: GPUComputePassTimestampWrites;

  constructor(device: GPUDevice) {
    this.set = device.createQuerySet({ label: 'tune/timestamps', type: 'timestamp', count: 2 });
    this.resolved = device.createBuffer({ label: 'tune/timestamps', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ label: 'tune/timestamps-read', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.writes = { querySet: this.set, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.set, 0, 2, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.readback, 0, 16);
  }

  async read(): Promise<number> {
    await this.readback.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigInt64Array(this.readback.getMappedRange().slice(0));
    this.readback.unmap();
    return Number(end - begin) / 1e6;
  }

  destroy(): void {
    this.set.destroy();
    this.resolved.destroy();
    this.readback.destroy();
  }
}
