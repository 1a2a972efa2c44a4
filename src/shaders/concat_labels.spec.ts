// concat_labels.wgsl against its float64 CPU reference, both entry points,
// exactly (the kernels only copy and write 0/1), and that reference's
// backward against finite differences. Shapes are odd and not multiples of
// the 64-wide workgroup; labels include fractions that floor (2.7 → 2,
// 9.9999 → 9) and the end classes.
import { test, expect } from '../../test/support/fixtures.js';
import { expectClose } from '../../test/support/compare.js';
import { f32, randomArray } from '../../test/support/data.js';
import { numericGradient } from '../../test/support/gradcheck.js';
import { concatLabelsBackwardInput, concatLabelsForward, type ConcatLabelsShape } from '../reference/concat_labels.js';

const CASES: { shape: ConcatLabelsShape; labels: number[] }[] = [
  { shape: { rows: 3, channels: 5, classes: 4, spatial: 13 * 11 }, labels: [2.7, 0, 3.99] },
  { shape: { rows: 7, channels: 17, classes: 10, spatial: 1 }, labels: [9.9999, 0, 2.7, 5, 1.2, 8.5, 3] },
  { shape: { rows: 2, channels: 1, classes: 10, spatial: 28 * 28 }, labels: [7, 0.5] },
];
const EXACT = { atol: 0, rtol: 0 };

for (const { shape, labels } of CASES) {
  const { rows, channels, classes, spatial } = shape;
  const geometry = `N=${rows},C=${channels},K=${classes},S=${spatial}`;
  const uniforms = { rows, channels, classes, spatial };

  test(`concat_labels_forward matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const x = f32(randomArray(rows * channels * spatial, rows * 100 + channels));
    const ref = concatLabelsForward(x, labels, shape);
    const out = await gpu.runKernel({
      family: 'concat_labels', entry: 'concat_labels_forward', uniforms,
      inputs: { x: [...x], labels }, outputs: { out: ref.length },
    });
    expectClose(out.out, ref, EXACT, `out (${geometry})`);
    // The label planes by hand: row n's plane floor(label) is all ones, the rest zeros.
    labels.forEach((l, n) => {
      for (let k = 0; k < classes; k++) {
        const start = (n * (channels + classes) + channels + k) * spatial;
        const plane = out.out.slice(start, start + spatial);
        expect(plane.every((v) => v === (k === Math.floor(l) ? 1 : 0)), `row ${n} (label ${l}), class plane ${k}`).toBe(true);
      }
    });
  });

  test(`concat_labels_backward_input matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const dout = f32(randomArray(rows * (channels + classes) * spatial, rows * 100 + channels + 1));
    const ref = concatLabelsBackwardInput(dout, shape);
    const out = await gpu.runKernel({
      family: 'concat_labels', entry: 'concat_labels_backward_input', uniforms,
      inputs: { dout: [...dout] }, outputs: { dx: ref.length },
    });
    expectClose(out.dx, ref, EXACT, `dx (${geometry})`);
  });
}

test('concat_labels CPU reference backward matches finite differences: N=3,C=2,K=3,S=5', () => {
  const shape = { rows: 3, channels: 2, classes: 3, spatial: 5 };
  const labels = [2.5, 0, 1];
  const x = Float64Array.from(randomArray(30, 51));
  const w = Float64Array.from(randomArray(3 * 5 * 5, 52)); // loss = Σ w ⊙ out, so dout = w
  const loss = (v: Float64Array): number => concatLabelsForward(v, labels, shape).reduce((s, o, i) => s + o * w[i], 0);
  expectClose(concatLabelsBackwardInput(w, shape), numericGradient(loss, x), { atol: 1e-8, rtol: 1e-6 }, 'dx');
  // Labels outside [0, K) clamp to the end classes.
  const out = concatLabelsForward(new Float64Array(2), [-1, 7], { rows: 2, channels: 1, classes: 3, spatial: 1 });
  expect([...out]).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
});
