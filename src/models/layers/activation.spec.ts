// activation.wgsl against its float64 CPU reference, and that reference's
// backward against finite differences. Counts are not multiples of the
// 64-wide workgroup; inputs include 0, −0 and saturating ±20, ±100.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { ACTIVATIONS_WITH_SLOPE, numericGradient } from '../../../test/support/gradcheck.js';
import { activate, activationBackwardInput, activationForward } from './activation.reference.js';
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';

const COUNTS = [1, 37, 1000];
// ELU with alpha ≠ 1 too: its derivative-from-output rule (y + alpha) depends on alpha.
const ACTS: [ActivationName, number][] = [...ACTIVATIONS_WITH_SLOPE, ['elu', 0.5]];
const SPECIAL = [0, -0, 20, -20, 100, -100, 1e-3, -1e-3];
// f32 exp/tanh on the GPU against float64: a few ulp of values ≤ 100.
const FORWARD_TOL = { atol: 1e-6, rtol: 1e-5 };
// Backward is one product dy · act'(y) from the same saved y: float32 rounding only.
const BACKWARD_TOL = { atol: 1e-7, rtol: 1e-6 };

for (const count of COUNTS) {
  for (const [act, slope] of ACTS) {
    const geometry = `count=${count},act=${act},slope=${slope}`;
    test(`activation forward, backward and in-place backward match the CPU reference: ${geometry}`, async ({ gpu }) => {
      const seed = count * 10 + ACTIVATION_CODE[act];
      const raw = randomArray(count, seed, -4, 4);
      SPECIAL.forEach((v, i) => {
        if (i * 7 < count) raw[i * 7] = v; // spread out, so they land in different lanes
      });
      const x = f32(raw);
      const dy = f32(randomArray(count, seed + 1));
      const uniforms = { count, act: ACTIVATION_CODE[act], slope };

      const fwd = await gpu.runKernel({
        family: 'activation', entry: 'activation_forward', uniforms,
        inputs: { x: [...x] }, outputs: { y: count },
      });
      expectClose(fwd.y, activationForward(act, x, slope), FORWARD_TOL, `y (${geometry})`);

      // Backward from the GPU's own y, as a training step does.
      const ySaved = f32(fwd.y);
      const bwd = await gpu.runKernel({
        family: 'activation', entry: 'activation_backward_input', uniforms,
        inputs: { y_saved: [...ySaved], dy: [...dy] }, outputs: { dx: count },
      });
      const dxRef = activationBackwardInput(act, ySaved, dy, slope);
      expectClose(bwd.dx, dxRef, BACKWARD_TOL, `dx (${geometry})`);
      // The in-place form linear layers use: dz holds dy on entry and dy ⊙ act'(y) after.
      const inplace = await gpu.runKernel({
        family: 'activation', entry: 'activation_backward_inplace', uniforms,
        inputs: { y_saved: [...ySaved], dz: [...dy] }, outputs: { dz: count },
      });
      expectClose(inplace.dz, dxRef, BACKWARD_TOL, `dz in place (${geometry})`);
    });
  }
}

test('activation writes exactly count elements: count=70 of a 128-element buffer,act=relu', async ({ gpu }) => {
  // The buffer is longer than count: elements past count must keep their input value.
  const x = f32(randomArray(128, 5, -2, 2));
  const sentinel = Array<number>(128).fill(-7);
  const out = await gpu.runKernel({
    family: 'activation', entry: 'activation_forward',
    uniforms: { count: 70, act: ACTIVATION_CODE.relu, slope: 0 }, inputs: { x: [...x], y: sentinel }, outputs: { y: 128 },
  });
  expectClose(out.y.slice(0, 70), activationForward('relu', x.subarray(0, 70), 0), { atol: 0, rtol: 0 }, 'y[0, 70)');
  expect(out.y.slice(70)).toEqual(sentinel.slice(70));
});

test('activation CPU reference backward matches finite differences: count=41,act=each', () => {
  const count = 41;
  for (const [act, slope] of ACTS) {
    // Keep clear of the kinks at 0 (relu, leakyRelu, elu with alpha ≠ 1): |x| ≥ 0.05.
    const x = Float64Array.from(randomArray(count, 21, -3, 3), (v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
    const dy = Float64Array.from(randomArray(count, 22));
    // Scalar L = Σ dy ⊙ act(x), whose gradient w.r.t. x the backward computes.
    const loss = (xx: Float64Array) => activationForward(act, xx, slope).reduce((acc, v, i) => acc + v * dy[i], 0);
    const analytic = activationBackwardInput(act, activationForward(act, x, slope), dy, slope);
    const numeric = numericGradient(loss, x);
    expectClose(analytic, numeric, { atol: 1e-7, rtol: 1e-6 }, `dx (act=${act}, slope=${slope})`);
  }
  // The reference activations themselves, at points whose values are known exactly.
  expect(activate('relu', -2, 0)).toBe(0);
  expect(activate('leakyRelu', -2, 0.2)).toBeCloseTo(-0.4, 15);
  expect(activate('elu', -Math.LN2, 1)).toBeCloseTo(-0.5, 15);
  expect(activate('sigmoid', 0, 0)).toBe(0.5);
  expect(activate('tanh', Math.log(9) / 2, 0)).toBeCloseTo(0.8, 15);
});
