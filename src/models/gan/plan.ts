// What both step plans (layered-plan.ts, fused-mlp-plan.ts) are built from
// and what they give back to the trainer.
import type { GpuContext } from '../../runtime/device.js';
import type { RecordedSequence } from '../../runtime/recorder.js';
import type { NetGpu } from '../layers/net-gpu.js';
import type { ResolvedGanConfig } from './config.js';
import type { HostStreams } from './host-streams.js';

/** How a trainer records its steps: a dispatch per layer and pass, or one dispatch per optimizer phase. */
export type PlanKind = 'layered' | 'fused-mlp';

/** What a step plan is built from: the nets' GPU state and the trainer's shared buffers. */
export interface StepPlanInputs {
  ctx: GpuContext;
  c: ResolvedGanConfig;
  G: NetGpu;
  D: NetGpu;
  state: GPUBuffer; // (TRAIN_STATE_WORDS, u32)
  stats: GPUBuffer; // (TRAIN_STATS_FLOATS)
  data: GPUBuffer | null; // (rows, X) the dataset, if the data is one
  /** Noise and data the host gives per batch, if the config asks for them. */
  host: HostStreams;
}

/** A built plan: one recorded sequence per phase of describeStep(), and the buffers it alone uses. */
export interface RecordedPhases {
  phases: RecordedSequence[];
  owned: GPUBuffer[];
  /** A conditional GAN's dataset labels (rows, as floats), which replaceDataset rewrites. */
  datasetLabels?: GPUBuffer;
}
