// Whole training steps on the GPU, in both step plans (layered: a dispatch
// per layer and pass; fused-mlp: one dispatch per optimizer phase): parity
// with the float64 CPU trainer, nothing created per step, a non-finite loss
// halting with the last good weights, and bad input rejected before any GPU
// work. test/fused-mlp-plan.spec.ts has the fused plan's own cases.
import { test, expect } from '../../../test/support/fixtures.js';
import { compareArrays, expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { resolveGanConfig, type GanConfig } from './config.js';
import { ELU, LeakyReLU, Linear, Sigmoid, Tanh, type Layer } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';

// A tiny GAN that touches every path: fused and lone activations, a linear
// without bias, 2 D updates per G update, label smoothing, a dataset source.
const G_LAYERS: Layer[] = [Linear(3, 7), ELU(0.7), Linear(7, 5, { bias: false }), Tanh()];
const D_LAYERS: Layer[] = [Linear(5, 6), LeakyReLU(0.2), Linear(6, 6), Sigmoid(), Linear(6, 1)];
const DATA_ROWS = 11;
const DATA = randomArray(DATA_ROWS * 5, 99, -1, 1);

type Plan = 'layered' | 'fused-mlp';
const PLANS: Plan[] = ['layered', 'fused-mlp'];

interface TinySpec {
  gLayers: Layer[];
  dLayers: Layer[];
  data: number[];
  plan: Plan;
}

function tinyConfig(Seq: typeof Sequential, spec: TinySpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 5, cols: 5 },
    batchSize: 3,
    dSteps: 2,
    optimizerD: { lr: 1e-2, beta1: 0.5, beta2: 0.999, eps: 1e-3 },
    optimizerG: { lr: 2e-2, beta1: 0.5, beta2: 0.99, eps: 1e-3, weightDecay: 1e-2 },
    realLabel: 0.9,
    seed: 1234,
    statsEvery: 1,
    plan: spec.plan,
  };
}

for (const plan of PLANS) test(`plan=${plan}: GAN step parity: 3 steps, batch=3, dSteps=2, G 3-7-5 ELU/Tanh, D 5-6-6-1 LeakyReLU/Sigmoid, weights, losses and gradients match the CPU trainer`, async ({ gpu }) => {
  const spec: TinySpec = { gLayers: G_LAYERS, dLayers: D_LAYERS, data: DATA, plan };
  const config = resolveGanConfig(tinyConfig(Sequential, spec));
  const g0 = config.generator.initialParameters(7);
  const d0 = config.discriminator.initialParameters(8);

  const run = await trainOnGpu(gpu, { makeConfig: tinyConfig, spec, g0, d0, chunks: [3], stepsPerSubmit: 2 });
  const gpuRun = { ...run.snapshots[0], losses: run.losses, counters: run.counters };
  expect(run.plan).toBe(plan);

  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = [ref.trainStep(), ref.trainStep(), ref.trainStep()];
  expect(gpuRun.counters).toEqual({ step: 3, halted: false });
  expect(gpuRun.losses).toHaveLength(3);
  // float32 vs float64 through 3 steps of a net this small: agreement to ~1e-5.
  const tol = { atol: 2e-5, rtol: 1e-4 };
  expectClose(gpuRun.losses.map((l) => l.lossD), refLosses.map((l) => l.lossD.reduce((a, b) => a + b) / 2), tol, 'mean D loss per step');
  expectClose(gpuRun.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), tol, 'G loss per step');
  expectClose(gpuRun.dd, ref.lastGradsD, tol, 'dD (last D update)');
  expectClose(gpuRun.dg, ref.lastGradsG, tol, 'dG (last G update)');
  expectClose(gpuRun.d, ref.discriminatorParams, tol, 'D weights after 3 steps');
  expectClose(gpuRun.g, ref.generatorParams, tol, 'G weights after 3 steps');
  // The run must have moved the weights, or the comparison above proves little.
  expect(compareArrays(gpuRun.g, g0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
});

for (const plan of PLANS) test(`plan=${plan}: no per-step creation: after warm-up, 50 gaussian1d steps (batch=16) create no buffer, bind group, layout, pipeline or shader`, async ({ gpu }) => {
  const result = await gpu.page.evaluate(async (plan) => {
    const { lib, ctx, counts } = window.harness;
    const trainer = await lib.GanTrainer.create(ctx, { ...lib.presets.gaussian1d({ batchSize: 16 }), statsEvery: 5, plan });
    await trainer.train(5);
    const before = { ...counts };
    await trainer.train(50, { stepsPerSubmit: 4 });
    const after = { ...counts };
    const stats = trainer.latestStats;
    const dispatches = trainer.dispatchesPerStep;
    trainer.dispose();
    return { before, after, step: stats?.step ?? -1, dispatches };
  }, plan);
  expect(result.step).toBe(55);
  // Layered: per update its draws, 3 linear forwards per net, the loss, each linear's backward products and
  // the dz of its ELU, the gradient norm, the close of the update and Adam (48). Fused: one per update.
  expect(result.dispatches).toBe(plan === 'fused-mlp' ? 2 : 48);
  expect(result.before.createBuffer).toBeGreaterThan(0); // the counters do count
  expect(result.after).toEqual(result.before);
});

for (const plan of PLANS) test(`plan=${plan}: a non-finite loss halts training with NonFiniteLossError and keeps the last good weights: gaussian1d lr=1e30`, async ({ gpu }) => {
  const result = await gpu.page.evaluate(async (plan) => {
    const { lib, ctx } = window.harness;
    const config = () => ({
      ...lib.presets.gaussian1d({ batchSize: 8 }),
      optimizerD: { lr: 1e30 },
      optimizerG: { lr: 1e30 },
      statsEvery: 1,
      plan,
    });
    const trainer = await lib.GanTrainer.create(ctx, config());
    const halted: number[] = [];
    trainer.on('halted', (e) => halted.push(e.step));
    let error: { name: string; message: string; step: number; phase: string } | null = null;
    try {
      await trainer.train(20, { stepsPerSubmit: 1 });
    } catch (e) {
      const err = e as InstanceType<typeof lib.NonFiniteLossError>;
      error = { name: err.name, message: err.message, step: err.step, phase: err.phase };
    }
    const kept = { g: Array.from(await trainer.readParameters('generator')), d: Array.from(await trainer.readParameters('discriminator')) };
    let trainAgain = '';
    await trainer.train(1).catch((e: Error) => (trainAgain = e.name));
    trainer.dispose();
    // Replay the good steps on a fresh trainer: same seed, same updates.
    const replay = await lib.GanTrainer.create(ctx, config());
    if (error) await replay.train(error.step);
    const good = { g: Array.from(await replay.readParameters('generator')), d: Array.from(await replay.readParameters('discriminator')) };
    replay.dispose();
    return { error, kept, good, trainAgain, halted };
  }, plan);
  // One 'halted' event, for the step the rejection names.
  expect(result.halted).toEqual([result.error?.step]);
  expect(result.error?.name).toBe('NonFiniteLossError');
  expect(result.error?.message).toMatch(/non-finite at training step \d+/);
  expect(result.trainAgain).toBe('NonFiniteLossError');
  expect(result.kept.g.every(Number.isFinite)).toBe(true);
  expect(result.kept.d.every(Number.isFinite)).toBe(true);
  // Same seed → same updates: the kept weights are exactly those after the last good step.
  expect(result.kept.g).toEqual(result.good.g);
  if (result.error?.phase === 'discriminator') expect(result.kept.d).toEqual(result.good.d);
});

// The layered plan on kernels that write a biased linear's dw and dbias in one dispatch (the tuner's pick among
// linear_backward_weight_bias's candidates, forced by a chooser on a second context of the same device), against
// the separate dispatches (every entry's first variant): the same training to the bit, in fewer dispatches.
test('plan=layered: dw and dbias in one dispatch (a +bias candidate chosen): gaussian1d trains to the same weights and gradients to the bit, in 6 fewer dispatches per step', async ({ gpu }) => {
  const result = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    type Chooser = ConstructorParameters<typeof lib.GpuContext>[5];
    const forcing = (name: string | null) =>
      ({
        choose: async (_r: unknown, family: { tuning?: { variants: Record<string, { name: string }[] | undefined> } }, entry: string) => {
          const variants = family.tuning!.variants[entry]!;
          const v = entry === 'linear_backward_weight_bias' && name ? variants.find((c) => c.name === name) : variants[0];
          if (!v) throw new Error(`no variant ${name} of ${entry}`);
          return v;
        },
        openSession: () => () => {},
      }) as unknown as Chooser;
    const out: Record<string, { g: number[]; d: number[]; dg: number[]; dd: number[]; dispatches: number }> = {};
    for (const [name, variant] of [['separate', null], ['fused', 't4.wg16x8+bias']] as const) {
      const c = new lib.GpuContext(ctx.device, `forced ${variant}`, false, ctx.softwareAdapter, null, forcing(variant));
      const trainer = await lib.GanTrainer.create(c, { ...lib.presets.gaussian1d({ batchSize: 8, seed: 3 }), plan: 'layered' });
      await trainer.train(3, { stepsPerSubmit: 2 });
      out[name] = {
        g: Array.from(await trainer.readParameters('generator')),
        d: Array.from(await trainer.readParameters('discriminator')),
        dg: Array.from(await trainer.readGradients('generator')),
        dd: Array.from(await trainer.readGradients('discriminator')),
        dispatches: trainer.dispatchesPerStep,
      };
      trainer.dispose();
    }
    return out;
  });
  const { separate, fused } = result;
  // gaussian1d: 3 biased linears per net; a step's D update and G update each train one net (6 bias dispatches).
  expect(separate.dispatches).toBe(48);
  expect(fused.dispatches).toBe(42);
  for (const k of ['g', 'd', 'dg', 'dd'] as const) {
    expect(separate[k].every(Number.isFinite), k).toBe(true);
    expect(separate[k].some((v) => v !== 0), k).toBe(true);
    expect(fused[k], k).toEqual(separate[k]);
  }
});

// Every family of net, in each plan that can train it: after warm-up, steps create nothing.
const CREATION_CASES: { name: string; preset: string; batchSize: number; plan: Plan; steps: number }[] = [
  { name: 'MLP preset mnistMlp', preset: 'mnistMlp', batchSize: 4, plan: 'layered', steps: 4 },
  { name: 'MLP preset mnistMlp', preset: 'mnistMlp', batchSize: 1, plan: 'fused-mlp', steps: 4 },
  { name: 'conv + BatchNorm preset dcgan28', preset: 'dcgan28', batchSize: 2, plan: 'layered', steps: 3 },
  { name: 'conditional preset cdcganSmall', preset: 'cdcganSmall', batchSize: 2, plan: 'layered', steps: 3 },
];
for (const c of CREATION_CASES) {
  test(`plan=${c.plan}: no per-step creation: ${c.name} (batch=${c.batchSize}), ${c.steps} steps after warm-up create nothing`, async ({ gpu }) => {
    const result = await gpu.page.evaluate(async (c) => {
      const { lib, ctx, counts } = window.harness;
      const bytes = new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer());
      const digits = lib.presets.splitDigits(lib.presets.decodeDigits(bytes)).train;
      const config = { ...lib.presets.preset(c.preset, { digits, batchSize: c.batchSize }), statsEvery: 2, plan: c.plan };
      const trainer = await lib.GanTrainer.create(ctx, config);
      await trainer.train(2, { stepsPerSubmit: 1 });
      const before = { ...counts };
      await trainer.train(c.steps, { stepsPerSubmit: 2 });
      const after = { ...counts };
      const step = trainer.step;
      const plan = trainer.plan;
      trainer.dispose();
      return { before, after, step, plan };
    }, c);
    expect(result.plan).toBe(c.plan);
    expect(result.step).toBe(2 + c.steps);
    expect(result.after).toEqual(result.before);
  });
}

test('one halting rule in both plans: at lr 1e3 the gradients overflow while the loss is still finite, and both plans stop at the same step with finite weights', async ({ gpu }) => {
  const result = await gpu.page.evaluate(async (plans) => {
    const { lib, ctx } = window.harness;
    const out: Record<string, { step: number; phase: string; finite: boolean; counters: { step: number; halted: boolean } }> = {};
    for (const plan of plans) {
      const trainer = await lib.GanTrainer.create(ctx, { ...lib.presets.gaussian1d({ batchSize: 16 }), optimizerD: { lr: 1e3 }, optimizerG: { lr: 1e3 }, statsEvery: 1, plan });
      const error = await trainer.train(200, { stepsPerSubmit: 4 }).then(
        () => null,
        (e: InstanceType<typeof lib.NonFiniteLossError>) => e,
      );
      const weights = [...(await trainer.readParameters('generator')), ...(await trainer.readParameters('discriminator'))];
      out[plan] = { step: error?.step ?? -1, phase: error?.phase ?? 'none', finite: weights.every(Number.isFinite), counters: await trainer.readCounters() };
      trainer.dispose();
    }
    return out;
  }, PLANS);
  const fused = result['fused-mlp'];
  const layered = result.layered;
  expect(fused.step, 'the fused plan halts').toBeGreaterThan(0);
  expect(layered).toEqual(fused);
  expect(layered.finite).toBe(true);
  expect(layered.counters).toEqual({ step: layered.step, halted: true });
});

test('bad input is rejected before any GPU work, with the layer, shapes and what was expected', async ({ gpu }) => {
  const result = await gpu.page.evaluate(async () => {
    const { lib, ctx, counts } = window.harness;
    const before = { ...counts };
    const attempt = async (f: () => unknown): Promise<string> => {
      try {
        await f();
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const base = lib.presets.sine({ batchSize: 8 });
    const messages = {
      layerSizes: await attempt(() => new lib.Sequential('D', [lib.Linear(16, 32), lib.ReLU(), lib.Linear(30, 1)])),
      gOutVsDIn: await attempt(() =>
        lib.GanTrainer.create(ctx, { ...base, generator: new lib.Sequential('generator', [lib.Linear(5, 15)]) }),
      ),
      dOutput: await attempt(() =>
        lib.GanTrainer.create(ctx, { ...base, discriminator: new lib.Sequential('discriminator', [lib.Linear(16, 2)]) }),
      ),
      batchTooBig: await attempt(() => lib.GanTrainer.create(ctx, { ...base, batchSize: 5000 })),
      unknownActivation: await attempt(
        () => new lib.Sequential('G', [lib.Linear(1, 2), { type: 'activation', activation: 'swish', slope: 0 } as never]),
      ),
      unknownPreset: await attempt(() => lib.presets.preset('cifar')),
      nanData: await attempt(() =>
        lib.GanTrainer.create(ctx, { ...base, data: { kind: 'dataset', values: new Float32Array(16 * 16).fill(NaN), rows: 16, cols: 16 } }),
      ),
      badLr: await attempt(() => lib.GanTrainer.create(ctx, { ...base, optimizerD: { lr: -1 } })),
      noAdapter: await attempt(() => lib.createGpuContext({ gpu: { requestAdapter: async () => null } as unknown as GPU })),
    };
    return { messages, before, after: { ...counts } };
  });
  const m = result.messages;
  expect(m.layerSizes).toMatch(/LayerConfigError: D layer 2 \(Linear 30→1\): expects 30 input features but the layer before it gives 32/);
  expect(m.gOutVsDIn).toMatch(/GanConfigError: generator 'generator' outputs 15 features per sample, so discriminator 'discriminator' must take 15, but it expects 16/);
  expect(m.dOutput).toMatch(/must end in 1 logit, but its output has 2 features/);
  expect(m.batchTooBig).toMatch(/batchSize 5000 does not fit the data: the dataset has only 4096 rows/);
  expect(m.unknownActivation).toMatch(/LayerConfigError: G layer 1: unknown activation 'swish'; expected one of relu, leakyRelu, elu, tanh, sigmoid/);
  expect(m.unknownPreset).toMatch(/unknown preset 'cifar'; expected one of gaussian1d, sine, mnistMlp/);
  expect(m.nanData).toMatch(/data: value 0 \(row 0\) is NaN, not finite/);
  expect(m.badLr).toMatch(/optimizerD.lr must be a finite number > 0, got -1/);
  expect(m.noAdapter).toMatch(/WebGPUUnavailableError: .*no adapter was found/);
  expect(result.after).toEqual(result.before);
});

test('a plan that fails WebGPU validation while it is built is a GpuValidationError from create(), not a trainer that silently trains nothing', async ({ gpu }) => {
  const got = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const device = ctx.device;
    const original = device.createBindGroup.bind(device);
    let broken = false;
    // The first storage binding of the plan gets an offset of 4 bytes: storage offsets must be multiples of 256.
    device.createBindGroup = (d: GPUBindGroupDescriptor) => {
      if (broken) return original(d);
      broken = true;
      const [first, ...rest] = Array.from(d.entries);
      const res = first.resource as GPUBufferBinding;
      const buffer = 'buffer' in res ? res.buffer : (first.resource as unknown as GPUBuffer);
      return original({ ...d, entries: [{ binding: first.binding, resource: { buffer, offset: 4, size: 4 } }, ...rest] });
    };
    const config = {
      generator: new lib.Sequential('g', [lib.Linear(2, 3), lib.Tanh(), lib.Linear(3, 1)]),
      discriminator: new lib.Sequential('d', [lib.Linear(1, 3), lib.ELU(), lib.Linear(3, 1)]),
      noise: { distribution: 'normal' as const, mean: 0, std: 1 },
      data: { kind: 'normal' as const, mean: 1, std: 1 },
      batchSize: 4,
      optimizerD: { lr: 1e-3 },
      optimizerG: { lr: 1e-3 },
      plan: 'layered' as const,
    };
    try {
      await lib.GanTrainer.create(ctx, config);
      return { name: 'none', message: '' };
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message };
    } finally {
      device.createBindGroup = original;
    }
  });
  expect(got.name).toBe('GpuValidationError');
  expect(got.message).toMatch(/^building the layered step plan failed WebGPU validation: /);
});
