// AdamW: adam.wgsl with `decoupled` = 1 against its float64 CPU reference
// (torch.optim.AdamW) at t = 1 and later t, with and without weight decay and
// with a schedule (Adam's own scheduled update too), the skip once training
// has halted (no decay either), torch's arithmetic worked by hand, the option
// rules, and whole training steps in both plans (the fused MLP kernel runs
// AdamW and schedules) and a checkpoint round trip of trainers using it.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { PHASE_D, PHASE_G, stateAfterUpdate } from '../../../test/support/train-state.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { checkpointRoundTrip, expectExactRoundTrip, expectTrainerParity, tinyOptimizerConfig } from '../../../test/support/optimizer-training.js';
import { resolveGanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { adamUpdate, type AdamHyper } from './adam.reference.js';
import { findOptimizer } from './optimizer.js';
import { CONSTANT_SCHEDULE, scheduleUniforms } from './schedule.js';
import './index.js';

interface Inputs {
  params: Float64Array;
  grads: Float64Array;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

const inputs = (count: number, seed: number): Inputs => ({
  params: f32(randomArray(count, seed, -1, 1)),
  grads: f32(randomArray(count, seed + 1, -0.5, 0.5)),
  expAvg: f32(randomArray(count, seed + 2, -0.1, 0.1)),
  expAvgSq: f32(randomArray(count, seed + 3, 0, 0.05)),
});

const asF32 = (h: AdamHyper): AdamHyper => ({
  ...h,
  lr: Math.fround(h.lr),
  beta1: Math.fround(h.beta1),
  beta2: Math.fround(h.beta2),
  eps: Math.fround(h.eps),
  weightDecay: Math.fround(h.weightDecay),
  schedule: h.schedule && { ...h.schedule, final: Math.fround(h.schedule.final) },
});

function runAdam(gpu: GpuPage, x: Inputs, phase: number, h: AdamHyper, state: number[]): Promise<Record<string, number[]>> {
  const count = x.params.length;
  return gpu.runKernel({
    family: 'adam',
    entry: 'adam_update',
    uniforms: {
      count, phase, lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weight_decay: h.weightDecay, decoupled: h.decoupled ? 1 : 0,
      ...scheduleUniforms(h.schedule ?? CONSTANT_SCHEDULE),
    },
    inputs: { params: [...x.params], grads: [...x.grads], exp_avg: [...x.expAvg], exp_avg_sq: [...x.expAvgSq] },
    uintInputs: { state },
    outputs: { params: count, exp_avg: count, exp_avg_sq: count },
  });
}

const W: AdamHyper = { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true };
const CASES: { count: number; phase: number; t: number; h: AdamHyper }[] = [
  { count: 1, phase: PHASE_D, t: 1, h: W },
  { count: 300, phase: PHASE_G, t: 1, h: { ...W, weightDecay: 0.5, lr: 1e-2 } },
  { count: 300, phase: PHASE_D, t: 7, h: { ...W, weightDecay: 0 } },
  { count: 1000, phase: PHASE_G, t: 5, h: { ...W, beta1: 0.5, weightDecay: 0.1, schedule: { kind: 'cosine', steps: 8, final: 0.05 } } },
  // Adam (L2) on its scheduled learning rate: the same kernel, decoupled = 0.
  { count: 1000, phase: PHASE_D, t: 30, h: { ...W, decoupled: false, weightDecay: 0.1, schedule: { kind: 'linear', steps: 40, final: 0 } } },
  { count: 40001, phase: PHASE_G, t: 2, h: { ...W, weightDecay: 0.1 } },
];
// adam.spec.ts's bounds: the decay adds one f32 product (≤ 1e-7 relative) to p.
const MOMENT_TOL = { atol: 5e-8, rtol: 1e-6 };
const PARAM_TOL = { atol: 1e-6, rtol: 1e-6 };

for (const c of CASES) {
  const h = c.h;
  const what = `count=${c.count},phase=${c.phase},t=${c.t},decoupled=${h.decoupled},weight_decay=${h.weightDecay},schedule=${h.schedule?.kind ?? 'constant'}`;
  test(`adam_update (AdamW unless decoupled=false) matches the CPU reference: ${what}`, async ({ gpu }) => {
    const x = inputs(c.count, c.count + c.t);
    const out = await runAdam(gpu, x, c.phase, h, stateAfterUpdate(c.phase, c.t));
    const ref = { params: Float64Array.from(x.params), expAvg: Float64Array.from(x.expAvg), expAvgSq: Float64Array.from(x.expAvgSq) };
    adamUpdate(asF32(h), c.t, ref.params, x.grads, ref.expAvg, ref.expAvgSq);
    expectClose(out.exp_avg, ref.expAvg, MOMENT_TOL, `exp_avg (${what})`);
    expectClose(out.exp_avg_sq, ref.expAvgSq, MOMENT_TOL, `exp_avg_sq (${what})`);
    expectClose(out.params, ref.params, PARAM_TOL, `params (${what})`);
    const step = out.params.map((p, i) => x.params[i] - p);
    const refStep = ref.params.map((p, i) => x.params[i] - p);
    expectClose(step, refStep, { atol: 2e-7, rtol: 2e-3 }, `params step (${what})`);
  });
}

test('adam_update with decoupled decay leaves params and moments unchanged once training has halted: count=300', async ({ gpu }) => {
  const x = inputs(300, 80);
  const out = await runAdam(gpu, x, PHASE_G, { ...W, weightDecay: 0.5 }, stateAfterUpdate(PHASE_G, 4, 1));
  const exact = { atol: 0, rtol: 0 };
  expectClose(out.params, x.params, exact, 'params');
  expectClose(out.exp_avg, x.expAvg, exact, 'exp_avg');
  expectClose(out.exp_avg_sq, x.expAvgSq, exact, 'exp_avg_sq');
});

test('AdamW on adam_update and its CPU reference agree with torch.optim.AdamW worked by hand: count=1', async ({ gpu }) => {
  // torch.optim.AdamW (amsgrad=False, maximize=False), one element:
  //   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
  //   p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps)
  //
  // Case A, torch's defaults (wd 0.01), first step: p = 1, g = 0.5, lr = 1e-3, m = v = 0.
  //   p = 1 − 1e-5 = 0.99999;  m = 0.05, v = 0.00025;  m̂ = 0.5, sqrt(v̂) = 0.5
  //   p = 0.99999 − 1e-3 · 0.5 / (0.5 + 1e-8) = 0.99999 − 0.00099999998 = 0.99899000002
  const hA: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true };
  const a = { p: Float64Array.of(1), m: Float64Array.of(0), v: Float64Array.of(0) };
  adamUpdate(hA, 1, a.p, Float64Array.of(0.5), a.m, a.v);
  expect(a.m[0]).toBeCloseTo(0.05, 15);
  expect(a.v[0]).toBeCloseTo(0.00025, 15);
  expect(a.p[0]).toBeCloseTo(0.99899000002, 13);

  // Case B, t = 2: p = 1, g = 0.3, wd = 0.1, lr = 0.5, β1 = β2 = 0.5, eps = 0.1, m = 0.3, v = 0.15.
  //   p = 1·(1 − 0.05) = 0.95  (g itself gets no decay term)
  //   m = 0.15 + 0.15 = 0.3;  v = 0.075 + 0.045 = 0.12;  1 − β^2 = 0.75: m̂ = 0.4, sqrt(v̂) = sqrt(0.16) = 0.4
  //   p = 0.95 − 0.5 · 0.4 / (0.4 + 0.1) = 0.95 − 0.4 = 0.55
  const hB: AdamHyper = { lr: 0.5, beta1: 0.5, beta2: 0.5, eps: 0.1, weightDecay: 0.1, decoupled: true };
  const b = { p: Float64Array.of(1), m: Float64Array.of(0.3), v: Float64Array.of(0.15) };
  adamUpdate(hB, 2, b.p, Float64Array.of(0.3), b.m, b.v);
  expect(b.m[0]).toBeCloseTo(0.3, 15);
  expect(b.v[0]).toBeCloseTo(0.12, 15);
  expect(b.p[0]).toBeCloseTo(0.55, 14);

  const tight = { atol: 1e-6, rtol: 1e-6 };
  const outA = await runAdam(gpu, { params: Float64Array.of(1), grads: Float64Array.of(0.5), expAvg: Float64Array.of(0), expAvgSq: Float64Array.of(0) }, PHASE_D, hA, stateAfterUpdate(PHASE_D, 1));
  expectClose([outA.exp_avg[0], outA.exp_avg_sq[0], outA.params[0]], [0.05, 0.00025, 0.99899000002], { atol: 1e-7, rtol: 1e-6 }, 'GPU m, v, p (case A)');
  const outB = await runAdam(gpu, { params: Float64Array.of(1), grads: Float64Array.of(0.3), expAvg: Float64Array.of(0.3), expAvgSq: Float64Array.of(0.15) }, PHASE_G, hB, stateAfterUpdate(PHASE_G, 2));
  expectClose([outB.exp_avg[0], outB.exp_avg_sq[0], outB.params[0]], [0.3, 0.12, 0.55], tight, 'GPU m, v, p (case B)');
});

test('AdamW options: torch\'s default decay, Adam\'s slots, fused-eligible, and errors that name the field', () => {
  const module = findOptimizer('adamw')!;
  const fail = (m: string): never => {
    throw new Error(`optimizerG${m}`);
  };
  const r = module.resolve({ name: 'adamw', lr: 1e-3 }, fail);
  expect(r).toEqual({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, schedule: CONSTANT_SCHEDULE });
  expect(findOptimizer('adam')!.resolve({ lr: 1e-3 }, fail)).toEqual({ ...(r as object), weightDecay: 0, decoupled: false });
  expect(module.slots(r)).toEqual(['exp_avg', 'exp_avg_sq']);
  expect(module.fused).toBeDefined();
  expect(module.checkSlot!('exp_avg_sq', Float32Array.of(0, -1))).toBe("value 1 is -1; AdamW's second moment is a mean of squares and cannot be negative");

  const base = tinyOptimizerConfig({ optimizerD: { lr: 1e-3 }, optimizerG: { name: 'adamw', lr: 1e-3 } });
  const err = (optimizerG: unknown) => () => resolveGanConfig({ ...base, optimizerG: optimizerG as never });
  expect(err({ name: 'adamw', lr: 1e-3, momentum: 0.9 })).toThrow('optimizerG has unknown option(s) momentum; AdamW takes lr, beta1, beta2, eps, weightDecay, schedule');
  expect(err({ name: 'adamw', lr: -1 })).toThrow('optimizerG.lr must be a finite number > 0, got -1');
  expect(err({ name: 'adamw', lr: 1e-3, beta2: 1 })).toThrow('optimizerG.beta2 must be in [0, 1), got 1');
  expect(err({ name: 'adamw', lr: 1e-3, eps: -1 })).toThrow('optimizerG.eps must be > 0, got -1');
  expect(err({ name: 'adamw', lr: 1e-3, weightDecay: -0.01 })).toThrow('optimizerG.weightDecay must be ≥ 0, got -0.01');
  expect(err({ name: 'adamw', lr: 2, weightDecay: 1 })).toThrow('optimizerG.weightDecay · lr must be ≤ 1 (each update multiplies the weights by 1 − lr·weightDecay), got 1 · 2');
  expect(err({ name: 'adamw', lr: 1e-3, schedule: { kind: 'cosine', steps: 10, final: 2 } })).toThrow('optimizerG.schedule.final must be a number in [0, 1], got 2');
  expect(err({ name: 'adamW', lr: 1e-3 })).toThrow(/optimizerG\.name is "adamW"; expected one of adam, adamw, /);
  // Adam takes a schedule too, and names its own fields.
  expect(() => resolveGanConfig({ ...base, optimizerD: { lr: 1e-3, schedule: { kind: 'linear', steps: 0 } } })).toThrow('optimizerD.schedule.steps must be an integer in [1, 2147483647], got 0');
});

test('the fused plan takes AdamW and schedules: fusedMlpIneligibility is null for D on AdamW and G on a scheduled Adam', () => {
  const c = resolveGanConfig(tinyOptimizerConfig({ optimizerD: { name: 'adamw', lr: 1e-3 }, optimizerG: { lr: 1e-3, schedule: { kind: 'cosine', steps: 9 } } }));
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits;
  expect(fusedMlpIneligibility(c, limits)).toBeNull();
});

// D runs 8 updates and G 4 in 4 steps: both schedules end inside the run.
const MIXED = {
  optimizerD: { name: 'adamw', lr: 1e-2, beta1: 0.5, weightDecay: 0.1, schedule: { kind: 'cosine', steps: 6, final: 0.1 } },
  optimizerG: { lr: 2e-2, beta1: 0.5, beta2: 0.99, weightDecay: 1e-2, schedule: { kind: 'linear', steps: 3, final: 0.25 } },
} as const;

for (const plan of ['layered', 'fused-mlp'] as const) {
  test(`plan=${plan}: GAN steps with D on AdamW (cosine schedule) and G on Adam (L2, linear schedule) match the CPU trainer`, async ({ gpu }) => {
    await expectTrainerParity(gpu, MIXED, plan);
  });
}

test('a checkpoint of trainers on AdamW (D) and a scheduled Adam (G) round-trips and resumes exactly', async ({ gpu }) => {
  const r = await checkpointRoundTrip(gpu, {
    optimizerD: { name: 'adamw', lr: 1e-2, beta1: 0.5, schedule: { kind: 'cosine', steps: 5, final: 0.2 } },
    optimizerG: { lr: 1e-3, beta1: 0.9, schedule: { kind: 'linear', steps: 4 } },
  });
  expect(r.plan).toBe('fused-mlp');
  expectExactRoundTrip(r, { generator: ['exp_avg', 'exp_avg_sq'], discriminator: ['exp_avg', 'exp_avg_sq'] }, { generator: 'adam', discriminator: 'adamw' });
});
