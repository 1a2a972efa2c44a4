// Checkpoints: the safetensors layout byte by byte (Node, no GPU), a GPU round
// trip that resumes training exactly, and malformed or mismatched files that
// are rejected whole with a CheckpointError, leaving the trainer untouched.
import { test, expect, type GpuPage } from './support/fixtures.js';
import { encodeSafetensors, parseSafetensors, type SafetensorsTensor } from '../src/models/checkpoint.js';
import { CheckpointError } from '../src/runtime/errors.js';

// ---------------------------------------------------------------------------
// Helpers (Node side)

const u64 = (n: number | bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const f32le = (...values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return b;
};
/** A file from a header string (unpadded) and data bytes, exactly as given. */
const rawFile = (header: string, data: Uint8Array): Uint8Array => {
  const h = new TextEncoder().encode(header);
  return concat(u64(h.length), h, data);
};
const headerLength = (bytes: Uint8Array): number => Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

type Header = Record<string, Record<string, unknown>>;
/** Rewrites a file's JSON header, keeping its data section byte for byte. */
function editHeader(bytes: Uint8Array, edit: (h: Header) => void): Uint8Array {
  const n = headerLength(bytes);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header;
  edit(header);
  return rawFile(JSON.stringify(header), bytes.subarray(8 + n));
}
/** Re-encodes a file after editing its parsed tensors and metadata. */
function editFile(bytes: Uint8Array, edit: (t: Map<string, SafetensorsTensor>, m: Record<string, string>) => void): Uint8Array {
  const f = parseSafetensors(bytes);
  const metadata = { ...f.metadata };
  edit(f.tensors, metadata);
  return encodeSafetensors(f.tensors, metadata);
}

function expectRejected(what: string, bytes: Uint8Array, message: RegExp): void {
  let error: unknown = null;
  try {
    parseSafetensors(bytes);
  } catch (e) {
    error = e;
  }
  expect(error, `${what}: expected a CheckpointError matching ${message}, got ${String(error)}`).toBeInstanceOf(CheckpointError);
  expect((error as Error).message, what).toMatch(message);
}

// ---------------------------------------------------------------------------
// The file format (CPU only)

test('encodeSafetensors: u64 header length, space-padded JSON, 8-byte aligned F32 data', () => {
  const tensors = new Map<string, SafetensorsTensor>([
    ['a.weight', { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
    ['a.bias', { shape: [2], data: Float32Array.of(-0.5, 0.25) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { format: 'test', note: 'ünïcode' });
  const n = headerLength(bytes);
  expect(bytes.subarray(4, 8)).toEqual(new Uint8Array(4)); // high 32 bits of the u64
  expect(n % 8).toBe(0);
  expect(bytes.length).toBe(8 + n + 8 * 4);

  const headerBytes = bytes.subarray(8, 8 + n);
  const text = new TextDecoder().decode(headerBytes);
  const json = text.trimEnd();
  expect(text.length - json.length).toBeLessThan(8); // only as much padding as alignment needs
  expect(headerBytes.subarray(new TextEncoder().encode(json).length).every((b) => b === 0x20)).toBe(true);
  expect(JSON.parse(json)).toEqual({
    __metadata__: { format: 'test', note: 'ünïcode' },
    'a.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    'a.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
    empty: { dtype: 'F32', shape: [0, 4], data_offsets: [32, 32] },
  });
  expect(bytes.subarray(8 + n)).toEqual(f32le(1, 2, 3, 4, 5, 6, -0.5, 0.25));

  const back = parseSafetensors(bytes);
  expect([...back.tensors.keys()]).toEqual(['a.weight', 'a.bias', 'empty']);
  expect(back.tensors.get('a.weight')).toEqual(tensors.get('a.weight'));
  expect(back.tensors.get('a.bias')).toEqual(tensors.get('a.bias'));
  expect(back.tensors.get('empty')?.shape).toEqual([0, 4]);
  expect(back.metadata).toEqual({ format: 'test', note: 'ünïcode' });
});

test('parseSafetensors reads a hand-built file: unpadded header, entries out of offset order, odd byte offset', () => {
  // 1.5 = 0x3fc00000, -2 = 0xc0000000, 3 = 0x40400000, little-endian.
  const data = Uint8Array.of(0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0);
  const header =
    '{"b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]},' +
    '"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
  const file = rawFile(header, data);
  expect(file.subarray(0, 8)).toEqual(Uint8Array.of(header.length, 0, 0, 0, 0, 0, 0, 0));
  // Parse from a view that starts at an odd byte, so no Float32Array could alias it.
  const host = new Uint8Array(file.length + 3);
  host.set(file, 3);
  const parsed = parseSafetensors(host.subarray(3));
  expect([...parsed.tensors.keys()]).toEqual(['a', 'b']);
  expect(parsed.tensors.get('a')).toEqual({ shape: [], data: Float32Array.of(3) });
  expect(parsed.tensors.get('b')).toEqual({ shape: [1, 2], data: Float32Array.of(1.5, -2) });
  expect(parsed.metadata).toEqual({ k: 'v' });
});

test('parseSafetensors rejects malformed files with a CheckpointError that says what is wrong', () => {
  const t = (shape: number[], offsets: number[], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });
  const file = (h: Record<string, unknown>, data: Uint8Array) => rawFile(JSON.stringify(h), data);
  const two = f32le(1, 2);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /0 bytes, too short/],
    ['7 bytes', new Uint8Array(7), /7 bytes, too short/],
    ['header length past the end', concat(u64(1000), new TextEncoder().encode('{}')), /says 1000 bytes but the file has only 2/],
    ['header length 2^63', concat(u64(2n ** 63n), new TextEncoder().encode('{}')), /says 9223372036854775808 bytes/],
    ['header not JSON', rawFile('{"a": nope}', new Uint8Array(0)), /not valid JSON/],
    ['header a JSON array', rawFile('[1, 2]', new Uint8Array(0)), /must be a JSON object/],
    ['header not UTF-8', concat(u64(4), Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), /not valid UTF-8/],
    ['dtype F16', file({ a: t([2], [0, 4], 'F16') }, f32le(1)), /'a' has dtype "F16"; only F32/],
    ['negative dimension', file({ a: t([-2], [0, 8]) }, two), /shape \[-2\] must be an array of non-negative integers/],
    ['fractional dimension', file({ a: t([1.5], [0, 8]) }, two), /shape \[1.5\]/],
    ['offsets not a pair', file({ a: t([2], [0]) }, two), /data_offsets \[0\] must be \[begin, end\]/],
    ['offsets backwards', file({ a: t([2], [8, 0]) }, two), /data_offsets \[8,0\]/],
    ['size does not match shape', file({ a: t([3], [0, 8]) }, two), /hold 8 bytes but F32 shape \[3\] needs 12/],
    ['overlap', file({ a: t([2], [0, 8]), b: t([1], [4, 8]) }, two), /'b' data_offsets \[4, 8\] overlap/],
    ['gap', file({ a: t([1], [4, 8]) }, two), /leaving a gap/],
    ['truncated data', file({ a: t([2], [0, 8]) }, f32le(1)), /run past the data section \(4 bytes\)/],
    ['trailing bytes', file({ a: t([1], [0, 4]) }, two), /data section is 8 bytes but the tensors cover 4/],
    ['metadata not strings', file({ __metadata__: { step: 3 } }, new Uint8Array(0)), /__metadata__.step must be a string/],
  ];
  for (const [what, bytes, message] of cases) {
    expectRejected(what, bytes, message);
  }
});

// ---------------------------------------------------------------------------
// GanTrainer checkpoints (GPU)

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
        gExpAvg: Array.from(go.expAvg),
        gExpAvgSq: Array.from(go.expAvgSq),
        dExpAvg: Array.from(dO.expAvg),
        dExpAvgSq: Array.from(dO.expAvgSq),
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
          await trainer.readOptimizerState('generator').then((o) => [Array.from(o.expAvg), Array.from(o.expAvgSq), o.step]),
          await trainer.readOptimizerState('discriminator').then((o) => [Array.from(o.expAvg), Array.from(o.expAvgSq), o.step]),
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
    const running = { g: Array.from(await a.readRunningStats('generator')), d: Array.from(await a.readRunningStats('discriminator')) };
    const b = await L.GanTrainer.create(ctx, config());
    const fresh = Array.from(await b.readRunningStats('generator'));
    await L.loadCheckpoint(b, bytes);
    const loaded = { g: Array.from(await b.readRunningStats('generator')), d: Array.from(await b.readRunningStats('discriminator')) };
    const file = L.parseSafetensors(bytes);
    const bad = new Map(file.tensors);
    const rv = bad.get('discriminator.3.running_var')!;
    bad.set('discriminator.3.running_var', { shape: rv.shape, data: rv.data.map((v, i) => (i === 2 ? -1 : v)) });
    const c = await L.GanTrainer.create(ctx, config());
    const before = Array.from(await c.readParameters('generator'));
    const error = await L.loadCheckpoint(c, L.encodeSafetensors(bad, file.metadata)).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    const after = Array.from(await c.readParameters('generator'));
    const afterRunning = Array.from(await c.readRunningStats('discriminator'));
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
