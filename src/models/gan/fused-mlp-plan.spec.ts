// The fused-mlp step plan (fused_mlp_gan.wgsl: one dispatch per optimizer
// phase) against the float64 CPU trainer on shapes that are not multiples of
// its 16 × 16 tiles, with lone activations, both noise and both data kinds;
// and which plan a config gets. test/trainer.spec.ts runs its other whole-step
// checks (parity, no per-step creation, halting) in both plans.
import { test, expect } from '../../../test/support/fixtures.js';
import { compareArrays, expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { resolveGanConfig, type GanConfig } from './config.js';
import { fusedMlpIneligibility, FUSED_MLP_MAX_MACS, stepMacs } from './fused-mlp-eligibility.js';
import { ELU, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, type Layer } from '../layers/index.js';
import * as presets from '../../presets/presets.js';
import { Sequential } from '../layers/sequential.js';

interface OddSpec {
  gLayers: Layer[];
  dLayers: Layer[];
  batchSize: number;
  noise: GanConfig['noise'];
  data: { kind: 'normal'; mean: number; std: number } | { kind: 'dataset'; values: number[]; cols: number };
  dSteps: number;
}

function oddConfig(Seq: typeof Sequential, spec: OddSpec): GanConfig {
  const d = spec.data;
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: spec.noise,
    data: d.kind === 'normal' ? d : { kind: 'dataset', values: Float32Array.from(d.values), rows: d.values.length / d.cols, cols: d.cols },
    batchSize: spec.batchSize,
    dSteps: spec.dSteps,
    optimizerD: { lr: 5e-3, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: 4e-3, beta1: 0.9, beta2: 0.99, weightDecay: 1e-3 },
    realLabel: 0.9,
    seed: 77,
    statsEvery: 1,
    plan: 'fused-mlp',
  };
}

const CASES: { name: string; spec: OddSpec }[] = [
  {
    // Lone activations (Tanh after Sigmoid; D starts with one), a bias-free layer, a dataset, normal noise.
    name: 'batch=21, dSteps=2, G 2-9-3 ReLU/Sigmoid+Tanh, D Tanh-3-13-1 ELU, dataset (37, 3), normal noise',
    spec: {
      gLayers: [Linear(2, 9), ReLU(), Linear(9, 3, { bias: false }), Sigmoid(), Tanh()],
      dLayers: [Tanh(), Linear(3, 13), ELU(0.8), Linear(13, 1)],
      batchSize: 21,
      noise: { distribution: 'normal', mean: 0.1, std: 0.9 },
      data: { kind: 'dataset', values: randomArray(37 * 3, 5, -1, 1), cols: 3 },
      dSteps: 2,
    },
  },
  {
    // gaussian1d's form at widths past one 16-wide tile: 1-17-19-1 and 1-19-33-1, batch 37.
    name: 'batch=37, G 1-17-19-1 ELU/LeakyReLU, D 1-19-33-1 LeakyReLU/ELU, N(4, 1.25) data, uniform noise',
    spec: {
      gLayers: [Linear(1, 17), ELU(), Linear(17, 19), LeakyReLU(0.3), Linear(19, 1)],
      dLayers: [Linear(1, 19), LeakyReLU(0.2), Linear(19, 33), ELU(), Linear(33, 1)],
      batchSize: 37,
      noise: { distribution: 'uniform', low: -0.5, high: 1.5 },
      data: { kind: 'normal', mean: 4, std: 1.25 },
      dSteps: 1,
    },
  },
];

for (const { name, spec } of CASES) for (const entry of ['narrow', 'wide'] as const) {
  test(`fused-mlp parity, 2 steps, entry=${entry}: ${name}: losses, every gradient and the weights match the CPU trainer`, async ({ gpu }) => {
    const config = resolveGanConfig(oddConfig(Sequential, spec));
    const g0 = config.generator.initialParameters(3);
    const d0 = config.discriminator.initialParameters(4);
    // 'wide' runs the GPU entry (64 invocations) on this CPU adapter, through a context that takes it for a GPU.
    const run = await trainOnGpu(gpu, { makeConfig: oddConfig, spec, g0, d0, chunks: [1, 1], asHardwareAdapter: entry === 'wide' });
    expect(run.plan).toBe('fused-mlp');
    expect(run.softwareAdapter).toBe(entry === 'narrow');
    expect(run.counters).toEqual({ step: 2, halted: false });

    const ref = new ReferenceGanTrainer(config, g0, d0);
    const tol = { atol: 3e-5, rtol: 2e-4 };
    for (let step = 0; step < 2; step++) {
      const losses = ref.trainStep();
      const got = run.snapshots[step];
      const meanD = losses.lossD.reduce((a, b) => a + b) / losses.lossD.length;
      expectClose([run.losses[step].lossD, run.losses[step].lossG], [meanD, losses.lossG], tol, `losses (D, G), step ${step}`);
      expectClose(got.dd, ref.lastGradsD, tol, `dD, step ${step}`);
      expectClose(got.dg, ref.lastGradsG, tol, `dG, step ${step}`);
      expectClose(got.d, ref.discriminatorParams, tol, `D weights after step ${step}`);
      expectClose(got.g, ref.generatorParams, tol, `G weights after step ${step}`);
    }
    expect(compareArrays(run.snapshots[1].g, g0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
  });
}

test('plan auto: gaussian1d, sine and the 2-D sets train fused (fusedMlpIneligibility below says why the others do not)', async ({ gpu }) => {
  const plans = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const configs = { gaussian1d: lib.presets.gaussian1d(), sine: lib.presets.sine(), ring8: lib.presets.preset('ring8') };
    const out: Record<string, string> = {};
    for (const [name, config] of Object.entries(configs)) {
      const trainer = await lib.GanTrainer.create(ctx, config);
      out[name] = `${trainer.plan}, ${trainer.dispatchesPerStep} dispatches`;
      trainer.dispose();
    }
    return out;
  });
  expect(plans.gaussian1d).toBe('fused-mlp, 2 dispatches');
  expect(plans.sine).toBe('fused-mlp, 2 dispatches');
  expect(plans.ring8).toBe('fused-mlp, 2 dispatches');
});

test('after fused training, sample() and discriminate() (layered eval kernels) read the fused-trained weights', async ({ gpu }) => {
  const result = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const fused = await lib.GanTrainer.create(ctx, { ...lib.presets.gaussian1d({ batchSize: 32 }), plan: 'fused-mlp' });
    const layered = await lib.GanTrainer.create(ctx, { ...lib.presets.gaussian1d({ batchSize: 32 }), plan: 'layered' });
    await fused.train(30);
    await layered.train(30);
    const x = Float32Array.from({ length: 16 }, (_, i) => i * 0.5);
    const out = {
      samples: [Array.from(await fused.sample(64)), Array.from(await layered.sample(64))],
      probs: [Array.from(await fused.discriminate(x)), Array.from(await layered.discriminate(x))],
    };
    fused.dispose();
    layered.dispose();
    return out;
  });
  // Same seed, same draws, same math in another summation order: the two plans agree closely after 30 steps.
  expectClose(result.samples[0], result.samples[1], { atol: 2e-3, rtol: 2e-3 }, 'G samples, fused vs layered');
  expectClose(result.probs[0], result.probs[1], { atol: 2e-3, rtol: 2e-3 }, 'D(x), fused vs layered');
});

test('plan choice is explained: fused-mlp refuses conv and conditional nets, a small storage-buffer limit and too big a step', async ({ gpu }) => {
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 30 } as GPUSupportedLimits;
  const gaussian = resolveGanConfig(presets.gaussian1d());
  expect(fusedMlpIneligibility(gaussian, limits)).toBeNull();
  expect(stepMacs(gaussian)).toBe(100 * (2600 + 6 * 2600) + 100 * (3 * 2600 + 2 * 2600));
  expect(fusedMlpIneligibility(gaussian, { ...limits, maxStorageBuffersPerShaderStage: 8 })).toMatch(/allows 8 storage buffers per shader stage; the fused kernel binds 10/);
  const wide = resolveGanConfig({ ...presets.gaussian1d({ batchSize: 4096 }) });
  expect(stepMacs(wide)).toBeGreaterThan(FUSED_MLP_MAX_MACS);
  expect(fusedMlpIneligibility(wide, limits)).toMatch(/multiply-adds, more than one workgroup should run/);
  const digits = { pixels: new Float32Array(16 * 784), labels: new Uint8Array(16), rows: 16 };
  expect(fusedMlpIneligibility(resolveGanConfig(presets.dcgan28(digits, { batchSize: 4 })), limits)).toMatch(/generator 'generator' layer \d+ is \w+; the fused plan runs linear layers and activations only/);
  expect(fusedMlpIneligibility(resolveGanConfig(presets.cdcganSmall(digits, { batchSize: 4 })), limits)).toMatch(/conditional/);
  const mnistMlp = resolveGanConfig(presets.mnistMlp(digits, { batchSize: 16 }));
  expect(fusedMlpIneligibility(mnistMlp, limits)).toMatch(/multiply-adds/);

  const errors = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const digits = { pixels: new Float32Array(16 * 784), labels: new Uint8Array(16), rows: 16 };
    const messages: string[] = [];
    for (const config of [
      { ...lib.presets.dcgan28(digits, { batchSize: 4 }), plan: 'fused-mlp' as const },
      { ...lib.presets.gaussian1d(), plan: 'fastest' as unknown as 'auto' },
    ]) {
      await lib.GanTrainer.create(ctx, config).then(
        () => messages.push('created'),
        (e: Error) => messages.push(`${e.name}: ${e.message}`),
      );
    }
    return messages;
  });
  expect(errors[0]).toMatch(/^GanConfigError: plan 'fused-mlp' cannot train this GAN: generator 'generator' layer \d+ is /);
  expect(errors[1]).toBe('GanConfigError: plan must be \'auto\', \'layered\' or \'fused-mlp\', got "fastest"');
});
