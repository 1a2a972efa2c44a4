// The layered step plan: a dispatch per layer and pass, for any net (conv,
// BatchNorm, conditioning). trainer.ts's header describes the step; the
// fused-mlp plan (fused-mlp-plan.ts) records the same step in one dispatch
// per update for small MLPs.
import { createStorageBuffer } from '../runtime/buffers.js';
import type { KernelRegistry } from '../runtime/kernel.js';
import { SequenceBuilder, type RecordedSequence } from '../runtime/recorder.js';
import { STATE } from '../runtime/stats.js';
import { bceWithLogitsKernels, concatLabelsKernels, randomKernels, trainStateKernels } from '../shaders/index.js';
import { LABEL_STREAM_BIT, noiseStreamD, noiseStreamG, realStreamD, type ResolvedGanConfig } from './config.js';
import { adamPartialCount, NetGpu } from './net-gpu.js';
import type { RecordedPhases, StepPlanInputs } from './step-plan.js';

/** The layered plan: a dispatch per layer and pass (any net). */
export async function buildLayeredPhases({ ctx, c, G, D, state, stats, data }: StepPlanInputs, imageGradOnly: boolean): Promise<RecordedPhases> {
  const { device, kernels } = ctx;
  const g = c.generator;
  const d = c.discriminator;
  const B = c.batchSize;
  const { noise: Z, sample: X, classes: K, channels: C, spatial: S } = c.shapes;
  const DX = d.inputSize; // (C + K)·S
  const z = createStorageBuffer(device, 'z', B * Z); //                     (B, Z)
  const dIn = createStorageBuffer(device, 'd_input', 2 * B * DX); //       (2B, DX) [fake; real]
  const dInGrad = createStorageBuffer(device, 'd_input_grad', B * (imageGradOnly ? X : DX)); //  (B, DX), or (B, X) when D skips its label planes
  const logits = createStorageBuffer(device, 'logits', 2 * B); //          (2B, 1)
  const dlogits = createStorageBuffer(device, 'dlogits', 2 * B); //        (2B, 1)
  const lossD = createStorageBuffer(device, 'loss_d', 4); //               [loss, D(fake), D(real), 0]
  const lossG = createStorageBuffer(device, 'loss_g', 4);
  const owned = [z, dIn, dInGrad, logits, dlogits, lossD, lossG];
  // A conditional GAN adds labels and one-hot concatenations around both nets:
  // G reads [z; onehot(y)], D reads [sample; K label planes].
  const cond = c.condition
    ? {
        labels: createStorageBuffer(device, 'labels', 2 * B), //                   (2B) [fake; real] class indices
        labelData: createStorageBuffer(device, 'dataset_labels', c.data.kind === 'dataset' ? c.data.rows : 1, Float32Array.from(c.condition.labels)),
        gIn: createStorageBuffer(device, 'g_input', B * (Z + K)), //            (B, Z + K)
        dSample: createStorageBuffer(device, 'd_sample', 2 * B * X), //        (2B, X) [fake; real]
      }
    : null;
  if (cond) owned.push(cond.labels, cond.labelData, cond.gIn, cond.dSample);
  // G's output gradient: D's input gradient itself, or its first C channels copied out of (B, C + K, S).
  const dSampleGrad = cond && !imageGradOnly ? createStorageBuffer(device, 'd_sample_grad', B * X) : null; // (B, X)
  if (dSampleGrad) owned.push(dSampleGrad);
  const gIn = cond ? cond.gIn : z;
  const gOut = cond ? cond.dSample : dIn; // G writes the fake half of D's batch (before the label planes, if any)
  const gOutGrad = dSampleGrad ?? dInGrad;

  const noise = (seq: SequenceBuilder, stream: number) => encodeNoise(seq, kernels, c, state, z, B * Z, stream);
  const bce = await kernels.kernel(bceWithLogitsKernels, 'bce_with_logits_forward_backward');
  const trainState = await kernels.kernel(trainStateKernels, 'train_state_update');
  /** Draws z (and fake labels y ~ U{0…K−1}) for B rows and forms G's input. */
  const generatorInput = async (seq: SequenceBuilder, stream: number) => {
    await noise(seq, stream);
    if (!cond) return;
    const uniform = await kernels.kernel(randomKernels, 'random_uniform');
    const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
    const u = { seed: c.seed, stream: stream | LABEL_STREAM_BIT, count: B, offset: 0, a: 0, b: K };
    seq.add(uniform, { state, out: cond.labels }, u, 'fake_labels');
    seq.add(concat, { x: z, labels: cond.labels, out: cond.gIn }, { rows: B, channels: Z, classes: K, spatial: 1 }, 'g_input');
  };
  const discriminatorInput = async (seq: SequenceBuilder, rows: number) => {
    if (!cond) return;
    const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
    seq.add(concat, { x: cond.dSample, labels: cond.labels, out: dIn }, { rows, channels: C, classes: K, spatial: S }, 'd_input');
  };

  const dPhases: RecordedSequence[] = [];
  for (let j = 0; j < c.dSteps; j++) {
    const seq = new SequenceBuilder(device, `d_update${j}`);
    await generatorInput(seq, noiseStreamD(j));
    await G.encodeForward(seq, kernels, B, gIn, gOut);
    if (data && c.data.kind === 'dataset') {
      const gather = await kernels.kernel(randomKernels, 'random_gather_rows');
      const u = { seed: c.seed, stream: realStreamD(j), rows: B, cols: X, src_rows: c.data.rows, dst_row_offset: B };
      seq.add(gather, { state, src: data, out: gOut }, u, 'real_batch');
      // Same seed, stream and step → the same row indices as the images.
      if (cond) seq.add(gather, { state, src: cond.labelData, out: cond.labels }, { ...u, cols: 1 }, 'real_labels');
    } else if (c.data.kind === 'normal') {
      const normal = await kernels.kernel(randomKernels, 'random_normal');
      const u = { seed: c.seed, stream: realStreamD(j), count: B * X, offset: B * X, a: c.data.mean, b: c.data.std };
      seq.add(normal, { state, out: dIn }, u, 'real_batch');
    }
    await discriminatorInput(seq, 2 * B);
    // [fake; real] as two BatchNorm groups: each half normalised by its own statistics.
    await D.encodeForward(seq, kernels, 2 * B, dIn, logits, D.activations, 'train', 2);
    const bceU = { rows: 2 * B, first_rows: B, target_first: 0, target_rest: c.realLabel, scale: 1 / B };
    seq.add(bce, { logits, dlogits, loss_out: lossD }, bceU, 'loss');
    await D.encodeBackward(seq, kernels, 2 * B, { input: dIn, output: logits, dOutput: dlogits, dInput: null }, true, 2);
    await D.encodeAdam(seq, kernels, c.adamD, state, lossD, STATE.adamStepD);
    const tsU = { phase: 0, partial_count: adamPartialCount(d.parameterCount) };
    seq.add(trainState, { state, stats, loss_out: lossD, grad_sq_partials: D.gradSqPartials }, tsU, 'train_state');
    dPhases.push(seq.build());
  }

  const seq = new SequenceBuilder(device, 'g_update');
  await generatorInput(seq, noiseStreamG(c.dSteps));
  await G.encodeForward(seq, kernels, B, gIn, gOut);
  await discriminatorInput(seq, B);
  await D.encodeForward(seq, kernels, B, dIn, logits);
  const bceU = { rows: B, first_rows: B, target_first: 1, target_rest: 1, scale: 1 / B };
  seq.add(bce, { logits, dlogits, loss_out: lossG }, bceU, 'loss');
  await D.encodeBackward(seq, kernels, B, { input: dIn, output: logits, dOutput: dlogits, dInput: dInGrad }, false);
  if (dSampleGrad) {
    const concatBack = await kernels.kernel(concatLabelsKernels, 'concat_labels_backward_input');
    seq.add(concatBack, { dout: dInGrad, dx: dSampleGrad }, { rows: B, channels: C, classes: K, spatial: S }, 'd_sample_grad');
  }
  await G.encodeBackward(seq, kernels, B, { input: gIn, output: gOut, dOutput: gOutGrad, dInput: null }, true);
  await G.encodeAdam(seq, kernels, c.adamG, state, lossG, STATE.adamStepG);
  const tsU = { phase: 1, partial_count: adamPartialCount(g.parameterCount) };
  seq.add(trainState, { state, stats, loss_out: lossG, grad_sq_partials: G.gradSqPartials }, tsU, 'train_state');
  const gPhase = seq.build();
  return { dPhases, gPhase, owned };
}

/** Starts compiling every pipeline the layered plan needs, so that they build in parallel. */
export function prefetchLayeredKernels(kernels: KernelRegistry, c: ResolvedGanConfig, dInputGradChannels: number | null): Promise<unknown> {
  const g = c.generator;
  const d = c.discriminator;
  return Promise.all([
    NetGpu.prefetchKernels(kernels, g),
    NetGpu.prefetchKernels(kernels, d, dInputGradChannels),
    kernels.kernel(bceWithLogitsKernels, 'bce_with_logits_forward_backward'),
    kernels.kernel(trainStateKernels, 'train_state_update'),
    kernels.kernel(randomKernels, c.noise.distribution === 'uniform' ? 'random_uniform' : 'random_normal'),
    kernels.kernel(randomKernels, c.data.kind === 'dataset' ? 'random_gather_rows' : 'random_normal'),
    ...(c.condition
      ? [
          kernels.kernel(randomKernels, 'random_uniform'),
          kernels.kernel(concatLabelsKernels, 'concat_labels_forward'),
          ...(dInputGradChannels !== null ? [] : [kernels.kernel(concatLabelsKernels, 'concat_labels_backward_input')]),
        ]
      : []),
  ]);
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
  const uniform = n.distribution === 'uniform';
  const k = await kernels.kernel(randomKernels, uniform ? 'random_uniform' : 'random_normal');
  const u = uniform
    ? { seed: c.seed, stream, count, offset: 0, a: n.low, b: n.high }
    : { seed: c.seed, stream, count, offset: 0, a: n.mean, b: n.std };
  seq.add(k, { state, out }, u, 'noise');
}

