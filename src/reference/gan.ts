// CPU reference (float64) of one whole GAN training step, the same
// computation trainer.ts records for the GPU: same noise and real batches
// (Philox), same [fake; real] D batch, same losses, same Adam. Used by the
// parity test and handy for small experiments without a GPU.
import type { ResolvedGanConfig } from '../models/config.js';
import { LABEL_STREAM_BIT, noiseStreamD, noiseStreamG, realStreamD } from '../models/config.js';
import { runningVarOffset, type Sequential, type Stage } from '../models/sequential.js';
import {
  batchnormBackwardInput,
  batchnormBackwardWeight,
  batchnormForward,
  batchnormForwardEval,
  batchnormPreactivationGrad,
} from './batchnorm.js';
import {
  conv2dBackwardBias,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  conv2dPreactivationGrad,
  type Conv2dShape,
} from './conv2d.js';
import {
  convTranspose2dBackwardBias,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  convTranspose2dForward,
  convTranspose2dPreactivationGrad,
} from './conv_transpose2d.js';
import { activationBackwardInput, activationForward, type Vec } from './activation.js';
import { adamUpdate } from './adam.js';
import { bceWithLogits } from './bce_with_logits.js';
import {
  linearBackwardBias,
  linearBackwardInput,
  linearBackwardWeight,
  linearForward,
  linearPreactivationGrad,
} from './linear.js';
import { concatLabelsBackwardInput, concatLabelsForward } from './concat_labels.js';
import { gatherIndices, randomGatherRows, randomNormal, randomUniform, type DrawKey } from './random.js';

interface NetState {
  net: Sequential;
  params: Vec; // (P) same flat layout as the GPU buffer
  running: Vec; // BatchNorm running statistics, same layout as NetGpu.runningStats
  expAvg: Vec;
  expAvgSq: Vec;
  t: number;
}

export interface ReferenceStepLosses {
  lossD: number[];
  lossG: number;
}

const slice = (v: Vec, offset: number, size: number): Vec => v.subarray(offset, offset + size);

type ConvStage = Extract<Stage, { kind: 'conv2d' | 'convTranspose2d' }>;

const convShape = (s: ConvStage, batch: number): Conv2dShape => ({
  batch,
  inChannels: s.inChannels,
  outChannels: s.outChannels,
  inHeight: s.inHeight,
  inWidth: s.inWidth,
  kernelHeight: s.kernel,
  kernelWidth: s.kernel,
  stride: s.stride,
  padding: s.padding,
});

/** BatchNorm state of one forward: running statistics (updated in place) and each BN stage's batch mean / invstd. */
export interface BatchNormState {
  running: Vec;
  /** Per BatchNorm stage, each group's batch mean and invstd. */
  saved: Map<number, { mean: Vec; invstd: Vec }[]>;
}

/**
 * Forward through every stage; returns [input, output of stage 0, output of
 * stage 1, …]. mode 'train': BatchNorm uses batch statistics and updates the
 * running statistics in `bn.running`; 'eval': it normalises with them.
 */
export function referenceForward(
  net: Sequential,
  params: Vec,
  input: Vec,
  batch: number,
  bn: BatchNormState = { running: Float64Array.from(net.initialRunningStats()), saved: new Map() },
  mode: 'train' | 'eval' = 'train',
  groups = 1,
): Vec[] {
  const outs: Vec[] = [input];
  net.stages.forEach((s, i) => {
    const x = outs[outs.length - 1];
    if (s.kind === 'linear') {
      const bias = s.bias ? slice(params, s.bias.offset, s.bias.size) : new Float64Array(s.outFeatures);
      const shape = { batch, inFeatures: s.inFeatures, outFeatures: s.outFeatures };
      outs.push(linearForward(shape, x, slice(params, s.weight.offset, s.weight.size), bias, s.activation, s.slope));
    } else if (s.kind === 'conv2d' || s.kind === 'convTranspose2d') {
      const w = slice(params, s.weight.offset, s.weight.size);
      const bias = s.bias ? slice(params, s.bias.offset, s.bias.size) : null;
      const f = s.kind === 'conv2d' ? conv2dForward : convTranspose2dForward;
      outs.push(f(convShape(s, batch), x, w, bias, s.activation, s.slope));
    } else if (s.kind === 'batchnorm') {
      const C = s.channels;
      const rm = slice(bn.running, s.runningOffset, C);
      const rv = slice(bn.running, s.runningOffset + runningVarOffset(C), C);
      const gamma = slice(params, s.weight.offset, C);
      const beta = slice(params, s.bias.offset, C);
      if (mode === 'eval') {
        const shape = { batch, channels: C, spatial: s.spatial };
        outs.push(batchnormForwardEval(shape, x, gamma, beta, rm, rv, { eps: s.eps, act: s.activation, slope: s.slope }));
        return;
      }
      // Each group of batch / groups rows is normalised alone, in order, as separate passes would be.
      const rows = batch / groups;
      const per = rows * C * s.spatial;
      const y = new Float64Array(x.length);
      const saved: { mean: Vec; invstd: Vec }[] = [];
      for (let g = 0; g < groups; g++) {
        const r = batchnormForward(
          { batch: rows, channels: C, spatial: s.spatial },
          x.subarray(g * per, (g + 1) * per),
          gamma,
          beta,
          rm,
          rv,
          { eps: s.eps, momentum: s.momentum, act: s.activation, slope: s.slope },
        );
        rm.set(r.runningMean);
        rv.set(r.runningVar);
        saved.push({ mean: r.mean, invstd: r.invstd });
        y.set(r.y, g * per);
      }
      bn.saved.set(i, saved);
      outs.push(y);
    } else {
      outs.push(activationForward(s.activation, x, s.slope));
    }
  });
  return outs;
}

/** Backward; returns d(input). Adds nothing: parameter grads are written into `grads` when given. */
export function referenceBackward(
  net: Sequential,
  params: Vec,
  outs: Vec[],
  dOut: Vec,
  batch: number,
  grads: Vec | null,
  bn: BatchNormState,
  groups = 1,
): Vec {
  let dy = dOut;
  for (let i = net.stages.length - 1; i >= 0; i--) {
    const s: Stage = net.stages[i];
    const x = outs[i];
    const y = outs[i + 1];
    if (s.kind === 'linear') {
      const shape = { batch, inFeatures: s.inFeatures, outFeatures: s.outFeatures };
      const dz = linearPreactivationGrad(y, dy, s.activation, s.slope);
      if (grads) {
        grads.set(linearBackwardWeight(shape, dz, x), s.weight.offset);
        if (s.bias) grads.set(linearBackwardBias(shape, dz), s.bias.offset);
      }
      dy = linearBackwardInput(shape, dz, slice(params, s.weight.offset, s.weight.size));
    } else if (s.kind === 'conv2d') {
      const shape = convShape(s, batch);
      const dz = conv2dPreactivationGrad(y, dy, s.activation, s.slope);
      if (grads) {
        grads.set(conv2dBackwardWeight(shape, dz, x), s.weight.offset);
        if (s.bias) grads.set(conv2dBackwardBias(shape, dz), s.bias.offset);
      }
      dy = conv2dBackwardInput(shape, dz, slice(params, s.weight.offset, s.weight.size));
    } else if (s.kind === 'convTranspose2d') {
      const shape = convShape(s, batch);
      const dz = convTranspose2dPreactivationGrad(y, dy, s.activation, s.slope);
      if (grads) {
        grads.set(convTranspose2dBackwardWeight(shape, dz, x), s.weight.offset);
        if (s.bias) grads.set(convTranspose2dBackwardBias(shape, dz), s.bias.offset);
      }
      dy = convTranspose2dBackwardInput(shape, dz, slice(params, s.weight.offset, s.weight.size));
    } else if (s.kind === 'batchnorm') {
      const saved = bn.saved.get(i);
      if (!saved || saved.length !== groups) throw new Error(`${net.name}: stage ${i} backward without its forward (${groups} groups)`);
      const dz = batchnormPreactivationGrad(y, dy, s.activation, s.slope);
      const shape = { batch: batch / groups, channels: s.channels, spatial: s.spatial };
      const per = shape.batch * s.channels * s.spatial;
      const dx = new Float64Array(x.length);
      const dgamma = new Float64Array(s.channels);
      const dbeta = new Float64Array(s.channels);
      saved.forEach(({ mean, invstd }, g) => {
        const xg = x.subarray(g * per, (g + 1) * per);
        const dzg = dz.subarray(g * per, (g + 1) * per);
        const w = batchnormBackwardWeight(shape, xg, mean, invstd, dzg);
        w.dgamma.forEach((v, c) => (dgamma[c] += v));
        w.dbeta.forEach((v, c) => (dbeta[c] += v));
        dx.set(batchnormBackwardInput(shape, xg, mean, invstd, slice(params, s.weight.offset, s.channels), dzg), g * per);
      });
      if (grads) {
        grads.set(dgamma, s.weight.offset);
        grads.set(dbeta, s.bias.offset);
      }
      dy = dx;
    } else {
      dy = activationBackwardInput(s.activation, y, dy, s.slope);
    }
  }
  return dy;
}

export class ReferenceGanTrainer {
  private readonly G: NetState;
  private readonly D: NetState;
  /** Completed training steps: keys the noise like state[5] on the GPU. */
  step = 0;
  /** Gradients of the last D update and the last G update (flat layouts). */
  lastGradsD: Vec = new Float64Array(0);
  lastGradsG: Vec = new Float64Array(0);

  constructor(
    readonly config: ResolvedGanConfig,
    generatorParams: Float32Array,
    discriminatorParams: Float32Array,
  ) {
    const state = (net: Sequential, p: Float32Array): NetState => ({
      net,
      params: Float64Array.from(p),
      running: Float64Array.from(net.initialRunningStats()),
      expAvg: new Float64Array(p.length),
      expAvgSq: new Float64Array(p.length),
      t: 0,
    });
    this.G = state(config.generator, generatorParams);
    this.D = state(config.discriminator, discriminatorParams);
  }

  get generatorParams(): Vec {
    return this.G.params;
  }
  get discriminatorParams(): Vec {
    return this.D.params;
  }
  /** BatchNorm running statistics (NetGpu.runningStats layout). */
  get generatorRunningStats(): Vec {
    return this.G.running;
  }
  get discriminatorRunningStats(): Vec {
    return this.D.running;
  }

  private bn(net: NetState): BatchNormState {
    return { running: net.running, saved: new Map() };
  }

  private key(stream: number): DrawKey {
    return { seed: this.config.seed, step: this.step, stream };
  }

  /** G's input for B rows: z, or [z; onehot(y)] with fake labels y ~ U{0…K−1} for a conditional GAN. */
  private generatorInput(stream: number): { input: Vec; labels: number[] } {
    const c = this.config;
    const B = c.batchSize;
    const { noise: Z, classes: K } = c.shapes;
    const n = c.noise;
    const key = this.key(stream);
    const z = n.distribution === 'uniform' ? randomUniform(key, B * Z, n.low, n.high) : randomNormal(key, B * Z, n.mean, n.std);
    if (K === 0) return { input: z, labels: [] };
    // The GPU forms the draw in f32; floor that value, not the float64 one.
    const labels = Array.from(randomUniform(this.key(stream | LABEL_STREAM_BIT), B, 0, K), (v) => Math.floor(Math.fround(v)));
    return { input: concatLabelsForward(z, labels, { rows: B, channels: Z, classes: K, spatial: 1 }), labels };
  }

  /** B real rows and, for a conditional GAN, their labels. */
  private realBatch(stream: number): { rows: Vec; labels: number[] } {
    const c = this.config;
    const key = this.key(stream);
    const X = c.shapes.sample;
    const d = c.data;
    if (d.kind === 'normal') return { rows: randomNormal(key, c.batchSize * X, d.mean, d.std), labels: [] };
    const labels = c.condition ? gatherIndices(key, c.batchSize, d.rows).map((i) => c.condition!.labels[i]) : [];
    return { rows: randomGatherRows(key, d.values, d.rows, d.cols, c.batchSize), labels };
  }

  /** D's input: the samples, with K label planes appended when conditional. */
  private discriminatorInput(samples: Vec, labels: number[], rows: number): Vec {
    const { classes: K, channels: C, spatial: S } = this.config.shapes;
    return K === 0 ? samples : concatLabelsForward(samples, labels, { rows, channels: C, classes: K, spatial: S });
  }

  /** One training step: dSteps D updates, then one G update. */
  trainStep(): ReferenceStepLosses {
    const c = this.config;
    const B = c.batchSize;
    const { sample: X, classes: K, channels: C, spatial: S } = c.shapes;
    const lossD: number[] = [];
    for (let j = 0; j < c.dSteps; j++) {
      const gIn = this.generatorInput(noiseStreamD(j));
      const fake = referenceForward(c.generator, this.G.params, gIn.input, B, this.bn(this.G));
      const real = this.realBatch(realStreamD(j));
      const samples = new Float64Array(2 * B * X); // (2B, X) [fake; real]
      samples.set(fake[fake.length - 1]);
      samples.set(real.rows, B * X);
      const dIn = this.discriminatorInput(samples, [...gIn.labels, ...real.labels], 2 * B);
      // One D pass over [fake; real], BatchNorm normalising each half by its own statistics (2 groups), as on the GPU.
      const bnD = this.bn(this.D);
      const outs = referenceForward(c.discriminator, this.D.params, dIn, 2 * B, bnD, 'train', 2);
      const bce = bceWithLogits(outs[outs.length - 1], { firstRows: B, targetFirst: 0, targetRest: c.realLabel, scale: 1 / B });
      const grads = new Float64Array(this.D.params.length);
      referenceBackward(c.discriminator, this.D.params, outs, bce.dlogits, 2 * B, grads, bnD, 2);
      adamUpdate(c.adamD, ++this.D.t, this.D.params, grads, this.D.expAvg, this.D.expAvgSq);
      this.lastGradsD = grads;
      lossD.push(bce.loss);
    }
    const bnG = this.bn(this.G);
    const bnD = this.bn(this.D);
    const gIn = this.generatorInput(noiseStreamG(c.dSteps));
    const gOuts = referenceForward(c.generator, this.G.params, gIn.input, B, bnG);
    const dIn = this.discriminatorInput(gOuts[gOuts.length - 1], gIn.labels, B);
    const dOuts = referenceForward(c.discriminator, this.D.params, dIn, B, bnD);
    const bce = bceWithLogits(dOuts[dOuts.length - 1], { firstRows: B, targetFirst: 1, targetRest: 1, scale: 1 / B });
    const dDIn = referenceBackward(c.discriminator, this.D.params, dOuts, bce.dlogits, B, null, bnD);
    const dFake = K === 0 ? dDIn : concatLabelsBackwardInput(dDIn, { rows: B, channels: C, classes: K, spatial: S });
    const grads = new Float64Array(this.G.params.length);
    referenceBackward(c.generator, this.G.params, gOuts, dFake, B, grads, bnG);
    adamUpdate(c.adamG, ++this.G.t, this.G.params, grads, this.G.expAvg, this.G.expAvgSq);
    this.lastGradsG = grads;
    this.step++;
    return { lossD, lossG: bce.loss };
  }

  /** Generator outputs for given noise rows (n, Z). */
  generate(noise: Vec, n: number): Vec {
    const outs = referenceForward(this.config.generator, this.G.params, noise, n);
    return outs[outs.length - 1];
  }
}
