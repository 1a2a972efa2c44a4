// An exponential moving average of a net's weights, updated after each of
// its optimizer updates (param_ops.wgsl's ema_update):
//
//   averaged ← d · averaged + (1 − d) · params,   averaged₀ = the initial weights
//   d = min(decay, (1 + t) / (10 + t)) with warmup (t: updates so far; tf.train.ExponentialMovingAverage's
//       num_updates), so that the average leaves the initial weights in the first hundreds of updates; else d = decay
//
// Samples from the averaged generator are usually smoother than from the last
// iterate (Karras et al., Yazıcı et al.); GanTrainer.sample({ weights: 'ema' }).
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { paramOpsKernels } from '../../shaders/index.js';
import type { KernelRef } from '../layers/layer.js';

export interface EmaOptions {
  /** Weight of the old average per update, in (0, 1); 0.999 is common. */
  decay: number;
  /** Use min(decay, (1 + t) / (10 + t)) at update t (default true). */
  warmup?: boolean;
}

/** The decay at update t (1-based). */
export const emaDecayAt = (o: EmaOptions, t: number): number => (o.warmup === false ? o.decay : Math.min(o.decay, (1 + t) / (10 + t)));

/** Checks the options (throwing through `fail`, which names the field). */
export function resolveEma(o: unknown, fail: (message: string) => never): EmaOptions {
  if (typeof o !== 'object' || o === null) fail(`ema must be { decay }, got ${JSON.stringify(o)}`);
  const decay = (o as { decay?: unknown }).decay;
  if (typeof decay !== 'number' || !(decay > 0 && decay < 1)) fail(`ema.decay must be a number in (0, 1), got ${JSON.stringify(decay)}`);
  const warmup = (o as { warmup?: unknown }).warmup ?? true;
  if (typeof warmup !== 'boolean') fail(`ema.warmup must be true or false, got ${JSON.stringify(warmup)}`);
  const unknown = Object.keys(o as object).filter((k) => k !== 'decay' && k !== 'warmup');
  if (unknown.length) fail(`ema has unknown option(s) ${unknown.join(', ')}; it takes decay, warmup`);
  return { decay: decay as number, warmup: warmup as boolean };
}

export const emaKernels = (): KernelRef[] => [{ family: paramOpsKernels, entry: 'ema_update' }];

/** One dispatch: the average of `params` (P) into `averaged` (P), unless training has halted. */
export async function encodeEma(
  seq: SequenceBuilder,
  kernels: KernelRegistry,
  io: { params: GPUBuffer; averaged: GPUBuffer; state: GPUBuffer; count: number; phase: number },
  o: EmaOptions,
  label: string,
): Promise<void> {
  const u = { count: io.count, phase: io.phase, warmup: o.warmup === false ? 0 : 1, decay: o.decay };
  const k = await kernels.kernelFor(paramOpsKernels, 'ema_update', u); // the variant tuned for this parameter count
  seq.add(k, { params: io.params, averaged: io.averaged, state: io.state }, u, label);
}

/** The float64 reference of update t (1-based), in place. */
export function emaReference(averaged: Float64Array, params: Float64Array, o: EmaOptions, t: number): void {
  const d = emaDecayAt(o, t);
  for (let i = 0; i < averaged.length; i++) averaged[i] = d * averaged[i] + (1 - d) * params[i];
}
