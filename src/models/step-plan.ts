// What both step plans (layered-plan.ts, fused-mlp-plan.ts) are
// built from and what they give back to the trainer.
import type { GpuContext } from '../runtime/device.js';
import type { RecordedSequence } from '../runtime/recorder.js';
import type { ResolvedGanConfig } from './config.js';
import type { NetGpu } from './net-gpu.js';

/** What a step plan is built from: the nets' GPU state and the trainer's shared buffers. */
export interface StepPlanInputs {
  ctx: GpuContext;
  c: ResolvedGanConfig;
  G: NetGpu;
  D: NetGpu;
  state: GPUBuffer; // (8, u32) train_state.wgsl
  stats: GPUBuffer; // (8)
  data: GPUBuffer | null; // (rows, X) the dataset, if the data is one
}

/** A built plan: the recorded D update(s) and G update, and the buffers they alone use. */
export interface RecordedPhases {
  dPhases: RecordedSequence[];
  gPhase: RecordedSequence;
  owned: GPUBuffer[];
}
