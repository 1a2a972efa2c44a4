// Which GANs the fused-mlp plan (fused-mlp-plan.ts, fused_mlp_gan.wgsl) can
// train, and its work buffer's layout. No GPU code here, so that the choice
// can be checked and explained without a device. A layer kind, loss or
// optimizer takes part when its module has `fused` ops.
import type { Sequential } from '../layers/sequential.js';
import { findOptimizer, optimizerNames } from '../optim/optimizer.js';
import type { ResolvedGanConfig } from './config.js';

/**
 * Above this many multiply-adds per training step the layered plan takes
 * over (gaussian1d, G and D 1-50-50-1 at batch 100, is 3.1M). The fused plan
 * was ahead of the layered one on SwiftShader at every width measured (up to
 * 79M); on a GPU one workgroup gives up most of the device, and 2²⁴ is an
 * unmeasured guess that keeps it to nets whose layered step would be
 * launch-bound there too (docs/performance-notes.md). Below it, tuning
 * 'full' times both plans and keeps the faster (plan-choice.ts).
 */
export const FUSED_MLP_MAX_MACS = 1 << 24;
/** Storage buffers fused_mlp_gan_update binds; WebGPU's default limit is 8, SwiftShader and most GPUs allow 10 or more. */
export const FUSED_MLP_STORAGE_BUFFERS = 10;

type Macs = { forward: number; backwardInput: number; backwardWeight: number };

/** Multiply-adds per row through `net`, by product. */
function rowMacs(net: Sequential): Macs {
  const total: Macs = { forward: 0, backwardInput: 0, backwardWeight: 0 };
  for (const s of net.stages) {
    const m = s.module.macs(s);
    total.forward += m.forward;
    total.backwardInput += m.backwardInput;
    total.backwardWeight += m.backwardWeight;
  }
  return total;
}

/**
 * Multiply-adds of one training step: each D update runs G forward on B rows
 * and D forward and both backward products on 2B; the G update runs G and D
 * forward, D's input gradient and G's two backward products on B rows.
 */
export function stepMacs(c: ResolvedGanConfig): number {
  const g = rowMacs(c.generator);
  const d = rowMacs(c.discriminator);
  const B = c.batchSize;
  const dUpdate = B * g.forward + 2 * B * (d.forward + d.backwardWeight + d.backwardInput);
  const gUpdate = B * (g.forward + d.forward + d.backwardInput + g.backwardWeight + g.backwardInput);
  return c.dSteps * dUpdate + gUpdate;
}

/** Why this config cannot take the fused plan on this device, or null when it can. */
export function fusedMlpIneligibility(c: ResolvedGanConfig, limits: GPUSupportedLimits): string | null {
  if (c.condition) return 'the fused plan does not do conditional GANs';
  for (const [role, net] of [['generator', c.generator], ['discriminator', c.discriminator]] as const) {
    const other = net.stages.find((s) => !s.module.fused);
    if (other) return `${role} '${net.name}' layer ${other.layerIndex} is ${other.module.type}; the fused plan runs linear layers and activations only`;
  }
  for (const [role, net] of [['generator', c.generator], ['discriminator', c.discriminator]] as const) {
    const sn = net.stages.find((s) => s.spectralNorm);
    if (sn) return `${role} '${net.name}' layer ${sn.layerIndex} is spectrally normalised; the fused plan does not run spectral norm`;
  }
  if (!c.loss.module.fused) return `the fused plan does not run the '${c.loss.module.name}' loss`;
  if (c.loss.module.constraint) return `the fused plan does not constrain weights ('${c.loss.module.name}' clips the ${c.loss.module.constraint.net}'s)`;
  if (c.ema) return 'the fused plan keeps no moving average of the weights (ema)';
  if (c.penalty) return `the fused plan does not run a gradient penalty ('${c.penalty.name}')`;
  if (c.noise.distribution === 'host' || c.data.kind === 'host') return 'the fused plan draws its own noise and data (not from the host)';
  for (const [field, o] of [['optimizerD', c.optimizers.discriminator], ['optimizerG', c.optimizers.generator]] as const) {
    if (!o.module.fused) return `${field} is ${o.module.name}; the fused plan runs ${optimizerNames().map(findOptimizer).filter((m) => m?.fused).map((m) => m!.title).join(' and ')} only`;
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
  readonly loss: number; //       (4) [loss, outA, outB, 0]

  constructor(c: ResolvedGanConfig) {
    const B = c.batchSize;
    const { noise: Z, sample: X } = c.shapes;
    const g = c.generator;
    const d = c.discriminator;
    const widths = (net: Sequential) => net.stages.map((s) => s.output.features);
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
