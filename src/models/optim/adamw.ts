// AdamW (torch.optim.AdamW): Adam with the weight decay applied to the
// weight rather than added to the gradient (Loshchilov & Hutter), on Adam's
// kernel (adam.wgsl, `decoupled` = 1) and in the fused MLP plan:
//
//   p ← p·(1 − lr_t·wd)     then Adam without L2: m, v from grad,
//   p −= lr_t · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
//
// Default weight decay 0.01, as torch's.
import { adamVariant } from './adam.js';
import { registerOptimizer } from './optimizer.js';
import type { ScheduleOptions } from './schedule.js';

declare module './optimizer.js' {
  interface GanOptimizers {
    adamw: AdamWOptions;
  }
}

export interface AdamWOptions {
  name: 'adamw';
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled decay: each update multiplies the weights by 1 − lr·weightDecay. Default 0.01. */
  weightDecay?: number;
  /** The learning rate by update count (default constant). */
  schedule?: ScheduleOptions;
}

export const adamw = registerOptimizer(adamVariant({ name: 'adamw', title: 'AdamW', decoupled: true, weightDecay: 0.01 }));
