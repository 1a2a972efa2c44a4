// rmsprop.wgsl against its float64 CPU reference (torch.optim.RMSprop): its
// four entries (plain, momentum, centered, centered with momentum) at t = 1
// and later t, with weight decay and a schedule, the skip once training has
// halted, torch's arithmetic worked by hand, the option rules, loaded state
// that cannot be right, and whole training steps and a checkpoint round trip
// of trainers using it. Counts are not multiples of the 64-wide workgroup,
// and 40001 passes the 16384-invocation cap so the grid stride loops.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { PHASE_D, PHASE_G, stateAfterUpdate } from '../../../test/support/train-state.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { checkpointRoundTrip, expectExactRoundTrip, expectTrainerParity, tinyOptimizerConfig } from '../../../test/support/optimizer-training.js';
import { resolveGanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { findOptimizer } from './optimizer.js';
import { rmspropUpdate, type RmspropHyper } from './rmsprop.reference.js';
import { CONSTANT_SCHEDULE, scheduleUniforms } from './schedule.js';
import './index.js';

interface Inputs {
  params: Float64Array;
  grads: Float64Array;
  squareAvg: Float64Array;
  buf: Float64Array;
  gradAvg: Float64Array;
}

// v ≥ 0.01 > ḡ² (|ḡ| ≤ 0.05), as a mean of squares and a mean are, so centered's v − ḡ² stays well away from 0.
const inputs = (count: number, seed: number): Inputs => ({
  params: f32(randomArray(count, seed, -1, 1)),
  grads: f32(randomArray(count, seed + 1, -0.5, 0.5)),
  squareAvg: f32(randomArray(count, seed + 2, 0.01, 0.05)),
  buf: f32(randomArray(count, seed + 3, -0.5, 0.5)),
  gradAvg: f32(randomArray(count, seed + 4, -0.05, 0.05)),
});

const asF32 = (h: RmspropHyper): RmspropHyper => ({
  ...h,
  lr: Math.fround(h.lr),
  alpha: Math.fround(h.alpha),
  eps: Math.fround(h.eps),
  weightDecay: Math.fround(h.weightDecay),
  momentum: Math.fround(h.momentum),
  schedule: h.schedule && { ...h.schedule, final: Math.fround(h.schedule.final) },
});

const entryOf = (h: RmspropHyper) => `rmsprop${h.centered ? '_centered' : ''}${h.momentum > 0 ? '_momentum' : ''}_update`;

function runRmsprop(gpu: GpuPage, x: Inputs, phase: number, h: RmspropHyper, state: number[]): Promise<Record<string, number[]>> {
  const count = x.params.length;
  const slots: Record<string, number[]> = {
    square_avg: [...x.squareAvg],
    ...(h.momentum > 0 ? { momentum_buffer: [...x.buf] } : {}),
    ...(h.centered ? { grad_avg: [...x.gradAvg] } : {}),
  };
  return gpu.runKernel({
    family: 'rmsprop',
    entry: entryOf(h),
    uniforms: {
      count, phase, lr: h.lr, alpha: h.alpha, eps: h.eps, weight_decay: h.weightDecay, momentum: h.momentum,
      ...scheduleUniforms(h.schedule ?? CONSTANT_SCHEDULE),
    },
    inputs: { params: [...x.params], grads: [...x.grads], ...slots },
    uintInputs: { state },
    outputs: { params: count, ...Object.fromEntries(Object.keys(slots).map((k) => [k, count])) },
  });
}

const BASE: RmspropHyper = { lr: 1e-3, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };
const CASES: { count: number; phase: number; t: number; h: RmspropHyper }[] = [
  { count: 1, phase: PHASE_D, t: 1, h: BASE },
  { count: 300, phase: PHASE_G, t: 1, h: { ...BASE, weightDecay: 0.01, momentum: 0.9 } },
  { count: 300, phase: PHASE_D, t: 6, h: { ...BASE, alpha: 0.9, centered: true, schedule: { kind: 'cosine', steps: 8, final: 0 } } },
  { count: 1000, phase: PHASE_G, t: 3, h: { ...BASE, lr: 1e-2, eps: 1e-4, momentum: 0.5, centered: true, weightDecay: 0.1 } },
  { count: 1000, phase: PHASE_D, t: 12, h: { ...BASE, schedule: { kind: 'linear', steps: 20, final: 0.1 } } },
  { count: 40001, phase: PHASE_G, t: 2, h: { ...BASE, weightDecay: 0.01, momentum: 0.9, centered: true } },
];
// v, ḡ: a few f32 roundings of terms ≤ 0.25. g / d is up to ~10 (d ≥ √0.0025), so the buffer carries
// ~1e-6 absolute; the step lr · g / d up to 1e-2 · 10, rounded to f32 relative to |p| ≤ 1.
const STATE_TOL = { atol: 5e-8, rtol: 1e-6 };
const BUFFER_TOL = { atol: 1e-6, rtol: 1e-6 };
const PARAM_TOL = { atol: 3e-7, rtol: 1e-6 };

for (const c of CASES) {
  const h = c.h;
  const what = `count=${c.count},phase=${c.phase},t=${c.t},entry=${entryOf(h)},weight_decay=${h.weightDecay},schedule=${h.schedule?.kind ?? 'constant'}`;
  test(`rmsprop matches the CPU reference: ${what}`, async ({ gpu }) => {
    const x = inputs(c.count, c.count + c.t);
    const out = await runRmsprop(gpu, x, c.phase, h, stateAfterUpdate(c.phase, c.t));
    const ref = { params: Float64Array.from(x.params), squareAvg: Float64Array.from(x.squareAvg), buf: Float64Array.from(x.buf), gradAvg: Float64Array.from(x.gradAvg) };
    rmspropUpdate(asF32(h), c.t, ref.params, x.grads, ref.squareAvg, ref.buf, ref.gradAvg);
    expectClose(out.square_avg, ref.squareAvg, STATE_TOL, `square_avg (${what})`);
    if (h.centered) expectClose(out.grad_avg, ref.gradAvg, STATE_TOL, `grad_avg (${what})`);
    if (h.momentum > 0) expectClose(out.momentum_buffer, ref.buf, BUFFER_TOL, `momentum_buffer (${what})`);
    expectClose(out.params, ref.params, PARAM_TOL, `params (${what})`);
    const step = out.params.map((p, i) => x.params[i] - p);
    const refStep = ref.params.map((p, i) => x.params[i] - p);
    expectClose(step, refStep, { atol: 2e-7, rtol: 1e-4 }, `params step (${what})`);
  });
}

test('rmsprop leaves params and its state unchanged once training has halted: count=300, centered with momentum and plain', async ({ gpu }) => {
  const x = inputs(300, 79);
  const exact = { atol: 0, rtol: 0 };
  const out = await runRmsprop(gpu, x, PHASE_G, { ...BASE, momentum: 0.9, centered: true, weightDecay: 0.1 }, stateAfterUpdate(PHASE_G, 4, 1));
  expectClose(out.params, x.params, exact, 'params');
  expectClose(out.square_avg, x.squareAvg, exact, 'square_avg');
  expectClose(out.momentum_buffer, x.buf, exact, 'momentum_buffer');
  expectClose(out.grad_avg, x.gradAvg, exact, 'grad_avg');
  const plain = await runRmsprop(gpu, x, PHASE_D, BASE, stateAfterUpdate(PHASE_D, 4, 1));
  expectClose(plain.params, x.params, exact, 'params (plain)');
  expectClose(plain.square_avg, x.squareAvg, exact, 'square_avg (plain)');
});

test('rmsprop and its CPU reference agree with torch.optim.RMSprop worked by hand: count=1', async ({ gpu }) => {
  // torch.optim.RMSprop (maximize=False), one element:
  //   g ← g + wd·p;  v ← α·v + (1 − α)·g²;  centered: ḡ ← α·ḡ + (1 − α)·g, d = √(v − ḡ²) + eps, else d = √v + eps
  //   momentum: buf ← μ·buf + g / d, p ← p − lr·buf;  else p ← p − lr·g / d
  // All cases: p = 1, g = 0.3, wd = 0.1 (so g = 0.4, g² = 0.16), α = 0.5, eps = 0.1, lr = 0.1.
  const h: RmspropHyper = { lr: 0.1, alpha: 0.5, eps: 0.1, weightDecay: 0.1, momentum: 0, centered: false };
  const one = (v: number, buf: number, m: number) => ({ params: Float64Array.of(1), grads: Float64Array.of(0.3), squareAvg: Float64Array.of(v), buf: Float64Array.of(buf), gradAvg: Float64Array.of(m) });
  const cases: { what: string; h: RmspropHyper; x: Inputs; expected: Record<string, number> }[] = [
    // v = 0.5·0.02 + 0.5·0.16 = 0.09;  d = 0.3 + 0.1 = 0.4;  g / d = 1;  p = 1 − 0.1 = 0.9
    { what: 'plain', h, x: one(0.02, 0, 0), expected: { square_avg: 0.09, params: 0.9 } },
    // the same, buf = 0.5·0.2 + 1 = 1.1;  p = 1 − 0.11 = 0.89
    { what: 'momentum 0.5', h: { ...h, momentum: 0.5 }, x: one(0.02, 0.2, 0), expected: { square_avg: 0.09, momentum_buffer: 1.1, params: 0.89 } },
    // v = 0.5·0.1 + 0.08 = 0.13;  ḡ = 0.5·0 + 0.5·0.4 = 0.2;  d = √(0.13 − 0.04) + 0.1 = 0.4;  p = 0.9
    { what: 'centered', h: { ...h, centered: true }, x: one(0.1, 0, 0), expected: { square_avg: 0.13, grad_avg: 0.2, params: 0.9 } },
    // the same with buf = 0.5·(−1) + 1 = 0.5;  p = 1 − 0.05 = 0.95
    { what: 'centered, momentum 0.5', h: { ...h, centered: true, momentum: 0.5 }, x: one(0.1, -1, 0), expected: { square_avg: 0.13, grad_avg: 0.2, momentum_buffer: 0.5, params: 0.95 } },
  ];
  for (const c of cases) {
    const r = { params: Float64Array.from(c.x.params), squareAvg: Float64Array.from(c.x.squareAvg), buf: Float64Array.from(c.x.buf), gradAvg: Float64Array.from(c.x.gradAvg) };
    rmspropUpdate(c.h, 3, r.params, c.x.grads, r.squareAvg, r.buf, r.gradAvg);
    const got: Record<string, number> = { square_avg: r.squareAvg[0], momentum_buffer: r.buf[0], grad_avg: r.gradAvg[0], params: r.params[0] };
    for (const [k, v] of Object.entries(c.expected)) expect(got[k], `CPU ${k} (${c.what})`).toBeCloseTo(v, 14);
    const out = await runRmsprop(gpu, c.x, PHASE_G, c.h, stateAfterUpdate(PHASE_G, 3));
    for (const [k, v] of Object.entries(c.expected)) expectClose(out[k], [v], { atol: 1e-6, rtol: 1e-6 }, `GPU ${k} (${c.what})`);
  }
});

test('RMSprop options: defaults, slots in torch order, refused loaded state, and errors that name the field', () => {
  const module = findOptimizer('rmsprop')!;
  const fail = (m: string): never => {
    throw new Error(`optimizerD${m}`);
  };
  const plain = module.resolve({ name: 'rmsprop', lr: 1e-2 }, fail);
  expect(plain).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, schedule: CONSTANT_SCHEDULE });
  expect(module.slots(plain)).toEqual(['square_avg']);
  expect(module.slots(module.resolve({ name: 'rmsprop', lr: 1e-2, momentum: 0.9, centered: true }, fail))).toEqual(['square_avg', 'momentum_buffer', 'grad_avg']);
  expect(module.slots(module.resolve({ name: 'rmsprop', lr: 1e-2, centered: true }, fail))).toEqual(['square_avg', 'grad_avg']);
  expect(module.fused).toBeUndefined();
  expect(module.checkSlot!('square_avg', Float32Array.of(0, 1, -1e-6))).toBe("value 2 is -9.999999974752427e-7; RMSprop's square_avg is a mean of squares and cannot be negative");
  expect(module.checkSlot!('square_avg', Float32Array.of(0, 1))).toBeNull();
  expect(module.checkSlot!('grad_avg', Float32Array.of(-1))).toBeNull();

  const base = tinyOptimizerConfig({ optimizerD: { name: 'rmsprop', lr: 1e-2 }, optimizerG: { lr: 1e-3 } });
  const err = (optimizerD: unknown) => () => resolveGanConfig({ ...base, optimizerD: optimizerD as never });
  expect(err({ name: 'rmsprop', lr: 1e-2, beta2: 0.9 })).toThrow('optimizerD has unknown option(s) beta2; RMSprop takes lr, alpha, eps, weightDecay, momentum, centered, schedule');
  expect(err({ name: 'rmsprop', lr: '1e-2' })).toThrow('optimizerD.lr must be a finite number, got "1e-2"');
  expect(err({ name: 'rmsprop', lr: 1e-2, alpha: 1 })).toThrow('optimizerD.alpha must be in [0, 1), got 1');
  expect(err({ name: 'rmsprop', lr: 1e-2, eps: 0 })).toThrow('optimizerD.eps must be > 0, got 0');
  expect(err({ name: 'rmsprop', lr: 1e-2, weightDecay: -0.1 })).toThrow('optimizerD.weightDecay must be ≥ 0, got -0.1');
  expect(err({ name: 'rmsprop', lr: 1e-2, momentum: 1.5 })).toThrow('optimizerD.momentum must be in [0, 1), got 1.5');
  expect(err({ name: 'rmsprop', lr: 1e-2, centered: 1 })).toThrow('optimizerD.centered must be true or false, got 1');
  expect(err({ name: 'rmsprop', lr: 1e-2, schedule: { kind: 'linear' } })).toThrow('optimizerD.schedule.steps must be an integer in [1, 2147483647], got undefined');
  expect(err({ name: 'rms', lr: 1e-2 })).toThrow(/optimizerD\.name is "rms"; expected one of .*rmsprop/);
});

test('the fused plan names RMSprop as why it cannot run: fusedMlpIneligibility', () => {
  const c = resolveGanConfig(tinyOptimizerConfig({ optimizerD: { name: 'rmsprop', lr: 1e-3 }, optimizerG: { lr: 1e-3 } }));
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits;
  expect(fusedMlpIneligibility(c, limits)).toBe('optimizerD is rmsprop; the fused plan runs Adam and AdamW only');
});

test('GAN steps with D on centered RMSprop with momentum and weight decay, G on plain RMSprop with a cosine schedule, then G on SGD with momentum: match the CPU trainer (layered plan)', async ({ gpu }) => {
  const optimizerD = { name: 'rmsprop', lr: 2e-3, alpha: 0.9, eps: 1e-6, momentum: 0.5, centered: true, weightDecay: 0.01 } as const;
  await expectTrainerParity(gpu, { optimizerD, optimizerG: { name: 'rmsprop', lr: 5e-3, schedule: { kind: 'cosine', steps: 3, final: 0.1 } } }, 'layered');
  await expectTrainerParity(gpu, { optimizerD, optimizerG: { name: 'sgd', lr: 0.05, momentum: 0.9 } }, 'layered');
});

test('a checkpoint of trainers on RMSprop (D centered with momentum, G plain) round-trips and resumes exactly', async ({ gpu }) => {
  const r = await checkpointRoundTrip(gpu, {
    optimizerD: { name: 'rmsprop', lr: 1e-3, momentum: 0.9, centered: true, schedule: { kind: 'cosine', steps: 4 } },
    optimizerG: { name: 'rmsprop', lr: 1e-4 },
  });
  expect(r.plan).toBe('layered');
  expectExactRoundTrip(r, { generator: ['square_avg'], discriminator: ['square_avg', 'momentum_buffer', 'grad_avg'] }, { generator: 'rmsprop', discriminator: 'rmsprop' });
});
