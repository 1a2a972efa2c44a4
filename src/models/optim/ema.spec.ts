// param_ops.wgsl (ema_update, clamp_params) against float64, and G's moving
// average through whole training steps: it follows the CPU trainer, sampling
// can use it, checkpoints keep it, and the fused plan says it does not.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS } from '../../shaders/constants.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { resolveGanConfig, type GanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { ELU, Linear, Tanh, type Layer } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { emaReference } from './ema.js';

const state = (halted: number) => Array.from({ length: TRAIN_STATE_WORDS }, (_, i) => (i === TRAIN_STATE.halted ? halted : 7));

for (const count of [1, 300, 40_001]) {
  test(`ema_update and clamp_params match float64 and do nothing once halted: count=${count}`, async ({ gpu }) => {
    const params = f32(randomArray(count, count, -2, 2));
    const averaged = f32(randomArray(count, count + 1, -1, 1));
    const run = (entry: string, halted: number, uniforms: Record<string, number>) =>
      gpu.runKernel({
        family: 'param_ops',
        entry,
        uniforms,
        inputs: { params: [...params], averaged: [...averaged] },
        uintInputs: { state: state(halted) },
        outputs: entry === 'ema_update' ? { averaged: count } : { params: count },
      });
    // The state's update counts are 7 (state() below): with warmup, d = min(0.9, 8/17).
    for (const warmup of [false, true]) {
      const want = Float64Array.from(averaged);
      emaReference(want, params, { decay: Math.fround(0.9), warmup }, 7);
      const u = { count, phase: 1, warmup: warmup ? 1 : 0, decay: 0.9 };
      expectClose((await run('ema_update', 0, u)).averaged, want, { atol: 1e-6, rtol: 1e-6 }, `ema (warmup ${warmup})`);
    }
    expect(Math.fround(8 / 17)).toBeLessThan(0.9); // so the warmup case differs
    expectClose((await run('ema_update', 1, { count, phase: 1, warmup: 1, decay: 0.9 })).averaged, averaged, { atol: 0, rtol: 0 }, 'ema once halted');
    const limit = Math.fround(0.5);
    expectClose((await run('clamp_params', 0, { count, limit: 0.5 })).params, params.map((p) => Math.min(limit, Math.max(-limit, p))), { atol: 0, rtol: 0 }, 'clamp');
    expectClose((await run('clamp_params', 1, { count, limit: 0.5 })).params, params, { atol: 0, rtol: 0 }, 'clamp once halted');
  });
}

interface EmaSpec {
  data: number[];
  gLayers: Layer[];
  dLayers: Layer[];
}

const SPEC: EmaSpec = {
  data: randomArray(13 * 4, 8, -1, 1),
  gLayers: [Linear(3, 6), ELU(), Linear(6, 4), Tanh()],
  dLayers: [Linear(4, 5), ELU(), Linear(5, 1)],
};

/** Shipped to the page as source text: it may use nothing but its arguments. */
function emaConfig(Seq: typeof Sequential, spec: EmaSpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 4, cols: 4 },
    batchSize: 5,
    optimizerD: { lr: 1e-2 },
    optimizerG: { lr: 2e-2 },
    ema: { decay: 0.75 }, // with warmup: min(0.75, (1 + t) / (10 + t)) for t = 1 … 4
    seed: 21,
    statsEvery: 1,
    plan: 'layered',
  };
}

test("G's moving average follows the CPU trainer over 4 steps, and sample({ weights: 'ema' }) uses it", async ({ gpu }) => {
  const spec = SPEC;
  const config = resolveGanConfig(emaConfig(Sequential, spec));
  const g0 = config.generator.initialParameters(1);
  const d0 = config.discriminator.initialParameters(2);
  const run = await trainOnGpu(gpu, { makeConfig: emaConfig, spec, g0, d0, chunks: [4] });
  const ref = new ReferenceGanTrainer(config, g0, d0);
  for (let i = 0; i < 4; i++) ref.trainStep();
  expectClose(run.snapshots[0].g, ref.generatorParams, { atol: 2e-5, rtol: 1e-4 }, 'G weights');
  const got = await gpu.page.evaluate(
    async ({ spec, g0, d0, src }) => {
      const { lib, ctx } = window.harness;
      const make = new Function('Seq', 'spec', `return (${src})(Seq, spec);`);
      const trainer = await lib.GanTrainer.create(ctx, make(lib.Sequential, spec), { generator: Float32Array.from(g0), discriminator: Float32Array.from(d0) });
      await trainer.train(4);
      const averaged = Array.from(await trainer.readAveraged());
      const noise = Float32Array.from({ length: 6 * 3 }, (_, i) => Math.sin(i));
      const fromEma = Array.from(await trainer.generate(noise, { weights: 'ema' }));
      const fromTrained = Array.from(await trainer.generate(noise));
      const names = [...lib.parseSafetensors(await lib.saveCheckpoint(trainer)).tensors.keys()].filter((n) => n.startsWith('generator_ema.'));
      trainer.dispose();
      return { averaged, fromEma, fromTrained, names };
    },
    { spec, g0: Array.from(g0), d0: Array.from(d0), src: emaConfig.toString() },
  );
  expectClose(got.averaged, ref.generatorAverage!, { atol: 2e-5, rtol: 1e-4 }, "G's moving average");
  expect(got.fromEma).not.toEqual(got.fromTrained);
  expect(got.names).toEqual(['generator_ema.0.weight', 'generator_ema.0.bias', 'generator_ema.2.weight', 'generator_ema.2.bias']);
});

test('the fused plan says it keeps no moving average; ema.decay is checked', () => {
  const base = emaConfig(Sequential, SPEC);
  expect(() => resolveGanConfig({ ...base, ema: { decay: 1 } })).toThrow(/ema.decay must be a number in \(0, 1\), got 1/);
  expect(() => resolveGanConfig({ ...base, ema: { decay: '0.9' as never } })).toThrow(/ema.decay must be a number in \(0, 1\), got "0.9"/);
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits;
  expect(fusedMlpIneligibility(resolveGanConfig({ ...base, plan: 'auto' }), limits)).toBe('the fused plan keeps no moving average of the weights (ema)');
  const { ema: _, ...without } = base;
  expect(fusedMlpIneligibility(resolveGanConfig({ ...without, plan: 'auto' }), limits)).toBeNull();
});
