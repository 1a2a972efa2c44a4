// GanTrainer checkpoints on the GPU: a round trip that resumes training
// exactly, and malformed or mismatched files that are rejected whole with a
// CheckpointError, leaving the trainer untouched. The file format itself is
// io/safetensors.spec.ts.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { concat, editFile, editHeader, headerLength, u64 } from '../../../test/support/safetensors-bytes.js';

const SEED = 7;

interface Snapshot {
  generator: number[];
  discriminator: number[];
  gExpAvg: number[];
  gExpAvgSq: number[];
  dExpAvg: number[];
  dExpAvgSq: number[];
  adamSteps: [number, number];
  counterStep: number;
  trainerStep: number;
}

let savedFile: Promise<Uint8Array> | null = null;
/** A checkpoint of a gaussian1d trainer (seed 7, batch 8) after 3 steps, made once. */
function checkpointFile(gpu: GpuPage): Promise<Uint8Array> {
  savedFile ??= gpu.page
    .evaluate(async (seed) => {
      const { lib, ctx } = window.harness;
      const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8, seed }));
      await trainer.train(3);
      const bytes = await lib.saveCheckpoint(trainer);
      trainer.dispose();
      return Array.from(bytes);
    }, SEED)
    .then((a) => Uint8Array.from(a));
  return savedFile;
}

test('save → train → load restores parameters, Adam moments and counters exactly; resuming retraces the original run', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async (seed) => {
    const { lib, ctx } = window.harness;
    type Trainer = Awaited<ReturnType<typeof lib.GanTrainer.create>>;
    const snapshot = async (t: Trainer): Promise<Snapshot> => {
      const [g, d, go, dO, c] = await Promise.all([
        t.readParameters('generator'),
        t.readParameters('discriminator'),
        t.readOptimizerState('generator'),
        t.readOptimizerState('discriminator'),
        t.readCounters(),
      ]);
      return {
        generator: Array.from(g),
        discriminator: Array.from(d),
        gExpAvg: Array.from(go.slots.exp_avg),
        gExpAvgSq: Array.from(go.slots.exp_avg_sq),
        dExpAvg: Array.from(dO.slots.exp_avg),
        dExpAvgSq: Array.from(dO.slots.exp_avg_sq),
        adamSteps: [go.step, dO.step],
        counterStep: c.step,
        trainerStep: t.step,
      };
    };
    const config = () => lib.presets.gaussian1d({ batchSize: 8, seed });
    const a = await lib.GanTrainer.create(ctx, config());
    await a.train(3);
    const bytes = await lib.saveCheckpoint(a);
    const atSave = await snapshot(a);
    await a.train(4);
    const fourAfterSave = await snapshot(a);
    await lib.loadCheckpoint(a, bytes);
    const reloaded = await snapshot(a);
    await a.train(4);
    const reloadedThenFour = await snapshot(a);

    // A fresh trainer with the same seed, at a different point, resumes from the file.
    const b = await lib.GanTrainer.create(ctx, config());
    await b.train(1);
    await lib.loadCheckpoint(b, bytes);
    const other = await snapshot(b);
    await b.train(4);
    const otherThenFour = await snapshot(b);
    a.dispose();
    b.dispose();

    const header = lib.parseSafetensors(bytes);
    return {
      atSave,
      fourAfterSave,
      reloaded,
      reloadedThenFour,
      other,
      otherThenFour,
      names: [...header.tensors.keys()],
      shapes: Object.fromEntries([...header.tensors].map(([k, v]) => [k, v.shape])),
      metadata: header.metadata,
      describe: config().generator.describe(),
    };
  }, SEED);

  expect(r.atSave.counterStep).toBe(3);
  expect(r.atSave.adamSteps).toEqual([3, 3]);
  expect(r.fourAfterSave.generator).not.toEqual(r.atSave.generator); // training moved on
  expect(r.fourAfterSave.counterStep).toBe(7);
  for (const s of [r.reloaded, r.other]) {
    expect(s).toEqual({ ...r.atSave, trainerStep: 3 });
  }
  for (const s of [r.reloadedThenFour, r.otherThenFour]) {
    expect(s.generator).toEqual(r.fourAfterSave.generator);
    expect(s).toEqual(r.fourAfterSave);
  }

  const layer = (p: string) => [`${p}0.weight`, `${p}0.bias`, `${p}2.weight`, `${p}2.bias`, `${p}4.weight`, `${p}4.bias`];
  expect(r.names).toEqual([
    ...layer('generator.'),
    ...layer('discriminator.'),
    ...layer('generator_adam.exp_avg.'),
    ...layer('generator_adam.exp_avg_sq.'),
    ...layer('discriminator_adam.exp_avg.'),
    ...layer('discriminator_adam.exp_avg_sq.'),
  ]);
  expect(r.shapes['generator.0.weight']).toEqual([50, 1]); // PyTorch Linear(1, 50).weight
  expect(r.shapes['generator.2.weight']).toEqual([50, 50]);
  expect(r.shapes['discriminator.4.weight']).toEqual([1, 50]);
  expect(r.shapes['generator_adam.exp_avg_sq.4.bias']).toEqual([1]);
  expect(r.metadata).toEqual({
    format: 'webgpu-gan',
    version: '1',
    step: '3',
    seed: String(SEED),
    generator_adam_step: '3',
    discriminator_adam_step: '3',
    generator: r.describe,
    discriminator: r.describe,
  });
});

interface LoadAttempt {
  errorName: string | null;
  message: string;
  unchanged: boolean;
}

/** Loads `bytes` into a gaussian1d trainer (given seed, trained 2 steps) and reports the error and whether anything changed. */
function attemptLoad(gpu: GpuPage, bytes: Uint8Array, seed = SEED): Promise<LoadAttempt> {
  return gpu.page.evaluate(
    async ({ file, seed }) => {
      const { lib, ctx } = window.harness;
      const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8, seed }));
      await trainer.train(2);
      const state = async () =>
        JSON.stringify([
          Array.from(await trainer.readParameters('generator')),
          Array.from(await trainer.readParameters('discriminator')),
          await trainer.readOptimizerState('generator').then((o) => [Array.from(o.slots.exp_avg), Array.from(o.slots.exp_avg_sq), o.step]),
          await trainer.readOptimizerState('discriminator').then((o) => [Array.from(o.slots.exp_avg), Array.from(o.slots.exp_avg_sq), o.step]),
          await trainer.readCounters(),
          trainer.step,
        ]);
      const before = await state();
      let errorName: string | null = null;
      let message = '';
      try {
        await lib.loadCheckpoint(trainer, Uint8Array.from(file));
      } catch (e) {
        errorName = e instanceof lib.CheckpointError ? 'CheckpointError' : e instanceof Error ? e.name : String(e);
        message = e instanceof Error ? e.message : '';
      }
      const unchanged = (await state()) === before;
      trainer.dispose();
      return { errorName, message, unchanged };
    },
    { file: Array.from(bytes), seed },
  );
}

const REJECTIONS: [string, (good: Uint8Array) => Uint8Array, RegExp, number?][] = [
  ['truncated file', (f) => f.slice(0, f.length - 10), /run past the data section.*truncated/],
  ['file shorter than the length field', (f) => f.slice(0, 5), /5 bytes, too short/],
  ['header length beyond the file', (f) => concat(u64(f.length), f.subarray(8)), /header length field says \d+ bytes but the file has only/],
  ['non-JSON header', (f) => concat(f.subarray(0, 8), new Uint8Array(headerLength(f)).fill(0x78), f.subarray(8 + headerLength(f))), /not valid JSON/],
  ['wrong dtype', (f) => editHeader(f, (h) => (h['discriminator.2.bias'].dtype = 'F64')), /'discriminator.2.bias' has dtype "F64"; only F32/],
  [
    'wrong shape for one tensor',
    (f) => editFile(f, (t) => t.set('generator.2.weight', { shape: [50, 49], data: new Float32Array(50 * 49) })),
    /tensor 'generator.2.weight' has shape \[50, 49\] but this trainer expects \[50, 50\]/,
  ],
  ['missing tensor', (f) => editFile(f, (t) => t.delete('discriminator_adam.exp_avg_sq.4.bias')), /'discriminator_adam.exp_avg_sq.4.bias' \(shape \[1\]\) is missing/],
  ['unexpected tensor', (f) => editFile(f, (t) => t.set('generator.6.weight', { shape: [1], data: Float32Array.of(0) })), /unexpected tensor.*'generator.6.weight'/],
  [
    'NaN in the data',
    (f) => editFile(f, (t) => (t.get('generator_adam.exp_avg.2.weight')!.data[17] = NaN)),
    /'generator_adam.exp_avg.2.weight' value 17 is NaN/,
  ],
  ['Infinity in the data', (f) => editFile(f, (t) => (t.get('discriminator.0.bias')!.data[0] = -Infinity)), /'discriminator.0.bias' value 0 is -Infinity/],
  ['not a webgpu-gan file', (f) => editFile(f, (_, m) => delete m.format), /format is undefined, expected "webgpu-gan"/],
  ['future version', (f) => editFile(f, (_, m) => (m.version = '2')), /version "2" is not supported/],
  ['bad step', (f) => editFile(f, (_, m) => (m.step = '-1')), /__metadata__.step is "-1"/],
  ['different architecture', (f) => editFile(f, (_, m) => (m.generator = m.generator.replace(/elu/g, 'relu'))), /its generator is ".*relu.*" but this trainer's is ".*elu/],
  ['wrong seed', (f) => f, /trained with seed 7 but this trainer has seed 8; create the trainer with seed: 7 to resume/, 8],
  [
    'negative exp_avg_sq',
    (f) => editFile(f, (t) => (t.get('discriminator_adam.exp_avg_sq.0.bias')!.data[3] = -1e-6)),
    /'discriminator_adam.exp_avg_sq.0.bias' value 3 is -9\.99\d*e-7; Adam's second moment is a mean of squares and cannot be negative/,
  ],
  ['Adam step that would wrap the u32 counter', (f) => editFile(f, (_, m) => (m.discriminator_adam_step = '4294967295')), /discriminator_adam_step is "4294967295", expected an integer in \[0, 2147483647\]/],
  ['step that would wrap the u32 counter', (f) => editFile(f, (_, m) => ((m.step = '4294967295'), (m.generator_adam_step = '4294967295'))), /__metadata__.step is "4294967295", expected an integer in \[0, 2147483647\]/],
  ['generator updates not one per step', (f) => editFile(f, (_, m) => (m.generator_adam_step = '2')), /generator_adam_step is 2 but step is 3; every training step makes one generator update/],
  [
    'a tensor named twice in the header',
    (f) => {
      const n = headerLength(f);
      const text = new TextDecoder().decode(f.subarray(8, 8 + n)).trimEnd();
      const entry = text.match(/"generator\.0\.bias":\{[^}]*\}/)![0];
      const header = new TextEncoder().encode(text.replace('{', `{${entry},`));
      return concat(u64(header.length), header, f.subarray(8 + n));
    },
    /the header has the key "generator.0.bias" twice/,
  ],
];

for (const [what, corrupt, message, seed] of REJECTIONS) {
  test(`loadCheckpoint rejects a bad file whole and changes nothing: ${what}`, async ({ gpu }) => {
    const bad = corrupt(await checkpointFile(gpu));
    const r = await attemptLoad(gpu, bad, seed);
    expect(r.errorName, r.message).toBe('CheckpointError');
    expect(r.message).toMatch(message);
    expect(r.unchanged, 'the trainer changed although the load was rejected').toBe(true);
  });
}

test('loadCheckpoint accepts the unmodified file (control for the rejection cases)', async ({ gpu }) => {
  const r = await attemptLoad(gpu, await checkpointFile(gpu));
  expect(r.errorName, r.message).toBeNull();
  expect(r.unchanged).toBe(false);
});

test('BatchNorm running statistics round-trip through a checkpoint (PyTorch names), and a negative running_var is refused whole', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const L = lib;
    // A tiny conv GAN with BatchNorm in both nets (G: BatchNorm(8) at layer 2; D: BatchNorm(4) at layer 3).
    const config = () => ({
      generator: new L.Sequential('generator', [L.Linear(3, 8 * 2 * 2, { bias: false }), L.Unflatten(8, 2, 2), L.BatchNorm(8), L.ReLU(), L.ConvTranspose2d(8, 1, 4, { stride: 2, padding: 1 }), L.Tanh()]),
      discriminator: new L.Sequential('discriminator', [L.Conv2d(1, 4, 4, { stride: 2, padding: 1 }), L.LeakyReLU(0.2), L.Conv2d(4, 4, 3, { padding: 1, bias: false }), L.BatchNorm(4), L.LeakyReLU(0.2), L.Flatten(), L.Linear(16, 1)], { inputShape: [1, 4, 4] as [number, number, number] }),
      noise: { distribution: 'normal' as const, mean: 0, std: 1 },
      data: { kind: 'dataset' as const, values: Float32Array.from({ length: 6 * 16 }, (_, i) => Math.sin(i)), rows: 6, cols: 16 },
      batchSize: 3,
      optimizerD: { lr: 1e-2 },
      optimizerG: { lr: 1e-2 },
      seed: 3,
    });
    const a = await L.GanTrainer.create(ctx, config());
    await a.train(3);
    const bytes = await L.saveCheckpoint(a);
    const running = { g: Array.from(await a.readBuffers('generator')), d: Array.from(await a.readBuffers('discriminator')) };
    const b = await L.GanTrainer.create(ctx, config());
    const fresh = Array.from(await b.readBuffers('generator'));
    await L.loadCheckpoint(b, bytes);
    const loaded = { g: Array.from(await b.readBuffers('generator')), d: Array.from(await b.readBuffers('discriminator')) };
    const file = L.parseSafetensors(bytes);
    const bad = new Map(file.tensors);
    const rv = bad.get('discriminator.3.running_var')!;
    bad.set('discriminator.3.running_var', { shape: rv.shape, data: rv.data.map((v, i) => (i === 2 ? -1 : v)) });
    const c = await L.GanTrainer.create(ctx, config());
    const before = Array.from(await c.readParameters('generator'));
    const error = await L.loadCheckpoint(c, L.encodeSafetensors(bad, file.metadata)).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    const after = Array.from(await c.readParameters('generator'));
    const afterRunning = Array.from(await c.readBuffers('discriminator'));
    for (const t of [a, b, c]) t.dispose();
    return { running, fresh, loaded, names: [...file.tensors.keys()].filter((n) => n.includes('running')), error, unchanged: JSON.stringify(before) === JSON.stringify(after), afterRunning };
  });
  expect(r.names).toEqual(['generator.2.running_mean', 'generator.2.running_var', 'discriminator.3.running_mean', 'discriminator.3.running_var']);
  expect(r.running.g).not.toEqual(r.fresh); // training moved them
  expect(r.loaded).toEqual(r.running);
  expect(r.error).toMatch(/CheckpointError: checkpoint: tensor 'discriminator.3.running_var' value 2 is -1; a variance cannot be negative/);
  expect(r.unchanged).toBe(true);
  expect(r.afterRunning.slice(64, 68)).toEqual([1, 1, 1, 1]); // still the initial running_var
});

/** A deterministic stream of u32s (xorshift), so every mutation below reproduces. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/** How to damage a file: keep its first `keep` bytes, XOR one byte, write a header length, or append zeros. */
type Mutation =
  | { kind: 'truncated'; keep: number }
  | { kind: 'header byte' | 'data byte'; at: number; xor: number }
  | { kind: 'header length'; length: number }
  | { kind: 'trailing bytes'; extra: number };

/** 510 ways to damage a checkpoint (applied in the page, so that the file crosses over once). */
function mutations(file: Uint8Array): Mutation[] {
  const next = xorshift(2024);
  const n = headerLength(file);
  const out: Mutation[] = [];
  for (let i = 0; i < 120; i++) out.push({ kind: 'truncated', keep: next() % file.length });
  for (let i = 0; i < 260; i++) out.push({ kind: 'header byte', at: 8 + (next() % n), xor: 1 + (next() % 255) });
  for (let i = 0; i < 30; i++) out.push({ kind: 'header length', length: n + 1 + (next() % 64) * (next() % 2 ? 1 : -1) * 8 });
  for (let i = 0; i < 30; i++) out.push({ kind: 'trailing bytes', extra: 1 + (next() % 16) });
  // A data byte flip changes one float: the top byte's bits reach the exponent (NaN, Inf) and the sign.
  for (let i = 0; i < 70; i++) out.push({ kind: 'data byte', at: 8 + n + (next() % (file.length - 8 - n)), xor: 1 + (next() % 255) });
  return out;
}

test('510 damaged checkpoints: each is rejected whole with the trainer unchanged, or loads exactly what it says (a finite float changed)', async ({ gpu }) => {
  const file = await checkpointFile(gpu);
  const cases = mutations(file);
  const r = await gpu.page.evaluate(
    async ({ file, cases, seed }) => {
      const { lib, ctx } = window.harness;
      const damaged = (m: Mutation): Uint8Array => {
        const f = Uint8Array.from(file);
        if (m.kind === 'truncated') return f.slice(0, m.keep);
        if (m.kind === 'header byte' || m.kind === 'data byte') {
          f[m.at] ^= m.xor;
          return f;
        }
        if (m.kind === 'header length') {
          new DataView(f.buffer).setBigUint64(0, BigInt(m.length), true);
          return f;
        }
        const longer = new Uint8Array(f.length + (m as { extra: number }).extra);
        longer.set(f);
        return longer;
      };
      const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8, seed }));
      await trainer.train(2);
      const own = await lib.saveCheckpoint(trainer);
      const fingerprint = async () => {
        const parts = [
          await trainer.readParameters('generator'),
          await trainer.readParameters('discriminator'),
          ...(await Promise.all((['generator', 'discriminator'] as const).map((n) => trainer.readOptimizerState(n)))).flatMap((o) => [...Object.values(o.slots), Float32Array.of(o.step)]),
        ];
        return JSON.stringify([parts.map((p) => Array.from(p)), await trainer.readCounters(), trainer.step]);
      };
      const initial = await fingerprint();
      const outcomes: { outcome: string; unchanged: boolean; sameAsFile: boolean }[] = [];
      for (const m of cases) {
        const mutated = damaged(m);
        try {
          await lib.loadCheckpoint(trainer, mutated);
          // Accepted: the trainer must now hold exactly what the file says, as a fresh save shows.
          const saved = lib.parseSafetensors(await lib.saveCheckpoint(trainer));
          const read = lib.parseSafetensors(mutated);
          const same = [...read.tensors].every(([k, t]) => JSON.stringify(Array.from(t.data)) === JSON.stringify(Array.from(saved.tensors.get(k)!.data)));
          outcomes.push({ outcome: 'accepted', unchanged: false, sameAsFile: same && JSON.stringify(read.metadata) === JSON.stringify(saved.metadata) });
          await lib.loadCheckpoint(trainer, own); // back to the starting point
        } catch (e) {
          outcomes.push({ outcome: (e as Error).name, unchanged: (await fingerprint()) === initial, sameAsFile: false });
        }
      }
      trainer.dispose();
      return outcomes;
    },
    { file: Array.from(file), cases, seed: SEED },
  );
  const byKind: Record<string, { rejected: number; accepted: number }> = {};
  const wrong: string[] = [];
  r.forEach((o, i) => {
    const kind = cases[i].kind;
    byKind[kind] ??= { rejected: 0, accepted: 0 };
    if (o.outcome === 'accepted') {
      byKind[kind].accepted++;
      // Only a change the format cannot see may load: a data byte that leaves every value finite and in range,
      // or header bytes that parse to the same header (white space) or to another valid count of D updates.
      if (!o.sameAsFile) wrong.push(`#${i} (${kind}) loaded but the trainer does not hold what the file says`);
      if (kind !== 'data byte' && kind !== 'header byte') wrong.push(`#${i} (${kind}) was accepted`);
    } else {
      byKind[kind].rejected++;
      if (o.outcome !== 'CheckpointError') wrong.push(`#${i} (${kind}) failed with ${o.outcome}, not CheckpointError`);
      if (!o.unchanged) wrong.push(`#${i} (${kind}) was rejected but changed the trainer`);
    }
  });
  console.log(`damaged checkpoints: ${JSON.stringify(byKind)}`);
  expect(wrong).toEqual([]);
  const rejected = Object.values(byKind).reduce((a, k) => a + k.rejected, 0);
  expect(rejected).toBeGreaterThanOrEqual(400);
  expect(byKind.truncated.accepted + byKind['header length'].accepted + byKind['trailing bytes'].accepted).toBe(0);
});
