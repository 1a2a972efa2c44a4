// Which GANs the fused-mlp plan (fused-mlp-plan.ts, fused_mlp_gan.wgsl) can
// train, and its work buffer's layout. No GPU code here, so that the choice
// can be checked and explained without a device.
import type { ResolvedGanConfig } from './config.js';
import { stageWidth, type Sequential } from './sequential.js';

/** How a trainer records its steps: a dispatch per layer and pass, or one dispatch per optimizer phase. */
export type PlanKind = 'layered' | 'fused-mlp';

/**
 * Above this many multiply-adds per training step the layered plan takes
 * over. gaussian1d (G and D 1-50-50-1, batch 100) is 3.1M. On SwiftShader
 * (one workgroup = one CPU thread; gaussian1d-shaped nets of width W, batch
 * 100, Node, best of interleaved windows) the fused plan was still ahead at
 * every width tried: 1.83× the layered steps/s at W = 50 (3.1M), 1.75× at
 * 100 (12M), 1.46× at 150 (27M), 1.15× at 256 (79M). On a GPU one workgroup
 * of 64 invocations gives up far more of the device, and no GPU was at hand
 * to measure it: 2²⁴ (16.8M) is a guess that keeps the fused plan to nets
 * whose layered step would be launch-bound there too.
 */
export const FUSED_MLP_MAX_MACS = 1 << 24;
/** Storage buffers fused_mlp_gan_update binds; WebGPU's default limit is 8, SwiftShader and most GPUs allow 10 or more. */
export const FUSED_MLP_STORAGE_BUFFERS = 10;

/** Multiply-adds of the linear layers for one row through `net`. */
const rowMacs = (net: Sequential): number =>
  net.stages.reduce((n, s) => n + (s.kind === 'linear' ? s.inFeatures * s.outFeatures : 0), 0);

/**
 * Multiply-adds of one training step: each D update runs G on B rows, D on
 * 2B, and D's two backward products on 2B; the G update runs G and D
 * forward, D's input gradient and G's two backward products on B rows.
 */
export function stepMacs(c: ResolvedGanConfig): number {
  const g = rowMacs(c.generator);
  const d = rowMacs(c.discriminator);
  const B = c.batchSize;
  return c.dSteps * B * (g + 6 * d) + B * (3 * g + 2 * d);
}

/** Why this config cannot take the fused plan on this device, or null when it can. */
export function fusedMlpIneligibility(c: ResolvedGanConfig, limits: GPUSupportedLimits): string | null {
  if (c.condition) return 'the fused plan does not do conditional GANs';
  for (const [role, net] of [['generator', c.generator], ['discriminator', c.discriminator]] as const) {
    const other = net.stages.find((s) => s.kind !== 'linear' && s.kind !== 'activation');
    if (other) return `${role} '${net.name}' layer ${other.layerIndex} is ${other.kind}; the fused plan runs linear layers and activations only`;
  }
  if (limits.maxStorageBuffersPerShaderStage < FUSED_MLP_STORAGE_BUFFERS) {
    return `this device allows ${limits.maxStorageBuffersPerShaderStage} storage buffers per shader stage; the fused kernel binds ${FUSED_MLP_STORAGE_BUFFERS}`;
  }
  const macs = stepMacs(c);
  if (macs > FUSED_MLP_MAX_MACS) {
    return `a step is ${macs} multiply-adds, more than one workgroup should run (FUSED_MLP_MAX_MACS = ${FUSED_MLP_MAX_MACS})`;
  }
  const bytes = new WorkLayout(c).size * 4;
  if (bytes > limits.maxStorageBufferBindingSize) {
    return `its work buffer needs ${bytes} bytes, more than this device's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize})`;
  }
  return null;
}

/**
 * Offsets (in floats) of every tensor in the fused plan's `work` buffer:
 *   G weights, D weights (copied in from the nets' parameter buffers by each phase)
 *   G grads (Pg), D grads (Pd)        z (B, Z)          G activations (B, width)
 *   d_input (2B, X) [fake; real]      D activations (2B, width), logits (2B)
 *   D activation grads (2B, width), dlogits (2B)       d_input_grad (B, X)
 *   G activation grads (B, width)     loss_out (4)
 */
export class WorkLayout {
  size = 0;
  readonly gWeights: number;
  readonly dWeights: number;
  readonly gGrads: number;
  readonly dGrads: number;
  readonly z: number; //          (B, Z)
  readonly gActs: number[]; //    (B, width) per G stage but the last (which writes the fake half of dInput)
  readonly dInput: number; //     (2B, X) [fake; real]
  readonly dActs: number[]; //    (2B, width) per D stage, the last being the logits (2B)
  readonly dActGrads: number[]; // (2B, width) per D stage, the last being dlogits
  readonly dInputGrad: number; // (B, X)
  readonly gActGrads: number[]; // (B, width) per G stage but the last (its gradient is dInputGrad)
  readonly loss: number; //       (4) [loss, mean σ(first rows), mean σ(the rest), 0]

  constructor(c: ResolvedGanConfig) {
    const B = c.batchSize;
    const { noise: Z, sample: X } = c.shapes;
    const g = c.generator;
    const d = c.discriminator;
    const widths = (net: Sequential) => net.stages.map(stageWidth);
    this.gWeights = this.take(g.parameterCount);
    this.dWeights = this.take(d.parameterCount);
    this.gGrads = this.take(g.parameterCount);
    this.dGrads = this.take(d.parameterCount);
    this.z = this.take(B * Z);
    this.gActs = widths(g).slice(0, -1).map((w) => this.take(B * w));
    this.dInput = this.take(2 * B * X);
    this.dActs = widths(d).map((w) => this.take(2 * B * w));
    this.dActGrads = widths(d).map((w) => this.take(2 * B * w));
    this.dInputGrad = this.take(B * X);
    this.gActGrads = widths(g).slice(0, -1).map((w) => this.take(B * w));
    this.loss = this.take(4);
  }

  private take(floats: number): number {
    const at = this.size;
    this.size += Math.ceil(floats / 4) * 4;
    return at;
  }
}

