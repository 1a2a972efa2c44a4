// A Sequential's GPU state (flat parameters, gradients, optimizer state,
// buffers, activations) and the dispatches of its forward and backward
// passes, each stage encoded by its layer's module. Used only while a plan is
// built; nothing here runs per step.
import { createStorageBuffer } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { gradSqPartialCount } from '../../shaders/index.js';
import type { ForwardMode, KernelRef, NetBuffers, Stage } from './layer.js';
import type { Sequential } from './sequential.js';
import { encodeNormalizedWeight, encodePowerIteration, encodeSpectralNormBackward, spectralNormKernelRefs } from './spectral-norm.js';

export interface NetGpuOptions {
  /** Per-parameter optimizer state, one (P) buffer each, named as the optimizer names them (Adam: exp_avg, exp_avg_sq). */
  optimizerSlots?: readonly string[];
  /**
   * Compute the input gradient for only this many leading channels, where
   * the first stage can (its dx buffer is then (n, this, H, W)): a
   * conditional D's image, not its label planes.
   */
  inputGradChannels?: number | null;
  /** Keep a moving average of the weights in `averaged` (starting at the initial weights). */
  averaged?: boolean;
}

export class NetGpu implements NetBuffers {
  readonly params: GPUBuffer; //         (P) flat, tensors at 64-float aligned offsets
  readonly grads: GPUBuffer; //          (P)
  /** Optimizer state, (P) each, in optimizerSlots order. */
  readonly slots: readonly GPUBuffer[];
  /** The moving average of the weights (P), or null. */
  readonly averaged: GPUBuffer | null;
  readonly gradSqPartials: GPUBuffer; // (gradSqPartialCount(P))
  /** Running statistics and other untrained tensors (Sequential.bufferCount). */
  readonly buffers: GPUBuffer;
  /** Per-forward scratch the backward reads (Sequential.scratchCount). */
  readonly scratch: GPUBuffer;
  readonly zeros: GPUBuffer; //          (widest stage) bound where a layer has no bias
  /** Output of each stage but the last, (maxBatch, width); the last writes where the caller says. */
  readonly activations: GPUBuffer[];
  /** Gradient w.r.t. each stage's output but the last, (maxBatch, width). */
  readonly activationGrads: GPUBuffer[];
  /** Leading input channels the first stage computes dx for. */
  readonly dxChannels: number;

  constructor(
    readonly device: GPUDevice,
    readonly net: Sequential,
    readonly maxBatch: number,
    initial: Float32Array,
    options: NetGpuOptions = {},
  ) {
    const P = net.parameterCount;
    const label = net.name;
    this.params = createStorageBuffer(device, `${label}.params`, P, initial);
    this.grads = createStorageBuffer(device, `${label}.grads`, P);
    this.slots = (options.optimizerSlots ?? []).map((s) => createStorageBuffer(device, `${label}.${s}`, P));
    this.averaged = options.averaged ? createStorageBuffer(device, `${label}.averaged`, P, initial) : null;
    this.gradSqPartials = createStorageBuffer(device, `${label}.grad_sq_partials`, gradSqPartialCount(P));
    this.buffers = createStorageBuffer(device, `${label}.buffers`, net.bufferCount, net.initialBuffers());
    this.scratch = createStorageBuffer(device, `${label}.scratch`, net.scratchCount);
    this.zeros = createStorageBuffer(device, `${label}.zeros`, Math.max(...net.stages.map((s) => s.output.features)));
    this.activations = this.createActivations(maxBatch, 'act');
    this.activationGrads = this.createActivations(maxBatch, 'dact');
    this.dxChannels = NetGpu.dxChannels(net, options.inputGradChannels ?? null);
  }

  /** Leading input channels the first stage's backward computes: all, unless it can do fewer and fewer are asked for. */
  static dxChannels(net: Sequential, inputGradChannels: number | null): number {
    const first = net.stages[0];
    const all = first.input.image ? first.input.image[0] : first.input.features;
    return inputGradChannels !== null && first.module.partialInputGrad ? inputGradChannels : all;
  }

  /** Whether the first stage honours inputGradChannels (else the caller gets the whole input gradient). */
  static takesPartialInputGrad(net: Sequential): boolean {
    return net.stages[0].module.partialInputGrad === true;
  }

  /** One (batch, width) buffer per stage output but the last. */
  createActivations(batch: number, tag: string): GPUBuffer[] {
    return this.net.stages.slice(0, -1).map((s, i) => createStorageBuffer(this.device, `${this.net.name}.${tag}${i}.b${batch}`, batch * s.output.features));
  }

  /** Every pipeline this net's passes may use, to compile before recording. */
  static kernels(net: Sequential, inputGradChannels: number | null = null): KernelRef[] {
    const first = NetGpu.dxChannels(net, inputGradChannels);
    return net.stages.flatMap((s, i) => [...s.module.gpu.kernels(s, i === 0 ? first : channelsOf(s)), ...spectralNormKernelRefs(s)]);
  }

  /** Whether any stage's weight is spectrally normalised (the net then takes a power iteration per phase). */
  static hasSpectralNorm(net: Sequential): boolean {
    return net.stages.some((s) => s.spectralNorm);
  }

  /** One power iteration of each spectrally normalised stage's u and v, unless training has halted (`state`). */
  async encodePowerIterations(seq: SequenceBuilder, kernels: KernelRegistry, state: GPUBuffer): Promise<void> {
    for (const s of this.net.stages) {
      if (s.spectralNorm) await encodePowerIteration(seq, kernels, this, s, state, `${this.net.name}.${s.layerIndex}.power_iteration`);
    }
  }

  /**
   * input (batch, inputSize) → output (batch, outputSize), activations kept
   * for the backward. `weights` binds another (P) buffer in the parameters'
   * layout instead of them (the moving average, for sampling).
   */
  async encodeForward(
    seq: SequenceBuilder,
    kernels: KernelRegistry,
    batch: number,
    input: GPUBuffer,
    output: GPUBuffer,
    activations: GPUBuffer[] = this.activations,
    mode: ForwardMode = 'train',
    groups = 1,
    weights: GPUBuffer = this.params,
  ): Promise<void> {
    if (batch > this.maxBatch && activations === this.activations) throw new Error(`${this.net.name}: batch ${batch} > ${this.maxBatch}`);
    const net: NetBuffers = weights === this.params ? this : { params: weights, grads: this.grads, buffers: this.buffers, scratch: this.scratch, zeros: this.zeros };
    const stages = this.net.stages;
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i];
      const x = i === 0 ? input : activations[i - 1];
      const y = i === stages.length - 1 ? output : activations[i];
      const label = `${this.net.name}.${stage.layerIndex}.forward`;
      if (stage.spectralNorm) await encodeNormalizedWeight(seq, kernels, net, stage, `${this.net.name}.${stage.layerIndex}.spectral_norm`);
      await stage.module.gpu.forward({ seq, kernels, net, stage, batch, groups, x, y, mode, label });
    }
  }

  /**
   * Backward from dOutput (batch, outputSize), which it may overwrite.
   * Writes parameter gradients when `weightGrads` (the net is trained in this
   * phase) and the input gradient when `dInput` is given (another net needs it).
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
    for (let i = stages.length - 1; i >= 0; i--) {
      const stage = stages[i];
      const last = i === stages.length - 1;
      await stage.module.gpu.backward({
        seq,
        kernels,
        net: this,
        stage,
        batch,
        groups,
        x: i === 0 ? tensors.input : this.activations[i - 1],
        y: last ? tensors.output : this.activations[i],
        dy: last ? tensors.dOutput : this.activationGrads[i],
        dx: i === 0 ? tensors.dInput : this.activationGrads[i - 1],
        dxChannels: i === 0 ? this.dxChannels : channelsOf(stage),
        weightGrads,
        label: `${this.net.name}.${stage.layerIndex}`,
      });
      if (weightGrads && stage.spectralNorm) await encodeSpectralNormBackward(seq, kernels, this, stage, `${this.net.name}.${stage.layerIndex}.spectral_norm_backward`);
    }
  }

  destroy(): void {
    for (const b of [this.params, this.grads, ...this.slots, this.gradSqPartials, this.buffers, this.scratch, this.zeros, ...(this.averaged ? [this.averaged] : [])]) b.destroy();
    for (const b of [...this.activations, ...this.activationGrads]) b.destroy();
  }
}

/** Input channels of a stage (its features when flat). */
const channelsOf = (s: Stage): number => (s.input.image ? s.input.image[0] : s.input.features);
