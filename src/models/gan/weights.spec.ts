// Weights from PyTorch state_dicts (models/gan/weights.ts) and the half
// precision reading behind them (io/safetensors.ts, halfPrecision): files
// written byte by byte here with F32, F16 and BF16 tensors; packing into the
// flat layout; every error, each naming all that is wrong; and a real
// trainer (Node, Dawn on SwiftShader) that samples with the loaded weights,
// BatchNorm running statistics included, and is left alone by a bad file.
import { test, expect } from '@playwright/test';
import { CheckpointError, parseSafetensors } from '../../io/safetensors.js';
import { createNodeGpuContext } from '../../node/device.js';
import { BatchNorm, Linear, ReLU } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { GanTrainer } from './trainer.js';
import { decodeStateDict, loadGenerator, loadDiscriminator, packBuffers, packParameters, type NamedTensor } from './weights.js';

type Dtype = 'F32' | 'F16' | 'BF16';

/** A safetensors file built by hand: each tensor as raw little-endian words of its dtype (F16 / BF16 given as bit patterns). */
function stFile(tensors: [name: string, dtype: Dtype, shape: number[], values: number[]][], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, dtype, shape, values] of tensors) {
    const size = dtype === 'F32' ? 4 : 2;
    header[name] = { dtype, shape, data_offsets: [offset, offset + size * values.length] };
    offset += size * values.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, dtype, , values] of tensors) {
    for (const v of values) {
      if (dtype === 'F32') view.setFloat32(at, v, true);
      else view.setUint16(at, v, true);
      at += dtype === 'F32' ? 4 : 2;
    }
  }
  return out;
}

// F16 bit patterns and their values.
const F16: [number, number][] = [
  [0x3e00, 1.5], [0xc000, -2], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x7bff, 65504], [0x8000, -0], [0x3555, 0.333251953125],
];
// BF16: the top 16 bits of a float.
const BF16: [number, number][] = [[0x3fc0, 1.5], [0xc000, -2], [0x4049, 3.140625], [0x0001, 2 ** -133], [0x7f7f, 3.3895313892515355e38]];

test('parseSafetensors reads F16 and BF16 as exact F32 with halfPrecision, and refuses them (as before) without', () => {
  const bytes = stFile([['h', 'F16', [F16.length], F16.map(([b]) => b)], ['b', 'BF16', [BF16.length], BF16.map(([b]) => b)], ['f', 'F32', [1], [0.1]]]);
  const file = parseSafetensors(bytes, { halfPrecision: true });
  expect([...file.tensors.get('h')!.data]).toEqual(F16.map(([, v]) => v));
  expect(Object.is(file.tensors.get('h')!.data[5], -0)).toBe(true);
  expect([...file.tensors.get('b')!.data]).toEqual(BF16.map(([, v]) => v));
  expect(file.tensors.get('f')!.data[0]).toBe(Math.fround(0.1));
  const special = parseSafetensors(stFile([['s', 'F16', [3], [0x7c00, 0xfc00, 0x7e00]]]), { halfPrecision: true }).tensors.get('s')!.data;
  expect([special[0], special[1], Number.isNaN(special[2])]).toEqual([Infinity, -Infinity, true]);

  expect(() => parseSafetensors(bytes)).toThrow(`checkpoint: tensor 'h' has dtype "F16"; only F32 is supported (convert with tensor.float() before saving)`);
  const i64 = new TextEncoder().encode(JSON.stringify({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }));
  const i64File = new Uint8Array(8 + i64.length + 8);
  new DataView(i64File.buffer).setBigUint64(0, BigInt(i64.length), true);
  i64File.set(i64, 8);
  expect(() => parseSafetensors(i64File, { halfPrecision: true })).toThrow(`checkpoint: tensor 'n' has dtype "I64"; only F32, F16 and BF16 are read (convert with tensor.float() before saving)`);
  // Sizes are checked by the dtype's width.
  const short = stFile([['h', 'F16', [3], [1, 2]]]);
  expect(() => parseSafetensors(short, { halfPrecision: true })).toThrow(`checkpoint: tensor 'h': data_offsets [0, 4] hold 4 bytes but F16 shape [3] needs 6`);
});

/** G: Linear(2, 3) → BatchNorm(3) → ReLU → Linear(3, 4, no bias); its state_dict as named tensors. */
const gNet = () => new Sequential('generator', [Linear(2, 3), BatchNorm(3), ReLU(), Linear(3, 4, { bias: false })]);
const W0 = [0.5, -1, 0.25, 2, -0.75, 1.5];
const B0 = [0.1, -0.2, 0.3];
const GAMMA = [1.5, 0.5, 2];
const BETA = [0, 0.25, -0.5];
const MEAN = [0.2, -0.1, 0.4];
const VAR = [1.5, 0.25, 4];
const W3 = [1, -2, 0.5, 0.25, 0, -1, 3, 1, -0.5, 2, 2, -0.25];
const gTensors = (): Map<string, NamedTensor> =>
  new Map([
    ['0.weight', { shape: [3, 2], data: W0 }],
    ['0.bias', { shape: [3], data: B0 }],
    ['1.weight', { shape: [3], data: GAMMA }],
    ['1.bias', { shape: [3], data: BETA }],
    ['3.weight', { shape: [4, 3], data: W3 }],
  ]);

test('packParameters / packBuffers place each tensor at its offset of the flat layout, padding zero', () => {
  const net = gNet();
  const flat = packParameters(net, gTensors());
  expect(flat.length).toBe(net.parameterCount);
  for (const t of net.parameters) expect([...flat.subarray(t.offset, t.offset + t.size)], t.name).toEqual((gTensors().get(t.name)!.data as number[]).map(Math.fround));
  const used = new Set(net.parameters.flatMap((t) => Array.from({ length: t.size }, (_, i) => t.offset + i)));
  expect(flat.every((v, i) => used.has(i) || v === 0)).toBe(true);
  // An object works as well as a Map.
  expect(packParameters(net, Object.fromEntries(gTensors()))).toEqual(flat);
  const buffers = packBuffers(net, { '1.running_mean': { shape: [3], data: MEAN }, '1.running_var': { shape: [3], data: VAR } });
  expect([...buffers.subarray(net.buffers[1].offset, net.buffers[1].offset + 3)]).toEqual(VAR);
});

test('packParameters names every missing, mis-shaped, non-finite and extra tensor in one CheckpointError', () => {
  const net = gNet();
  const t = gTensors();
  t.delete('0.bias');
  t.set('1.weight', { shape: [1, 3], data: GAMMA });
  t.set('3.weight', { shape: [4, 3], data: W3.map((v, i) => (i === 5 ? NaN : v)) });
  t.set('1.bias', { shape: [3], data: [1, 2] });
  t.set('9.weight', { shape: [1], data: [0] });
  let error: unknown = null;
  try {
    packParameters(net, t);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as Error).message).toBe(
    `packParameters: the tensors do not fit generator '${net.describe()}': missing '0.bias' [3]; ` +
      `'1.weight' has shape [1, 3] but the net expects [3]; '1.bias' has 2 values for shape [3] (3); ` +
      `'3.weight' value 5 is NaN, not finite; extra '9.weight' not in the net`,
  );
});

/** G's state_dict as a PyTorch file, its tensors in F32, F16 or BF16 (values exact in each), num_batches_tracked included. */
function gStateDict(dtype: Dtype, prefix = '', drop?: string): Uint8Array {
  const bits = (v: number): number => {
    const f = new DataView(new ArrayBuffer(4));
    f.setFloat32(0, v);
    if (dtype === 'BF16') return f.getUint32(0) >>> 16;
    // F16 of a value exact in half precision (all of these are).
    const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
    const a = Math.abs(v);
    if (a === 0) return sign;
    const e = Math.floor(Math.log2(a));
    return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
  };
  const entry = (name: string, shape: number[], values: number[]): [string, Dtype, number[], number[]] => [
    prefix + name, dtype, shape, dtype === 'F32' ? values : values.map(bits),
  ];
  const all = [
    entry('0.weight', [3, 2], W0),
    entry('0.bias', [3], [0.125, -0.25, 0.375]),
    entry('1.weight', [3], GAMMA),
    entry('1.bias', [3], BETA),
    entry('1.running_mean', [3], [0.25, -0.125, 0.5]),
    entry('1.running_var', [3], VAR),
    entry('1.num_batches_tracked', [], [7]),
    entry('3.weight', [4, 3], W3),
  ];
  return stFile(all.filter(([n]) => n !== prefix + drop));
}

test('decodeStateDict reads F32, F16 and BF16 state_dicts alike, skips num_batches_tracked, strips a prefix, and says when one is needed', () => {
  const net = gNet();
  const f32 = decodeStateDict(net, gStateDict('F32'));
  expect(decodeStateDict(net, gStateDict('F16'))).toEqual(f32);
  expect(decodeStateDict(net, gStateDict('BF16'))).toEqual(f32);
  expect(decodeStateDict(net, gStateDict('F16', 'main.'), { prefix: 'main.' })).toEqual(f32);
  const mean = net.buffers.find((t) => t.local === 'running_mean')!;
  expect([...f32.buffers.subarray(mean.offset, mean.offset + 3)]).toEqual([0.25, -0.125, 0.5]);
  expect(() => decodeStateDict(net, gStateDict('F32', 'main.'))).toThrow(
    /^state_dict: the tensors do not fit generator '.*': missing '0\.weight' \[3, 2\], .*; extra 'main\.0\.weight', .* not in the net; \(the file's names look prefixed: pass \{ prefix: 'main\.' \}\)$/,
  );
  expect(() => decodeStateDict(net, gStateDict('BF16', '', '1.running_var'))).toThrow(/: missing '1\.running_var' \[3\]$/);
  expect(() => decodeStateDict(net, gStateDict('F16', 'main.'), { prefix: 'model.' })).toThrow(/extra 'main\.0\.weight', .* without the prefix 'model\.'/);
});

test('loadGenerator puts a state_dict into a trainer: G samples with it (BatchNorm running statistics in eval mode); D, the optimizer and the step are kept; a bad file changes nothing', async () => {
  test.setTimeout(180_000);
  const ctx = await createNodeGpuContext();
  try {
    const config = {
      generator: gNet(),
      discriminator: new Sequential('discriminator', [Linear(4, 1)]),
      noise: { distribution: 'normal', mean: 0, std: 1 } as const,
      data: { kind: 'dataset', values: Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), rows: 8, cols: 4 } as const,
      batchSize: 4,
      optimizerD: { lr: 1e-3 },
      optimizerG: { lr: 1e-3 },
      plan: 'layered' as const,
      seed: 5,
    };
    const trainer = await GanTrainer.create(ctx, config);
    await trainer.train(3);
    const [dBefore, optBefore] = [await trainer.readParameters('discriminator'), await trainer.readOptimizerState('generator')];

    await loadGenerator(trainer, gStateDict('F16'));
    const expected = decodeStateDict(trainer.config.generator, gStateDict('F32'));
    expect(await trainer.readParameters('generator')).toEqual(expected.params);
    expect(await trainer.readBuffers('generator')).toEqual(expected.buffers);
    expect(await trainer.readParameters('discriminator')).toEqual(dBefore);
    expect(await trainer.readOptimizerState('generator')).toEqual(optBefore);
    expect(trainer.step).toBe(3);

    // G in eval mode on two noise rows, against the same forward on the CPU.
    const noise = Float32Array.of(0.5, -1, 2, 0.25);
    const got = await trainer.generate(noise);
    const b0 = [0.125, -0.25, 0.375];
    const mean = [0.25, -0.125, 0.5];
    for (let r = 0; r < 2; r++) {
      const h = [0, 1, 2].map((j) => {
        const z = W0[2 * j] * noise[2 * r] + W0[2 * j + 1] * noise[2 * r + 1] + b0[j];
        return Math.max(0, (GAMMA[j] * (z - mean[j])) / Math.sqrt(VAR[j] + 1e-5) + BETA[j]);
      });
      for (let k = 0; k < 4; k++) {
        const y = W3[3 * k] * h[0] + W3[3 * k + 1] * h[1] + W3[3 * k + 2] * h[2];
        expect(got[4 * r + k], `row ${r} output ${k}`).toBeCloseTo(y, 4);
      }
    }

    // A file that does not fit: CheckpointError, and the trainer keeps what it had.
    const error = await loadGenerator(trainer, gStateDict('F32', '', '0.bias')).then(() => null, (e: Error) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error!.message).toMatch(/missing '0\.bias' \[3\]/);
    expect(await trainer.readParameters('generator')).toEqual(expected.params);
    // A D state_dict: the same, into the other net (no buffers: written with writeParameters).
    await loadDiscriminator(trainer, stFile([['0.weight', 'BF16', [1, 4], [0x3f80, 0x4000, 0xbf80, 0]], ['0.bias', 'F32', [1], [0.5]]]));
    const d = await trainer.readParameters('discriminator');
    const net = trainer.config.discriminator;
    expect([...d.subarray(net.parameters[0].offset, net.parameters[0].offset + 4)]).toEqual([1, 2, -1, 0]);
    expect(d[net.parameters[1].offset]).toBe(0.5);
    await trainer.train(2); // training goes on from the loaded weights
    expect(trainer.step).toBe(5);
    trainer.dispose();
  } finally {
    ctx.dispose();
  }
});
