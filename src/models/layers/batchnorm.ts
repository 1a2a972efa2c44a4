// BatchNorm: nn.BatchNorm1d on flat (N, C) features, nn.BatchNorm2d on
// images (N, C, H, W), on batchnorm.wgsl, with the activation after it fused:
//
//   train: x̂ = (x − mean_batch) / √(var_batch + eps);  y = act(γ·x̂ + β)
//          running ← (1 − momentum)·running + momentum·batch statistic (unbiased var)
//   eval:  the same with the running statistics, which it leaves alone
//
// γ and β are "<i>.weight" / "<i>.bias"; running_mean / running_var are
// buffers (saved, not trained). A forward may split its rows into groups
// normalised apart: the GAN's D sees [fake; real] as two, as two passes would.
import { floatRange } from '../../runtime/buffers.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import { batchnormKernels } from '../../shaders/index.js';
import {
  batchnormBackwardInput,
  batchnormBackwardWeight,
  batchnormForward,
  batchnormForwardEval,
  batchnormPreactivationGrad,
} from './batchnorm.reference.js';
import { checkPositive } from './linear.js';
import { LayerConfigError, param, registerLayer, showShape, tensorOf, type NetBuffers, type Stage } from './layer.js';

/** BatchNorm groups a forward may split its batch into (the GAN's D: [fake; real]). */
export const MAX_BN_GROUPS = 2;
/** Scratch offsets are multiples of this many floats: storage bindings need 256-byte offsets. */
const ALIGN = 64;
const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * nn.BatchNorm1d / BatchNorm2d in training mode (batch statistics), affine
 * γ/β as parameters "<i>.weight" / "<i>.bias". On a flat (N, C) input it is
 * BatchNorm1d, on an image (N, C, H, W) BatchNorm2d.
 */
declare module './layer.js' {
  interface LayerSpecs {
    batchnorm: BatchNormLayer;
  }
}

export interface BatchNormLayer {
  type: 'batchnorm';
  channels: number;
  eps: number;
  momentum: number;
}

export function BatchNorm(channels: number, options: { eps?: number; momentum?: number } = {}): BatchNormLayer {
  return { type: 'batchnorm', channels, eps: options.eps ?? 1e-5, momentum: options.momentum ?? 0.1 };
}

interface BatchNormGeometry {
  channels: number;
  /** H·W for BatchNorm2d, 1 for BatchNorm1d. */
  spatial: number;
  eps: number;
  momentum: number;
}

function uniforms(s: Stage<BatchNormGeometry>, batch: number, groups: number) {
  if (!(Number.isInteger(groups) && groups >= 1 && groups <= MAX_BN_GROUPS && batch % groups === 0)) {
    throw new Error(`BatchNorm layer ${s.layerIndex}: batch ${batch} does not split into ${groups} groups (at most ${MAX_BN_GROUPS})`);
  }
  const g = s.geometry;
  return { batch, groups, channels: g.channels, spatial: g.spatial, eps: g.eps, momentum: g.momentum, slope: s.slope };
}

/** γ, β, running and saved batch statistics, under the kernel's binding names. */
function tensors(s: Stage<BatchNormGeometry>, net: NetBuffers): Record<string, GPUBufferBinding> {
  const C = s.geometry.channels;
  const rm = tensorOf(s.buffers, 'running_mean');
  const rv = tensorOf(s.buffers, 'running_var');
  // Scratch: each group's mean (G, C), then each group's invstd (G, C).
  const mean = floatRange(net.scratch, s.scratchOffset, MAX_BN_GROUPS * C);
  const invstd = floatRange(net.scratch, s.scratchOffset + alignUp(MAX_BN_GROUPS * C), MAX_BN_GROUPS * C);
  return {
    gamma: floatRange(net.params, param(s, 'weight').offset, C),
    beta: floatRange(net.params, param(s, 'bias').offset, C),
    mean,
    invstd,
    mean_saved: mean,
    invstd_saved: invstd,
    running_mean: floatRange(net.buffers, rm.offset, C),
    running_var: floatRange(net.buffers, rv.offset, C),
  };
}

const slice = (v: Float64Array, t: { offset: number; size: number }) => v.subarray(t.offset, t.offset + t.size);

export const batchnormModule = registerLayer<BatchNormLayer, BatchNormGeometry>({
  type: 'batchnorm',
  json: {
    BatchNorm: {
      fields: [['channels', true, 'number'], ['eps', false, 'number'], ['momentum', false, 'number']],
      make: (f) => BatchNorm(f.channels as number, { eps: f.eps as number | undefined, momentum: f.momentum as number | undefined }),
    },
  },
  batchCoupled: true,
  penaltyRefusal:
    "its batch statistics tie every sample's input gradient to the others. Remove it (the WGAN-GP paper's critic has no normalisation) or use spectral norm instead",
  describe: (l) => `BatchNorm(${l.channels})`,
  build(l, input, where) {
    const desc = `${where} (BatchNorm(${l.channels}))`;
    checkPositive(desc, [['channels', l.channels]]);
    if (!(l.eps > 0) || !(l.momentum >= 0 && l.momentum <= 1)) {
      throw new LayerConfigError(`${desc}: eps must be > 0 and momentum in [0, 1], got eps ${l.eps}, momentum ${l.momentum}`);
    }
    const channels = input.image ? input.image[0] : input.features;
    if (channels !== l.channels) throw new LayerConfigError(`${desc}: expects ${l.channels} channels but gets ${showShape(input)}`);
    const C = l.channels;
    return {
      geometry: { channels: C, spatial: input.image ? input.image[1] * input.image[2] : 1, eps: l.eps, momentum: l.momentum },
      output: input,
      params: [
        { name: 'weight', shape: [C], init: 'ones' },
        { name: 'bias', shape: [C], init: 'zeros' },
      ],
      buffers: [
        { name: 'running_mean', shape: [C], init: 'zeros' },
        { name: 'running_var', shape: [C], init: 'ones' },
      ],
      scratch: 2 * alignUp(MAX_BN_GROUPS * C),
      fusesActivation: true,
    };
  },
  macs: () => ({ forward: 0, backwardInput: 0, backwardWeight: 0 }),
  gpu: {
    kernels: (s) =>
      ['batchnorm_forward', 'batchnorm_forward_eval', 'batchnorm_backward_input', 'batchnorm_backward_weight'].map((entry) => ({
        family: batchnormKernels,
        entry,
        overrides: { ACT: ACTIVATION_CODE[s.activation] },
      })),
    async forward({ seq, kernels, net, stage, batch, groups, x, y, mode, label }) {
      // Eval: the running statistics, one group. Train: batch statistics per group (batchnorm.wgsl),
      // in the variant tuned for this shape (its reductions: shaders/index.ts, batchnormKernels.tuning).
      const o = { ACT: ACTIVATION_CODE[stage.activation] };
      const u = uniforms(stage, batch, mode === 'eval' ? 1 : groups);
      const k = mode === 'eval' ? await kernels.kernel(batchnormKernels, 'batchnorm_forward_eval', o) : await kernels.kernelFor(batchnormKernels, 'batchnorm_forward', u, o);
      seq.add(k, k.pick({ x, y, ...tensors(stage, net) }), u, label);
    },
    async backward({ seq, kernels, net, stage, batch, groups, x, y, dy, dx, weightGrads, label }) {
      const o = { ACT: ACTIVATION_CODE[stage.activation] };
      const u = uniforms(stage, batch, groups);
      const t = { x, y_saved: y, dy, ...tensors(stage, net) };
      if (weightGrads) {
        const k = await kernels.kernelFor(batchnormKernels, 'batchnorm_backward_weight', u, o);
        const dgamma = floatRange(net.grads, param(stage, 'weight').offset, stage.geometry.channels);
        const dbeta = floatRange(net.grads, param(stage, 'bias').offset, stage.geometry.channels);
        seq.add(k, k.pick({ ...t, dgamma, dbeta }), u, `${label}.backward_weight`);
      }
      if (dx) {
        const k = await kernels.kernelFor(batchnormKernels, 'batchnorm_backward_input', u, o);
        seq.add(k, k.pick({ ...t, dx }), u, `${label}.backward_input`);
      }
    },
  },
  reference: {
    forward(s, x, { net, batch, groups, mode, saved }) {
      const { channels: C, spatial, eps, momentum } = s.geometry;
      const rm = slice(net.buffers, tensorOf(s.buffers, 'running_mean'));
      const rv = slice(net.buffers, tensorOf(s.buffers, 'running_var'));
      const gamma = slice(net.params, param(s, 'weight'));
      const beta = slice(net.params, param(s, 'bias'));
      if (mode === 'eval') return batchnormForwardEval({ batch, channels: C, spatial }, x, gamma, beta, rm, rv, { eps, act: s.activation, slope: s.slope });
      // Each group of batch / groups rows is normalised alone, in order, as separate passes would be.
      const rows = batch / groups;
      const per = rows * C * spatial;
      const y = new Float64Array(x.length);
      const stats: { mean: Float64Array; invstd: Float64Array }[] = [];
      for (let g = 0; g < groups; g++) {
        const r = batchnormForward({ batch: rows, channels: C, spatial }, x.subarray(g * per, (g + 1) * per), gamma, beta, rm, rv, {
          eps,
          momentum,
          act: s.activation,
          slope: s.slope,
        });
        rm.set(r.runningMean);
        rv.set(r.runningVar);
        stats.push({ mean: r.mean, invstd: r.invstd });
        y.set(r.y, g * per);
      }
      saved.set(s, stats);
      return y;
    },
    backward(s, x, y, dy, grads, { net, batch, groups, saved }) {
      const stats = saved.get(s) as { mean: Float64Array; invstd: Float64Array }[] | undefined;
      if (!stats || stats.length !== groups) throw new Error(`BatchNorm layer ${s.layerIndex}: backward without its training forward (${groups} groups)`);
      const { channels: C, spatial } = s.geometry;
      const dz = batchnormPreactivationGrad(y, dy, s.activation, s.slope);
      const shape = { batch: batch / groups, channels: C, spatial };
      const per = shape.batch * C * spatial;
      const dx = new Float64Array(x.length);
      const dgamma = new Float64Array(C);
      const dbeta = new Float64Array(C);
      const gamma = slice(net.params, param(s, 'weight'));
      stats.forEach(({ mean, invstd }, g) => {
        const xg = x.subarray(g * per, (g + 1) * per);
        const dzg = dz.subarray(g * per, (g + 1) * per);
        const w = batchnormBackwardWeight(shape, xg, mean, invstd, dzg);
        w.dgamma.forEach((v, c) => (dgamma[c] += v));
        w.dbeta.forEach((v, c) => (dbeta[c] += v));
        dx.set(batchnormBackwardInput(shape, xg, mean, invstd, gamma, dzg), g * per);
      });
      if (grads) {
        grads.set(dgamma, param(s, 'weight').offset);
        grads.set(dbeta, param(s, 'bias').offset);
      }
      return dx;
    },
  },
});
