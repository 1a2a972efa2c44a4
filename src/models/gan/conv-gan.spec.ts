// Conv / transposed-conv / batch-norm layers in Sequential: whole training
// steps on the GPU against the float64 CPU trainer, and shape validation.
import { test, expect } from '../../../test/support/fixtures.js';
import { compareArrays, expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { outputOf, referenceForward, referenceNet } from '../../reference/net.js';
import { resolveGanConfig, type GanConfig } from './config.js';
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  LeakyReLU,
  Linear,
  ReLU,
  Tanh,
  Unflatten,
  type Layer,
} from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { LayerConfigError } from '../layers/layer.js';

// G: z (4) → Linear 72 → BatchNorm1d → ReLU → (8, 3, 3) → ConvT 8→4 k4 s2 p1 (6×6) → BN2d → ReLU → ConvT 4→1 k4 s2 p1 (12×12) → Tanh
const G_LAYERS: Layer[] = [
  Linear(4, 8 * 3 * 3, { bias: false }),
  BatchNorm(8 * 3 * 3),
  ReLU(),
  Unflatten(8, 3, 3),
  ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1, bias: false }),
  BatchNorm(4),
  ReLU(),
  ConvTranspose2d(4, 1, 4, { stride: 2, padding: 1 }),
  Tanh(),
];
// D: (1, 12, 12) → Conv 1→4 k4 s2 p1 (6×6) → LeakyReLU → Conv 4→8 k4 s2 p1 (3×3), no bias → BN2d → LeakyReLU → Flatten → Linear 72 → 1
const D_LAYERS: Layer[] = [
  Conv2d(1, 4, 4, { stride: 2, padding: 1 }),
  LeakyReLU(0.2),
  Conv2d(4, 8, 4, { stride: 2, padding: 1, bias: false }),
  BatchNorm(8),
  LeakyReLU(0.2),
  Flatten(),
  Linear(8 * 3 * 3, 1),
];
const DATA_ROWS = 7;
const DATA = randomArray(DATA_ROWS * 144, 5, -1, 1);

interface ConvSpec {
  gLayers: Layer[];
  dLayers: Layer[];
  data: number[];
}

function convConfig(Seq: typeof Sequential, spec: ConvSpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers, { inputShape: [1, 12, 12] }),
    // Uniform noise: the GPU's uniform draws equal the CPU's to float32
    // rounding, while its normals differ by up to ~3e-3 (f32 Box–Muller, see
    // random.spec.ts), which batch norm over 3 samples would carry into
    // every gradient at ~1e-3 and drown the kernels' own agreement.
    noise: { distribution: 'uniform', low: -1, high: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 144, cols: 144 },
    batchSize: 3,
    dSteps: 1,
    optimizerD: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    optimizerG: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    realLabel: 1,
    seed: 4321,
    statsEvery: 1,
  };
}

test('2 full steps of a tiny conv GAN with BN in training mode: losses, every gradient and the weights match the CPU trainer', async ({ gpu }) => {
  const spec: ConvSpec = { gLayers: G_LAYERS, dLayers: D_LAYERS, data: DATA };
  const config = resolveGanConfig(convConfig(Sequential, spec));
  expect(config.generator.outputShape).toEqual([1, 12, 12]);
  expect(config.generator.parameters.map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual([
    '0.weight:72x4',
    '1.weight:72',
    '1.bias:72',
    '4.weight:8x4x4x4',
    '5.weight:4',
    '5.bias:4',
    '7.weight:4x1x4x4',
    '7.bias:1',
  ]);
  expect(config.discriminator.parameters.map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual([
    '0.weight:4x1x4x4',
    '0.bias:4',
    '2.weight:8x4x4x4',
    '3.weight:8',
    '3.bias:8',
    '6.weight:1x72',
    '6.bias:1',
  ]);
  // Activations fuse into the stage before them; Unflatten / Flatten make no stage.
  expect(config.generator.stages.map((s) => `${s.module.type}:${s.activation}`)).toEqual([
    'linear:none',
    'batchnorm:relu',
    'convTranspose2d:none',
    'batchnorm:relu',
    'convTranspose2d:tanh',
  ]);
  expect(config.discriminator.stages.map((s) => `${s.module.type}:${s.activation}`)).toEqual([
    'conv2d:leakyRelu',
    'conv2d:none',
    'batchnorm:leakyRelu',
    'linear:none',
  ]);
  const g0 = config.generator.initialParameters(11);
  const d0 = config.discriminator.initialParameters(12);

  const run = await trainOnGpu(gpu, { makeConfig: convConfig, spec, g0, d0, chunks: [1, 1] });
  const gpuRun = { ...run.snapshots[1], first: run.snapshots[0], losses: run.losses, counters: run.counters };

  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = [ref.trainStep()];
  const refFirst = { g: ref.generatorParams.slice(), d: ref.discriminatorParams.slice(), dg: ref.lastGradsG, dd: ref.lastGradsD };
  refLosses.push(ref.trainStep());
  expect(gpuRun.counters).toEqual({ step: 2, halted: false });
  expect(gpuRun.losses).toHaveLength(2);
  // float32 (GPU) vs float64 (CPU). Measured worst |Δ| on SwiftShader:
  // gradients of step 1 (same weights on both sides) 4e-6, of step 2 1e-5
  // (the weights already differ by Adam's float32 step: with eps = 1e-3 a
  // gradient error δ moves a weight by up to lr·δ/eps = 10·δ), weights after
  // 2 steps 4e-6. Tolerances about 3× those.
  const lossTol = { atol: 1e-5, rtol: 1e-4 };
  const gradTol = { atol: 3e-5, rtol: 1e-4 };
  const weightTol = { atol: 1.5e-5, rtol: 1e-4 };
  expectClose(gpuRun.losses.map((l) => l.lossD), refLosses.map((l) => l.lossD[0]), lossTol, 'D loss per step');
  expectClose(gpuRun.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), lossTol, 'G loss per step');
  expectClose(gpuRun.first.dd, refFirst.dd, gradTol, 'dD (step 1)');
  expectClose(gpuRun.first.dg, refFirst.dg, gradTol, 'dG (step 1)');
  expectClose(gpuRun.dd, ref.lastGradsD, gradTol, 'dD (step 2)');
  expectClose(gpuRun.dg, ref.lastGradsG, gradTol, 'dG (step 2)');
  expectClose(gpuRun.d, ref.discriminatorParams, weightTol, 'D weights after 2 steps');
  expectClose(gpuRun.g, ref.generatorParams, weightTol, 'G weights after 2 steps');
  // Every gradient tensor was written (non-zero somewhere), and the weights moved.
  for (const [net, grads] of [[config.generator, gpuRun.first.dg], [config.discriminator, gpuRun.first.dd]] as const) {
    for (const t of net.parameters) {
      expect(grads.slice(t.offset, t.offset + t.size).some((v) => v !== 0), `${net.name} ${t.name} gradient`).toBe(true);
    }
  }
  expect(compareArrays(gpuRun.g, g0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
  expect(compareArrays(gpuRun.d, d0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
});

// The conditional version (cdcgan's plan): G reads [z; onehot(y)], D reads the
// image with K = 3 label planes; 3 classes over 7 rows, dSteps 2.
const K = 3;
const LABELS = [0, 2, 1, 1, 0, 2, 2];
const CG_LAYERS: Layer[] = [Linear(4 + K, 8 * 3 * 3, { bias: false }), ...G_LAYERS.slice(1)];
const CD_LAYERS: Layer[] = [Conv2d(1 + K, 4, 4, { stride: 2, padding: 1 }), ...D_LAYERS.slice(1)];

interface CondSpec extends ConvSpec {
  labels: number[];
  classes: number;
}

function condConfig(Seq: typeof Sequential, spec: CondSpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers, { inputShape: [1 + spec.classes, 12, 12] }),
    noise: { distribution: 'uniform', low: -1, high: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 144, cols: 144 },
    condition: { classes: spec.classes, labels: Uint8Array.from(spec.labels) },
    batchSize: 3,
    dSteps: 2,
    optimizerD: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    optimizerG: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    seed: 97,
    statsEvery: 1,
  };
}

test('2 full steps of a tiny conditional conv GAN (K=3 label planes, dSteps 2, BN): losses, gradients, weights match the CPU trainer', async ({ gpu }) => {
  const spec: CondSpec = { gLayers: CG_LAYERS, dLayers: CD_LAYERS, data: DATA, labels: LABELS, classes: K };
  const config = resolveGanConfig(condConfig(Sequential, spec));
  expect(config.shapes).toEqual({ noise: 4, sample: 144, classes: 3, channels: 1, spatial: 144 });
  const g0 = config.generator.initialParameters(21);
  const d0 = config.discriminator.initialParameters(22);
  const run = await trainOnGpu(gpu, { makeConfig: condConfig, spec, g0, d0, chunks: [1, 1] });
  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = [ref.trainStep(), ref.trainStep()];
  expect(run.counters).toEqual({ step: 2, halted: false });
  // Same tolerances and reasons as the unconditional test above.
  const lossTol = { atol: 1e-5, rtol: 1e-4 };
  const gradTol = { atol: 3e-5, rtol: 1e-4 };
  const weightTol = { atol: 1.5e-5, rtol: 1e-4 };
  // Stats report the mean over the step's D updates.
  const refMeanD = refLosses.map((l) => (l.lossD[0] + l.lossD[1]) / 2);
  expectClose(run.losses.map((l) => l.lossD), refMeanD, lossTol, 'D loss per step (mean of 2 updates)');
  expectClose(run.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), lossTol, 'G loss per step');
  const last = run.snapshots[1];
  expectClose(last.dd, ref.lastGradsD, gradTol, 'dD (step 2, second D update)');
  expectClose(last.dg, ref.lastGradsG, gradTol, 'dG (step 2)');
  expectClose(last.d, ref.discriminatorParams, weightTol, 'D weights after 2 steps');
  expectClose(last.g, ref.generatorParams, weightTol, 'G weights after 2 steps');
  // The label planes reach D's first conv: its weights over label channels got gradient.
  const w0 = config.discriminator.parameters[0];
  const perOut = (1 + K) * 16;
  const labelGrad = last.dd.slice(w0.offset, w0.offset + w0.size).filter((_, i) => i % perOut >= 16);
  expect(labelGrad.some((v) => v !== 0)).toBe(true);
});

// The flat-sample path (a conditional MLP GAN): D's input is [x; onehot(y)]
// and G's output gradient is copied out of D's input gradient (concat_labels_backward_input).
interface MlpCondSpec {
  data: number[];
  labels: number[];
}
function mlpCondConfig(Seq: typeof Sequential, spec: MlpCondSpec): GanConfig {
  return {
    generator: new Seq('generator', [
      { type: 'linear', inFeatures: 5, outFeatures: 6, bias: true },
      { type: 'activation', activation: 'relu', slope: 0 },
      { type: 'linear', inFeatures: 6, outFeatures: 4, bias: true },
      { type: 'activation', activation: 'tanh', slope: 0 },
    ]),
    discriminator: new Seq('discriminator', [
      { type: 'linear', inFeatures: 6, outFeatures: 5, bias: true },
      { type: 'activation', activation: 'leakyRelu', slope: 0.2 },
      { type: 'linear', inFeatures: 5, outFeatures: 1, bias: true },
    ]),
    noise: { distribution: 'uniform', low: -1, high: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 4, cols: 4 },
    condition: { classes: 2, labels: Uint8Array.from(spec.labels) },
    batchSize: 3,
    optimizerD: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    optimizerG: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    seed: 5,
    statsEvery: 1,
  };
}

test('2 full steps of a tiny conditional MLP GAN (flat samples + 2 one-hot features): losses, gradients, weights match the CPU trainer', async ({ gpu }) => {
  const spec: MlpCondSpec = { data: randomArray(7 * 4, 41, -1, 1), labels: [1, 0, 0, 1, 1, 0, 1] };
  const config = resolveGanConfig(mlpCondConfig(Sequential, spec));
  expect(config.shapes).toEqual({ noise: 3, sample: 4, classes: 2, channels: 4, spatial: 1 });
  const g0 = config.generator.initialParameters(1);
  const d0 = config.discriminator.initialParameters(2);
  const run = await trainOnGpu(gpu, { makeConfig: mlpCondConfig, spec, g0, d0, chunks: [2] });
  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = [ref.trainStep(), ref.trainStep()];
  const tol = { atol: 2e-5, rtol: 1e-4 };
  expectClose(run.losses.map((l) => l.lossD), refLosses.map((l) => l.lossD[0]), tol, 'D loss per step');
  expectClose(run.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), tol, 'G loss per step');
  expectClose(run.snapshots[0].dg, ref.lastGradsG, tol, 'dG (step 2)');
  expectClose(run.snapshots[0].g, ref.generatorParams, tol, 'G weights after 2 steps');
  expectClose(run.snapshots[0].d, ref.discriminatorParams, tol, 'D weights after 2 steps');
});

test('eval mode: generate() and discriminate() with labels equal the CPU eval forward with the GPU running statistics; sampling changes nothing', async ({ gpu }) => {
  const spec: CondSpec = { gLayers: CG_LAYERS, dLayers: CD_LAYERS, data: DATA, labels: LABELS, classes: K };
  const config = resolveGanConfig(condConfig(Sequential, spec));
  const noise = randomArray(5 * 4, 31, -1, 1);
  const labels = [2, 0, 1, 2, 1];
  const images = randomArray(5 * 144, 32, -1, 1);
  const got = await gpu.page.evaluate(
    async ({ spec, noise, labels, images, configSource }) => {
      const { lib, ctx } = window.harness;
      const make = new Function('Seq', 'spec', `return (${configSource})(Seq, spec);`);
      const trainer = await lib.GanTrainer.create(ctx, make(lib.Sequential, spec));
      await trainer.train(3);
      const read = async () => ({
        g: Array.from(await trainer.readParameters('generator')),
        d: Array.from(await trainer.readParameters('discriminator')),
        rg: Array.from(await trainer.readBuffers('generator')),
        rd: Array.from(await trainer.readBuffers('discriminator')),
      });
      const before = await read();
      const fake = Array.from(await trainer.generate(Float32Array.from(noise), { labels }));
      const probs = Array.from(await trainer.discriminate(Float32Array.from(images), { labels }));
      const sampled = await trainer.sample(5);
      const after = await read();
      const errors: string[] = [];
      for (const bad of [() => trainer.sample(2, { labels: [0, 3] }), () => trainer.generate(Float32Array.from(noise), { labels: [1] })]) {
        await bad().then(() => errors.push('no error'), (e: Error) => errors.push(e.message));
      }
      trainer.dispose();
      return { before, after, fake, probs, sampledLength: sampled.length, errors };
    },
    { spec, noise: Array.from(noise), labels, images: Array.from(images), configSource: condConfig.toString() },
  );
  expect(got.after).toEqual(got.before); // eval mode updates no running statistics
  expect(got.before.rg.some((v, i) => v !== config.generator.initialBuffers()[i])).toBe(true); // training did
  const gIn = new Float64Array(5 * (4 + K));
  labels.forEach((y, n) => {
    gIn.set(noise.slice(n * 4, n * 4 + 4), n * (4 + K));
    gIn[n * (4 + K) + 4 + y] = 1;
  });
  const evalForward = (net: Sequential, params: number[], running: number[], input: Float64Array) => {
    return outputOf(referenceForward(net, referenceNet(net, Float32Array.from(params), Float32Array.from(running)), input, 5, 'eval'));
  };
  expectClose(got.fake, evalForward(config.generator, got.before.g, got.before.rg, gIn), { atol: 2e-5, rtol: 1e-4 }, 'generate (eval)');
  const dIn = new Float64Array(5 * (1 + K) * 144);
  labels.forEach((y, n) => {
    dIn.set(images.slice(n * 144, (n + 1) * 144), n * (1 + K) * 144);
    dIn.fill(1, (n * (1 + K) + 1 + y) * 144, (n * (1 + K) + 2 + y) * 144);
  });
  const logits = evalForward(config.discriminator, got.before.d, got.before.rd, dIn);
  expectClose(got.probs, Array.from(logits, (l) => 1 / (1 + Math.exp(-l))), { atol: 2e-5, rtol: 1e-4 }, 'discriminate (eval)');
  expect(got.sampledLength).toBe(5 * 144);
  expect(got.errors[0]).toMatch(/labels\[1\] is 3, expected an integer class in 0…2/);
  expect(got.errors[1]).toMatch(/expected 5 labels \(one per row\), got 1/);
});

test('conditioning is validated: the D input must have room for the label planes, labels must fit the classes', () => {
  const spec: CondSpec = { gLayers: CG_LAYERS, dLayers: CD_LAYERS, data: DATA, labels: LABELS, classes: K };
  const bad = (patch: Partial<GanConfig>) => () => resolveGanConfig({ ...condConfig(Sequential, spec), ...patch });
  expect(bad({ discriminator: new Sequential('D', D_LAYERS, { inputShape: [1, 12, 12] }) })).toThrow(
    /discriminator 'D' must take 576 \(its 1 channel\(s\) of 144 position\(s\) plus 3 label plane\(s\)\), but it expects 144/,
  );
  expect(bad({ condition: { classes: 3, labels: Uint8Array.from([0, 1, 2, 3, 0, 0, 0]) } })).toThrow(/condition.labels\[3\] is 3, outside 0…2/);
  expect(bad({ condition: { classes: 3, labels: Uint8Array.from([0, 1]) } })).toThrow(/one label per dataset row \(7\), got a Uint8Array of 2 elements/);
  expect(bad({ data: { kind: 'normal', mean: 0, std: 1 } })).toThrow(/needs a dataset with labels/);
});

test('conv / batch-norm shapes are validated with the layer index and the shapes', () => {
  const err = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(LayerConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  expect(err(() => new Sequential('D', [Conv2d(1, 4, 4)]))).toMatch(/inputShape/);
  expect(err(() => new Sequential('D', [Conv2d(3, 4, 4)], { inputShape: [1, 12, 12] }))).toMatch(
    /D layer 0 \(Conv2d 3→4, k4 s1 p0\): expects 3 input channels but gets \(1, 12, 12\)/,
  );
  expect(err(() => new Sequential('D', [Conv2d(1, 4, 4), Linear(36, 1)], { inputShape: [1, 6, 6] }))).toMatch(
    /D layer 1 \(Linear 36→1\): expects flat features but gets an image \(4, 3, 3\); add Flatten\(\)/,
  );
  expect(err(() => new Sequential('G', [Linear(4, 70), Unflatten(8, 3, 3)]))).toMatch(/G layer 1 \(Unflatten\(8, 3, 3\)\): needs 72 features but gets 70/);
  expect(err(() => new Sequential('G', [Linear(4, 72), Unflatten(8, 3, 3), BatchNorm(4)]))).toMatch(
    /G layer 2 \(BatchNorm\(4\)\): expects 4 channels but gets \(8, 3, 3\)/,
  );
  expect(err(() => new Sequential('G', [Linear(4, 72), ConvTranspose2d(8, 4, 4)]))).toMatch(/G layer 1 .*expects an image/);
  expect(err(() => new Sequential('D', [Conv2d(1, 4, 8)], { inputShape: [1, 4, 4] }))).toMatch(/empty output/);
});
