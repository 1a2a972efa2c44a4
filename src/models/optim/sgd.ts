// SGD (torch.optim.SGD: momentum, dampening, Nesterov, weight decay as L2) on
// sgd.wgsl, one pass over a net's flat parameters, at the learning rate its
// schedule gives update t (schedule.ts):
//
//   g = grad + wd·p
//   μ > 0:  buf = g at t = 1, else μ·buf + (1 − dampening)·g;   g = g + μ·buf (nesterov) or buf
//   p −= lr_t · g
//
// Its state is torch's momentum_buffer when μ > 0, none otherwise.
import { sgdKernels } from '../../shaders/index.js';
import { registerOptimizer } from './optimizer.js';
import { readOptions } from './options.js';
import { resolveSchedule, scheduleUniforms, type ResolvedSchedule, type ScheduleOptions } from './schedule.js';
import { sgdUpdate } from './sgd.reference.js';

declare module './optimizer.js' {
  interface GanOptimizers {
    sgd: SgdOptions;
  }
}

export interface SgdOptions {
  name: 'sgd';
  lr: number;
  /** μ in [0, 1); default 0 (plain SGD, no state). */
  momentum?: number;
  /** In [0, 1]; default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false. */
  nesterov?: boolean;
  /** L2, added to the gradient; default 0. */
  weightDecay?: number;
  /** The learning rate by update count (default constant). */
  schedule?: ScheduleOptions;
}

export interface ResolvedSgd {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  schedule: ResolvedSchedule;
}

/** sgd.wgsl's entry for these options. */
const entry = (r: Pick<ResolvedSgd, 'momentum'>) => (r.momentum > 0 ? 'sgd_momentum_update' : 'sgd_update');

export const sgd = registerOptimizer<ResolvedSgd>({
  name: 'sgd',
  title: 'SGD',
  slots: (r) => (r.momentum > 0 ? ['momentum_buffer'] : []),
  resolve(o, fail) {
    const read = readOptions(o, fail, 'SGD', ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    const r: ResolvedSgd = {
      lr: read.lr(),
      momentum: read.inRange('momentum', 0, 0, 1),
      dampening: read.inRange('dampening', 0, 0, 1, true),
      nesterov: read.bool('nesterov', false),
      weightDecay: read.num('weightDecay', 0),
      schedule: resolveSchedule(o.schedule, fail),
    };
    if (!(r.weightDecay >= 0)) fail(`.weightDecay must be ≥ 0, got ${r.weightDecay}`);
    // torch.optim.SGD: "Nesterov momentum requires a momentum and zero dampening".
    if (r.nesterov && !(r.momentum > 0 && r.dampening === 0)) {
      fail(`.nesterov needs momentum > 0 and dampening 0, got momentum ${r.momentum} and dampening ${r.dampening}`);
    }
    return r;
  },
  kernels: (r) => (r ? [entry(r)] : [entry({ momentum: 0 }), entry({ momentum: 0.5 })]).map((e) => ({ family: sgdKernels, entry: e })),
  async encode(seq, kernels, io, r, label) {
    const momentum = r.momentum > 0;
    const buffers = { params: io.params, grads: io.grads, state: io.state, ...(momentum ? { momentum_buffer: io.slots[0] } : {}) };
    const uniforms = {
      count: io.count,
      phase: io.phase,
      lr: r.lr,
      momentum: r.momentum,
      dampening: r.dampening,
      weight_decay: r.weightDecay,
      nesterov: r.nesterov ? 1 : 0,
      ...scheduleUniforms(r.schedule),
    };
    const k = await kernels.kernelFor(sgdKernels, entry(r), uniforms); // the variant tuned for this parameter count
    seq.add(k, buffers, uniforms, label);
  },
  reference: {
    update: (r, t, params, grads, [momentumBuffer]) => sgdUpdate(r, t, params, grads, momentumBuffer),
  },
});
