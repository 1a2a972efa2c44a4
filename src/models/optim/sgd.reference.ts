// CPU reference (float64) for sgd.wgsl: torch.optim.SGD (weight decay as L2),
// at the schedule's learning rate of update t (schedule.ts).
import type { Vec } from '../layers/activation.reference.js';
import { scheduledLr, type ResolvedSchedule } from './schedule.js';

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** Default: constant. */
  schedule?: ResolvedSchedule;
}

/** Updates params (and momentumBuffer, when momentum > 0) in place for update t (1-based). */
export function sgdUpdate(h: SgdHyper, t: number, params: Vec, grads: Vec, momentumBuffer?: Vec): void {
  const lr = scheduledLr(h.lr, h.schedule, t);
  for (let i = 0; i < params.length; i++) {
    let g = grads[i] + h.weightDecay * params[i];
    if (h.momentum !== 0) {
      const buf = t <= 1 ? g : h.momentum * momentumBuffer![i] + (1 - h.dampening) * g;
      momentumBuffer![i] = buf;
      g = h.nesterov ? g + h.momentum * buf : buf;
    }
    params[i] -= lr * g;
  }
}
