// A Sequential's GPU state (flat parameters, gradients, Adam moments,
// activations) and the dispatches of its forward and backward passes. Used
// only while a step plan is built.
import { createStorageBuffer, floatRange } from '../runtime/buffers.js';
import type { BufferResource, Kernel, KernelRegistry } from '../runtime/kernel.js';
import type { SequenceBuilder } from '../runtime/recorder.js';
import {
  ACTIVATION_CODE,
  ADAM_WORKGROUP,
  activationKernels,
  adamKernels,
  adamWorkgroups,
  batchnormKernels,
  CONV_NARROW,
  conv2dKernels,
  convTranspose2dKernels,
  linearKernels,
} from '../shaders/index.js';
import { runningVarOffset, stageWidth, type Sequential, type Stage } from './sequential.js';

type ConvStage = Extract<Stage, { kind: 'conv2d' | 'convTranspose2d' }>;
type BatchNormStage = Extract<Stage, { kind: 'batchnorm' }>;

/** 'train': BatchNorm normalises by the batch and updates its running statistics; 'eval': it uses them and updates nothing. */
export type ForwardMode = 'train' | 'eval';

/** Binds only the buffers this entry point uses (a family's entries share binding names). */
function only(k: Kernel, all: Record<string, BufferResource | null>): Record<string, BufferResource> {
  const out: Record<string, BufferResource> = {};
  for (const b of k.info.bindings) {
    const r = all[b.name];
    if (b.kind !== 'uniform' && r) out[b.name] = r;
  }
  return out;
}

const convFamily = (s: ConvStage) => (s.kind === 'conv2d' ? conv2dKernels : convTranspose2dKernels);
/** The entry point; the transposed structure (conv backward_input, convT forward) has a `_narrow` one for ≤ CONV_NARROW channels. */
const convEntry = (s: ConvStage, what: 'forward' | 'backward_input' | 'backward_weight' | 'backward_bias', dxChannels: number) => {
  const narrow =
    (s.kind === 'conv2d' && what === 'backward_input' && dxChannels <= CONV_NARROW) ||
    (s.kind === 'convTranspose2d' && what === 'forward' && s.outChannels <= CONV_NARROW);
  return `${s.kind === 'conv2d' ? 'conv2d' : 'conv_transpose2d'}_${what}${narrow ? '_narrow' : ''}`;
};
/**
 * Input channels conv2d_backward_input computes dx for (its dx_channels
 * uniform): all of them, except at a first stage whose caller needs only the
 * leading `inputGradChannels` (a conditional D: the image, not its label planes).
 */
const convDxChannels = (net: Sequential, s: ConvStage, inputGradChannels: number | null) =>
  inputGradChannels !== null && s === net.stages[0] ? inputGradChannels : s.inChannels;
const convOverrides = (s: ConvStage) => ({ ACT: ACTIVATION_CODE[s.activation], HAS_BIAS: s.bias ? 1 : 0 });

/** BatchNorm groups a forward may split its batch into (the GAN's D: [fake; real]). */
export const MAX_BN_GROUPS = 2;

/** grad² partials adam_update writes for `count` parameters: one per invocation. */
export function adamPartialCount(count: number): number {
  return adamWorkgroups(count) * ADAM_WORKGROUP;
}

export class NetGpu {
  readonly params: GPUBuffer; //       (P) flat, tensors at 64-float aligned offsets
  readonly grads: GPUBuffer; //        (P)
  readonly expAvg: GPUBuffer; //       (P) Adam m
  readonly expAvgSq: GPUBuffer; //     (P) Adam v
  readonly gradSqPartials: GPUBuffer; // (adamPartialCount(P))
  /** Output of each stage but the last, (maxBatch, width); the last writes where the caller says. */
  readonly activations: GPUBuffer[];
  /** Gradient w.r.t. each stage's output but the last, (maxBatch, width). */
  readonly activationGrads: GPUBuffer[];
  private readonly zeroBias: GPUBuffer;
  /**
   * BatchNorm running_mean / running_var of every BatchNorm stage (layout:
   * Sequential.runningStatsCount): updated by every training-mode forward,
   * read by eval-mode forwards (sampling, discriminate, metrics); not
   * trained, not in the Adam buffers; saved in checkpoints.
   */
  readonly runningStats: GPUBuffer;
  /** Per BatchNorm stage, the last forward's batch mean and invstd (same layout as runningStats), read by its backward. */
  private readonly batchStats: GPUBuffer;

  constructor(
    readonly device: GPUDevice,
    readonly net: Sequential,
    readonly maxBatch: number,
    initial: Float32Array,
    /** When the first stage is a conv: dx of the input is computed for only this many leading channels (its buffer is (n, this, H, W)). */
    readonly inputGradChannels: number | null = null,
  ) {
    const P = net.parameterCount;
    const label = net.name;
    this.params = createStorageBuffer(device, `${label}.params`, P, initial);
    this.grads = createStorageBuffer(device, `${label}.grads`, P);
    this.expAvg = createStorageBuffer(device, `${label}.exp_avg`, P);
    this.expAvgSq = createStorageBuffer(device, `${label}.exp_avg_sq`, P);
    this.gradSqPartials = createStorageBuffer(device, `${label}.grad_sq_partials`, adamPartialCount(P));
    this.activations = this.createActivations(maxBatch, 'act');
    this.activationGrads = this.createActivations(maxBatch, 'dact');
    const widest = Math.max(...net.stages.map(stageWidth));
    this.zeroBias = createStorageBuffer(device, `${label}.zero_bias`, widest);
    this.runningStats = createStorageBuffer(device, `${label}.running_stats`, Math.max(net.runningStatsCount, 64), net.initialRunningStats());
    this.batchStats = createStorageBuffer(device, `${label}.batch_stats`, MAX_BN_GROUPS * Math.max(net.runningStatsCount, 64));
  }

  /** One (batch, width) buffer per stage output but the last. */
  createActivations(batch: number, tag: string): GPUBuffer[] {
    return this.net.stages
      .slice(0, -1)
      .map((s, i) => createStorageBuffer(this.device, `${this.net.name}.${tag}${i}.b${batch}`, batch * stageWidth(s)));
  }

  /** Starts compiling every pipeline this net needs, so that they build in parallel. */
  static prefetchKernels(kernels: KernelRegistry, net: Sequential, inputGradChannels: number | null = null): Promise<unknown> {
    const pending: Promise<unknown>[] = [kernels.kernel(adamKernels, 'adam_update')];
    for (const s of net.stages) {
      const o = { ACT: ACTIVATION_CODE[s.activation] };
      if (s.kind === 'linear') {
        // The activation is a uniform of these (linear.wgsl): one pipeline each, whatever the activation.
        for (const e of ['linear_forward', 'linear_backward_input', 'linear_backward_weight', 'linear_backward_bias']) {
          pending.push(kernels.kernel(linearKernels, e));
        }
        if (s.activation !== 'none') pending.push(kernels.kernel(activationKernels, 'activation_backward_inplace'));
      } else if (s.kind === 'conv2d' || s.kind === 'convTranspose2d') {
        const entries: ('forward' | 'backward_input' | 'backward_weight' | 'backward_bias')[] = ['forward', 'backward_input', 'backward_weight'];
        if (s.bias) entries.push('backward_bias');
        const dxChannels = convDxChannels(net, s, inputGradChannels);
        for (const e of entries) pending.push(kernels.kernel(convFamily(s), convEntry(s, e, dxChannels), convOverrides(s)));
      } else if (s.kind === 'batchnorm') {
        for (const e of ['batchnorm_forward', 'batchnorm_forward_eval', 'batchnorm_backward_input', 'batchnorm_backward_weight']) {
          pending.push(kernels.kernel(batchnormKernels, e, o));
        }
      } else {
        pending.push(kernels.kernel(activationKernels, 'activation_forward'));
        pending.push(kernels.kernel(activationKernels, 'activation_backward_input'));
      }
    }
    return Promise.all(pending);
  }

  /** input (batch, inputSize) → output (batch, outputSize), activations kept for backward. */
  async encodeForward(
    seq: SequenceBuilder,
    kernels: KernelRegistry,
    batch: number,
    input: GPUBuffer,
    output: GPUBuffer,
    activations: GPUBuffer[] = this.activations,
    mode: ForwardMode = 'train',
    groups = 1,
  ): Promise<void> {
    if (batch > this.maxBatch && activations === this.activations) throw new Error(`${this.net.name}: batch ${batch} > ${this.maxBatch}`);
    const stages = this.net.stages;
    for (let s = 0; s < stages.length; s++) {
      const stage = stages[s];
      const x = s === 0 ? input : activations[s - 1];
      const y = s === stages.length - 1 ? output : activations[s];
      const o = { ACT: ACTIVATION_CODE[stage.activation] };
      const label = `${this.net.name}.${stage.layerIndex}.forward`;
      if (stage.kind === 'linear') {
        const k = await kernels.kernel(linearKernels, 'linear_forward');
        const bias = stage.bias ? floatRange(this.params, stage.bias.offset, stage.bias.size) : this.zeroBias;
        seq.add(k, { x, w: this.weightRange(stage), bias, y }, this.linearUniforms(stage, batch), label);
      } else if (stage.kind === 'conv2d' || stage.kind === 'convTranspose2d') {
        const k = await kernels.kernel(convFamily(stage), convEntry(stage, 'forward', stage.inChannels), convOverrides(stage));
        const bias = stage.bias ? floatRange(this.params, stage.bias.offset, stage.bias.size) : this.zeroBias;
        seq.add(k, only(k, { x, w: this.weightRange(stage), bias, y }), this.convUniforms(stage, batch), label);
      } else if (stage.kind === 'batchnorm' && mode === 'eval') {
        const k = await kernels.kernel(batchnormKernels, 'batchnorm_forward_eval', o);
        seq.add(k, only(k, { x, y, ...this.bnTensors(stage) }), this.bnUniforms(stage, batch, 1), label);
      } else if (stage.kind === 'batchnorm') {
        // Training mode: batch statistics, per group of batch / groups rows
        // (D's [fake; real] batch is 2 groups: see batchnorm.wgsl).
        const k = await kernels.kernel(batchnormKernels, 'batchnorm_forward', o);
        seq.add(k, only(k, { x, y, ...this.bnTensors(stage) }), this.bnUniforms(stage, batch, groups), label);
      } else {
        const k = await kernels.kernel(activationKernels, 'activation_forward');
        seq.add(k, { x, y }, { count: batch * stage.features, act: ACTIVATION_CODE[stage.activation], slope: stage.slope }, label);
      }
    }
  }

  /**
   * Backward from dOutput (batch, outputSize). Writes parameter gradients when
   * `weightGrads` (the net is being trained this phase) and the input gradient
   * when `dInput` is given (another net needs it).
   */
  async encodeBackward(
    seq: SequenceBuilder,
    kernels: KernelRegistry,
    batch: number,
    tensors: { input: GPUBuffer; output: GPUBuffer; dOutput: GPUBuffer; dInput: GPUBuffer | null },
    weightGrads: boolean,
    groups = 1,
  ): Promise<void> {
    const stages = this.net.stages;
    for (let s = stages.length - 1; s >= 0; s--) {
      const stage = stages[s];
      const last = s === stages.length - 1;
      const x = s === 0 ? tensors.input : this.activations[s - 1];
      const ySaved = last ? tensors.output : this.activations[s];
      const dy = last ? tensors.dOutput : this.activationGrads[s];
      const dx = s === 0 ? tensors.dInput : this.activationGrads[s - 1];
      const o = { ACT: ACTIVATION_CODE[stage.activation] };
      const label = `${this.net.name}.${stage.layerIndex}`;
      if (stage.kind === 'linear') {
        const u = this.linearUniforms(stage, batch);
        // dz = dy ⊙ act'(y), in place: the products below read dz (linear.wgsl), and dy is not needed again.
        if (stage.activation !== 'none') {
          const ka = await kernels.kernel(activationKernels, 'activation_backward_inplace');
          const au = { count: batch * stage.outFeatures, act: ACTIVATION_CODE[stage.activation], slope: stage.slope };
          seq.add(ka, { y_saved: ySaved, dz: dy }, au, `${label}.dz`);
        }
        if (weightGrads) {
          const kw = await kernels.kernel(linearKernels, 'linear_backward_weight');
          const dw = floatRange(this.grads, stage.weight.offset, stage.weight.size);
          seq.add(kw, { x, dz: dy, dw }, u, `${label}.backward_weight`);
          if (stage.bias) {
            const kb = await kernels.kernel(linearKernels, 'linear_backward_bias');
            const dbias = floatRange(this.grads, stage.bias.offset, stage.bias.size);
            seq.add(kb, { dz: dy, dbias }, u, `${label}.backward_bias`);
          }
        }
        if (dx) {
          const ki = await kernels.kernel(linearKernels, 'linear_backward_input');
          seq.add(ki, { w: this.weightRange(stage), dz: dy, dx }, u, `${label}.backward_input`);
        }
      } else if (stage.kind === 'conv2d' || stage.kind === 'convTranspose2d') {
        const u = this.convUniforms(stage, batch);
        const ov = convOverrides(stage);
        if (weightGrads) {
          const kw = await kernels.kernel(convFamily(stage), convEntry(stage, 'backward_weight', stage.inChannels), ov);
          const dw = floatRange(this.grads, stage.weight.offset, stage.weight.size);
          seq.add(kw, only(kw, { x, y_saved: ySaved, dy, dw }), u, `${label}.backward_weight`);
          if (stage.bias) {
            const kb = await kernels.kernel(convFamily(stage), convEntry(stage, 'backward_bias', stage.inChannels), ov);
            const dbias = floatRange(this.grads, stage.bias.offset, stage.bias.size);
            seq.add(kb, only(kb, { y_saved: ySaved, dy, dbias }), u, `${label}.backward_bias`);
          }
        }
        if (dx) {
          const dxChannels = convDxChannels(this.net, stage, this.inputGradChannels);
          const ki = await kernels.kernel(convFamily(stage), convEntry(stage, 'backward_input', dxChannels), ov);
          seq.add(ki, only(ki, { w: this.weightRange(stage), y_saved: ySaved, dy, dx }), u, `${label}.backward_input`);
        }
      } else if (stage.kind === 'batchnorm') {
        const u = this.bnUniforms(stage, batch, groups);
        const t = { x, y_saved: ySaved, dy, ...this.bnTensors(stage) };
        if (weightGrads) {
          const kw = await kernels.kernel(batchnormKernels, 'batchnorm_backward_weight', o);
          const dgamma = floatRange(this.grads, stage.weight.offset, stage.weight.size);
          const dbeta = floatRange(this.grads, stage.bias.offset, stage.bias.size);
          seq.add(kw, only(kw, { ...t, dgamma, dbeta }), u, `${label}.backward_weight`);
        }
        if (dx) {
          const ki = await kernels.kernel(batchnormKernels, 'batchnorm_backward_input', o);
          seq.add(ki, only(ki, { ...t, dx }), u, `${label}.backward_input`);
        }
      } else if (dx) {
        const k = await kernels.kernel(activationKernels, 'activation_backward_input');
        const au = { count: batch * stage.features, act: ACTIVATION_CODE[stage.activation], slope: stage.slope };
        seq.add(k, { y_saved: ySaved, dy, dx }, au, `${label}.backward_input`);
      }
    }
  }

  async encodeAdam(
    seq: SequenceBuilder,
    kernels: KernelRegistry,
    hyper: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
    state: GPUBuffer,
    lossOut: GPUBuffer,
    stepSlot: number,
  ): Promise<void> {
    const k = await kernels.kernel(adamKernels, 'adam_update');
    seq.add(
      k,
      {
        params: this.params,
        grads: this.grads,
        exp_avg: this.expAvg,
        exp_avg_sq: this.expAvgSq,
        state,
        loss_out: lossOut,
        grad_sq_partials: this.gradSqPartials,
      },
      {
        count: this.net.parameterCount,
        step_slot: stepSlot,
        lr: hyper.lr,
        beta1: hyper.beta1,
        beta2: hyper.beta2,
        eps: hyper.eps,
        weight_decay: hyper.weightDecay,
      },
      `${this.net.name}.adam`,
    );
  }

  destroy(): void {
    for (const b of [this.params, this.grads, this.expAvg, this.expAvgSq, this.gradSqPartials, this.zeroBias, this.runningStats, this.batchStats]) {
      b.destroy();
    }
    for (const b of [...this.activations, ...this.activationGrads]) b.destroy();
  }

  private convUniforms(s: ConvStage, batch: number) {
    return {
      batch,
      in_channels: s.inChannels,
      out_channels: s.outChannels,
      in_height: s.inHeight,
      in_width: s.inWidth,
      out_height: s.outHeight,
      out_width: s.outWidth,
      kernel_height: s.kernel,
      kernel_width: s.kernel,
      stride: s.stride,
      padding: s.padding,
      ...(s.kind === 'conv2d' ? { dx_channels: convDxChannels(this.net, s, this.inputGradChannels) } : {}),
      slope: s.slope,
    };
  }

  private bnUniforms(s: BatchNormStage, batch: number, groups: number) {
    if (groups < 1 || groups > MAX_BN_GROUPS || batch % groups !== 0) {
      throw new Error(`${this.net.name}: BatchNorm batch ${batch} does not split into ${groups} groups (at most ${MAX_BN_GROUPS})`);
    }
    return { batch, groups, channels: s.channels, spatial: s.spatial, eps: s.eps, momentum: s.momentum, slope: s.slope };
  }

  /** γ, β, running and saved batch statistics of a BatchNorm stage, under the kernel's binding names. */
  private bnTensors(s: BatchNormStage): Record<string, GPUBufferBinding> {
    const C = s.channels;
    const varAt = s.runningOffset + runningVarOffset(C);
    // batchStats holds MAX_BN_GROUPS rows of each statistic: (G, C) at twice the running-stats offsets.
    const mean = floatRange(this.batchStats, MAX_BN_GROUPS * s.runningOffset, MAX_BN_GROUPS * C);
    const invstd = floatRange(this.batchStats, MAX_BN_GROUPS * varAt, MAX_BN_GROUPS * C);
    return {
      gamma: floatRange(this.params, s.weight.offset, C),
      beta: floatRange(this.params, s.bias.offset, C),
      mean,
      invstd,
      mean_saved: mean,
      invstd_saved: invstd,
      running_mean: floatRange(this.runningStats, s.runningOffset, C),
      running_var: floatRange(this.runningStats, varAt, C),
    };
  }

  private weightRange(stage: Extract<Stage, { kind: 'linear' | 'conv2d' | 'convTranspose2d' }>): GPUBufferBinding {
    return floatRange(this.params, stage.weight.offset, stage.weight.size);
  }

  private linearUniforms(stage: Extract<Stage, { kind: 'linear' }>, batch: number) {
    return { batch, in_features: stage.inFeatures, out_features: stage.outFeatures, act: ACTIVATION_CODE[stage.activation], slope: stage.slope };
  }
}
