// A Sequential's GPU state (flat parameters, gradients, Adam moments,
// activations) and the dispatches of its forward and backward passes. Used
// only while a step plan is built.
import { createStorageBuffer, floatRange } from '../runtime/buffers.js';
import type { KernelRegistry } from '../runtime/kernel.js';
import type { SequenceBuilder } from '../runtime/recorder.js';
import { ACTIVATION_CODE, ADAM_WORKGROUP, activationKernels, adamKernels, adamWorkgroups, linearKernels } from '../shaders/index.js';
import type { Sequential, Stage } from './sequential.js';

const stageWidth = (s: Stage): number => (s.kind === 'linear' ? s.outFeatures : s.features);

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

  constructor(
    readonly device: GPUDevice,
    readonly net: Sequential,
    readonly maxBatch: number,
    initial: Float32Array,
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
  }

  /** One (batch, width) buffer per stage output but the last. */
  createActivations(batch: number, tag: string): GPUBuffer[] {
    return this.net.stages
      .slice(0, -1)
      .map((s, i) => createStorageBuffer(this.device, `${this.net.name}.${tag}${i}.b${batch}`, batch * stageWidth(s)));
  }

  /** Starts compiling every pipeline this net needs, so that they build in parallel. */
  static prefetchKernels(kernels: KernelRegistry, net: Sequential): Promise<unknown> {
    const pending: Promise<unknown>[] = [kernels.kernel(adamKernels, 'adam_update')];
    for (const s of net.stages) {
      const o = { ACT: ACTIVATION_CODE[s.activation] };
      if (s.kind === 'linear') {
        for (const e of ['linear_forward', 'linear_backward_input', 'linear_backward_weight', 'linear_backward_bias']) {
          pending.push(kernels.kernel(linearKernels, e, o));
        }
      } else {
        pending.push(kernels.kernel(activationKernels, 'activation_forward', o));
        pending.push(kernels.kernel(activationKernels, 'activation_backward_input', o));
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
        const k = await kernels.kernel(linearKernels, 'linear_forward', o);
        const bias = stage.bias ? floatRange(this.params, stage.bias.offset, stage.bias.size) : this.zeroBias;
        seq.add(k, { x, w: this.weightRange(stage), bias, y }, this.linearUniforms(stage, batch), label);
      } else {
        const k = await kernels.kernel(activationKernels, 'activation_forward', o);
        seq.add(k, { x, y }, { count: batch * stage.features, slope: stage.slope }, label);
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
        if (weightGrads) {
          const kw = await kernels.kernel(linearKernels, 'linear_backward_weight', o);
          const dw = floatRange(this.grads, stage.weight.offset, stage.weight.size);
          seq.add(kw, { x, y_saved: ySaved, dy, dw }, u, `${label}.backward_weight`);
          if (stage.bias) {
            const kb = await kernels.kernel(linearKernels, 'linear_backward_bias', o);
            const dbias = floatRange(this.grads, stage.bias.offset, stage.bias.size);
            seq.add(kb, { y_saved: ySaved, dy, dbias }, u, `${label}.backward_bias`);
          }
        }
        if (dx) {
          const ki = await kernels.kernel(linearKernels, 'linear_backward_input', o);
          seq.add(ki, { w: this.weightRange(stage), y_saved: ySaved, dy, dx }, u, `${label}.backward_input`);
        }
      } else if (dx) {
        const k = await kernels.kernel(activationKernels, 'activation_backward_input', o);
        seq.add(k, { y_saved: ySaved, dy, dx }, { count: batch * stage.features, slope: stage.slope }, `${label}.backward_input`);
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
    for (const b of [this.params, this.grads, this.expAvg, this.expAvgSq, this.gradSqPartials, this.zeroBias]) b.destroy();
    for (const b of [...this.activations, ...this.activationGrads]) b.destroy();
  }

  private weightRange(stage: Extract<Stage, { kind: 'linear' }>): GPUBufferBinding {
    return floatRange(this.params, stage.weight.offset, stage.weight.size);
  }

  private linearUniforms(stage: Extract<Stage, { kind: 'linear' }>, batch: number) {
    return { batch, in_features: stage.inFeatures, out_features: stage.outFeatures, slope: stage.slope };
  }
}
