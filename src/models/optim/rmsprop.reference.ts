// CPU reference (float64) for rmsprop.wgsl: torch.optim.RMSprop (weight decay
// as L2; centered; momentum), at the schedule's learning rate of update t
// (schedule.ts). Centered's √(v − ḡ²) is taken of max(v − ḡ², 0), as the kernel does.
import type { Vec } from '../layers/activation.reference.js';
import { scheduledLr, type ResolvedSchedule } from './schedule.js';

export interface RmspropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  /** Default: constant. */
  schedule?: ResolvedSchedule;
}

/**
 * Updates params and the state in place for update t (1-based): squareAvg
 * always, momentumBuffer when momentum > 0, gradAvg when centered.
 */
export function rmspropUpdate(h: RmspropHyper, t: number, params: Vec, grads: Vec, squareAvg: Vec, momentumBuffer?: Vec, gradAvg?: Vec): void {
  const lr = scheduledLr(h.lr, h.schedule, t);
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] + h.weightDecay * params[i];
    squareAvg[i] = h.alpha * squareAvg[i] + (1 - h.alpha) * g * g;
    let variance = squareAvg[i];
    if (h.centered) {
      gradAvg![i] = h.alpha * gradAvg![i] + (1 - h.alpha) * g;
      variance = Math.max(variance - gradAvg![i] * gradAvg![i], 0);
    }
    const step = g / (Math.sqrt(variance) + h.eps);
    if (h.momentum > 0) {
      momentumBuffer![i] = h.momentum * momentumBuffer![i] + step;
      params[i] -= lr * momentumBuffer![i];
    } else {
      params[i] -= lr * step;
    }
  }
}
