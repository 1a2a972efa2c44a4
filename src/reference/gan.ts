// The float64 CPU reference of a GAN training step: it walks the same step
// description (models/gan/step.ts) as the two GPU plans, with the layers',
// loss's and optimizer's own float64 references, the same Philox draws and
// the same bookkeeping, halting rule included. Used by the parity tests and
// handy for small experiments without a GPU.
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS_FLOATS } from '../shaders/constants.js';
import type { NetName, ResolvedGanConfig } from '../models/gan/config.js';
import { describeStep, LABEL_STREAM_BIT, type OpHandlers } from '../models/gan/step.js';
import { emaReference } from '../models/optim/ema.js';
import type { LossResult } from '../models/losses/loss.js';
import type { Sequential } from '../models/layers/sequential.js';
import { randomNormal, randomUniform, type DrawKey } from '../runtime/philox.js';
import { concatLabelsBackwardInput, concatLabelsForward } from './concat_labels.js';
import { outputOf, referenceBackward, referenceForward, referenceNet, referencePowerIteration, type ForwardTrace, type ReferenceNet } from './net.js';
import { referencePenalty } from './gradient-penalty.js';
import { gatherIndices, randomGatherRows } from './random.js';
import { trainStateUpdate } from './train_state.js';

interface NetState {
  net: Sequential;
  state: ReferenceNet;
  /** The optimizer's per-parameter state, in its slot order. */
  slots: Float64Array[];
  /** Gradients of its last update. */
  grads: Float64Array;
  /** The moving average of its weights (config.ema), or null. */
  averaged: Float64Array | null;
}

export interface ReferenceStepLosses {
  lossD: number[];
  lossG: number;
}

export class ReferenceGanTrainer {
  private readonly nets: Record<NetName, NetState>;
  /** The training state and stats, as the GPU keeps them (constants.ts layouts). */
  readonly trainState = new Uint32Array(TRAIN_STATE_WORDS);
  readonly stats = new Float64Array(TRAIN_STATS_FLOATS);

  constructor(
    readonly config: ResolvedGanConfig,
    generatorParams: Float32Array,
    discriminatorParams: Float32Array,
  ) {
    const state = (name: NetName, p: Float32Array): NetState => ({
      net: config[name],
      state: referenceNet(config[name], p),
      slots: config.optimizers[name].slots.map(() => new Float64Array(p.length)),
      grads: new Float64Array(p.length),
      averaged: name === 'generator' && config.ema ? Float64Array.from(p) : null,
    });
    this.nets = { generator: state('generator', generatorParams), discriminator: state('discriminator', discriminatorParams) };
  }

  /** Completed training steps: keys the draws, as the GPU's state does. */
  get step(): number {
    return this.trainState[TRAIN_STATE.step];
  }
  get halted(): boolean {
    return this.trainState[TRAIN_STATE.halted] !== 0;
  }
  get generatorParams(): Float64Array {
    return this.nets.generator.state.params;
  }
  get discriminatorParams(): Float64Array {
    return this.nets.discriminator.state.params;
  }
  /** Buffers (BatchNorm running statistics) in the Sequential.buffers layout. */
  get generatorBuffers(): Float64Array {
    return this.nets.generator.state.buffers;
  }
  get discriminatorBuffers(): Float64Array {
    return this.nets.discriminator.state.buffers;
  }
  /** G's moving average of weights (config.ema), or null. */
  get generatorAverage(): Float64Array | null {
    return this.nets.generator.averaged;
  }
  /** Gradients of the last D update and the last G update (flat layouts). */
  get lastGradsD(): Float64Array {
    return this.nets.discriminator.grads;
  }
  get lastGradsG(): Float64Array {
    return this.nets.generator.grads;
  }

  private key(stream: number): DrawKey {
    return { seed: this.config.seed, step: this.step, stream };
  }

  /** One training step: the phases of describeStep(), in order. */
  trainStep(): ReferenceStepLosses {
    const c = this.config;
    const B = c.batchSize;
    const { noise: Z, sample: X, classes: K, channels: C, spatial: S } = c.shapes;
    const lossD: number[] = [];
    let lossG = NaN;
    for (const phase of describeStep(c)) {
      // What the ops of this phase hand each other.
      let gIn: Float64Array = new Float64Array(0);
      let fakeLabels: number[] = [];
      let gTrace: ForwardTrace | null = null;
      let real: { rows: Float64Array; labels: number[] } = { rows: new Float64Array(0), labels: [] };
      let dTrace: ForwardTrace | null = null;
      let loss: LossResult | null = null;
      let dFake: Float64Array = new Float64Array(0);
      const grads = { generator: null as Float64Array | null, discriminator: null as Float64Array | null };
      const dInput = (rows: 'fake' | 'fakeAndReal') => {
        const fake = outputOf(gTrace!);
        const n = rows === 'fake' ? B : 2 * B;
        const samples = new Float64Array(n * X); // [fake; real]
        samples.set(fake);
        if (rows === 'fakeAndReal') samples.set(real.rows, B * X);
        const labels = rows === 'fake' ? fakeLabels : [...fakeLabels, ...real.labels];
        return K === 0 ? samples : concatLabelsForward(samples, labels, { rows: n, channels: C, classes: K, spatial: S });
      };
      const handlers: OpHandlers<void> = {
        powerIteration: ({ net }) => {
          if (!this.halted) referencePowerIteration(c[net], this.nets[net].state);
        },
        drawNoise: ({ stream, update }) => {
          const n = c.noise;
          const key = this.key(stream);
          const z =
            n.distribution === 'uniform'
              ? randomUniform(key, B * Z, n.low, n.high)
              : n.distribution === 'normal'
                ? randomNormal(key, B * Z, n.mean, n.std)
                : Float64Array.from(n.next({ step: this.step, update, rows: B, cols: Z }));
          if (K === 0) {
            gIn = z;
            fakeLabels = [];
            return;
          }
          // The GPU forms the draw in f32; floor that value, not the float64 one.
          fakeLabels = Array.from(randomUniform(this.key(stream | LABEL_STREAM_BIT), B, 0, K), (v) => Math.floor(Math.fround(v)));
          gIn = concatLabelsForward(z, fakeLabels, { rows: B, channels: Z, classes: K, spatial: 1 });
        },
        forwardG: () => {
          gTrace = referenceForward(c.generator, this.nets.generator.state, gIn, B);
        },
        drawReal: ({ stream, update }) => {
          const key = this.key(stream);
          const d = c.data;
          if (d.kind === 'normal') real = { rows: randomNormal(key, B * X, d.mean, d.std), labels: [] };
          else if (d.kind === 'host') real = { rows: Float64Array.from(d.next({ step: this.step, update, rows: B, cols: X })), labels: [] };
          else real = { rows: randomGatherRows(key, d.values, d.rows, d.cols, B), labels: c.condition ? gatherIndices(key, B, d.rows).map((i) => c.condition!.labels[i]) : [] };
        },
        forwardD: ({ rows }) => {
          // [fake; real] in one pass, BatchNorm normalising each half by its own statistics, as on the GPU.
          dTrace = referenceForward(c.discriminator, this.nets.discriminator.state, dInput(rows), rows === 'fake' ? B : 2 * B, 'train', rows === 'fake' ? 1 : 2);
        },
        loss: ({ part }) => {
          const m = c.loss.module.reference;
          loss = part === 'discriminator' ? m.discriminator(outputOf(dTrace!), B, c.loss.options) : m.generator(outputOf(dTrace!), B, c.loss.options);
          if (part === 'discriminator') lossD.push(loss.loss);
          else lossG = loss.loss;
        },
        backwardD: ({ weights, input }) => {
          const g = weights ? new Float64Array(this.nets.discriminator.state.params.length) : null;
          const dIn = referenceBackward(c.discriminator, dTrace!, loss!.dlogits, g);
          if (g) grads.discriminator = g;
          if (input) dFake = K === 0 ? dIn : concatLabelsBackwardInput(dIn, { rows: B, channels: C, classes: K, spatial: S });
        },
        penalty: ({ stream }) => {
          // x̂ = ε x + (1 − ε) G(z) per row (ε drawn as the GPU draws it, in f32), or the real rows (R1).
          const p = c.penalty!;
          const fake = outputOf(gTrace!);
          let x = real.rows;
          if (p.name === 'wgan-gp') {
            const eps = Array.from(randomUniform(this.key(stream), B, 0, 1), Math.fround);
            x = real.rows.map((v, i) => eps[Math.floor(i / X)] * v + (1 - eps[Math.floor(i / X)]) * fake[i]);
          }
          // A conditional critic sees x̂ with the real rows' label planes.
          const points = K === 0 ? x : concatLabelsForward(x, real.labels, { rows: B, channels: C, classes: K, spatial: S });
          const { penalty, grads: g } = referencePenalty(c.discriminator, this.nets.discriminator.state, points, B, p, X);
          const d = grads.discriminator!;
          for (let i = 0; i < d.length; i++) d[i] += g[i];
          loss = { ...loss!, loss: loss!.loss + penalty };
          lossD[lossD.length - 1] = loss.loss;
        },
        backwardG: () => {
          const g = new Float64Array(this.nets.generator.state.params.length);
          referenceBackward(c.generator, gTrace!, dFake, g);
          grads.generator = g;
        },
        close: ({ net }) => {
          const g = grads[net]!;
          let sumSq = 0;
          for (const v of g) sumSq += v * v;
          trainStateUpdate(phase.index, phase.advancesStep, this.trainState, this.stats, [loss!.loss, loss!.outA, loss!.outB], [sumSq]);
          this.nets[net].grads = g;
        },
        update: ({ net }) => {
          if (this.halted) return;
          const n = this.nets[net];
          const o = c.optimizers[net];
          o.module.reference.update(o.hyper, this.trainState[TRAIN_STATE.updates + phase.index], n.state.params, n.grads, n.slots);
        },
        constrain: ({ net }) => {
          if (!this.halted) c.loss.module.constraint!.reference(this.nets[net].state.params, c.loss.options);
        },
        average: ({ net }) => {
          const n = this.nets[net];
          if (!this.halted) emaReference(n.averaged!, n.state.params, c.ema!, this.trainState[TRAIN_STATE.updates + phase.index]);
        },
      };
      for (const op of phase.ops) (handlers[op.op] as (o: typeof op) => void)(op);
    }
    return { lossD, lossG };
  }

  /** G on given input rows (n, G's input size) in eval mode, as GanTrainer.generate(). */
  generate(input: Float64Array, n: number): Float64Array {
    return outputOf(referenceForward(this.config.generator, this.nets.generator.state, input, n, 'eval'));
  }
}
