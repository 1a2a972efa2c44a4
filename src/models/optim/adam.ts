// Adam (torch.optim.Adam; weight decay as L2 added to the gradient) on
// adam.wgsl, one fused pass over a net's flat parameters, at the learning
// rate its schedule gives update t (schedule.ts):
//
//   g = grad + wd·p     m = β1·m + (1 − β1)·g     v = β2·v + (1 − β2)·g²
//   p −= lr_t · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
//
// AdamW (adamw.ts) is the same module with the decay on the weight instead
// (adamVariant below), on the same kernel.
import { adamKernels } from '../../shaders/index.js';
import { adamUpdate } from './adam.reference.js';
import { registerOptimizer, type OptimizerModule } from './optimizer.js';
import { readOptions } from './options.js';
import { resolveSchedule, scheduleUniforms, type ResolvedSchedule, type ScheduleOptions } from './schedule.js';

declare module './optimizer.js' {
  interface GanOptimizers {
    adam: AdamOptions;
  }
}

export interface AdamOptions {
  /** Optimizer name; Adam is the default. */
  name?: 'adam';
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** The learning rate by update count (default constant). */
  schedule?: ScheduleOptions;
}

export interface ResolvedAdam {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW's decay on the weight (true) or Adam's L2 term (false). */
  decoupled: boolean;
  schedule: ResolvedSchedule;
}

/** adam.wgsl's uniforms (and fused_mlp_gan.wgsl's optimizer fields) but count and phase. */
const uniforms = (h: ResolvedAdam) => ({
  lr: h.lr,
  beta1: h.beta1,
  beta2: h.beta2,
  eps: h.eps,
  weight_decay: h.weightDecay,
  decoupled: h.decoupled ? 1 : 0,
  ...scheduleUniforms(h.schedule),
});

/** Adam or AdamW: the module for one name, on adam.wgsl. */
export function adamVariant(v: { name: string; title: string; decoupled: boolean; weightDecay: number }): OptimizerModule<ResolvedAdam> {
  return {
    name: v.name,
    title: v.title,
    slots: () => ['exp_avg', 'exp_avg_sq'],
    resolve(o, fail) {
      const read = readOptions(o, fail, v.title, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay']);
      const r: ResolvedAdam = {
        lr: read.lr(),
        beta1: read.inRange('beta1', 0.9, 0, 1),
        beta2: read.inRange('beta2', 0.999, 0, 1),
        eps: read.num('eps', 1e-8),
        weightDecay: read.num('weightDecay', v.weightDecay),
        decoupled: v.decoupled,
        schedule: resolveSchedule(o.schedule, fail),
      };
      if (!(r.eps > 0)) fail(`.eps must be > 0, got ${r.eps}`);
      if (!(r.weightDecay >= 0)) fail(`.weightDecay must be ≥ 0, got ${r.weightDecay}`);
      if (v.decoupled && !(r.lr * r.weightDecay <= 1)) fail(`.weightDecay · lr must be ≤ 1 (each update multiplies the weights by 1 − lr·weightDecay), got ${r.weightDecay} · ${r.lr}`);
      return r;
    },
    kernels: () => [{ family: adamKernels, entry: 'adam_update' }],
    async encode(seq, kernels, io, h, label) {
      const u = { count: io.count, phase: io.phase, ...uniforms(h) };
      const k = await kernels.kernelFor(adamKernels, 'adam_update', u); // the variant tuned for this parameter count
      const [expAvg, expAvgSq] = io.slots;
      seq.add(k, { params: io.params, grads: io.grads, exp_avg: expAvg, exp_avg_sq: expAvgSq, state: io.state }, u, label);
    },
    reference: {
      update: (h, t, params, grads, [expAvg, expAvgSq]) => adamUpdate(h, t, params, grads, expAvg, expAvgSq),
    },
    checkSlot(slot, values) {
      if (slot !== 'exp_avg_sq') return null;
      const i = values.findIndex((x) => x < 0);
      return i < 0 ? null : `value ${i} is ${values[i]}; ${v.title}'s second moment is a mean of squares and cannot be negative`;
    },
    fused: { uniforms },
  };
}

export const adam = registerOptimizer(adamVariant({ name: 'adam', title: 'Adam', decoupled: false, weightDecay: 0 }));
