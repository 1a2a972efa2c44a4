// The layered step plan: the step description (step.ts) recorded as a
// dispatch per layer and pass, for any net (conv, BatchNorm, conditioning).
// Each op of describeStep() has one handler below; layers, the loss and the
// optimizer encode themselves through their modules.
import { createStorageBuffer } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import { SequenceBuilder } from '../../runtime/recorder.js';
import { concatLabelsKernels, randomKernels } from '../../shaders/index.js';
import type { KernelRef } from '../layers/layer.js';
import { NetGpu } from '../layers/net-gpu.js';
import { GradientPenaltyGpu } from '../losses/gradient-penalty.js';
import { bookkeepingKernels, encodeCloseUpdate } from '../optim/bookkeeping.js';
import { emaKernels, encodeEma } from '../optim/ema.js';
import { GanConfigError, type NetName, type ResolvedGanConfig } from './config.js';
import { hostBatchKernelRefs } from './host-streams.js';
import type { RecordedPhases, StepPlanInputs } from './plan.js';
import { describeStep, LABEL_STREAM_BIT, type OpHandlers } from './step.js';

/** A conditional GAN whose D starts with a layer that computes dx for the image channels only: G's gradient comes straight out of D's backward. */
export const imageGradOnly = (c: ResolvedGanConfig): boolean => c.condition !== undefined && NetGpu.takesPartialInputGrad(c.discriminator);

/** Every pipeline the layered plan records, to compile in parallel before recording. */
export function layeredKernels(c: ResolvedGanConfig): KernelRef[] {
  const dInputGradChannels = imageGradOnly(c) ? c.shapes.channels : null;
  return [
    ...NetGpu.kernels(c.generator),
    ...NetGpu.kernels(c.discriminator, dInputGradChannels),
    ...c.loss.module.kernels(),
    ...c.optimizers.discriminator.module.kernels(c.optimizers.discriminator.hyper),
    ...c.optimizers.generator.module.kernels(c.optimizers.generator.hyper),
    ...bookkeepingKernels(),
    ...(c.loss.module.constraint?.kernels() ?? []),
    ...(c.ema ? emaKernels() : []),
    ...(c.penalty ? GradientPenaltyGpu.kernels(c.penalty) : []),
    ...(c.noise.distribution === 'host' || c.data.kind === 'host' ? hostBatchKernelRefs() : []),
    ...(c.noise.distribution === 'host' ? [] : [{ family: randomKernels, entry: c.noise.distribution === 'uniform' ? 'random_uniform' : 'random_normal' }]),
    ...(c.data.kind === 'host' ? [] : [{ family: randomKernels, entry: c.data.kind === 'dataset' ? 'random_gather_rows' : 'random_normal' }]),
    ...(c.condition
      ? [
          { family: randomKernels, entry: 'random_uniform' },
          { family: concatLabelsKernels, entry: 'concat_labels_forward' },
          ...(imageGradOnly(c) ? [] : [{ family: concatLabelsKernels, entry: 'concat_labels_backward_input' }]),
        ]
      : []),
  ];
}

export const compileKernels = (kernels: KernelRegistry, refs: KernelRef[]): Promise<unknown> =>
  Promise.all(refs.map((r) => kernels.kernel(r.family, r.entry, r.overrides)));

/** The layered plan: a dispatch per layer and pass (any net). */
export async function buildLayeredPhases({ ctx, c, G, D, state, stats, data, host }: StepPlanInputs): Promise<RecordedPhases> {
  const { device, kernels } = ctx;
  const endTuning = kernels.beginTuning(); // tunable kernels are timed while this plan records, never per step (runtime/tuner.ts)
  const B = c.batchSize;
  const { noise: Z, sample: X, classes: K, channels: C, spatial: S } = c.shapes;
  const gradOnlyImage = imageGradOnly(c);
  const DX = c.discriminator.inputSize; // (C + K)·S
  const z = createStorageBuffer(device, 'z', B * Z); //                    (B, Z)
  const dIn = createStorageBuffer(device, 'd_input', 2 * B * DX); //      (2B, DX) [fake; real]
  const dInGrad = createStorageBuffer(device, 'd_input_grad', B * (gradOnlyImage ? X : DX)); // (B, DX), or (B, X) when D skips its label planes
  const logits = createStorageBuffer(device, 'logits', 2 * B); //         (2B, 1)
  const dlogits = createStorageBuffer(device, 'dlogits', 2 * B); //       (2B, 1)
  const lossOut: Record<NetName, GPUBuffer> = {
    discriminator: createStorageBuffer(device, 'loss_d', 4), //           [loss, outA, outB, 0]
    generator: createStorageBuffer(device, 'loss_g', 4),
  };
  const owned = [z, dIn, dInGrad, logits, dlogits, lossOut.discriminator, lossOut.generator];
  // A conditional GAN adds labels and one-hot concatenations around both nets:
  // G reads [z; onehot(y)], D reads [sample; K label planes].
  const cond = c.condition
    ? {
        labels: createStorageBuffer(device, 'labels', 2 * B), //               (2B) [fake; real] class indices
        labelData: createStorageBuffer(device, 'dataset_labels', c.data.kind === 'dataset' ? c.data.rows : 1, Float32Array.from(c.condition.labels)),
        gIn: createStorageBuffer(device, 'g_input', B * (Z + K)), //        (B, Z + K)
        dSample: createStorageBuffer(device, 'd_sample', 2 * B * X), //    (2B, X) [fake; real]
      }
    : null;
  if (cond) owned.push(cond.labels, cond.labelData, cond.gIn, cond.dSample);
  // G's output gradient: D's input gradient itself, or its first C channels copied out of (B, C + K, S).
  const dSampleGrad = cond && !gradOnlyImage ? createStorageBuffer(device, 'd_sample_grad', B * X) : null; // (B, X)
  if (dSampleGrad) owned.push(dSampleGrad);
  const gIn = cond ? cond.gIn : z;
  const gOut = cond ? cond.dSample : dIn; // G writes the fake half of D's batch (before the label planes, if any)
  const gOutGrad = dSampleGrad ?? dInGrad;
  const nets = { generator: G, discriminator: D };
  const penalty = c.penalty ? new GradientPenaltyGpu(device, D, B, c.penalty, X) : null;
  if (penalty) owned.push(...penalty.owned);
  const random = (entry: string) => kernels.kernel(randomKernels, entry);
  const concat = (entry: string) => kernels.kernel(concatLabelsKernels, entry);

  const phases = [];
  for (const phase of describeStep(c)) {
    const seq = new SequenceBuilder(device, phase.label);
    const handlers: OpHandlers<Promise<void>> = {
      powerIteration: ({ net }) => nets[net].encodePowerIterations(seq, kernels, state),
      async drawNoise({ stream, update }) {
        if (host.noise) await host.noise.encode(seq, kernels, state, z, update, 0);
        else await encodeNoise(seq, kernels, c, state, z, B * Z, stream);
        if (!cond) return;
        const u = { seed: c.seed, stream: stream | LABEL_STREAM_BIT, count: B, offset: 0, a: 0, b: K };
        seq.add(await random('random_uniform'), { state, out: cond.labels }, u, 'fake_labels');
        seq.add(await concat('concat_labels_forward'), { x: z, labels: cond.labels, out: cond.gIn }, { rows: B, channels: Z, classes: K, spatial: 1 }, 'g_input');
      },
      forwardG: () => G.encodeForward(seq, kernels, B, gIn, gOut),
      async drawReal({ stream, update }) {
        if (host.data) {
          await host.data.encode(seq, kernels, state, gOut, update, B);
        } else if (c.data.kind === 'dataset' && data) {
          const gather = await random('random_gather_rows');
          const u = { seed: c.seed, stream, rows: B, cols: X, src_rows: c.data.rows, dst_row_offset: B };
          seq.add(gather, { state, src: data, out: gOut }, u, 'real_batch');
          // Same seed, stream and step → the same row indices as the images.
          if (cond) seq.add(gather, { state, src: cond.labelData, out: cond.labels }, { ...u, cols: 1 }, 'real_labels');
        } else if (c.data.kind === 'normal') {
          const u = { seed: c.seed, stream, count: B * X, offset: B * X, a: c.data.mean, b: c.data.std };
          seq.add(await random('random_normal'), { state, out: gOut }, u, 'real_batch');
        }
      },
      async forwardD({ rows }) {
        const n = rows === 'fake' ? B : 2 * B;
        if (cond) seq.add(await concat('concat_labels_forward'), { x: cond.dSample, labels: cond.labels, out: dIn }, { rows: n, channels: C, classes: K, spatial: S }, 'd_input');
        // [fake; real] as two BatchNorm groups: each half normalised by its own statistics.
        await D.encodeForward(seq, kernels, n, dIn, logits, D.activations, 'train', rows === 'fake' ? 1 : 2);
      },
      async loss({ part }) {
        const io = { logits, dlogits, lossOut: lossOut[part] };
        const m = c.loss.module;
        await (part === 'discriminator' ? m.encodeDiscriminator(seq, kernels, io, B, c.loss.options) : m.encodeGenerator(seq, kernels, io, B, c.loss.options));
      },
      async backwardD({ rows, weights, input }) {
        const n = rows === 'fake' ? B : 2 * B;
        await D.encodeBackward(seq, kernels, n, { input: dIn, output: logits, dOutput: dlogits, dInput: input ? dInGrad : null }, weights, rows === 'fake' ? 1 : 2);
        if (input && dSampleGrad) {
          seq.add(await concat('concat_labels_backward_input'), { dout: dInGrad, dx: dSampleGrad }, { rows: B, channels: C, classes: K, spatial: S }, 'd_sample_grad');
        }
      },
      penalty: ({ stream }) => penalty!.encode(seq, kernels, { samples: dIn, lossOut: lossOut.discriminator, state, seed: c.seed, stream }),
      backwardG: () => G.encodeBackward(seq, kernels, B, { input: gIn, output: gOut, dOutput: gOutGrad, dInput: null }, true),
      close: ({ net }) =>
        encodeCloseUpdate(seq, kernels, {
          grads: nets[net].grads,
          gradSqPartials: nets[net].gradSqPartials,
          count: nets[net].net.parameterCount,
          lossOut: lossOut[net],
          state,
          stats,
          phase: phase.index,
          advancesStep: phase.advancesStep,
        }),
      async update({ net }) {
        const n = nets[net];
        const o = c.optimizers[net];
        const io = { params: n.params, grads: n.grads, slots: n.slots, state, count: n.net.parameterCount, phase: phase.index };
        await o.module.encode(seq, kernels, io, o.hyper, `${n.net.name}.${o.module.name}`);
      },
      async constrain({ net }) {
        const n = nets[net];
        await c.loss.module.constraint!.encode(seq, kernels, { params: n.params, state, count: n.net.parameterCount }, c.loss.options);
      },
      async average({ net }) {
        const n = nets[net];
        if (!n.averaged || !c.ema) throw new Error(`layered plan: ${net} keeps no average`);
        await encodeEma(seq, kernels, { params: n.params, averaged: n.averaged, state, count: n.net.parameterCount, phase: phase.index }, c.ema, `${n.net.name}.ema`);
      },
    };
    for (const op of phase.ops) await (handlers[op.op] as (o: typeof op) => Promise<void>)(op);
    phases.push(seq.build());
  }
  endTuning();
  return { phases, owned, ...(cond ? { datasetLabels: cond.labelData } : {}) };
}

/** Draws `count` noise values of the config's distribution into `out`, from Philox stream `stream`. */
export async function encodeNoise(
  seq: SequenceBuilder,
  kernels: KernelRegistry,
  c: ResolvedGanConfig,
  state: GPUBuffer,
  out: GPUBuffer,
  count: number,
  stream: number,
): Promise<void> {
  const n = c.noise;
  if (n.distribution === 'host') throw new GanConfigError('this GAN takes its noise from the host: give it to generate(noise) instead of drawing it');
  const uniform = n.distribution === 'uniform';
  const k = await kernels.kernel(randomKernels, uniform ? 'random_uniform' : 'random_normal');
  const u = uniform ? { seed: c.seed, stream, count, offset: 0, a: n.low, b: n.high } : { seed: c.seed, stream, count, offset: 0, a: n.mean, b: n.std };
  seq.add(k, { state, out }, u, 'noise');
}
