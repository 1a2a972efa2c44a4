// CPU reference (float64) for adam.wgsl: torch.optim.Adam, L2 weight decay.
import type { Vec } from './activation.js';

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** Updates params, expAvg, expAvgSq in place for step t (1-based). */
export function adamUpdate(h: AdamHyper, t: number, params: Vec, grads: Vec, expAvg: Vec, expAvgSq: Vec): void {
  const c1 = 1 - Math.pow(h.beta1, t);
  const c2 = 1 - Math.pow(h.beta2, t);
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] + h.weightDecay * params[i];
    expAvg[i] = h.beta1 * expAvg[i] + (1 - h.beta1) * g;
    expAvgSq[i] = h.beta2 * expAvgSq[i] + (1 - h.beta2) * g * g;
    params[i] -= (h.lr * (expAvg[i] / c1)) / (Math.sqrt(expAvgSq[i] / c2) + h.eps);
  }
}
