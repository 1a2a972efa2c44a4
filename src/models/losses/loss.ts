// What a GAN loss is: one module per loss (bce.ts, …) with the D loss and
// the G loss, their fused forward-and-backward kernels, float64 references,
// what D's output means and what the loss reports about it. The step
// description (models/gan/step.ts) places them; the plans and the reference
// trainer ask the module. index.ts registers the losses.
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import type { FusedOp } from '../layers/fused-ops.js';
import type { KernelRef } from '../layers/layer.js';

/** Buffers a loss kernel reads and writes. */
export interface LossBuffers {
  logits: GPUBuffer; //  (rows) D's outputs
  dlogits: GPUBuffer; // (rows) ∂loss/∂output
  lossOut: GPUBuffer; // (4) [loss, outA, outB, 0] (constants.ts LOSS_OUT)
}

/** A loss's float64 value, gradient and report: outA / outB as loss_out. */
export interface LossResult {
  loss: number;
  dlogits: Float64Array;
  outA: number;
  outB: number;
}

/**
 * A constraint a loss puts on one net's parameters, applied after each of its
 * updates unless training has halted (WGAN's weight clipping of the critic).
 */
export interface ParameterConstraint<R> {
  net: 'generator' | 'discriminator';
  kernels(): KernelRef[];
  encode(seq: SequenceBuilder, kernels: KernelRegistry, io: { params: GPUBuffer; state: GPUBuffer; count: number }, r: R): Promise<void>;
  /** The float64 reference, on the flat parameters, in place. */
  reference(params: Float64Array, r: R): void;
}

/**
 * How to read D's presented output under a loss, for views and captions (the
 * demo's heatmap): where D is undecided and what G's loss is, in words. G's
 * loss as a number comes from `reference.generator`.
 */
export interface LossReadout {
  /** The presented output where D is undecided (a probability's 0.5, midway between targets), or null where no value is (a WGAN critic's scores have no fixed zero). */
  neutral: number | null;
  /** Why it is undecided there. */
  neutralText: string;
  /** G's loss on one sample as a formula of D's presented output D(x). */
  generatorLossText: string;
}

/** Where the fused plan keeps the loss's tensors in `work` (offsets in floats). */
export interface FusedLossTensors {
  logits: number;
  dlogits: number;
}

export interface GanLossModule<R = unknown> {
  readonly name: string;
  /** One line for menus and descriptions. */
  readonly title: string;
  /**
   * What D outputs: 'logit' (σ of it is D's probability that a sample is
   * real) or 'score' (a critic's unbounded score). discriminate() and the
   * stats show present(output).
   */
  readonly output: 'logit' | 'score';
  present(output: number): number;
  /** What D's presented output means under these options (LossReadout). */
  readout(r: R): LossReadout;
  /** Checks and completes the options (throwing GanConfigError through `fail`). */
  resolve(options: Record<string, unknown>, fail: (message: string) => never): R;
  kernels(): KernelRef[];
  /**
   * The D update's loss over D's outputs on [fake (B); real (B)]:
   * loss_out = [loss, mean present(D(G(z))), mean present(D(x))]. The loss kernels have tuning
   * variants (their reduction's width and form), so they are looked up by `kernels.kernelFor` with the
   * dispatch's uniforms (the tuner picks per row count while the plan records, never per step).
   */
  encodeDiscriminator(seq: SequenceBuilder, kernels: KernelRegistry, io: LossBuffers, batch: number, r: R): Promise<void>;
  /** The G update's loss over D's outputs on B fakes: loss_out = [loss, mean present(D(G(z))), 0]. */
  encodeGenerator(seq: SequenceBuilder, kernels: KernelRegistry, io: LossBuffers, batch: number, r: R): Promise<void>;
  readonly reference: {
    discriminator(outputs: Float64Array, batch: number, r: R): LossResult;
    generator(outputs: Float64Array, batch: number, r: R): LossResult;
  };
  /** Applied to a net after each of its updates (the step description's 'constrain' op). */
  readonly constraint?: ParameterConstraint<R>;
  /** Absent: the fused MLP plan cannot run this loss. */
  readonly fused?: {
    discriminator(t: FusedLossTensors, batch: number, r: R): FusedOp[];
    generator(t: FusedLossTensors, batch: number, r: R): FusedOp[];
  };
}

/**
 * The options of every registered loss, by name: each loss's module adds its
 * own (`declare module './loss.js' { interface GanLosses { hinge: {} } }`),
 * so that GanConfig.loss is typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GanLosses {}

/** A loss by name, or by name with its options. */
export type LossSpec = keyof GanLosses | { [K in keyof GanLosses]: { name: K } & GanLosses[K] }[keyof GanLosses];

const registry = new Map<string, GanLossModule>();

export function registerLoss<R>(module: GanLossModule<R>): GanLossModule<R> {
  if (registry.has(module.name)) throw new Error(`loss '${module.name}' is registered twice`);
  registry.set(module.name, module as GanLossModule);
  return module;
}

export const lossNames = (): string[] => [...registry.keys()];

/** What a user picking a loss needs to know of one. */
export interface LossInfo {
  name: string;
  title: string;
  /** What D outputs under it. */
  output: 'logit' | 'score';
  /** Its options with their defaults (e.g. BCE's realLabel, WGAN's clip). */
  defaults: Record<string, number>;
  /** Whether the fused MLP plan runs it. */
  fused: boolean;
}

const noFailure = (message: string): never => {
  throw new Error(`a loss's defaults must resolve: ${message}`);
};

export const lossInfo = (): LossInfo[] =>
  [...registry.values()].map((m) => ({
    name: m.name,
    title: m.title,
    output: m.output,
    defaults: { ...(m.resolve({}, noFailure) as Record<string, number>) },
    fused: m.fused !== undefined,
  }));
export const findLoss = (name: string): GanLossModule | undefined => registry.get(name);
