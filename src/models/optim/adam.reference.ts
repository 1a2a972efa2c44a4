// CPU reference (float64) for adam.wgsl: torch.optim.Adam (L2 weight decay)
// and, with `decoupled`, torch.optim.AdamW (decay applied to the weight), at
// the schedule's learning rate of update t (schedule.ts).
import type { Vec } from '../layers/activation.reference.js';
import { scheduledLr, type ResolvedSchedule } from './schedule.js';

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: p ← p·(1 − lr·wd) before the step, no L2 term. Default false (Adam). */
  decoupled?: boolean;
  /** Default: constant. */
  schedule?: ResolvedSchedule;
}

/** Updates params, expAvg, expAvgSq in place for step t (1-based). */
export function adamUpdate(h: AdamHyper, t: number, params: Vec, grads: Vec, expAvg: Vec, expAvgSq: Vec): void {
  const lr = scheduledLr(h.lr, h.schedule, t);
  const c1 = 1 - Math.pow(h.beta1, t);
  const c2 = 1 - Math.pow(h.beta2, t);
  for (let i = 0; i < params.length; i++) {
    let g = grads[i];
    if (h.decoupled) params[i] *= 1 - lr * h.weightDecay;
    else g += h.weightDecay * params[i];
    expAvg[i] = h.beta1 * expAvg[i] + (1 - h.beta1) * g;
    expAvgSq[i] = h.beta2 * expAvgSq[i] + (1 - h.beta2) * g * g;
    params[i] -= (lr * (expAvg[i] / c1)) / (Math.sqrt(expAvgSq[i] / c2) + h.eps);
  }
}
