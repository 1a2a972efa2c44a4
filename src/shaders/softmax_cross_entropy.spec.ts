// softmax_cross_entropy.wgsl against its float64 CPU reference (loss,
// accuracy and gradient), and that reference's gradient against finite
// differences. Row counts below and above the 256-wide workgroup, so the
// strided loop runs 1 or 2 times per invocation; logits of magnitude 100.
import { test, expect } from '../../test/support/fixtures.js';
import { expectClose } from '../../test/support/compare.js';
import { f32, randomArray } from '../../test/support/data.js';
import { numericGradient } from '../../test/support/gradcheck.js';
import { softmaxCrossEntropy } from '../reference/softmax_cross_entropy.js';

const CASES = [
  { rows: 3, classes: 10 },
  { rows: 37, classes: 7 },
  { rows: 1, classes: 2 },
  { rows: 300, classes: 16 },
];
// f32 sums of ≤ 300 terms of size ≤ 200 against float64.
const LOSS_TOL = { atol: 1e-5, rtol: 1e-5 };
// Per-element gradient: exp of an f32 difference of logits up to |200|.
const ROW_TOL = { atol: 1e-6, rtol: 1e-5 };

/** Integer class labels as floats, and logits in [−6, 6) with some rows at magnitude 100. */
function inputsFor(rows: number, classes: number, seed: number): { logits: Float64Array; labels: number[] } {
  const labels = randomArray(rows, seed + 1, 0, classes).map(Math.floor);
  const raw = randomArray(rows * classes, seed, -6, 6);
  for (const n of [0, Math.floor(rows / 2), rows - 1]) {
    raw[n * classes + ((n + 1) % classes)] = n % 2 === 0 ? 100 : -100; // saturated rows, right or wrong
    raw[n * classes + labels[n]] = -100; // label far below the max: loss ≈ 200
  }
  if (rows > 2) raw[classes + labels[1]] = 100; // row 1: correct with certainty, loss ≈ 0
  return { logits: f32(raw), labels };
}

for (const c of CASES) {
  const geometry = `rows=${c.rows},classes=${c.classes}`;
  test(`softmax_cross_entropy matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const { logits, labels } = inputsFor(c.rows, c.classes, c.rows * 13 + c.classes);
    const scale = 1 / c.rows;
    const ref = softmaxCrossEntropy(logits, labels, c.classes, Math.fround(scale));
    const out = await gpu.runKernel({
      family: 'softmax_cross_entropy', entry: 'softmax_cross_entropy_forward_backward',
      uniforms: { rows: c.rows, classes: c.classes, scale },
      inputs: { logits: [...logits], labels }, outputs: { dlogits: c.rows * c.classes, loss_out: 4 },
    });
    expect(Number.isFinite(ref.loss)).toBe(true);
    expectClose([out.loss_out[0]], [ref.loss], LOSS_TOL, `loss (${geometry})`);
    expectClose(out.loss_out.slice(1), [ref.accuracy, 0, 0], { atol: 1e-7, rtol: 0 }, `loss_out[1..3] (${geometry})`);
    expectClose(out.dlogits, ref.dlogits, ROW_TOL, `dlogits (${geometry})`);
  });
}

test('softmax_cross_entropy is stable at |logit| = 100, ties go to the lowest index, labels floor: rows=4,classes=3', async ({ gpu }) => {
  const logits = [
    100, -100, 0, //    label 0: right with certainty, loss e^−100 ≈ 0
    100, -100, 0, //    label 1: wrong with certainty, loss 200
    -100, -100, -100, // label 0: a three-way tie goes to 0, right, loss log 3
    1, 5, 5, //         label 1.7 → 1: tie between 1 and 2 goes to 1, right
  ];
  const labels = [0, 1, 0, 1.7];
  const out = await gpu.runKernel({
    family: 'softmax_cross_entropy', entry: 'softmax_cross_entropy_forward_backward',
    uniforms: { rows: 4, classes: 3, scale: 1 },
    inputs: { logits, labels }, outputs: { dlogits: 12, loss_out: 4 },
  });
  const p1 = Math.exp(1) / (Math.exp(1) + 2 * Math.exp(5));
  const p5 = Math.exp(5) / (Math.exp(1) + 2 * Math.exp(5));
  expectClose(out.loss_out, [200 + Math.log(3) - Math.log(p5), 3 / 4, 0, 0], { atol: 1e-4, rtol: 1e-6 }, 'loss_out');
  expectClose(out.dlogits, [0, 0, 0, 1, -1, 0, -2 / 3, 1 / 3, 1 / 3, p1, p5 - 1, p5], { atol: 1e-6, rtol: 1e-5 }, 'dlogits');
});

test('softmax_cross_entropy CPU reference gradient matches finite differences: rows=5,classes=4', () => {
  const logits = Float64Array.from(randomArray(20, 41, -5, 5));
  logits[6] = 30; // a saturated row still has a gradient on its label's logit
  const labels = [0, 3, 2, 1, 3];
  for (const scale of [1 / 5, 2]) {
    const analytic = softmaxCrossEntropy(logits, labels, 4, scale).dlogits;
    const numeric = numericGradient((l) => softmaxCrossEntropy(l, labels, 4, scale).loss, logits);
    expectClose(analytic, numeric, { atol: 1e-8, rtol: 1e-6 }, `dlogits (scale=${scale})`);
  }
  // Known values: equal logits give loss log K per row; the argmax of a tie is index 0.
  const r = softmaxCrossEntropy(new Float64Array(8), [0, 3], 4, 1);
  expect(r.loss).toBeCloseTo(2 * Math.log(4), 14);
  expect(r.accuracy).toBe(0.5);
});
