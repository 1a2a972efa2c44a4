// Eval-mode programs of a trained GAN, built once per row count and cached by
// the trainer: G on fresh noise (sample), G on given noise (generate,
// drawSamples) and D on given samples (discriminate). BatchNorm uses its
// running statistics and changes nothing; the training state is untouched
// (a sampler keeps its own step counter, so sampling never shifts training's
// noise).
import { createStorageBuffer } from '../../runtime/buffers.js';
import type { GpuContext } from '../../runtime/device.js';
import { SequenceBuilder, type RecordedSequence } from '../../runtime/recorder.js';
import { TRAIN_STATE_WORDS } from '../../shaders/constants.js';
import { concatLabelsKernels } from '../../shaders/index.js';
import type { NetGpu } from '../layers/net-gpu.js';
import type { ResolvedGanConfig } from './config.js';
import { encodeNoise } from './layered-plan.js';
import { SAMPLE_STREAM } from './step.js';

export interface Sampler {
  n: number;
  state: GPUBuffer; //          (TRAIN_STATE_WORDS, u32) its own step counter
  noise: GPUBuffer; //          (n, Z)
  labels: GPUBuffer | null; //  (n) conditional only
  output: GPUBuffer; //         (n, X)
  owned: GPUBuffer[];
  draw: RecordedSequence; //    fresh noise
  forward: RecordedSequence; // [z; onehot(y)] → G (eval mode)
}

export interface Discriminator {
  n: number;
  sample: GPUBuffer; //         (n, X) what the caller passes
  labels: GPUBuffer | null; //  (n) conditional only
  outputs: GPUBuffer; //        (n, 1)
  owned: GPUBuffer[];
  sequence: RecordedSequence;
}

/** G's eval forward on n rows; `weights` is G's parameters or its moving average (same layout). */
export async function buildSampler(ctx: GpuContext, c: ResolvedGanConfig, G: NetGpu, n: number, weights: GPUBuffer = G.params): Promise<Sampler> {
  const { device, kernels } = ctx;
  const { noise: Z, sample: X, classes: K } = c.shapes;
  const state = createStorageBuffer(device, `sample${n}.state`, TRAIN_STATE_WORDS);
  const noise = createStorageBuffer(device, `sample${n}.z`, n * Z);
  const output = createStorageBuffer(device, `sample${n}.out`, n * X);
  const activations = G.createActivations(n, 'sample');
  const draw = new SequenceBuilder(device, `sample${n}.noise`);
  await encodeNoise(draw, kernels, c, state, noise, n * Z, SAMPLE_STREAM);
  const forward = new SequenceBuilder(device, `sample${n}.forward`);
  let input = noise;
  let labels: GPUBuffer | null = null;
  const owned = [state, noise, output, ...activations];
  if (K > 0) {
    labels = createStorageBuffer(device, `sample${n}.labels`, n);
    input = createStorageBuffer(device, `sample${n}.g_input`, n * (Z + K));
    owned.push(labels, input);
    const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
    forward.add(concat, { x: noise, labels, out: input }, { rows: n, channels: Z, classes: K, spatial: 1 }, 'g_input');
  }
  await G.encodeForward(forward, kernels, n, input, output, activations, 'eval', 1, weights);
  return { n, state, noise, labels, output, owned, draw: draw.build(), forward: forward.build() };
}

export async function buildDiscriminator(ctx: GpuContext, c: ResolvedGanConfig, D: NetGpu, n: number): Promise<Discriminator> {
  const { device, kernels } = ctx;
  const { sample: X, classes: K, channels: C, spatial: S } = c.shapes;
  const input = createStorageBuffer(device, `discriminate${n}.input`, n * c.discriminator.inputSize);
  const outputs = createStorageBuffer(device, `discriminate${n}.outputs`, n);
  const activations = D.createActivations(n, 'discriminate');
  const seq = new SequenceBuilder(device, `discriminate${n}`);
  let sample = input;
  let labels: GPUBuffer | null = null;
  const owned = [input, outputs, ...activations];
  if (K > 0) {
    sample = createStorageBuffer(device, `discriminate${n}.sample`, n * X);
    labels = createStorageBuffer(device, `discriminate${n}.labels`, n);
    owned.push(sample, labels);
    const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
    seq.add(concat, { x: sample, labels, out: input }, { rows: n, channels: C, classes: K, spatial: S }, 'd_input');
  }
  await D.encodeForward(seq, kernels, n, input, outputs, activations, 'eval');
  return { n, sample, labels, outputs, owned, sequence: seq.build() };
}

export function destroyInference(p: Sampler | Discriminator): void {
  for (const b of p.owned) b.destroy();
  if ('draw' in p) {
    p.draw.destroy();
    p.forward.destroy();
  } else {
    p.sequence.destroy();
  }
}
