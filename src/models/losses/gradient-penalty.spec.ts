// Gradient penalties (WGAN-GP, R1): the float64 double backward against finite
// differences of the penalty computed from first-order gradients alone, on
// odd shapes with every activation, convolutions and spectral norm (gains too); whole
// training steps on the GPU against the CPU trainer; and the refusals.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { numericGradient } from '../../../test/support/gradcheck.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { referencePenalty } from '../../reference/gradient-penalty.js';
import { referenceBackward, referenceForward, referenceNet } from '../../reference/net.js';
import { GanConfigError, resolveGanConfig, type GanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { BatchNorm, Conv2d, ConvTranspose2d, ELU, Flatten, LeakyReLU, Linear, Sigmoid, Tanh, Unflatten, type Layer } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { penaltyRows, type ResolvedPenalty } from './gradient-penalty.js';

/** imageCols: the columns the norm covers (a conditional critic's label planes follow them). */
const CRITICS: { name: string; layers: Layer[]; inputShape?: [number, number, number]; imageCols?: number }[] = [
  { name: 'MLP ELU/tanh/sigmoid', layers: [Linear(5, 7), ELU(0.7), Linear(7, 6), Tanh(), Linear(6, 3), Sigmoid(), Linear(3, 1)] },
  { name: 'MLP LeakyReLU, spectral norm', layers: [Linear(5, 6, { spectralNorm: true }), LeakyReLU(0.2), Linear(6, 1, { spectralNorm: true })] },
  { name: 'MLP ELU, spectral norm with gains 2.5 and 0.7', layers: [Linear(5, 6, { spectralNorm: { gain: 2.5 } }), ELU(), Linear(6, 1, { spectralNorm: { gain: 0.7 } })] },
  {
    name: 'Conv2d ELU → ConvTranspose2d tanh → Linear',
    layers: [Conv2d(2, 3, 3, { stride: 2, padding: 1 }), ELU(), ConvTranspose2d(3, 2, 2), Tanh(), Flatten(), Linear(2 * 4 * 4, 1)],
    inputShape: [2, 5, 5],
  },
  // A conditional conv critic: 1 sample channel and 2 label planes of 5×5; ∇ₓ over the first 25 columns.
  {
    name: 'conditional Conv2d LeakyReLU → Linear (label planes left out)',
    layers: [Conv2d(3, 2, 3, { stride: 2, padding: 1 }), LeakyReLU(0.2), Flatten(), Linear(2 * 3 * 3, 1)],
    inputShape: [3, 5, 5],
    imageCols: 25,
  },
  // A conditional MLP critic: 4 features and 3 one-hot values.
  { name: 'conditional MLP ELU (one-hot columns left out)', layers: [Linear(7, 6), ELU(), Linear(6, 1)], imageCols: 4 },
];
const PENALTIES: ResolvedPenalty[] = [
  { name: 'wgan-gp', weight: 10 },
  { name: 'r1', weight: 3 },
];

for (const critic of CRITICS) {
  for (const r of PENALTIES) {
    test(`the double backward of ${r.name} matches finite differences of the first-order penalty: ${critic.name}`, () => {
      const D = new Sequential('critic', critic.layers, critic.inputShape ? { inputShape: critic.inputShape } : {});
      const rows = 3;
      const X = D.inputSize;
      const imageCols = critic.imageCols ?? X;
      const x = Float64Array.from(randomArray(rows * X, X, -1.5, 1.5));
      const params = Float64Array.from(D.initialParameters(7)).map((v) => 2 * v); // bigger weights: curvier activations
      const buffers = Float64Array.from(D.initialBuffers());
      // P(θ) from the input gradient of the first-order reference alone.
      const penaltyAt = (p: Float64Array) => {
        const state = { params: p, buffers: Float64Array.from(buffers) };
        const trace = referenceForward(D, state, x, rows, 'train', 1);
        const g = referenceBackward(D, trace, new Float64Array(rows).fill(1), null);
        // The norm over the sample's columns only, written out here rather than through penaltyRows' imageCols.
        const sample = g.filter((_, i) => i % X < imageCols);
        return penaltyRows(sample, rows, imageCols, r).penalty;
      };
      const got = referencePenalty(D, referenceNet(D, params, buffers), x, rows, r, imageCols);
      expect(got.penalty).toBeCloseTo(penaltyAt(params), 12);
      expect(got.penalty).toBeGreaterThan(0);
      const numeric = numericGradient(penaltyAt, params, 1e-6);
      expectClose(got.grads, numeric, { atol: 1e-6, rtol: 1e-5 }, `∂P/∂θ (${critic.name}, ${r.name})`);
      expect(Math.max(...got.grads.map(Math.abs))).toBeGreaterThan(1e-3); // not trivially zero
    });
  }
}

interface PenaltySpec {
  data: number[];
  cols: number;
  /** A conditional GAN: the class of each data row. */
  condition?: { classes: number; labels: number[] };
  /** D's optimizer, when not Adam lr 1e-2. */
  optimizerD?: { name: 'sgd'; lr: number; momentum: number };
  gLayers: Layer[];
  dLayers: Layer[];
  dInputShape: [number, number, number] | null;
  loss: 'wasserstein' | 'bce';
  penalty: 'wgan-gp' | 'r1';
  weight: number;
}

const MLP_GP: PenaltySpec = {
  data: randomArray(13 * 4, 8, -1, 1),
  cols: 4,
  gLayers: [Linear(3, 6), ELU(), Linear(6, 4), Tanh()],
  dLayers: [Linear(4, 7), ELU(), Linear(7, 5), Tanh(), Linear(5, 1)],
  dInputShape: null,
  loss: 'wasserstein',
  penalty: 'wgan-gp',
  weight: 10,
};

const CONV_R1: PenaltySpec = {
  data: randomArray(9 * 36, 9, -1, 1),
  cols: 36,
  gLayers: [Linear(3, 2 * 4 * 4), ELU(), Unflatten(2, 4, 4), ConvTranspose2d(2, 1, 3), Tanh()],
  dLayers: [Conv2d(1, 3, 3, { stride: 2 }), ELU(), Flatten(), Linear(12, 1)],
  dInputShape: [1, 6, 6],
  loss: 'bce',
  penalty: 'r1',
  weight: 5,
};

const SN_GP: PenaltySpec = { ...MLP_GP, dLayers: [Linear(4, 7, { spectralNorm: true }), LeakyReLU(0.2), Linear(7, 1, { spectralNorm: true })] };

// Conditional (cdcgan's plan, K = 3): G reads [z; onehot(y)] (3 + 3), D reads [x; 3 label planes] (4, 6, 6);
// x̂ keeps the real rows' labels, and the penalty's norm leaves the label planes out.
const COND_CONV_GP: PenaltySpec = {
  ...CONV_R1,
  condition: { classes: 3, labels: Array.from({ length: 9 }, (_, i) => (i * 2) % 3) },
  gLayers: [Linear(6, 2 * 4 * 4), ELU(), Unflatten(2, 4, 4), ConvTranspose2d(2, 1, 3), Tanh()],
  dLayers: [Conv2d(4, 3, 3, { stride: 2 }), LeakyReLU(0.2), Flatten(), Linear(12, 1)],
  dInputShape: [4, 6, 6],
  loss: 'wasserstein',
  penalty: 'wgan-gp',
  weight: 10,
  // Not Adam: the weights on a label plane whose class is in neither half get a gradient of 0 in
  // float64 and of float32 rounding (~1e-8) on the GPU, which Adam's first step, g/(|g| + ε),
  // turns into a step of half the learning rate: a difference of the optimizer, not of the penalty.
  optimizerD: { name: 'sgd', lr: 1e-2, momentum: 0.9 },
};

// Conditional MLP (flat samples + 2 one-hot features), R1 on the reals.
const COND_MLP_R1: PenaltySpec = {
  ...MLP_GP,
  condition: { classes: 2, labels: Array.from({ length: 13 }, (_, i) => i % 2) },
  gLayers: [Linear(5, 6), ELU(), Linear(6, 4), Tanh()],
  dLayers: [Linear(6, 7), ELU(), Linear(7, 1)],
  loss: 'bce',
  penalty: 'r1',
  weight: 4,
};

/** Shipped to the page as source text: it may use nothing but its arguments. */
function penaltyConfig(Seq: typeof Sequential, spec: PenaltySpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers, spec.dInputShape ? { inputShape: spec.dInputShape } : {}),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / spec.cols, cols: spec.cols },
    ...(spec.condition ? { condition: { classes: spec.condition.classes, labels: Uint8Array.from(spec.condition.labels) } } : {}),
    batchSize: 5,
    dSteps: 2,
    loss: spec.loss,
    penalty: { name: spec.penalty, weight: spec.weight },
    optimizerD: spec.optimizerD ?? { lr: 1e-2 },
    optimizerG: { lr: 1e-2 },
    seed: 29,
    statsEvery: 1,
    plan: 'layered',
  };
}

for (const [name, spec] of [['MLP critic, WGAN-GP', MLP_GP], ['conv critic, R1 with BCE', CONV_R1], ['spectrally normalised critic, WGAN-GP', SN_GP], ['conditional conv critic, WGAN-GP', COND_CONV_GP], ['conditional MLP critic, R1 with BCE', COND_MLP_R1]] as const) {
  test(`a penalised GAN follows the CPU trainer over 3 steps (dSteps 2): losses with the penalty, weights (${name})`, async ({ gpu }) => {
    const config = resolveGanConfig(penaltyConfig(Sequential, spec));
    const g0 = config.generator.initialParameters(1);
    const d0 = config.discriminator.initialParameters(2);
    const ref = new ReferenceGanTrainer(config, g0, d0);
    const refLossD: number[] = [];
    // The statistics report the mean D loss of a step's D updates.
    for (let i = 0; i < 3; i++) refLossD.push(ref.trainStep().lossD.reduce((a, b) => a + b) / 2);
    const run = await trainOnGpu(gpu, { makeConfig: penaltyConfig, spec, g0, d0, chunks: [3] });
    const got = { plan: run.plan, lossD: run.losses.map((l) => l.lossD), d: run.snapshots[0].d, g: run.snapshots[0].g };
    expect(got.plan).toBe('layered');
    expectClose(got.lossD, refLossD, { atol: 1e-4, rtol: 1e-3 }, 'D loss with the penalty');
    expectClose(got.d, ref.discriminatorParams, { atol: 5e-5, rtol: 5e-4 }, 'D weights');
    expectClose(got.g, ref.generatorParams, { atol: 5e-5, rtol: 5e-4 }, 'G weights');
    // The penalty took part: without it D ends elsewhere.
    const { penalty: _, ...plain } = penaltyConfig(Sequential, spec);
    const refPlain = new ReferenceGanTrainer(resolveGanConfig(plain), g0, d0);
    for (let i = 0; i < 3; i++) refPlain.trainStep();
    const diff = ref.discriminatorParams.reduce((m, v, i) => Math.max(m, Math.abs(v - refPlain.discriminatorParams[i])), 0);
    expect(diff).toBeGreaterThan(1e-4);
  });
}

test('penalty: named errors before any GPU work, and the fused plan says it does not run it', () => {
  const base = penaltyConfig(Sequential, MLP_GP);
  const error = (c: GanConfig) => {
    try {
      resolveGanConfig(c);
    } catch (e) {
      expect(e).toBeInstanceOf(GanConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  const bn = new Sequential('critic', [Linear(4, 8), BatchNorm(8), LeakyReLU(0.2), Linear(8, 1)]);
  expect(error({ ...base, discriminator: bn })).toBe(
    "penalty 'wgan-gp': discriminator 'critic' layer 1 is batchnorm: a gradient penalty cannot go through it, since its batch statistics tie every sample's input gradient to the others. Remove it (the WGAN-GP paper's critic has no normalisation) or use spectral norm instead",
  );
  expect(error({ ...base, penalty: 'gp' as never })).toBe("penalty.name must be 'wgan-gp' or 'r1', got \"gp\"");
  expect(error({ ...base, penalty: { name: 'r1', weight: -1 } })).toBe('penalty.weight must be a finite number > 0, got -1');
  expect(error({ ...base, penalty: { name: 'r1', gamma: 1 } as never })).toBe('penalty has unknown option(s) gamma; it takes name, weight');
  expect(resolveGanConfig({ ...base, penalty: 'r1' }).penalty).toEqual({ name: 'r1', weight: 10 });
  const flat = { ...base, generator: new Sequential('g', [Linear(3, 4)]), discriminator: new Sequential('d', [Linear(4, 1)]), loss: 'bce' as const };
  expect(fusedMlpIneligibility(resolveGanConfig(flat), { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits)).toBe(
    "the fused plan does not run a gradient penalty ('wgan-gp')",
  );
});

test('spectral norm and a gradient penalty create nothing per step: after warm-up, 12 gaussian1d steps create no buffer, bind group, layout, pipeline or shader', async ({ gpu }) => {
  const result = await gpu.page.evaluate(async () => {
    const { lib, ctx, counts } = window.harness;
    const { realLabel: _, ...preset } = lib.presets.gaussian1d({ batchSize: 16 }); // label smoothing is BCE's
    const config = { ...preset, loss: 'wasserstein' as const, penalty: 'wgan-gp' as const, spectralNorm: 'both' as const, statsEvery: 4 };
    const trainer = await lib.GanTrainer.create(ctx, config);
    await trainer.train(3);
    const before = { ...counts };
    await trainer.train(12, { stepsPerSubmit: 4 });
    const after = { ...counts };
    const step = trainer.latestStats?.step ?? -1;
    trainer.dispose();
    return { before, after, step };
  });
  expect(result.step).toBe(15);
  expect(result.before.createBindGroup).toBeGreaterThan(0); // the counters do count
  expect(result.after).toEqual(result.before);
});
