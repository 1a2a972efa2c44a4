// Closing an optimizer update on the GPU (train_state.wgsl with the rule in
// prelude/update_bookkeeping.wgsl) and reading what it recorded. Every
// trainer (GAN, classifier) closes each update this way before its optimizer
// runs: the gradient norm is summed, a non-finite loss or norm halts training
// with the last good weights, and otherwise the phase's update count (the
// optimizer's t), the step and the phase's stats advance.
import { createStorageBuffer } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS, TRAIN_STATS_FLOATS, TRAIN_STATS_STRIDE } from '../../shaders/constants.js';
import { closesUpdate, gradSqPartialsWritten, trainStateKernels } from '../../shaders/index.js';
import type { KernelRef } from '../layers/layer.js';

export const createTrainState = (device: GPUDevice, label = 'train_state'): GPUBuffer => createStorageBuffer(device, label, TRAIN_STATE_WORDS); // u32
export const createTrainStats = (device: GPUDevice, label = 'train_stats'): GPUBuffer => createStorageBuffer(device, label, TRAIN_STATS_FLOATS);

export const bookkeepingKernels = (): KernelRef[] => [
  { family: trainStateKernels, entry: 'grad_sq_partials_sum' },
  { family: trainStateKernels, entry: 'train_state_update' },
];

export interface CloseUpdate {
  grads: GPUBuffer; //          (P) the trained net's gradients
  gradSqPartials: GPUBuffer; // (gradSqPartialCount(P))
  count: number; //             P
  lossOut: GPUBuffer; //        (4) [loss, outA, outB, 0]
  state: GPUBuffer;
  stats: GPUBuffer;
  phase: number;
  /** This phase ends a training step (the GAN's G update, a classifier's only phase). */
  advancesStep: boolean;
}

/**
 * Records the gradient norm and the close of one update: the variant of grad_sq_close tuned for this
 * parameter count. Either grad² partials and then the close, which sums as many partials as that
 * variant writes (one per invocation or one per workgroup: index.ts gradSqPartialsWritten): two
 * dispatches; or one that does both (closesUpdate).
 */
export async function encodeCloseUpdate(seq: SequenceBuilder, kernels: KernelRegistry, c: CloseUpdate): Promise<void> {
  const grad = { count: c.count, phase: c.phase, advances_step: c.advancesStep ? 1 : 0 };
  const partials = await kernels.kernelFor(trainStateKernels, 'grad_sq_close', grad);
  const buffers = { grads: c.grads, grad_sq_partials: c.gradSqPartials, loss_out: c.lossOut, state: c.state, stats: c.stats };
  if (closesUpdate(partials)) {
    seq.add(partials, partials.pick(buffers), grad, 'grad_sq_close');
    return;
  }
  seq.add(partials, partials.pick(buffers), grad, 'grad_sq');
  const close = await kernels.kernel(trainStateKernels, 'train_state_update');
  seq.add(
    close,
    { grad_sq_partials: c.gradSqPartials, loss_out: c.lossOut, state: c.state, stats: c.stats },
    { phase: c.phase, advances_step: c.advancesStep ? 1 : 0, partial_count: gradSqPartialsWritten(partials.info.entry, c.count, partials.constants) },
    'train_state',
  );
}

/** Means over one phase's updates since the last report (NaN where it had none). */
export interface PhaseReport {
  loss: number;
  outA: number;
  outB: number;
  gradNorm: number;
  /** Updates these means cover. */
  count: number;
}

export interface TrainReport {
  /** Completed training steps on the GPU when this was read. */
  step: number;
  /** The step and phase whose update was refused, once training has halted. */
  halt: { step: number; phase: number } | null;
  phases: PhaseReport[];
}

/** Decodes a readback of the stats (TRAIN_STATS_FLOATS) and state (TRAIN_STATE_WORDS) buffers. */
export function parseTrainReport(stats: Float32Array, state: Uint32Array, phases: number): TrainReport {
  const halt = state[TRAIN_STATE.halted] ? { step: state[TRAIN_STATE.haltedAtStep], phase: state[TRAIN_STATE.haltedPhase] } : null;
  return {
    step: state[TRAIN_STATE.step],
    halt,
    phases: Array.from({ length: phases }, (_, p) => {
      const at = p * TRAIN_STATS_STRIDE;
      const count = stats[at + TRAIN_STATS.count];
      const mean = (field: keyof typeof TRAIN_STATS) => (count > 0 ? stats[at + TRAIN_STATS[field]] / count : NaN);
      return { loss: mean('loss'), outA: mean('outA'), outB: mean('outB'), gradNorm: mean('gradNorm'), count };
    }),
  };
}

/** The counters a checkpoint keeps: completed steps and each phase's updates. */
export function readCounters(state: Uint32Array, phases: number): { step: number; halted: boolean; updates: number[] } {
  return {
    step: state[TRAIN_STATE.step],
    halted: state[TRAIN_STATE.halted] !== 0,
    updates: Array.from({ length: phases }, (_, p) => state[TRAIN_STATE.updates + p]),
  };
}

/** A state buffer's contents for given counters (resuming from a checkpoint). */
export function counterWords(step: number, updates: readonly number[]): Uint32Array<ArrayBuffer> {
  const st = new Uint32Array(TRAIN_STATE_WORDS);
  st[TRAIN_STATE.step] = step;
  updates.forEach((u, p) => (st[TRAIN_STATE.updates + p] = u));
  return st;
}
