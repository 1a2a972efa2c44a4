// random.wgsl against its CPU reference: Philox known-answer vectors for the
// reference, the GPU's Philox bits and uniform draws equal to the reference
// (to float32 rounding), normals close to it, gathers exact, and the
// statistics and stream/step/seed separation the training loop relies on.
import { test, expect, type GpuPage } from '../../test/support/fixtures.js';
import { expectClose } from '../../test/support/compare.js';
import { f32, randomArray } from '../../test/support/data.js';
import { gatherIndices, randomGatherRows } from '../reference/random.js';
import { philox4x32_10, randomNormal, randomUniform, type DrawKey } from '../runtime/philox.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS } from './constants.js';

const SENTINEL = -7;
const EXACT = { atol: 0, rtol: 0 };

/** A training state whose step is `step`; the other words are nonzero, so a draw keyed by one of them would show. */
const stateAt = (step: number): number[] => Array.from({ length: TRAIN_STATE_WORDS }, (_, i) => (i === TRAIN_STATE.step ? step : 3 + i));

interface Draw {
  entry: 'random_uniform' | 'random_normal';
  key: DrawKey;
  count: number;
  offset: number;
  a: number;
  b: number;
  /** Length of `out`; the elements outside [offset, offset + count) must keep the sentinel. */
  length?: number;
}

async function draw(gpu: GpuPage, d: Draw): Promise<{ values: number[]; outside: number[] }> {
  const length = d.length ?? d.offset + d.count + 5;
  const res = await gpu.runKernel({
    family: 'random', entry: d.entry,
    uniforms: { seed: d.key.seed, stream: d.key.stream, count: d.count, offset: d.offset, a: d.a, b: d.b },
    inputs: { out: Array<number>(length).fill(SENTINEL) }, uintInputs: { state: stateAt(d.key.step) },
    outputs: { out: length },
  });
  return {
    values: res.out.slice(d.offset, d.offset + d.count),
    outside: [...res.out.slice(0, d.offset), ...res.out.slice(d.offset + d.count)],
  };
}

const expectUntouched = (outside: number[], what: string): void =>
  expect(outside.filter((v) => v !== SENTINEL), `${what}: elements outside [offset, offset + count) were written`).toEqual([]);

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}
function std(v: ArrayLike<number>): number {
  const m = mean(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / (v.length - 1));
}
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
const sameAt = (x: number[], y: number[]): number => x.filter((v, i) => v === y[i]).length;

test('Philox4x32-10 CPU reference matches the Random123 known-answer vectors', () => {
  const hex = (v: number[]) => v.map((x) => x.toString(16).padStart(8, '0')).join(' ');
  expect(hex(philox4x32_10([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  const ones = 0xffffffff;
  expect(hex(philox4x32_10([ones, ones, ones, ones], [ones, ones]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
  expect(hex(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe(
    'd16cfe09 94fdcceb 5001e420 24126ea1',
  );
});

test('random_uniform exposes the GPU Philox bits exactly: counter 0, key 0 and seed=0xa4093822,step=9,stream=3,count=1001', async ({ gpu }) => {
  // With low = 0, high = 2^24 each output is the integer x >> 8: the top 24 bits of Philox, exact in f32.
  const kat = await draw(gpu, { entry: 'random_uniform', key: { seed: 0, step: 0, stream: 0 }, count: 4, offset: 0, a: 0, b: 2 ** 24 });
  expect(kat.values).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8].map((x) => x >>> 8));

  // Large seed and counter words exercise the 16-bit-halves mulhi on both sides of 2^31.
  const key: DrawKey = { seed: 0xa4093822, step: 9, stream: 3 };
  const count = 1001;
  const gpuBits = await draw(gpu, { entry: 'random_uniform', key, count, offset: 0, a: 0, b: 2 ** 24 });
  const cpuBits = Array.from({ length: count }, (_, i) => philox4x32_10([Math.floor(i / 4), key.step, key.stream, 0], [key.seed, 0])[i % 4] >>> 8);
  expectClose(gpuBits.values, cpuBits, EXACT, 'x >> 8');
});

const UNIFORM_CASES = [
  { count: 1, offset: 0, step: 0, stream: 0, seed: 1 },
  { count: 7, offset: 5, step: 3, stream: 2, seed: 1234 },
  { count: 1001, offset: 13, step: 77, stream: 5, seed: 0xdeadbeef },
];

for (const c of UNIFORM_CASES) {
  const geometry = `count=${c.count},offset=${c.offset},step=${c.step},stream=${c.stream}`;
  test(`random_uniform matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const key: DrawKey = { seed: c.seed, step: c.step, stream: c.stream };
    // [−1, 1): low + 2u is exact in f32, so the GPU and the reference agree bit for bit.
    const sym = await draw(gpu, { entry: 'random_uniform', key, count: c.count, offset: c.offset, a: -1, b: 1 });
    expectClose(sym.values, randomUniform(key, c.count, -1, 1), EXACT, `uniform[-1, 1) (${geometry})`);
    expectUntouched(sym.outside, geometry);
    // [0.25, 3.5): high − low = 3.25 is exact; the product and the sum round by
    // half an ulp each (2^-23 in [2, 4)), so |Δ| ≤ 2^-22.
    const low = 0.25;
    const high = 3.5;
    const gen = await draw(gpu, { entry: 'random_uniform', key, count: c.count, offset: c.offset, a: low, b: high });
    const ref = randomUniform(key, c.count, low, high);
    expectClose(gen.values, ref, { atol: 2 ** -22, rtol: 0 }, `uniform[0.25, 3.5) (${geometry})`);
    expect(gen.values.every((v) => v >= low && v <= high)).toBe(true);
    expectUntouched(gen.outside, geometry);
  });
}

const NORMAL_CASES = [
  { count: 1, offset: 0, step: 0, stream: 0, seed: 1 },
  { count: 7, offset: 5, step: 3, stream: 2, seed: 1234 },
  { count: 1001, offset: 13, step: 77, stream: 5, seed: 0xdeadbeef },
];

for (const c of NORMAL_CASES) {
  const geometry = `count=${c.count},offset=${c.offset},step=${c.step},stream=${c.stream}`;
  test(`random_normal matches the CPU reference: ${geometry},mean=0.5,std=2`, async ({ gpu }) => {
    const key: DrawKey = { seed: c.seed, step: c.step, stream: c.stream };
    const sd = 2;
    const res = await draw(gpu, { entry: 'random_normal', key, count: c.count, offset: c.offset, a: 0.5, b: sd });
    // Same u1, u2 as the reference, so the difference is the f32 builtins only.
    // WGSL lets sin/cos be off by 2^-11 absolute, times r ≤ sqrt(−2 ln 2^-24) =
    // 5.77, times std: 2.8e-3·std. SwiftShader's sin/cos are off by up to 1.9e-4
    // (measured), so it sits at ~5e-4·std; log and sqrt add < 1e-5.
    expectClose(res.values, randomNormal(key, c.count, 0.5, sd), { atol: 5.77 * 2 ** -11 * sd, rtol: 0 }, `normal (${geometry})`);
    expectUntouched(res.outside, geometry);
  });
}

const GATHER_CASES = [
  { rows: 7, cols: 3, srcRows: 10, dstRowOffset: 2, step: 4, stream: 1 },
  { rows: 5, cols: 70, srcRows: 3, dstRowOffset: 0, step: 0, stream: 9 },
  { rows: 33, cols: 1, srcRows: 1000, dstRowOffset: 1, step: 123, stream: 2 },
];

for (const c of GATHER_CASES) {
  const geometry = `rows=${c.rows},cols=${c.cols},src_rows=${c.srcRows},dst_row_offset=${c.dstRowOffset}`;
  test(`random_gather_rows matches the CPU reference exactly: ${geometry}`, async ({ gpu }) => {
    const key: DrawKey = { seed: 0x5eed, step: c.step, stream: c.stream };
    const src = f32(randomArray(c.srcRows * c.cols, c.srcRows + c.cols));
    const length = (c.dstRowOffset + c.rows + 1) * c.cols; // one spare row after
    const res = await gpu.runKernel({
      family: 'random', entry: 'random_gather_rows',
      uniforms: { seed: key.seed, stream: key.stream, rows: c.rows, cols: c.cols, src_rows: c.srcRows, dst_row_offset: c.dstRowOffset },
      inputs: { src: [...src], out: Array<number>(length).fill(SENTINEL) }, uintInputs: { state: stateAt(key.step) },
      outputs: { out: length },
    });
    const start = c.dstRowOffset * c.cols;
    const end = start + c.rows * c.cols;
    expectClose(res.out.slice(start, end), randomGatherRows(key, src, c.srcRows, c.cols, c.rows), EXACT, `rows (${geometry})`);
    expectUntouched([...res.out.slice(0, start), ...res.out.slice(end)], geometry);
    // The picks cover the source (not stuck on one row) when there are enough draws.
    const picked = new Set(gatherIndices(key, c.rows, c.srcRows));
    expect(picked.size).toBeGreaterThan(Math.min(c.srcRows, c.rows) / 2);
  });
}

test('random_normal statistics: count=40000,mean=3,std=0.5', async ({ gpu }) => {
  const [n, m, s] = [40_000, 3, 0.5];
  const { out } = await gpu.runKernel({
    family: 'random', entry: 'random_normal', uniforms: { seed: 42, stream: 0, count: n, offset: 0, a: m, b: s },
    inputs: {}, uintInputs: { state: stateAt(1) }, outputs: { out: n },
  });
  expect(out.every(Number.isFinite)).toBe(true);
  // 5 standard errors: se(mean) = s/√n, se(std) ≈ s/√(2n).
  expect(Math.abs(mean(out) - m)).toBeLessThan((5 * s) / Math.sqrt(n));
  expect(Math.abs(std(out) - s)).toBeLessThan((5 * s) / Math.sqrt(2 * n));
  // Tails as a normal's: P(|z| > 2) = 4.55%, se ≈ 0.1% at n = 40000.
  const tail = out.filter((v) => Math.abs(v - m) > 2 * s).length / n;
  expect(Math.abs(tail - 0.0455)).toBeLessThan(0.005);
  // The Box–Muller pair (cos, sin) of one u1, u2 is uncorrelated.
  const even = out.filter((_, i) => i % 2 === 0);
  const odd = out.filter((_, i) => i % 2 === 1);
  expect(Math.abs(correlation(even, odd))).toBeLessThan(5 / Math.sqrt(n / 2));
});

test('random streams: same key gives identical numbers, another stream, step or seed does not: count=1000', async ({ gpu }) => {
  const n = 1000;
  const base: DrawKey = { seed: 7, step: 2, stream: 1 };
  const run = (key: DrawKey, entry: Draw['entry'] = 'random_uniform') =>
    draw(gpu, { entry, key, count: n, offset: 0, a: 0, b: 1 }).then((r) => r.values);
  const first = await run(base);
  expect(await run(base)).toEqual(first);
  for (const [what, key] of [
    ['stream', { ...base, stream: 2 }],
    ['step', { ...base, step: 3 }],
    ['seed', { ...base, seed: 8 }],
  ] as const) {
    const other = await run(key);
    // Distinct 24-bit draws: an equal element at the same index is a 2^-24 event.
    expect(sameAt(other, first), `${what}: equal elements`).toBeLessThanOrEqual(1);
    expect(Math.abs(correlation(other, first)), `${what}: correlation`).toBeLessThan(5 / Math.sqrt(n));
  }
  // Normals too: same key identical, next step different.
  const normal = await run(base, 'random_normal');
  expect(await run(base, 'random_normal')).toEqual(normal);
  expect(sameAt(await run({ ...base, step: 3 }, 'random_normal'), normal)).toBeLessThanOrEqual(1);
});
