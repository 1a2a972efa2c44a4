// What an optimizer is: one module per optimizer (adam.ts, …) with its
// options, its per-parameter state (named as PyTorch's optimizer state_dict
// names it), its update kernel and its float64 reference. An update runs
// after the step's bookkeeping has closed it (bookkeeping.ts): it reads its
// t from the training state and does nothing once training has halted.
import type { KernelRegistry, UniformValues } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import type { KernelRef } from '../layers/layer.js';

/**
 * The options of every registered optimizer, by name: each module adds its own
 * (`declare module './optimizer.js' { interface GanOptimizers { adam: AdamOptions } }`),
 * so that a GanConfig's optimizers are typed. Each options type has `name?: <its name>`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GanOptimizers {}

/** An optimizer's options; `name` picks it (Adam when absent). */
export type OptimizerSpec = GanOptimizers[keyof GanOptimizers];

/** A net's buffers an update reads and writes. */
export interface UpdateBuffers {
  params: GPUBuffer; // (P)
  grads: GPUBuffer; //  (P)
  /** The optimizer's state, (P) each, in `slots` order. */
  slots: readonly GPUBuffer[];
  state: GPUBuffer; //  the training state (constants.ts TRAIN_STATE)
  count: number; //     P
  /** The optimizer phase: its t is state[updates + phase]. */
  phase: number;
}

export interface OptimizerModule<R = unknown> {
  readonly name: string;
  readonly title: string;
  /**
   * Per-parameter state tensors for these options, named as PyTorch's
   * optimizer state names them (Adam: ['exp_avg', 'exp_avg_sq']; SGD with
   * momentum: ['momentum_buffer'], without: none).
   */
  slots(r: R): readonly string[];
  /** Checks and completes the options (throwing through `fail`, which names the config field). */
  resolve(options: Record<string, unknown>, fail: (message: string) => never): R;
  /** The pipelines `encode` uses for these options (all it may use when absent), to compile ahead. */
  kernels(r?: R): KernelRef[];
  /**
   * Records the update. A kernel with tuning variants is looked up by `kernels.kernelFor` with the
   * dispatch's uniforms (the tuner picks per parameter count while the plan records, never per step).
   */
  encode(seq: SequenceBuilder, kernels: KernelRegistry, io: UpdateBuffers, r: R, label: string): Promise<void>;
  readonly reference: {
    /** Updates params and slots in place for update t (1-based). */
    update(r: R, t: number, params: Float64Array, grads: Float64Array, slots: Float64Array[]): void;
  };
  /** Why loaded state cannot be right (a checkpoint's slot values), or null. */
  checkSlot?(slot: string, values: Float32Array): string | null;
  /** The fused MLP plan's update op runs Adam's step (prelude/adam_step.wgsl: Adam, AdamW); absent: the fused plan cannot run this optimizer. */
  readonly fused?: { uniforms(r: R): UniformValues };
}

const registry = new Map<string, OptimizerModule>();

export function registerOptimizer<R>(module: OptimizerModule<R>): OptimizerModule<R> {
  if (registry.has(module.name)) throw new Error(`optimizer '${module.name}' is registered twice`);
  registry.set(module.name, module as OptimizerModule);
  return module;
}

export const optimizerNames = (): string[] => [...registry.keys()];

/** Each registered optimizer's name and title. */
/** Each optimizer's name, title and whether the fused MLP plan runs it. */
export const optimizerInfo = (): { name: string; title: string; fused: boolean }[] =>
  [...registry.values()].map((m) => ({ name: m.name, title: m.title, fused: m.fused !== undefined }));
export const findOptimizer = (name: string): OptimizerModule | undefined => registry.get(name);
