// Learning-rate schedules: the float64 reference (schedule.ts) against the
// closed forms at chosen t (and PyTorch's LinearLR / CosineAnnealingLR values
// worked by hand), the GPU's (prelude/lr_schedule.wgsl, read out through
// sgd_update: p = 0, g = 1 gives p = −lr_t) against the same closed forms
// over a whole cosine, and the option's checks.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS } from '../../shaders/constants.js';
import { CONSTANT_SCHEDULE, resolveSchedule, scheduledLr, scheduleUniforms, type ResolvedSchedule } from './schedule.js';

/** lr_t of a unit lr, in closed form: n = min(t − 1, steps) updates done. */
function closedForm(s: ResolvedSchedule, t: number): number {
  const x = Math.min(t - 1, s.steps) / s.steps;
  if (s.kind === 'constant') return 1;
  if (s.kind === 'linear') return 1 - (1 - s.final) * x;
  return s.final + ((1 - s.final) * (1 + Math.cos(Math.PI * x))) / 2;
}

test('scheduledLr: constant, linear and cosine at chosen t, as torch.optim.lr_scheduler gives them worked by hand', () => {
  // Constant: lr at every t.
  for (const t of [1, 2, 1000]) expect(scheduledLr(0.3, CONSTANT_SCHEDULE, t)).toBe(0.3);
  expect(scheduledLr(0.3, undefined, 7)).toBe(0.3);
  // LinearLR(start_factor=1, end_factor=0.2, total_iters=4), lr 0.5, stepped after each update:
  // update t runs at epoch t − 1: 0.5·(1 − 0.8·(t − 1)/4) = 0.5, 0.4, 0.3, 0.2, then 0.1 from t = 5 on.
  const linear: ResolvedSchedule = { kind: 'linear', steps: 4, final: 0.2 };
  [0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1].forEach((v, i) => expect(scheduledLr(0.5, linear, i + 1)).toBeCloseTo(v, 15));
  expect(scheduledLr(0.5, linear, 1e9)).toBeCloseTo(0.1, 15);
  // CosineAnnealingLR(T_max=4, eta_min=0), lr 1: (1 + cos(π·e/4)) / 2 at e = t − 1:
  //   1, (1 + √½)/2 = 0.8535533905932737, 0.5, (1 − √½)/2 = 0.14644660940672624, 0; held at 0 after
  //   (where CosineAnnealingLR would climb back: 0.1464… at e = 5).
  const cosine: ResolvedSchedule = { kind: 'cosine', steps: 4, final: 0 };
  [1, 0.8535533905932737, 0.5, 0.14644660940672624, 0, 0, 0].forEach((v, i) => expect(scheduledLr(1, cosine, i + 1)).toBeCloseTo(v, 15));
  // eta_min = 0.1·lr: 0.1 + 0.9·0.5 = 0.55 at e = 2 (t = 3), lr 2 → 1.1; 0.2 from t = 5.
  const floor: ResolvedSchedule = { kind: 'cosine', steps: 4, final: 0.1 };
  expect(scheduledLr(2, floor, 3)).toBeCloseTo(1.1, 15);
  expect(scheduledLr(2, floor, 5)).toBeCloseTo(0.2, 15);
  expect(scheduledLr(2, floor, 50)).toBeCloseTo(0.2, 15);
  // One step: full lr for update 1, then final.
  expect(scheduledLr(1, { kind: 'linear', steps: 1, final: 0.3 }, 1)).toBe(1);
  expect(scheduledLr(1, { kind: 'linear', steps: 1, final: 0.3 }, 2)).toBeCloseTo(0.3, 15);
});

function stateAt(t: number): number[] {
  const state = new Array<number>(TRAIN_STATE_WORDS).fill(0);
  state[TRAIN_STATE.updates + 1] = t; // phase 1; phase 0's count stays 0
  return state;
}

/** lr_t as the GPU computes it: one sgd_update of p = 0 with g = 1 and lr = `lr`. */
async function gpuLr(gpu: GpuPage, lr: number, s: ResolvedSchedule, t: number): Promise<number> {
  const out = await gpu.runKernel({
    family: 'sgd',
    entry: 'sgd_update',
    uniforms: { count: 1, phase: 1, lr, momentum: 0, dampening: 0, weight_decay: 0, nesterov: 0, ...scheduleUniforms(s) },
    inputs: { params: [0], grads: [1] },
    uintInputs: { state: stateAt(t) },
    outputs: { params: 1 },
  });
  return -out.params[0];
}

test('lr_schedule.wgsl matches the closed forms: linear and cosine through a whole schedule and past its end, and t = 1 at full lr', async ({ gpu }) => {
  const cases: { s: ResolvedSchedule; ts: number[] }[] = [
    { s: { kind: 'cosine', steps: 1000, final: 0 }, ts: [1, 2, 101, 251, 334, 500, 501, 667, 750, 900, 999, 1000, 1001, 1002, 5000] },
    { s: { kind: 'cosine', steps: 7, final: 0.25 }, ts: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    { s: { kind: 'linear', steps: 300, final: 0.1 }, ts: [1, 2, 100, 151, 300, 301, 302, 4_000_000_000] },
    { s: { kind: 'constant', steps: 1, final: 1 }, ts: [1, 77] },
  ];
  for (const { s, ts } of cases) {
    const got: number[] = [];
    for (const t of ts) got.push(await gpuLr(gpu, 1, { ...s, final: Math.fround(s.final) }, t));
    // f32: x = n/steps and π·(x − ½) each rounded (~1e-7 relative), the series' own error < 1e-9.
    expectClose(got, ts.map((t) => closedForm(s, t)), { atol: 3e-7, rtol: 1e-6 }, `${s.kind} over ${s.steps} at t = ${ts.join(', ')}`);
  }
  // Exactly lr at t = 1 and exactly final · lr past the end, not approximately.
  expect(await gpuLr(gpu, 0.125, { kind: 'cosine', steps: 10, final: 0.5 }, 1)).toBe(0.125);
  expect(await gpuLr(gpu, 0.125, { kind: 'cosine', steps: 10, final: 0.5 }, 11)).toBe(0.0625);
});

test('resolveSchedule: defaults, and errors that name the field', () => {
  const fail = (m: string): never => {
    throw new Error(`optimizerD${m}`);
  };
  expect(resolveSchedule(undefined, fail)).toEqual(CONSTANT_SCHEDULE);
  expect(resolveSchedule({ kind: 'constant' }, fail)).toEqual(CONSTANT_SCHEDULE);
  expect(resolveSchedule({ kind: 'cosine', steps: 10 }, fail)).toEqual({ kind: 'cosine', steps: 10, final: 0 });
  expect(resolveSchedule({ kind: 'linear', steps: 3, final: 0.5 }, fail)).toEqual({ kind: 'linear', steps: 3, final: 0.5 });
  const err = (v: unknown) => () => resolveSchedule(v, fail);
  expect(err('cosine')).toThrow(`optimizerD.schedule must be { kind: 'constant' | 'linear' | 'cosine', steps, final? }, got "cosine"`);
  expect(err({ kind: 'exponential', steps: 3 })).toThrow('optimizerD.schedule.kind is "exponential"; expected one of constant, linear, cosine');
  expect(err({ kind: 'toString', steps: 3 })).toThrow('optimizerD.schedule.kind is "toString"');
  expect(err({ kind: 'cosine', steps: 3, warmup: 2 })).toThrow('optimizerD.schedule has unknown option(s) warmup; a cosine schedule takes kind, steps, final');
  expect(err({ kind: 'constant', steps: 3 })).toThrow('optimizerD.schedule has unknown option(s) steps; a constant schedule takes kind');
  expect(err({ kind: 'linear' })).toThrow('optimizerD.schedule.steps must be an integer in [1, 2147483647], got undefined');
  expect(err({ kind: 'linear', steps: 2.5 })).toThrow('optimizerD.schedule.steps must be an integer in [1, 2147483647], got 2.5');
  expect(err({ kind: 'linear', steps: 2 ** 31 })).toThrow('optimizerD.schedule.steps must be an integer in [1, 2147483647], got 2147483648');
  expect(err({ kind: 'linear', steps: 5, final: -0.1 })).toThrow('optimizerD.schedule.final must be a number in [0, 1], got -0.1');
  expect(err({ kind: 'linear', steps: 5, final: NaN })).toThrow('optimizerD.schedule.final must be a number in [0, 1], got NaN');
});
