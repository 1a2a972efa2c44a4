// bce_with_logits.wgsl against its float64 CPU reference (loss, gradient and
// the mean probabilities in loss_out), and that reference's gradient against
// finite differences. Row counts below and above the 256-wide workgroup, so
// the strided loop runs 1 or 2 times per invocation; logits of magnitude 100.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { numericGradient } from '../../../test/support/gradcheck.js';
import { bceWithLogits, type BceOptions } from './bce.reference.js';

interface Case {
  rows: number;
  firstRows: number;
  targetFirst: number;
  targetRest: number;
  scale: number;
}

const CASES: Case[] = [
  // Generator step: every row is "fake scored as real".
  { rows: 3, firstRows: 3, targetFirst: 1, targetRest: 1, scale: 1 / 3 },
  { rows: 37, firstRows: 37, targetFirst: 1, targetRest: 1, scale: 1 / 37 },
  // Discriminator step: [fake; real], label smoothing on the real rows.
  { rows: 3, firstRows: 1, targetFirst: 0, targetRest: 0.9, scale: 1 / 2 },
  { rows: 37, firstRows: 20, targetFirst: 0, targetRest: 0.9, scale: 1 / 20 },
  { rows: 300, firstRows: 150, targetFirst: 0, targetRest: 0.9, scale: 1 / 150 },
  { rows: 300, firstRows: 300, targetFirst: 1, targetRest: 1, scale: 1 / 300 },
  { rows: 300, firstRows: 0, targetFirst: 0, targetRest: 1, scale: 1 / 300 },
  { rows: 600, firstRows: 299, targetFirst: 0, targetRest: 1, scale: 1 / 300 },
];
// f32 sums of ≤ 600 terms of size ≤ 100 against float64: relative ~1e-6.
const LOSS_TOL = { atol: 1e-5, rtol: 1e-5 };
// Per-row gradient and mean probabilities: a few f32 roundings.
const ROW_TOL = { atol: 1e-7, rtol: 1e-5 };

function logitsFor(rows: number, seed: number): Float64Array {
  const raw = randomArray(rows, seed, -6, 6);
  // Magnitude 100 on both sides and in both row groups: exp(100) overflows f32.
  for (const i of [0, 1, Math.floor(rows / 2), rows - 1]) raw[i] = i % 2 === 0 ? 100 : -100;
  if (rows > 4) raw[2] = 0;
  return f32(raw);
}

for (const c of CASES) {
  const geometry = `rows=${c.rows},first_rows=${c.firstRows},target_first=${c.targetFirst},target_rest=${c.targetRest}`;
  test(`bce_with_logits matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const logits = logitsFor(c.rows, c.rows * 7 + c.firstRows);
    const opts: BceOptions = { firstRows: c.firstRows, targetFirst: c.targetFirst, targetRest: c.targetRest, scale: c.scale };
    // The reference sees exactly the f32 values the GPU gets.
    const ref = bceWithLogits(logits, {
      ...opts,
      targetFirst: Math.fround(c.targetFirst),
      targetRest: Math.fround(c.targetRest),
      scale: Math.fround(c.scale),
    });
    const out = await gpu.runKernel({
      family: 'bce_with_logits', entry: 'bce_with_logits_forward_backward',
      uniforms: { rows: c.rows, first_rows: c.firstRows, target_first: c.targetFirst, target_rest: c.targetRest, scale: c.scale },
      inputs: { logits: [...logits] }, outputs: { dlogits: c.rows, loss_out: 4 },
    });
    expect(Number.isFinite(ref.loss)).toBe(true);
    expectClose([out.loss_out[0]], [ref.loss], LOSS_TOL, `loss (${geometry})`);
    expectClose(out.loss_out.slice(1), [ref.meanProbFirst, ref.meanProbRest, 0], ROW_TOL, `loss_out[1..3] (${geometry})`);
    expectClose(out.dlogits, ref.dlogits, ROW_TOL, `dlogits (${geometry})`);
  });
}

test('bce_with_logits is stable at |logit| = 100: rows=4,first_rows=2,target_rest=0.9', async ({ gpu }) => {
  // Known values: ℓ(100, 0) = ℓ(−100, 1) = 100 (+ e^−100), ℓ(−100, 0) ≈ 0, ℓ(100, 0.9) = 10.
  const logits = [100, -100, -100, 100];
  const out = await gpu.runKernel({
    family: 'bce_with_logits', entry: 'bce_with_logits_forward_backward',
    uniforms: { rows: 4, first_rows: 2, target_first: 0, target_rest: 0.9, scale: 1 },
    inputs: { logits }, outputs: { dlogits: 4, loss_out: 4 },
  });
  // Row 2: ℓ(−100, 0.9) = 0 + 90 + 0 = 90.
  expectClose(out.loss_out, [100 + 0 + 90 + 10, 0.5, 0.5, 0], { atol: 1e-4, rtol: 1e-6 }, 'loss_out');
  expectClose(out.dlogits, [1, 0, -0.9, 0.1], { atol: 1e-7, rtol: 1e-6 }, 'dlogits');
});

test('bce_with_logits CPU reference gradient matches finite differences: rows=9,first_rows=4,target_rest=0.9', () => {
  const logits = Float64Array.from(randomArray(9, 31, -8, 8));
  logits[3] = 30; // saturated rows still have a gradient of scale·(1 − t)
  logits[7] = -30;
  for (const opts of [
    { firstRows: 4, targetFirst: 0, targetRest: 0.9, scale: 1 / 4 },
    { firstRows: 9, targetFirst: 1, targetRest: 1, scale: 1 / 9 },
    { firstRows: 0, targetFirst: 0, targetRest: 0.3, scale: 2 },
  ]) {
    const analytic = bceWithLogits(logits, opts).dlogits;
    const numeric = numericGradient((l) => bceWithLogits(l, opts).loss, logits);
    expectClose(analytic, numeric, { atol: 1e-8, rtol: 1e-6 }, `dlogits (first_rows=${opts.firstRows}, target_rest=${opts.targetRest})`);
  }
  // ℓ at known points: ℓ(0, t) = log 2 for any t; ℓ(l, 1) = log(1 + e^−l).
  const r = bceWithLogits(Float64Array.from([0, 0, 2]), { firstRows: 1, targetFirst: 0, targetRest: 1, scale: 1 });
  expect(r.loss).toBeCloseTo(2 * Math.LN2 + Math.log1p(Math.exp(-2)), 14);
  expect(r.meanProbFirst).toBe(0.5);
  expect(r.meanProbRest).toBeCloseTo((0.5 + 1 / (1 + Math.exp(-2))) / 2, 15);
});
