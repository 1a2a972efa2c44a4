// Data and noise from the host: callbacks feed every batch (steps submitted
// several to a command buffer, through the ring), and training matches the CPU
// trainer fed the same batches; a swapped dataset trains as if it had been
// there from the start; bad batches and calls are refused with named errors.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { ELU, Linear, Tanh, type Layer } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { resolveGanConfig, type GanConfig } from './config.js';
import { fusedMlpIneligibility } from './fused-mlp-eligibility.js';

interface HostSpec {
  gLayers: Layer[];
  dLayers: Layer[];
}

/** Batches as pure functions of (step, update), so the GPU run and the CPU trainer see the same ones. */
function hostConfig(Seq: typeof Sequential, spec: HostSpec): GanConfig {
  const batch = (step: number, update: number, rows: number, cols: number, salt: number) =>
    Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(1.3 * i + 7.1 * step + 2.9 * update + salt));
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: { distribution: 'host', next: (d) => batch(d.step, d.update, d.rows, d.cols, 0.5) },
    data: { kind: 'host', next: (d) => batch(d.step, d.update, d.rows, d.cols, 4).map((v) => 0.8 * v + 0.1) },
    batchSize: 5,
    dSteps: 2,
    optimizerD: { lr: 1e-2 },
    optimizerG: { lr: 1e-2 },
    seed: 9,
    statsEvery: 1,
  };
}

const SPEC: HostSpec = { gLayers: [Linear(2, 6), ELU(), Linear(6, 3), Tanh()], dLayers: [Linear(3, 5), ELU(), Linear(5, 1)] };

test('host noise and host data: 7 steps, 3 to a command buffer, match the CPU trainer fed the same batches', async ({ gpu }) => {
  const config = resolveGanConfig(hostConfig(Sequential, SPEC));
  const g0 = config.generator.initialParameters(1);
  const d0 = config.discriminator.initialParameters(2);
  const got = await gpu.page.evaluate(
    async ({ spec, g0, d0, src }) => {
      const { lib, ctx } = window.harness;
      const make = new Function('Seq', 'spec', `return (${src})(Seq, spec);`);
      const config = make(lib.Sequential, spec);
      const calls: string[] = [];
      const next = config.noise.next;
      config.noise.next = (d: { step: number; update: number }) => (calls.push(`${d.step}:${d.update}`), next(d));
      const trainer = await lib.GanTrainer.create(ctx, config, { generator: Float32Array.from(g0), discriminator: Float32Array.from(d0) });
      // A report covers the G updates since the last one: several when the staging ring was busy (runtime/readback.ts).
      const losses: { step: number; lossG: number; updatesG: number }[] = [];
      trainer.onStats((s) => losses.push({ step: s.step, lossG: s.lossG, updatesG: s.updatesG }));
      await trainer.train(7, { stepsPerSubmit: 3 });
      const out = { g: Array.from(await trainer.readParameters('generator')), d: Array.from(await trainer.readParameters('discriminator')), losses, calls, plan: trainer.plan };
      trainer.dispose();
      return out;
    },
    { spec: SPEC, g0: Array.from(g0), d0: Array.from(d0), src: hostConfig.toString() },
  );
  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = Array.from({ length: 7 }, () => ref.trainStep().lossG);
  expect(got.plan).toBe('layered');
  // Each step asked for its noise once per update (2 D updates, then G), in order.
  expect(got.calls).toEqual(Array.from({ length: 7 }, (_, s) => [0, 1, 2].map((u) => `${s}:${u}`)).flat());
  const tol = { atol: 2e-5, rtol: 1e-4 };
  // Every step is reported once: each report is the mean G loss over the steps since the previous one.
  expect(got.losses.map((r) => r.step)).toEqual([...got.losses.map((r) => r.step)].sort((a, b) => a - b));
  expect(got.losses.at(-1)?.step).toBe(7);
  expect(got.losses.reduce((n, r) => n + r.updatesG, 0)).toBe(7);
  let from = 0;
  const refMeans = got.losses.map((r) => {
    const covered = refLosses.slice(from, r.step);
    from = r.step;
    expect(covered.length, `report at step ${r.step} covers ${r.updatesG} G updates`).toBe(r.updatesG);
    return covered.reduce((a, b) => a + b, 0) / covered.length;
  });
  expectClose(got.losses.map((r) => r.lossG), refMeans, tol, 'G loss per report');
  expectClose(got.g, ref.generatorParams, tol, 'G weights');
  expectClose(got.d, ref.discriminatorParams, tol, 'D weights');
});

test('replaceDataset swaps the rows without rebuilding: the run continues as one that trained on the new rows from the start', async ({ gpu }) => {
  const first = randomArray(16 * 3, 3, -1, 1);
  const second = randomArray(16 * 3, 4, -1, 1);
  const r = await gpu.page.evaluate(
    async ({ first, second, spec }) => {
      const { lib, ctx, counts } = window.harness;
      const config = (values: number[]) => ({
        generator: new lib.Sequential('generator', spec.gLayers),
        discriminator: new lib.Sequential('discriminator', spec.dLayers),
        noise: { distribution: 'normal' as const, mean: 0, std: 1 },
        data: { kind: 'dataset' as const, values: Float32Array.from(values), rows: 16, cols: 3 },
        batchSize: 4,
        optimizerD: { lr: 1e-2 },
        optimizerG: { lr: 1e-2 },
        seed: 2,
        plan: 'layered' as const,
      });
      const swapped = await lib.GanTrainer.create(ctx, config(first));
      await swapped.train(1);
      const before = { ...counts };
      await swapped.replaceDataset(Float32Array.from(second));
      const created = JSON.stringify(counts) !== JSON.stringify(before);
      // The reference: the same first step on the first rows, then a trainer that always had the second.
      const straight = await lib.GanTrainer.create(ctx, config(second));
      await lib.loadCheckpoint(straight, await lib.saveCheckpoint(swapped));
      await swapped.train(4);
      await straight.train(4);
      const same = JSON.stringify(Array.from(await swapped.readParameters('generator'))) === JSON.stringify(Array.from(await straight.readParameters('generator')));
      const errors = [];
      for (const bad of [() => swapped.replaceDataset(new Float32Array(5)), () => swapped.replaceDataset(new Float32Array(48).fill(NaN)), () => swapped.replaceDataset(new Float32Array(48), new Uint8Array(16))]) {
        errors.push(await bad().then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`));
      }
      swapped.dispose();
      straight.dispose();
      return { created, same, errors };
    },
    { first, second, spec: SPEC },
  );
  expect(r.created, 'replaceDataset created GPU objects').toBe(false);
  expect(r.same).toBe(true);
  expect(r.errors).toEqual([
    'GanConfigError: replaceDataset: values: expected a Float32Array of 48 floats, got 5',
    'GanConfigError: replaceDataset: value 0 (row 0) is NaN, not finite',
    'GanConfigError: replaceDataset: labels given, but this GAN is not conditional',
  ]);
});

test('bad host batches reject train() with a named error; sample() asks for generate(); the fused plan says it does not take host data', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async (spec) => {
    const { lib, ctx } = window.harness;
    const base = {
      generator: new lib.Sequential('generator', spec.gLayers),
      discriminator: new lib.Sequential('discriminator', spec.dLayers),
      data: { kind: 'normal' as const, mean: 0, std: 1 },
      batchSize: 4,
      optimizerD: { lr: 1e-2 },
      optimizerG: { lr: 1e-2 },
    };
    const attempt = async (next: (d: { rows: number; cols: number; step: number }) => Float32Array) => {
      const t = await lib.GanTrainer.create(ctx, { ...base, generator: new lib.Sequential('generator', [lib.Linear(2, 1)]), discriminator: new lib.Sequential('discriminator', [lib.Linear(1, 1)]), noise: { distribution: 'host', next } });
      const out = await t.train(3).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
      const sample = await t.sample(2).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
      t.dispose();
      return { out, sample };
    };
    return {
      short: await attempt(() => new Float32Array(3)),
      nan: await attempt((d) => new Float32Array(d.rows * d.cols).fill(d.step === 1 ? NaN : 0)),
      array: await attempt((d) => new Array(d.rows * d.cols).fill(0) as never),
    };
  }, SPEC);
  expect(r.short.out).toBe('GanConfigError: host noise: next() must return a Float32Array of 4 × 2 = 8 values, got a Float32Array of 3 elements');
  expect(r.nan.out).toBe('GanConfigError: host noise: next() at step 1, update 0 returned NaN at 0, not finite');
  expect(r.array.out).toBe('GanConfigError: host noise: next() must return a Float32Array of 4 × 2 = 8 values, got an Array of 8');
  expect(r.short.sample).toBe('GanConfigError: sample: this GAN takes its noise from the host: give it to generate(noise)');
  const limits = { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits;
  expect(fusedMlpIneligibility(resolveGanConfig({ ...hostConfig(Sequential, SPEC), plan: 'auto' }), limits)).toBe('the fused plan draws its own noise and data (not from the host)');
});
