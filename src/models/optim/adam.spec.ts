// adam.wgsl against its float64 CPU reference: the update (t read from the
// GPU state, already advanced by the close of the update) and the skip once
// training has halted (the close refused this update). The reference itself
// is checked by hand against torch.optim.Adam's arithmetic. Counts are not
// multiples of the 64-wide workgroup, and one passes the 16384-invocation
// cap so the grid stride loops.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { PHASE_D, PHASE_G, stateAfterUpdate } from '../../../test/support/train-state.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { adamUpdate, type AdamHyper } from './adam.reference.js';
import { CONSTANT_SCHEDULE, scheduleUniforms } from './schedule.js';

/** The optimizer phases (D, G): Adam's t is state[updates + phase]. */
interface Inputs {
  params: Float64Array;
  grads: Float64Array;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

function inputs(count: number, seed: number): Inputs {
  return {
    params: f32(randomArray(count, seed, -1, 1)),
    grads: f32(randomArray(count, seed + 1, -0.5, 0.5)),
    expAvg: f32(randomArray(count, seed + 2, -0.1, 0.1)),
    expAvgSq: f32(randomArray(count, seed + 3, 0, 0.05)), // v ≥ 0
  };
}

function uniforms(count: number, phase: number, h: AdamHyper): Record<string, number> {
  return { count, phase, lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weight_decay: h.weightDecay, decoupled: h.decoupled ? 1 : 0, ...scheduleUniforms(h.schedule ?? CONSTANT_SCHEDULE) };
}

/** The hyperparameters as the GPU sees them (f32), so the reference differs only in arithmetic. */
const asF32 = (h: AdamHyper): AdamHyper => ({
  lr: Math.fround(h.lr),
  beta1: Math.fround(h.beta1),
  beta2: Math.fround(h.beta2),
  eps: Math.fround(h.eps),
  weightDecay: Math.fround(h.weightDecay),
});

function runAdam(gpu: GpuPage, x: Inputs, phase: number, h: AdamHyper, state: number[]): Promise<Record<string, number[]>> {
  const count = x.params.length;
  return gpu.runKernel({
    family: 'adam', entry: 'adam_update', uniforms: uniforms(count, phase, h),
    inputs: { params: [...x.params], grads: [...x.grads], exp_avg: [...x.expAvg], exp_avg_sq: [...x.expAvgSq] },
    uintInputs: { state },
    outputs: { params: count, exp_avg: count, exp_avg_sq: count },
  });
}

const BASE: AdamHyper = { lr: 2e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
const CASES: { count: number; phase: number; t: number; h: AdamHyper }[] = [
  { count: 1, phase: PHASE_D, t: 1, h: BASE },
  { count: 300, phase: PHASE_G, t: 1, h: { ...BASE, weightDecay: 0.01 } },
  { count: 300, phase: PHASE_D, t: 7, h: BASE },
  { count: 1000, phase: PHASE_G, t: 3, h: { ...BASE, lr: 1e-2, beta1: 0.9, weightDecay: 0.1 } },
  { count: 1000, phase: PHASE_D, t: 1000, h: { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0 } },
  { count: 40001, phase: PHASE_G, t: 2, h: { ...BASE, weightDecay: 0.01 } },
];
// m, v: a few f32 roundings of terms up to 0.5 (ulp 3e-8), absolute since
// β1·m + (1−β1)·g can cancel to near 0. params: |p| ≤ 1 rounds to ~1e-7, and
// the step carries f32 pow()'s error in the bias corrections (up to ~1e-4
// relative at small 1 − β2^t), i.e. ≤ 1e-6 absolute at lr ≤ 1e-2. Measured
// on SwiftShader: m 2e-8, v 4e-9, params 2e-7.
const MOMENT_TOL = { atol: 5e-8, rtol: 1e-6 };
const PARAM_TOL = { atol: 1e-6, rtol: 1e-6 };

for (const c of CASES) {
  const geometry = `count=${c.count},phase=${c.phase},t=${c.t},weight_decay=${c.h.weightDecay}`;
  test(`adam_update matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    const x = inputs(c.count, c.count + c.t);
    const out = await runAdam(gpu, x, c.phase, c.h, stateAfterUpdate(c.phase, c.t));

    const ref = { params: Float64Array.from(x.params), expAvg: Float64Array.from(x.expAvg), expAvgSq: Float64Array.from(x.expAvgSq) };
    adamUpdate(asF32(c.h), c.t, ref.params, x.grads, ref.expAvg, ref.expAvgSq);
    expectClose(out.exp_avg, ref.expAvg, MOMENT_TOL, `exp_avg (${geometry})`);
    expectClose(out.exp_avg_sq, ref.expAvgSq, MOMENT_TOL, `exp_avg_sq (${geometry})`);
    expectClose(out.params, ref.params, PARAM_TOL, `params (${geometry})`);
    // The step itself, relative: catches a wrong t (bias correction) that the absolute check above might hide.
    const step = out.params.map((p, i) => x.params[i] - p);
    const refStep = ref.params.map((p, i) => x.params[i] - p);
    expectClose(step, refStep, { atol: 2e-7, rtol: 2e-3 }, `params step (${geometry})`);
  });
}

test('adam_update leaves params and moments unchanged once training has halted: count=300', async ({ gpu }) => {
  const x = inputs(300, 77);
  const out = await runAdam(gpu, x, PHASE_D, { ...BASE, weightDecay: 0.01 }, stateAfterUpdate(PHASE_D, 4, 1));
  const exact = { atol: 0, rtol: 0 };
  expectClose(out.params, x.params, exact, 'params');
  expectClose(out.exp_avg, x.expAvg, exact, 'exp_avg');
  expectClose(out.exp_avg_sq, x.expAvgSq, exact, 'exp_avg_sq');
});

test('adam_update and its CPU reference agree with torch.optim.Adam worked by hand: count=1', async ({ gpu }) => {
  // torch.optim.Adam (weight_decay as L2, amsgrad=False, maximize=False), one element:
  //   g ← g + wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
  //   p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps)
  //
  // Case A, defaults, first step: p = 1, g = 0.5, lr = 1e-3, β = (0.9, 0.999), eps = 1e-8, wd = 0, t = 1, m = v = 0.
  //   m = 0.1·0.5 = 0.05;  v = 0.001·0.25 = 0.00025
  //   m̂ = 0.05 / 0.1 = 0.5;  sqrt(v̂) = sqrt(0.00025 / 0.001) = 0.5
  //   p = 1 − 1e-3 · 0.5 / (0.5 + 1e-8) = 1 − 1e-3 / (1 + 2e-8) = 0.99900000002 (to 1e-14)
  const a = { p: Float64Array.of(1), m: Float64Array.of(0), v: Float64Array.of(0) };
  const hA: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
  adamUpdate(hA, 1, a.p, Float64Array.of(0.5), a.m, a.v);
  expect(a.m[0]).toBeCloseTo(0.05, 15);
  expect(a.v[0]).toBeCloseTo(0.00025, 15);
  expect(a.p[0]).toBeCloseTo(0.99900000002, 13);

  // Case B, weight decay and state carried in, t = 2: p = 1, g = 0.3, wd = 0.1, m = 0.2, v = 0.08,
  // β1 = β2 = 0.5, lr = 0.5, eps = 0.1.
  //   g = 0.3 + 0.1·1 = 0.4
  //   m = 0.5·0.2 + 0.5·0.4 = 0.3;  v = 0.5·0.08 + 0.5·0.16 = 0.12
  //   1 − β^2 = 0.75:  m̂ = 0.4;  sqrt(v̂) = sqrt(0.16) = 0.4
  //   p = 1 − 0.5 · 0.4 / (0.4 + 0.1) = 1 − 0.4 = 0.6
  const b = { p: Float64Array.of(1), m: Float64Array.of(0.2), v: Float64Array.of(0.08) };
  const hB: AdamHyper = { lr: 0.5, beta1: 0.5, beta2: 0.5, eps: 0.1, weightDecay: 0.1 };
  adamUpdate(hB, 2, b.p, Float64Array.of(0.3), b.m, b.v);
  expect(b.m[0]).toBeCloseTo(0.3, 15);
  expect(b.v[0]).toBeCloseTo(0.12, 15);
  expect(b.p[0]).toBeCloseTo(0.6, 14);

  // The same case B on the GPU (t = state[updates + phase] = 2).
  const out = await runAdam(
    gpu,
    { params: Float64Array.of(1), grads: Float64Array.of(0.3), expAvg: Float64Array.of(0.2), expAvgSq: Float64Array.of(0.08) },
    PHASE_G, hB, stateAfterUpdate(PHASE_G, 2),
  );
  expectClose([out.exp_avg[0], out.exp_avg_sq[0], out.params[0]], [0.3, 0.12, 0.6], { atol: 1e-6, rtol: 1e-6 }, 'GPU m, v, p (case B)');
});
