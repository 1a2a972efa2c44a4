// Learning-rate schedules, an option of every optimizer: the update count t
// (1-based, the optimizer's own) sets the learning rate of update t. The GPU
// computes it from t in each update kernel (prelude/lr_schedule.wgsl), so no
// uniform is rewritten per step. With n = min(t − 1, steps) and f = final:
//
//   constant   lr_t = lr
//   linear     lr_t = lr · (1 − (1 − f) · n / steps)
//   cosine     lr_t = lr · (f + (1 − f) · (1 + cos(π · n / steps)) / 2)
//
// Update 1 runs at lr and every update after `steps` at f · lr: PyTorch's
// LinearLR(start_factor=1, end_factor=f, total_iters=steps) and
// CosineAnnealingLR(T_max=steps, eta_min=f·lr) stepped after each update,
// held at f·lr past the end (CosineAnnealingLR would climb back).
import { LR_SCHEDULE_KIND } from '../../shaders/constants.js';
import { shown } from './options.js';

export type ScheduleKind = keyof typeof LR_SCHEDULE_KIND;

/** A learning-rate schedule: `{ kind: 'cosine', steps: 10_000, final: 0.1 }`. */
export type ScheduleOptions =
  | { kind: 'constant' }
  | {
      kind: 'linear' | 'cosine';
      /** Updates over which lr goes from lr to final·lr (a positive integer). */
      steps: number;
      /** The fraction of lr left after `steps` updates, in [0, 1]; default 0. */
      final?: number;
    };

export interface ResolvedSchedule {
  kind: ScheduleKind;
  steps: number;
  final: number;
}

export const CONSTANT_SCHEDULE: ResolvedSchedule = { kind: 'constant', steps: 1, final: 1 };

/** The largest `steps`: the update counter's range (a checkpoint's counts stay below 2³¹). */
const MAX_STEPS = 2 ** 31 - 1;

/** Checks an optimizer's `schedule` option (absent: constant); `fail`'s message starts with the field, '.schedule…'. */
export function resolveSchedule(v: unknown, fail: (message: string) => never): ResolvedSchedule {
  if (v === undefined) return CONSTANT_SCHEDULE;
  const expected = "{ kind: 'constant' | 'linear' | 'cosine', steps, final? }";
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`.schedule must be ${expected}, got ${shown(v)}`);
  const o = v as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(LR_SCHEDULE_KIND, kind)) {
    fail(`.schedule.kind is ${shown(kind)}; expected one of ${Object.keys(LR_SCHEDULE_KIND).join(', ')}`);
  }
  const known = kind === 'constant' ? ['kind'] : ['kind', 'steps', 'final'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) fail(`.schedule has unknown option(s) ${unknown.join(', ')}; a ${kind} schedule takes ${known.join(', ')}`);
  if (kind === 'constant') return CONSTANT_SCHEDULE;
  const steps = o.steps;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    fail(`.schedule.steps must be an integer in [1, ${MAX_STEPS}], got ${shown(steps)}`);
  }
  const final = o.final ?? 0;
  if (typeof final !== 'number' || !(final >= 0 && final <= 1)) fail(`.schedule.final must be a number in [0, 1], got ${shown(final)}`);
  return { kind: kind as ScheduleKind, steps: steps as number, final: final as number };
}

/** The uniforms every optimizer kernel takes for its schedule (prelude/lr_schedule.wgsl's LrSchedule). */
export const scheduleUniforms = (s: ResolvedSchedule) => ({
  schedule_kind: LR_SCHEDULE_KIND[s.kind],
  schedule_steps: s.steps,
  schedule_final: s.final,
});

/** The float64 reference: the learning rate of update t (1-based). */
export function scheduledLr(lr: number, s: ResolvedSchedule | undefined, t: number): number {
  if (!s || s.kind === 'constant') return lr;
  const x = Math.min(Math.max(t, 1) - 1, s.steps) / s.steps;
  if (s.kind === 'linear') return lr * (1 - (1 - s.final) * x);
  return lr * (s.final + ((1 - s.final) * (1 + Math.cos(Math.PI * x))) / 2);
}
