// RMSprop (torch.optim.RMSprop: alpha, eps, weight decay as L2, momentum,
// centered) on rmsprop.wgsl, one pass over a net's flat parameters, at the
// learning rate its schedule gives update t (schedule.ts):
//
//   g = grad + wd·p     v = α·v + (1 − α)·g²     d = √v + eps
//   centered: ḡ = α·ḡ + (1 − α)·g,  d = √(v − ḡ²) + eps
//   μ > 0: buf = μ·buf + g / d,  p −= lr_t · buf;   else p −= lr_t · g / d
//
// Its state, named as torch's: square_avg, then momentum_buffer (μ > 0),
// then grad_avg (centered).
import { rmspropKernels } from '../../shaders/index.js';
import { registerOptimizer } from './optimizer.js';
import { readOptions } from './options.js';
import { rmspropUpdate } from './rmsprop.reference.js';
import { resolveSchedule, scheduleUniforms, type ResolvedSchedule, type ScheduleOptions } from './schedule.js';

declare module './optimizer.js' {
  interface GanOptimizers {
    rmsprop: RmspropOptions;
  }
}

export interface RmspropOptions {
  name: 'rmsprop';
  lr: number;
  /** Smoothing of the squared gradient's average, in [0, 1); default 0.99. */
  alpha?: number;
  /** Added to √v; > 0, default 1e-8. */
  eps?: number;
  /** L2, added to the gradient; default 0. */
  weightDecay?: number;
  /** μ in [0, 1); default 0. */
  momentum?: number;
  /** Divide by the gradient's estimated standard deviation √(v − ḡ²) instead of √v; default false. */
  centered?: boolean;
  /** The learning rate by update count (default constant). */
  schedule?: ScheduleOptions;
}

export interface ResolvedRmsprop {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  schedule: ResolvedSchedule;
}

/** rmsprop.wgsl's entry for these options. */
const entry = (r: Pick<ResolvedRmsprop, 'momentum' | 'centered'>) =>
  `rmsprop${r.centered ? '_centered' : ''}${r.momentum > 0 ? '_momentum' : ''}_update`;

export const rmsprop = registerOptimizer<ResolvedRmsprop>({
  name: 'rmsprop',
  title: 'RMSprop',
  slots: (r) => ['square_avg', ...(r.momentum > 0 ? ['momentum_buffer'] : []), ...(r.centered ? ['grad_avg'] : [])],
  resolve(o, fail) {
    const read = readOptions(o, fail, 'RMSprop', ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered']);
    const r: ResolvedRmsprop = {
      lr: read.lr(),
      alpha: read.inRange('alpha', 0.99, 0, 1),
      eps: read.num('eps', 1e-8),
      weightDecay: read.num('weightDecay', 0),
      momentum: read.inRange('momentum', 0, 0, 1),
      centered: read.bool('centered', false),
      schedule: resolveSchedule(o.schedule, fail),
    };
    if (!(r.eps > 0)) fail(`.eps must be > 0, got ${r.eps}`);
    if (!(r.weightDecay >= 0)) fail(`.weightDecay must be ≥ 0, got ${r.weightDecay}`);
    return r;
  },
  kernels: (r) => {
    const forms = r ? [r] : [false, true].flatMap((centered) => [0, 0.5].map((momentum) => ({ centered, momentum })));
    return forms.map((f) => ({ family: rmspropKernels, entry: entry(f) }));
  },
  async encode(seq, kernels, io, r, label) {
    const slots = Object.fromEntries(rmsprop.slots(r).map((name, i) => [name, io.slots[i]]));
    const uniforms = {
      count: io.count,
      phase: io.phase,
      lr: r.lr,
      alpha: r.alpha,
      eps: r.eps,
      weight_decay: r.weightDecay,
      momentum: r.momentum,
      ...scheduleUniforms(r.schedule),
    };
    const k = await kernels.kernelFor(rmspropKernels, entry(r), uniforms); // the variant tuned for this parameter count
    seq.add(k, { params: io.params, grads: io.grads, state: io.state, ...slots }, uniforms, label);
  },
  reference: {
    update(r, t, params, grads, slots) {
      const named = Object.fromEntries(rmsprop.slots(r).map((name, i) => [name, slots[i]]));
      rmspropUpdate(r, t, params, grads, named.square_avg, named.momentum_buffer, named.grad_avg);
    },
  },
  checkSlot(slot, values) {
    if (slot !== 'square_avg') return null;
    const i = values.findIndex((v) => v < 0);
    return i < 0 ? null : `value ${i} is ${values[i]}; RMSprop's square_avg is a mean of squares and cannot be negative`;
  },
});
