// linear.wgsl against its float64 CPU reference, and that reference against
// finite differences. Shapes are not multiples of the 64×64 workgroup tile
// (4×4 invocations × 16×16 outputs each), and batches of 130 and 257 rows
// reach the second and fifth tile of rows.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { ACTIVATIONS_WITH_SLOPE, numericGradient } from '../../../test/support/gradcheck.js';
import {
  linearBackwardBias,
  linearBackwardInput,
  linearBackwardWeight,
  linearForward,
  linearPreactivationGrad,
} from './linear.reference.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';

const SHAPES = [
  { batch: 37, inFeatures: 53, outFeatures: 19 },
  { batch: 1, inFeatures: 5, outFeatures: 3 },
  { batch: 3, inFeatures: 70, outFeatures: 65 },
  { batch: 130, inFeatures: 21, outFeatures: 67 },
  { batch: 257, inFeatures: 66, outFeatures: 9 },
];
const ACTS = ACTIVATIONS_WITH_SLOPE;
/** The large batches run with two activations only: the tiling, not the epilogue, is what they test. */
const actsFor = (batch: number) => (batch > 64 ? ACTS.filter(([a]) => a === 'none' || a === 'elu') : ACTS);
const TOL = { atol: 1e-5, rtol: 1e-4 };

for (const s of SHAPES) {
  for (const [act, slope] of actsFor(s.batch)) {
    const geometry = `batch=${s.batch},in=${s.inFeatures},out=${s.outFeatures},act=${act}`;
    test(`linear forward and backward match the CPU reference: ${geometry}`, async ({ gpu }) => {
      const seed = s.batch * 1000 + s.inFeatures + ACTIVATION_CODE[act];
      const x = f32(randomArray(s.batch * s.inFeatures, seed, -2, 2));
      const w = f32(randomArray(s.outFeatures * s.inFeatures, seed + 1, -0.5, 0.5));
      const bias = f32(randomArray(s.outFeatures, seed + 2, -0.5, 0.5));
      const dy = f32(randomArray(s.batch * s.outFeatures, seed + 3));
      const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE[act], slope };

      const yRef = linearForward(s, x, w, bias, act, slope);
      const fwd = await gpu.runKernel({
        family: 'linear', entry: 'linear_forward', uniforms,
        inputs: { x: [...x], w: [...w], bias: [...bias] }, outputs: { y: yRef.length },
      });
      expectClose(fwd.y, yRef, TOL, `y (${geometry})`);

      // The backward products read dz = dy ⊙ act'(y), formed from the GPU's own y
      // (on the GPU by activation_backward_inplace: test/activation.spec.ts).
      const ySaved = f32(fwd.y);
      const dz = linearPreactivationGrad(ySaved, dy, act, slope);
      const common = { dz: Array.from(dz, Math.fround) };
      const dx = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_input', uniforms,
        inputs: { ...common, w: [...w] }, outputs: { dx: s.batch * s.inFeatures },
      });
      expectClose(dx.dx, linearBackwardInput(s, dz, w), TOL, `dx (${geometry})`);
      const dw = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_weight', uniforms,
        inputs: { ...common, x: [...x] }, outputs: { dw: s.outFeatures * s.inFeatures },
      });
      expectClose(dw.dw, linearBackwardWeight(s, dz, x), TOL, `dw (${geometry})`);
      const db = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_bias', uniforms,
        inputs: common, outputs: { dbias: s.outFeatures },
      });
      expectClose(db.dbias, linearBackwardBias(s, dz), TOL, `dbias (${geometry})`);
    });
  }
}

test('linear CPU reference backward matches finite differences: batch=3,in=4,out=5,act=each', () => {
  const s = { batch: 3, inFeatures: 4, outFeatures: 5 };
  for (const [act, slope] of ACTS) {
    const x = Float64Array.from(randomArray(12, 11));
    const w = Float64Array.from(randomArray(20, 12));
    const b = Float64Array.from(randomArray(5, 13));
    const dy = Float64Array.from(randomArray(15, 14));
    // Scalar L = Σ dy ⊙ y, whose gradients the backward computes.
    const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array) =>
      linearForward(s, xx, ww, bb, act, slope).reduce((acc, v, i) => acc + v * dy[i], 0);
    const dz = linearPreactivationGrad(linearForward(s, x, w, b, act, slope), dy, act, slope);
    const analytic = { x: linearBackwardInput(s, dz, w), w: linearBackwardWeight(s, dz, x), b: linearBackwardBias(s, dz) };
    for (const [name, v] of [['x', x], ['w', w], ['b', b]] as const) {
      const args = (arr: Float64Array) => (name === 'x' ? [arr, w, b] : name === 'w' ? [x, arr, b] : [x, w, arr]) as [Float64Array, Float64Array, Float64Array];
      const numeric = numericGradient((arr) => loss(...args(arr)), v);
      expectClose(analytic[name], numeric, { atol: 1e-6, rtol: 1e-5 }, `d${name} (act=${act})`);
    }
  }
  expect(ACTS.length).toBe(6);
});
