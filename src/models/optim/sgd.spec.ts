// sgd.wgsl against its float64 CPU reference (torch.optim.SGD): both entries
// (no momentum; momentum with dampening or Nesterov), t = 1 (the buffer
// starts as the gradient) and later t, weight decay, a schedule, the skip
// once training has halted, torch's arithmetic worked by hand, the option
// rules, and whole training steps and a checkpoint round trip of trainers
// using it. Counts are not multiples of the 64-wide workgroup, and 40001
// passes the 16384-invocation cap so the grid stride loops.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { PHASE_D, PHASE_G, stateAfterUpdate } from '../../../test/support/train-state.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { checkpointRoundTrip, expectExactRoundTrip, expectTrainerParity, tinyOptimizerConfig } from '../../../test/support/optimizer-training.js';
import { resolveGanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { findOptimizer } from './optimizer.js';
import { CONSTANT_SCHEDULE, scheduleUniforms, type ResolvedSchedule } from './schedule.js';
import { sgdUpdate, type SgdHyper } from './sgd.reference.js';
import './index.js';

interface Inputs {
  params: Float64Array;
  grads: Float64Array;
  buf: Float64Array;
}

const inputs = (count: number, seed: number): Inputs => ({
  params: f32(randomArray(count, seed, -1, 1)),
  grads: f32(randomArray(count, seed + 1, -0.5, 0.5)),
  buf: f32(randomArray(count, seed + 2, -0.3, 0.3)),
});

/** The hyperparameters as the GPU sees them (f32). */
const asF32 = (h: SgdHyper): SgdHyper => ({
  ...h,
  lr: Math.fround(h.lr),
  momentum: Math.fround(h.momentum),
  dampening: Math.fround(h.dampening),
  weightDecay: Math.fround(h.weightDecay),
  schedule: h.schedule && { ...h.schedule, final: Math.fround(h.schedule.final) },
});

function runSgd(gpu: GpuPage, x: Inputs, phase: number, h: SgdHyper, state: number[]): Promise<Record<string, number[]>> {
  const count = x.params.length;
  const momentum = h.momentum > 0;
  return gpu.runKernel({
    family: 'sgd',
    entry: momentum ? 'sgd_momentum_update' : 'sgd_update',
    uniforms: {
      count, phase, lr: h.lr, momentum: h.momentum, dampening: h.dampening, weight_decay: h.weightDecay, nesterov: h.nesterov ? 1 : 0,
      ...scheduleUniforms(h.schedule ?? CONSTANT_SCHEDULE),
    },
    inputs: { params: [...x.params], grads: [...x.grads], ...(momentum ? { momentum_buffer: [...x.buf] } : {}) },
    uintInputs: { state },
    outputs: { params: count, ...(momentum ? { momentum_buffer: count } : {}) },
  });
}

const PLAIN: SgdHyper = { lr: 1e-2, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };
const HEAVY: SgdHyper = { lr: 5e-3, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0 };
const NESTEROV: SgdHyper = { lr: 2e-2, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0 };
const COSINE: ResolvedSchedule = { kind: 'cosine', steps: 10, final: 0.1 };
const CASES: { count: number; phase: number; t: number; h: SgdHyper }[] = [
  { count: 1, phase: PHASE_D, t: 1, h: PLAIN },
  { count: 300, phase: PHASE_G, t: 4, h: { ...PLAIN, weightDecay: 0.05, schedule: { kind: 'linear', steps: 6, final: 0.25 } } },
  { count: 300, phase: PHASE_D, t: 1, h: HEAVY },
  { count: 300, phase: PHASE_G, t: 7, h: { ...HEAVY, weightDecay: 0.01 } },
  { count: 1000, phase: PHASE_D, t: 1, h: { ...NESTEROV, weightDecay: 0.1 } },
  { count: 1000, phase: PHASE_G, t: 3, h: { ...NESTEROV, schedule: COSINE } },
  { count: 40001, phase: PHASE_D, t: 2, h: { ...HEAVY, weightDecay: 0.01 } },
  { count: 40001, phase: PHASE_G, t: 9, h: PLAIN },
];
// |p| ≤ 1 and |lr·g| ≤ 0.05: a few f32 roundings, ~1e-7; the buffer (|buf| ≤ ~1) the same.
const TOL = { atol: 3e-7, rtol: 1e-6 };

for (const c of CASES) {
  const h = c.h;
  const what = `count=${c.count},phase=${c.phase},t=${c.t},momentum=${h.momentum},dampening=${h.dampening},nesterov=${h.nesterov},weight_decay=${h.weightDecay},schedule=${h.schedule?.kind ?? 'constant'}`;
  test(`sgd matches the CPU reference: ${what}`, async ({ gpu }) => {
    const x = inputs(c.count, c.count + c.t);
    const out = await runSgd(gpu, x, c.phase, h, stateAfterUpdate(c.phase, c.t));
    const ref = { params: Float64Array.from(x.params), buf: Float64Array.from(x.buf) };
    sgdUpdate(asF32(h), c.t, ref.params, x.grads, ref.buf);
    if (h.momentum > 0) expectClose(out.momentum_buffer, ref.buf, TOL, `momentum_buffer (${what})`);
    expectClose(out.params, ref.params, TOL, `params (${what})`);
    // The step itself, relative: a wrong t (first update, schedule) shows here even where it is small.
    const step = out.params.map((p, i) => x.params[i] - p);
    const refStep = ref.params.map((p, i) => x.params[i] - p);
    expectClose(step, refStep, { atol: 2e-7, rtol: 1e-4 }, `params step (${what})`);
  });
}

test('sgd leaves params and the momentum buffer unchanged once training has halted: count=300, both entries', async ({ gpu }) => {
  const x = inputs(300, 78);
  const exact = { atol: 0, rtol: 0 };
  const out = await runSgd(gpu, x, PHASE_D, { ...NESTEROV, weightDecay: 0.1 }, stateAfterUpdate(PHASE_D, 4, 1));
  expectClose(out.params, x.params, exact, 'params (momentum)');
  expectClose(out.momentum_buffer, x.buf, exact, 'momentum_buffer');
  const plain = await runSgd(gpu, x, PHASE_G, { ...PLAIN, weightDecay: 0.1 }, stateAfterUpdate(PHASE_G, 4, 1));
  expectClose(plain.params, x.params, exact, 'params (no momentum)');
});

test('sgd and its CPU reference agree with torch.optim.SGD worked by hand: count=1', async ({ gpu }) => {
  // torch.optim.SGD (maximize=False), one element:
  //   g ← g + wd·p;  μ ≠ 0: buf ← g on the first step, else μ·buf + (1 − dampening)·g;
  //   g ← g + μ·buf (nesterov) or buf;  p ← p − lr·g
  //
  // Case A, momentum 0.9, dampening 0.1, wd 0.1, lr 0.1, p = 1, g = 0.5 both steps:
  //   t = 1: g = 0.5 + 0.1·1 = 0.6;  buf = 0.6 (no dampening on the first);  p = 1 − 0.06 = 0.94
  //   t = 2: g = 0.5 + 0.1·0.94 = 0.594;  buf = 0.9·0.6 + 0.9·0.594 = 1.0746;  p = 0.94 − 0.10746 = 0.83254
  const hA: SgdHyper = { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0.1 };
  const a = { p: Float64Array.of(1), buf: Float64Array.of(123) }; // the buffer's old value must not matter at t = 1
  sgdUpdate(hA, 1, a.p, Float64Array.of(0.5), a.buf);
  expect(a.buf[0]).toBeCloseTo(0.6, 15);
  expect(a.p[0]).toBeCloseTo(0.94, 15);
  sgdUpdate(hA, 2, a.p, Float64Array.of(0.5), a.buf);
  expect(a.buf[0]).toBeCloseTo(1.0746, 14);
  expect(a.p[0]).toBeCloseTo(0.83254, 14);

  // Case B, Nesterov, momentum 0.5, lr 0.2, p = 2, buf = 0.4 carried in, g = 1, t = 3:
  //   buf = 0.5·0.4 + 1 = 1.2;  g = 1 + 0.5·1.2 = 1.6;  p = 2 − 0.32 = 1.68
  const hB: SgdHyper = { lr: 0.2, momentum: 0.5, dampening: 0, nesterov: true, weightDecay: 0 };
  const b = { p: Float64Array.of(2), buf: Float64Array.of(0.4) };
  sgdUpdate(hB, 3, b.p, Float64Array.of(1), b.buf);
  expect(b.buf[0]).toBeCloseTo(1.2, 15);
  expect(b.p[0]).toBeCloseTo(1.68, 15);

  // Case C, no momentum: p = 1 − 0.1·(0.5 + 0.1·1) = 0.94, and no buffer.
  const c = Float64Array.of(1);
  sgdUpdate({ ...hA, momentum: 0, dampening: 0 }, 5, c, Float64Array.of(0.5));
  expect(c[0]).toBeCloseTo(0.94, 15);

  // A, B and C on the GPU.
  const tight = { atol: 1e-6, rtol: 1e-6 };
  const a1 = await runSgd(gpu, { params: Float64Array.of(1), grads: Float64Array.of(0.5), buf: Float64Array.of(123) }, PHASE_D, hA, stateAfterUpdate(PHASE_D, 1));
  expectClose([a1.momentum_buffer[0], a1.params[0]], [0.6, 0.94], tight, 'GPU buf, p (case A, t = 1)');
  const a2 = await runSgd(gpu, { params: Float64Array.of(0.94), grads: Float64Array.of(0.5), buf: Float64Array.of(0.6) }, PHASE_D, hA, stateAfterUpdate(PHASE_D, 2));
  expectClose([a2.momentum_buffer[0], a2.params[0]], [1.0746, 0.83254], tight, 'GPU buf, p (case A, t = 2)');
  const b1 = await runSgd(gpu, { params: Float64Array.of(2), grads: Float64Array.of(1), buf: Float64Array.of(0.4) }, PHASE_G, hB, stateAfterUpdate(PHASE_G, 3));
  expectClose([b1.momentum_buffer[0], b1.params[0]], [1.2, 1.68], tight, 'GPU buf, p (case B)');
  const c1 = await runSgd(gpu, { params: Float64Array.of(1), grads: Float64Array.of(0.5), buf: Float64Array.of(0) }, PHASE_G, { ...hA, momentum: 0, dampening: 0 }, stateAfterUpdate(PHASE_G, 5));
  expectClose(c1.params, [0.94], tight, 'GPU p (case C)');
});

test('SGD options: defaults, slots by momentum, and errors that name the field (unknown option, bad values, torch\'s nesterov rule, wrong name)', () => {
  const module = findOptimizer('sgd')!;
  const fail = (m: string): never => {
    throw new Error(`optimizerD${m}`);
  };
  const plain = module.resolve({ name: 'sgd', lr: 0.1 }, fail);
  expect(plain).toEqual({ lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, schedule: CONSTANT_SCHEDULE });
  expect(module.slots(plain)).toEqual([]);
  expect(module.slots(module.resolve({ name: 'sgd', lr: 0.1, momentum: 0.9 }, fail))).toEqual(['momentum_buffer']);
  expect(module.fused).toBeUndefined();

  const base = tinyOptimizerConfig({ optimizerD: { name: 'sgd', lr: 0.1 }, optimizerG: { lr: 1e-3 } });
  const err = (optimizerD: unknown) => () => resolveGanConfig({ ...base, optimizerD: optimizerD as never });
  expect(err({ name: 'sgd', lr: 0.1, beta1: 0.5 })).toThrow('optimizerD has unknown option(s) beta1; SGD takes lr, momentum, dampening, nesterov, weightDecay, schedule');
  expect(err({ name: 'sgd' })).toThrow('optimizerD.lr must be a finite number, got undefined');
  expect(err({ name: 'sgd', lr: 0 })).toThrow('optimizerD.lr must be a finite number > 0, got 0');
  expect(err({ name: 'sgd', lr: 0.1, momentum: 1 })).toThrow('optimizerD.momentum must be in [0, 1), got 1');
  expect(err({ name: 'sgd', lr: 0.1, momentum: -0.1 })).toThrow('optimizerD.momentum must be in [0, 1), got -0.1');
  expect(err({ name: 'sgd', lr: 0.1, dampening: 1.5 })).toThrow('optimizerD.dampening must be in [0, 1], got 1.5');
  expect(err({ name: 'sgd', lr: 0.1, weightDecay: -1 })).toThrow('optimizerD.weightDecay must be ≥ 0, got -1');
  expect(err({ name: 'sgd', lr: 0.1, nesterov: 'yes' })).toThrow('optimizerD.nesterov must be true or false, got "yes"');
  expect(err({ name: 'sgd', lr: 0.1, nesterov: true })).toThrow('optimizerD.nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0');
  expect(err({ name: 'sgd', lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow('optimizerD.nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1');
  expect(err({ name: 'sgd', lr: 0.1, schedule: { kind: 'step', steps: 5 } })).toThrow('optimizerD.schedule.kind is "step"; expected one of constant, linear, cosine');
  expect(err({ name: 'SGD', lr: 0.1 })).toThrow(/optimizerD\.name is "SGD"; expected one of adam, adamw, sgd, rmsprop/);
  expect(() => resolveGanConfig({ ...base, optimizerG: { name: 'sgd', lr: 0.1, momentum: 2 } })).toThrow('optimizerG.momentum must be in [0, 1), got 2');
});

test('the fused plan names SGD as why it cannot run: fusedMlpIneligibility', () => {
  const c = resolveGanConfig(tinyOptimizerConfig({ optimizerD: { lr: 1e-3 }, optimizerG: { name: 'sgd', lr: 0.1 } }));
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits;
  expect(fusedMlpIneligibility(c, limits)).toBe('optimizerG is sgd; the fused plan runs Adam and AdamW only');
});

test('GAN steps with D on SGD (Nesterov, weight decay, cosine schedule) and G on SGD with dampening, then on Adam: match the CPU trainer (layered plan)', async ({ gpu }) => {
  const optimizerD = { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, schedule: { kind: 'cosine', steps: 5, final: 0.2 } } as const;
  await expectTrainerParity(gpu, { optimizerD, optimizerG: { name: 'sgd', lr: 0.1, momentum: 0.5, dampening: 0.3, schedule: { kind: 'linear', steps: 3 } } }, 'layered');
  await expectTrainerParity(gpu, { optimizerD: { name: 'sgd', lr: 0.1 }, optimizerG: { lr: 5e-3, beta1: 0.5 } }, 'layered');
});

test('a checkpoint of trainers on SGD (D with momentum, G without) round-trips and resumes exactly', async ({ gpu }) => {
  const r = await checkpointRoundTrip(gpu, {
    optimizerD: { name: 'sgd', lr: 1e-2, momentum: 0.9, dampening: 0.1, schedule: { kind: 'linear', steps: 4, final: 0.5 } },
    optimizerG: { name: 'sgd', lr: 1e-3 },
  });
  expect(r.plan).toBe('layered');
  expectExactRoundTrip(r, { generator: [], discriminator: ['momentum_buffer'] }, { generator: 'sgd', discriminator: 'sgd' });
});
