// CPU reference (float64) of one whole GAN training step, the same
// computation trainer.ts records for the GPU: same noise and real batches
// (Philox), same [fake; real] D batch, same losses, same Adam. Used by the
// parity test and handy for small experiments without a GPU.
import type { ResolvedGanConfig } from '../models/config.js';
import { noiseStreamD, noiseStreamG, realStreamD } from '../models/config.js';
import type { Sequential, Stage } from '../models/sequential.js';
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
import { randomGatherRows, randomNormal, randomUniform, type DrawKey } from './random.js';

interface NetState {
  net: Sequential;
  params: Vec; // (P) same flat layout as the GPU buffer
  expAvg: Vec;
  expAvgSq: Vec;
  t: number;
}

export interface ReferenceStepLosses {
  lossD: number[];
  lossG: number;
}

const slice = (v: Vec, offset: number, size: number): Vec => v.subarray(offset, offset + size);

/** Forward through every stage; returns [input, output of stage 0, output of stage 1, …]. */
export function referenceForward(net: Sequential, params: Vec, input: Vec, batch: number): Vec[] {
  const outs: Vec[] = [input];
  for (const s of net.stages) {
    const x = outs[outs.length - 1];
    if (s.kind === 'linear') {
      const bias = s.bias ? slice(params, s.bias.offset, s.bias.size) : new Float64Array(s.outFeatures);
      const shape = { batch, inFeatures: s.inFeatures, outFeatures: s.outFeatures };
      outs.push(linearForward(shape, x, slice(params, s.weight.offset, s.weight.size), bias, s.activation, s.slope));
    } else {
      outs.push(activationForward(s.activation, x, s.slope));
    }
  }
  return outs;
}

/** Backward; returns d(input). Adds nothing: parameter grads are written into `grads` when given. */
function referenceBackward(net: Sequential, params: Vec, outs: Vec[], dOut: Vec, batch: number, grads: Vec | null): Vec {
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

  private noise(stream: number): Vec {
    const c = this.config;
    const key: DrawKey = { seed: c.seed, step: this.step, stream };
    const count = c.batchSize * c.generator.inputSize;
    const n = c.noise;
    return n.distribution === 'uniform' ? randomUniform(key, count, n.low, n.high) : randomNormal(key, count, n.mean, n.std);
  }

  private realBatch(stream: number): Vec {
    const c = this.config;
    const key: DrawKey = { seed: c.seed, step: this.step, stream };
    const X = c.discriminator.inputSize;
    const d = c.data;
    return d.kind === 'dataset'
      ? randomGatherRows(key, d.values, d.rows, d.cols, c.batchSize)
      : randomNormal(key, c.batchSize * X, d.mean, d.std);
  }

  /** One training step: dSteps D updates, then one G update. */
  trainStep(): ReferenceStepLosses {
    const c = this.config;
    const B = c.batchSize;
    const lossD: number[] = [];
    for (let j = 0; j < c.dSteps; j++) {
      const fake = referenceForward(c.generator, this.G.params, this.noise(noiseStreamD(j)), B);
      const real = this.realBatch(realStreamD(j));
      const dIn = new Float64Array(2 * B * c.discriminator.inputSize); // (2B, X) [fake; real]
      dIn.set(fake[fake.length - 1]);
      dIn.set(real, B * c.discriminator.inputSize);
      const outs = referenceForward(c.discriminator, this.D.params, dIn, 2 * B);
      const bce = bceWithLogits(outs[outs.length - 1], { firstRows: B, targetFirst: 0, targetRest: c.realLabel, scale: 1 / B });
      const grads = new Float64Array(this.D.params.length);
      referenceBackward(c.discriminator, this.D.params, outs, bce.dlogits, 2 * B, grads);
      adamUpdate(c.adamD, ++this.D.t, this.D.params, grads, this.D.expAvg, this.D.expAvgSq);
      this.lastGradsD = grads;
      lossD.push(bce.loss);
    }
    const gOuts = referenceForward(c.generator, this.G.params, this.noise(noiseStreamG(c.dSteps)), B);
    const dOuts = referenceForward(c.discriminator, this.D.params, gOuts[gOuts.length - 1], B);
    const bce = bceWithLogits(dOuts[dOuts.length - 1], { firstRows: B, targetFirst: 1, targetRest: 1, scale: 1 / B });
    const dFake = referenceBackward(c.discriminator, this.D.params, dOuts, bce.dlogits, B, null);
    const grads = new Float64Array(this.G.params.length);
    referenceBackward(c.generator, this.G.params, gOuts, dFake, B, grads);
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
