// Float64 forward and backward through a Sequential on the CPU: a loop over
// its stages, each run by its layer module's reference (models/layers/*).
// The same flat layouts as on the GPU. Used by the reference trainer and tests.
import type { ForwardMode, ReferenceIo, ReferenceNet, Stage } from '../models/layers/layer.js';
import type { Sequential } from '../models/layers/sequential.js';
import { normalizedWeight, powerIteration, spectralNormBackward } from '../models/layers/spectral-norm.reference.js';

export type { ReferenceNet };

/** A net's float64 state from flat float32 parameters (buffers as the net initialises them unless given). */
export function referenceNet(net: Sequential, params: Float32Array | Float64Array, buffers?: Float32Array | Float64Array): ReferenceNet {
  return { params: Float64Array.from(params), buffers: Float64Array.from(buffers ?? net.initialBuffers()) };
}

/** What a forward keeps for its backward. */
export interface ForwardTrace {
  /** [input, output of stage 0, output of stage 1, …] */
  outs: Float64Array[];
  io: ReferenceIo;
}

/**
 * Forward through every stage. mode 'train': BatchNorm uses batch statistics
 * (per group of batch / groups rows) and updates the running statistics in
 * state.buffers; 'eval': it normalises with them.
 */
export function referenceForward(
  net: Sequential,
  state: ReferenceNet,
  input: Float64Array,
  batch: number,
  mode: ForwardMode = 'train',
  groups = 1,
): ForwardTrace {
  const io: ReferenceIo = { net: state, batch, groups, mode, saved: new Map<Stage, unknown>(), normalized: new Map() };
  const outs = [input];
  for (const s of net.stages) {
    const sn = s.spectralNorm;
    if (sn) {
      const tensor = (a: Float64Array, t: { offset: number; size: number }) => a.subarray(t.offset, t.offset + t.size);
      io.normalized.set(s.layerIndex, normalizedWeight(sn.matrix, tensor(state.params, sn.weight), tensor(state.buffers, sn.u), tensor(state.buffers, sn.v), sn.gain));
    }
    outs.push(s.module.reference.forward(s, outs[outs.length - 1], io));
  }
  return { outs, io };
}

/** The last stage's output of a trace. */
export const outputOf = (t: ForwardTrace): Float64Array => t.outs[t.outs.length - 1];

/** Backward from dOut; returns d(input). Parameter gradients are written into `grads` (the flat layout) when given. */
export function referenceBackward(net: Sequential, trace: ForwardTrace, dOut: Float64Array, grads: Float64Array | null): Float64Array {
  let dy = dOut;
  for (let i = net.stages.length - 1; i >= 0; i--) {
    const s = net.stages[i];
    dy = s.module.reference.backward(s, trace.outs[i], trace.outs[i + 1], dy, grads, trace.io);
    const sn = s.spectralNorm;
    if (sn && grads) {
      // The layer wrote ∂L/∂(g·W / σ); through σ(W) to ∂L/∂W.
      const { weight, sigma } = trace.io.normalized.get(s.layerIndex)!;
      const buffers = trace.io.net.buffers;
      const dwSn = grads.subarray(sn.weight.offset, sn.weight.offset + sn.weight.size);
      const u = buffers.subarray(sn.u.offset, sn.u.offset + sn.u.size);
      const v = buffers.subarray(sn.v.offset, sn.v.offset + sn.v.size);
      grads.set(spectralNormBackward(sn.matrix, dwSn, weight, u, v, sigma, sn.gain), sn.weight.offset);
    }
  }
  return dy;
}

/** One power iteration of every spectrally normalised stage's u and v (state.buffers), in place. */
export function referencePowerIteration(net: Sequential, state: ReferenceNet): void {
  for (const s of net.stages) {
    const sn = s.spectralNorm;
    if (!sn) continue;
    const w = state.params.subarray(sn.weight.offset, sn.weight.offset + sn.weight.size);
    powerIteration(sn.matrix, w, state.buffers.subarray(sn.u.offset, sn.u.offset + sn.u.size), state.buffers.subarray(sn.v.offset, sn.v.offset + sn.v.size));
  }
}
