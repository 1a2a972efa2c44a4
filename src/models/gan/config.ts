// GAN training configuration and its validation, all before any GPU work:
// every field is checked for its type as well as its value, so that a bad
// config gets a GanConfigError that names the field, never a TypeError.
import { ConfigError } from '../../runtime/errors.js';
import '../losses/index.js'; // registers the built-in losses
import { findLoss, lossNames, type GanLossModule, type LossSpec } from '../losses/loss.js';
import '../optim/index.js'; // registers the built-in optimizers
import { findOptimizer, optimizerNames, type OptimizerModule, type OptimizerSpec } from '../optim/optimizer.js';
import { resolveEma, type EmaOptions } from '../optim/ema.js';
import { Sequential } from '../layers/sequential.js';
import { checkedGain, withSpectralNorm, type SpectralNormNets } from '../layers/spectral-norm.js';
import { penaltyIneligibility, resolvePenalty, type PenaltySpec, type ResolvedPenalty } from '../losses/gradient-penalty.js';

/** Thrown for a bad GanConfig or a bad call on a GanTrainer, before any GPU work. */
export class GanConfigError extends ConfigError {
  override name = 'GanConfigError';
}

/** One batch a host callback is asked for. */
export interface HostDraw {
  /** The training step (completed steps before it), as the GPU counts them. */
  step: number;
  /** Which update of the step: D updates 0 … dSteps − 1, then the G update (dSteps; noise only). */
  update: number;
  /** The batch's shape: rows × cols values, row-major. */
  rows: number;
  cols: number;
}

/** A callback that returns one batch, a Float32Array of draw.rows × draw.cols finite values. */
export type HostBatch = (draw: HostDraw) => Float32Array;

/**
 * The noise: drawn on the GPU from a distribution, or given by the host per
 * batch (for exact comparisons with another framework fed the same noise).
 */
export type NoiseSpec =
  | { distribution: 'uniform'; low: number; high: number }
  | { distribution: 'normal'; mean: number; std: number }
  | { distribution: 'host'; next: HostBatch };

/**
 * Real data: drawn fresh from a normal distribution, rows of a dataset
 * uploaded once (GanTrainer.replaceDataset swaps its rows), or batches the
 * host gives per update (a callback: streaming or augmented data).
 */
export type DataSpec =
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'dataset'; values: Float32Array; rows: number; cols: number }
  | { kind: 'host'; next: HostBatch };

/**
 * Class conditioning (a conditional GAN): G's input is [z; onehot(y)] and D's
 * input is the sample with K one-hot label planes appended as extra channels
 * (for flat samples, K extra features). Needs a dataset: `labels` holds the
 * class of each of its rows.
 */
export interface ConditionSpec {
  /** Number of classes K. */
  classes: number;
  /** (rows) class index of each dataset row, 0 ≤ label < classes. */
  labels: Uint8Array;
}

export type { LossSpec } from '../losses/loss.js';

export type { OptimizerSpec } from '../optim/optimizer.js';

export interface GanConfig {
  generator: Sequential;
  discriminator: Sequential;
  noise: NoiseSpec;
  data: DataSpec;
  batchSize: number;
  /** Discriminator updates per generator update (n_critic). Default 1. */
  dSteps?: number;
  /** The GAN loss: 'bce' (default: BCE with logits, non-saturating G loss). */
  loss?: LossSpec;
  optimizerD: OptimizerSpec;
  optimizerG: OptimizerSpec;
  /** BCE's target for real samples (1 = none; 0.9 = one-sided label smoothing); the same as loss: { name: 'bce', realLabel }. */
  realLabel?: number;
  seed?: number;
  /** Read losses back every this many steps (asynchronously). Default 10. */
  statsEvery?: number;
  /** Train a class-conditional GAN. */
  condition?: ConditionSpec;
  /** Keep an exponential moving average of G's weights (sample({ weights: 'ema' }) uses it). */
  ema?: EmaOptions;
  /**
   * Spectrally normalise every Linear, Conv2d and ConvTranspose2d of these
   * nets (Miyato et al.; the same as { spectralNorm: true } on each of their
   * layers). The usual choice is 'discriminator'. { nets, gain } holds each
   * of those layers to Lipschitz `gain` instead of 1 (g·W / σ; the same as
   * { spectralNorm: { gain } } on each).
   */
  spectralNorm?: SpectralNormNets | { nets: SpectralNormNets; gain?: number };
  /**
   * A gradient penalty on D, added to its loss in each D update: 'wgan-gp'
   * (λ(‖∇D(x̂)‖ − 1)² at interpolates, with the 'wasserstein' loss) or 'r1'
   * (γ/2 ‖∇D(x)‖² at the reals); { name, weight } sets λ or γ (default 10).
   */
  penalty?: PenaltySpec;
  /**
   * How steps are recorded. 'layered': a dispatch per layer and pass (any
   * net). 'fused-mlp': one dispatch per optimizer phase, for small MLP GANs
   * (fusedMlpIneligibility says which). 'auto' (default): fused-mlp when the
   * config and device allow it and, with tune 'full', when it is measured
   * faster on this adapter (plan-choice.ts); else layered.
   */
  plan?: 'auto' | 'layered' | 'fused-mlp';
}

export type NetName = 'generator' | 'discriminator';
export const NETS: readonly NetName[] = ['generator', 'discriminator'];

/**
 * Shapes the step plan works with. Per sample: noise Z = G.inputSize − K,
 * sample X = G.outputSize = C·S (C channels of S = H·W positions, or C = X,
 * S = 1 for flat samples), D input = (C + K)·S. K = 0 without conditioning.
 */
export interface PlanShapes {
  noise: number;
  sample: number;
  classes: number;
  channels: number;
  spatial: number;
}

export interface ResolvedLoss {
  module: GanLossModule;
  options: unknown;
}

export interface ResolvedOptimizer {
  module: OptimizerModule;
  hyper: unknown;
  /** Its per-parameter state tensors for these options (module.slots(hyper)). */
  slots: readonly string[];
}

export interface ResolvedGanConfig extends Omit<GanConfig, 'loss' | 'ema' | 'spectralNorm' | 'penalty'> {
  shapes: PlanShapes;
  plan: 'auto' | 'layered' | 'fused-mlp';
  dSteps: number;
  seed: number;
  statsEvery: number;
  loss: ResolvedLoss;
  optimizers: Record<NetName, ResolvedOptimizer>;
  /** G's EMA, or null for none. */
  ema: EmaOptions | null;
  /** D's gradient penalty, or null for none. */
  penalty: ResolvedPenalty | null;
}

const fail = (message: string): never => {
  throw new GanConfigError(message);
};

/** A value as an error message shows it: strings quoted, so "100" is not mistaken for 100. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `an Array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<number>).length ?? v.byteLength} elements`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

function positiveInt(where: string, v: unknown): number {
  if (!isNumber(v) || !Number.isInteger(v) || v < 1) fail(`${where} must be a positive integer, got ${shown(v)}`);
  return v as number;
}

function finite(where: string, v: unknown): number {
  if (!isNumber(v) || !Number.isFinite(v)) fail(`${where} must be a finite number, got ${shown(v)}`);
  return v as number;
}

function object(where: string, v: unknown, expected: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be ${expected}, got ${v === undefined ? 'nothing' : shown(v)}`);
  return v as Record<string, unknown>;
}

/** A Sequential (duck-typed, so two copies of the library still agree). */
function net(role: NetName, v: unknown): Sequential {
  const looks = typeof v === 'object' && v !== null && Array.isArray((v as Sequential).stages) && typeof (v as Sequential).inputSize === 'number';
  if (!looks) {
    const how = Array.isArray(v) ? `a plain array of ${v.length} layers; wrap it: new Sequential('${role}', layers)` : `${v === undefined ? 'nothing' : shown(v)}`;
    fail(`${role} must be a Sequential, got ${how}`);
  }
  return v as Sequential;
}

function resolveOptimizer(where: string, spec: unknown): ResolvedOptimizer {
  const o = object(where, spec, `optimizer options such as { lr: 2e-4, beta1: 0.5 }`);
  const name = o.name ?? 'adam';
  const module = typeof name === 'string' ? findOptimizer(name) : undefined;
  if (!module) fail(`${where}.name is ${shown(name)}; expected one of ${optimizerNames().join(', ')}`);
  const hyper = module!.resolve(o, (m) => fail(`${where}${m}`));
  return { module: module!, hyper, slots: module!.slots(hyper) };
}

function resolveLoss(c: GanConfig): ResolvedLoss {
  const spec = c.loss ?? 'bce';
  const o: Record<string, unknown> = typeof spec === 'string' ? { name: spec } : { ...object('loss', spec, "a loss name or { name, ...options }") };
  const module = typeof o.name === 'string' ? findLoss(o.name) : undefined;
  if (!module) fail(`loss ${shown(o.name)} is not known; expected one of ${lossNames().join(', ')}`);
  if (c.realLabel !== undefined) {
    if (o.realLabel !== undefined && o.realLabel !== c.realLabel) fail(`realLabel is given twice (${c.realLabel} and loss.realLabel ${shown(o.realLabel)})`);
    o.realLabel = c.realLabel;
  }
  const { name: _, ...options } = o;
  return { module: module!, options: module!.resolve(options, (m) => fail(`loss '${module!.name}': ${m}`)) };
}

export function resolveGanConfig(config: GanConfig): ResolvedGanConfig {
  const c = object('config', config, 'a GanConfig object') as unknown as GanConfig;
  const G = net('generator', c.generator);
  const D = net('discriminator', c.discriminator);
  positiveInt('batchSize', c.batchSize);
  const dSteps = positiveInt('dSteps', c.dSteps ?? 1);
  const statsEvery = positiveInt('statsEvery', c.statsEvery ?? 10);
  if (D.outputSize !== 1) fail(`discriminator '${D.name}' must end in 1 logit, but its output has ${D.outputSize} features`);
  const shapes = planShapes(c, G, D);
  const n = object('noise', c.noise, "{ distribution: 'uniform', low, high } or { distribution: 'normal', mean, std }");
  if (n.distribution === 'uniform') {
    const [low, high] = [finite('noise.low', n.low), finite('noise.high', n.high)];
    if (!(low < high)) fail(`noise: uniform needs low < high, got [${low}, ${high})`);
  } else if (n.distribution === 'normal') {
    finite('noise.mean', n.mean);
    if (!(finite('noise.std', n.std) > 0)) fail(`noise: normal needs std > 0, got ${n.std}`);
  } else if (n.distribution === 'host') {
    if (typeof n.next !== 'function') fail(`noise: host noise needs next(draw) → Float32Array, got ${shown(n.next)}`);
  } else {
    fail(`noise: unknown distribution ${shown(n.distribution)}; expected uniform, normal or host`);
  }
  const d = object('data', c.data, "{ kind: 'normal', mean, std }, { kind: 'dataset', values, rows, cols } or { kind: 'host', next }");
  if (d.kind === 'normal') {
    if (c.condition) fail('condition: a conditional GAN needs a dataset with labels, but data is a normal distribution');
    if (G.outputSize !== 1) fail(`data: a normal distribution is 1-D but the generator outputs ${G.outputSize} features`);
    finite('data.mean', d.mean);
    if (!(finite('data.std', d.std) > 0)) fail(`data: normal needs std > 0, got ${d.std}`);
  } else if (d.kind === 'dataset') {
    checkDataset(c, d, shapes.sample);
  } else if (d.kind === 'host') {
    if (typeof d.next !== 'function') fail(`data: host data needs next(draw) → Float32Array, got ${shown(d.next)}`);
    if (c.condition) fail('condition: a conditional GAN needs a dataset with labels, but data comes from the host');
  } else {
    fail(`data: unknown kind ${shown(d.kind)}; expected normal, dataset or host`);
  }
  const plan = c.plan ?? 'auto';
  if (plan !== 'auto' && plan !== 'layered' && plan !== 'fused-mlp') fail(`plan must be 'auto', 'layered' or 'fused-mlp', got ${shown(plan)}`);
  const seed = c.seed ?? 0;
  if (!isNumber(seed) || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`seed must be a u32 integer, got ${shown(seed)}`);
  const sn = resolveSpectralNorm(c.spectralNorm);
  // The nets rebuilt with the option on their layers: the same parameter layout, so given initial weights still fit.
  const normalized = (role: NetName, s: Sequential): Sequential =>
    sn && (sn.nets === role || sn.nets === 'both')
      ? new Sequential(s.name, withSpectralNorm(s.layers, { gain: sn.gain }), s.inputShape ? { inputShape: s.inputShape } : {})
      : s;
  const { spectralNorm: _, penalty: penaltySpec, ...rest } = c;
  const discriminator = normalized('discriminator', D);
  const penalty = penaltySpec === undefined ? null : resolvePenalty(penaltySpec, fail);
  const refused = penalty && penaltyIneligibility(discriminator);
  if (refused) fail(`penalty '${penalty!.name}': ${refused}`);
  return {
    ...rest,
    generator: normalized('generator', G),
    discriminator,
    penalty,
    shapes,
    plan,
    dSteps,
    statsEvery,
    seed,
    loss: resolveLoss(c),
    optimizers: { discriminator: resolveOptimizer('optimizerD', c.optimizerD), generator: resolveOptimizer('optimizerG', c.optimizerG) },
    ema: c.ema === undefined ? null : resolveEma(c.ema, fail),
  };
}

const SPECTRAL_NORM_NETS: readonly SpectralNormNets[] = ['discriminator', 'generator', 'both'];

/** GanConfig.spectralNorm as the nets it names and their layers' gain (default 1), or null for none. */
function resolveSpectralNorm(v: unknown): { nets: SpectralNormNets; gain: number } | null {
  if (v === undefined) return null;
  const isNets = (n: unknown): n is SpectralNormNets => SPECTRAL_NORM_NETS.includes(n as SpectralNormNets);
  if (isNets(v)) return { nets: v, gain: 1 };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`spectralNorm must be 'discriminator', 'generator', 'both' or { nets, gain }, got ${shown(v)}`);
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'nets' && k !== 'gain');
  if (extra.length > 0) fail(`spectralNorm: unknown field ${extra.map((k) => `"${k}"`).join(', ')}; expected nets and optionally gain`);
  if (!isNets(o.nets)) fail(`spectralNorm.nets must be 'discriminator', 'generator' or 'both', got ${o.nets === undefined ? 'nothing' : shown(o.nets)}`);
  const gain = o.gain === undefined ? 1 : checkedGain(o.gain, 'spectralNorm.gain', fail);
  return { nets: o.nets as SpectralNormNets, gain };
}

function checkDataset(c: GanConfig, d: Record<string, unknown>, sample: number): void {
  if (!(d.values instanceof Float32Array)) {
    const got = Array.isArray(d.values) ? 'a plain Array (convert it: Float32Array.from(values))' : shown(d.values);
    fail(`data.values must be a Float32Array, got ${got}`);
  }
  const values = d.values as Float32Array;
  const rows = positiveInt('data.rows', d.rows);
  const cols = positiveInt('data.cols', d.cols);
  if (cols !== sample) fail(`data: rows have ${cols} features but generator '${c.generator.name}' outputs ${sample}`);
  if (values.length !== rows * cols) fail(`data: values has ${values.length} numbers, expected rows × cols = ${rows} × ${cols} = ${rows * cols}`);
  if (c.batchSize > rows) fail(`batchSize ${c.batchSize} does not fit the data: the dataset has only ${rows} rows`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`data: value ${bad} (row ${Math.floor(bad / cols)}) is ${values[bad]}, not finite`);
  if (c.condition) checkLabels(c.condition, rows);
}

/** G and D must agree on the sample; with a condition, each input must have room for the K label values. */
function planShapes(c: GanConfig, G: Sequential, D: Sequential): PlanShapes {
  const K = c.condition === undefined ? 0 : positiveInt('condition.classes', object('condition', c.condition, '{ classes, labels }').classes);
  const X = G.outputSize;
  // Label planes go after the sample's channels: per channel for image samples, as K extra features for flat ones.
  const [C, S] = G.outputShape ? [G.outputShape[0], G.outputShape[1] * G.outputShape[2]] : [X, 1];
  if (K > 0 && G.inputSize <= K) {
    fail(`condition: generator '${G.name}' takes ${G.inputSize} inputs, which leaves no room for noise next to ${K} one-hot label values`);
  }
  const dExpected = (C + K) * S;
  if (D.inputSize !== dExpected) {
    const how = K === 0 ? '' : ` (its ${C} channel(s) of ${S} position(s) plus ${K} label plane(s))`;
    fail(`generator '${G.name}' outputs ${X} features per sample, so discriminator '${D.name}' must take ${dExpected}${how}, but it expects ${D.inputSize}`);
  }
  return { noise: G.inputSize - K, sample: X, classes: K, channels: C, spatial: S };
}

function checkLabels(cond: ConditionSpec, rows: number): void {
  if (!(cond.labels instanceof Uint8Array) || cond.labels.length !== rows) {
    fail(`condition.labels must be a Uint8Array with one label per dataset row (${rows}), got ${shown(cond.labels)}`);
  }
  const bad = cond.labels.findIndex((l) => l >= cond.classes);
  if (bad >= 0) fail(`condition.labels[${bad}] is ${cond.labels[bad]}, outside 0…${cond.classes - 1}`);
}
