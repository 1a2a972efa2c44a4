// Whole-trainer checks of an optimizer (models/optim/*.spec.ts): a tiny GAN
// trained on the GPU against the float64 CPU trainer with D and G on the
// optimizers given, and a checkpoint of a trainer using them that must
// round-trip and resume exactly.
import { expect, type GpuPage } from './fixtures.js';
import { compareArrays, expectClose } from './compare.js';
import { randomArray } from './data.js';
import { trainOnGpu, type GpuTrainingRun } from './gpu-training.js';
import { ReferenceGanTrainer } from '../../src/reference/gan.js';
import { resolveGanConfig, type GanConfig, type OptimizerSpec } from '../../src/models/gan/config.js';
import { ELU, LeakyReLU, Linear, Tanh, type Layer } from '../../src/models/layers/index.js';
import { Sequential } from '../../src/models/layers/sequential.js';

export interface OptimizerPair {
  optimizerD: OptimizerSpec;
  optimizerG: OptimizerSpec;
}

interface TinySpec extends OptimizerPair {
  gLayers: Layer[];
  dLayers: Layer[];
  data: number[];
  plan: 'layered' | 'fused-mlp';
}

/** Shipped to the page as source text: uses nothing but its arguments. */
function tinyConfig(Seq: typeof Sequential, spec: TinySpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 3, cols: 3 },
    batchSize: 4,
    dSteps: 2,
    optimizerD: spec.optimizerD,
    optimizerG: spec.optimizerG,
    seed: 21,
    statsEvery: 1,
    plan: spec.plan,
  };
}

/** A tiny config with these optimizers (for checks that need no GPU). */
export const tinyOptimizerConfig = (o: OptimizerPair): GanConfig => tinyConfig(Sequential, tinySpec(o, 'layered'));

function tinySpec(o: OptimizerPair, plan: TinySpec['plan']): TinySpec {
  return {
    ...o,
    gLayers: [Linear(2, 6), ELU(), Linear(6, 3), Tanh()],
    dLayers: [Linear(3, 5), LeakyReLU(0.2), Linear(5, 1)],
    data: randomArray(13 * 3, 31, -1, 1),
    plan,
  };
}

/**
 * Trains the tiny GAN (G 2-6-3, D 3-5-1, batch 4, dSteps 2) for `steps` steps
 * on the GPU in `plan` and on the float64 CPU trainer from the same weights,
 * and expects the losses, last gradients and weights to agree.
 */
export async function expectTrainerParity(gpu: GpuPage, o: OptimizerPair, plan: TinySpec['plan'], steps = 4): Promise<GpuTrainingRun> {
  const spec = tinySpec(o, plan);
  const config = resolveGanConfig(tinyConfig(Sequential, spec));
  const g0 = config.generator.initialParameters(5);
  const d0 = config.discriminator.initialParameters(6);
  const run = await trainOnGpu(gpu, { makeConfig: tinyConfig, spec, g0, d0, chunks: [steps], stepsPerSubmit: 2 });
  expect(run.plan).toBe(plan);
  expect(run.counters).toEqual({ step: steps, halted: false });
  const ref = new ReferenceGanTrainer(config, g0, d0);
  const refLosses = Array.from({ length: steps }, () => ref.trainStep());
  // float32 against float64 through a few steps of a net this small (trainer.spec.ts's bound).
  const tol = { atol: 2e-5, rtol: 1e-4 };
  expectClose(run.losses.map((l) => l.lossD), refLosses.map((l) => l.lossD.reduce((a, b) => a + b) / l.lossD.length), tol, 'mean D loss per step');
  expectClose(run.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), tol, 'G loss per step');
  const snap = run.snapshots[0];
  expectClose(snap.dd, ref.lastGradsD, tol, 'dD (last D update)');
  expectClose(snap.dg, ref.lastGradsG, tol, 'dG (last G update)');
  expectClose(snap.d, ref.discriminatorParams, tol, `D weights after ${steps} steps`);
  expectClose(snap.g, ref.generatorParams, tol, `G weights after ${steps} steps`);
  // Both nets must have moved, or the comparison above proves little.
  expect(compareArrays(snap.g, g0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
  expect(compareArrays(snap.d, d0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
  return run;
}

interface TrainerSnapshot {
  g: number[];
  d: number[];
  gSlots: Record<string, number[]>;
  dSlots: Record<string, number[]>;
  updates: [number, number];
  step: number;
}

export interface CheckpointRoundTrip {
  plan: string;
  atSave: TrainerSnapshot;
  loaded: TrainerSnapshot;
  /** Three more steps after the save, by the trainer that saved … */
  trainedOn: TrainerSnapshot;
  /** … and by another trainer (one step in) that loaded the file. */
  resumed: TrainerSnapshot;
  names: string[];
  metadata: Record<string, string>;
}

/**
 * gaussian1d (batch 8) with these optimizers: 3 steps, save, 3 more steps;
 * a second trainer, 1 step in, loads the file and trains the same 3 steps.
 */
export function checkpointRoundTrip(gpu: GpuPage, o: OptimizerPair): Promise<CheckpointRoundTrip> {
  return gpu.page.evaluate(async (o) => {
    const { lib, ctx } = window.harness;
    type Trainer = Awaited<ReturnType<typeof lib.GanTrainer.create>>;
    const arrays = (slots: Record<string, Float32Array>) => Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, Array.from(v)]));
    const snapshot = async (t: Trainer) => {
      const [g, d, go, dO, c] = await Promise.all([
        t.readParameters('generator'),
        t.readParameters('discriminator'),
        t.readOptimizerState('generator'),
        t.readOptimizerState('discriminator'),
        t.readCounters(),
      ]);
      return { g: Array.from(g), d: Array.from(d), gSlots: arrays(go.slots), dSlots: arrays(dO.slots), updates: [go.step, dO.step] as [number, number], step: c.step };
    };
    const config = () => ({ ...lib.presets.gaussian1d({ batchSize: 8, seed: 3 }), ...o });
    const a = await lib.GanTrainer.create(ctx, config());
    await a.train(3);
    const bytes = await lib.saveCheckpoint(a);
    const atSave = await snapshot(a);
    await a.train(3);
    const trainedOn = await snapshot(a);
    const b = await lib.GanTrainer.create(ctx, config());
    await b.train(1);
    await lib.loadCheckpoint(b, bytes);
    const loaded = await snapshot(b);
    await b.train(3);
    const resumed = await snapshot(b);
    const plan = a.plan;
    a.dispose();
    b.dispose();
    const header = lib.parseSafetensors(bytes);
    return { plan, atSave, loaded, trainedOn, resumed, names: [...header.tensors.keys()], metadata: header.metadata };
  }, o);
}

/**
 * Expects the round trip to restore everything exactly and to resume onto the
 * same weights, and the file to hold each net's slots under
 * `<net>_<optimizer>.<slot>.<param>` and its update count under `<net>_<optimizer>_step`.
 */
export function expectExactRoundTrip(r: CheckpointRoundTrip, slots: { generator: string[]; discriminator: string[] }, names: { generator: string; discriminator: string }): void {
  expect(r.atSave.step).toBe(3);
  expect(r.atSave.updates).toEqual([3, 3]);
  expect(Object.keys(r.atSave.gSlots)).toEqual(slots.generator);
  expect(Object.keys(r.atSave.dSlots)).toEqual(slots.discriminator);
  expect(r.loaded).toEqual(r.atSave);
  expect(r.trainedOn.g).not.toEqual(r.atSave.g); // training moved on
  expect(r.resumed).toEqual(r.trainedOn);
  for (const net of ['generator', 'discriminator'] as const) {
    const prefix = `${net}_${names[net]}`;
    expect(r.metadata[`${prefix}_step`]).toBe('3');
    const stored = r.names.filter((n) => n.startsWith(`${prefix}.`));
    // gaussian1d's nets have 6 parameter tensors each (0, 2, 4 × weight, bias).
    expect(stored).toHaveLength(6 * slots[net].length);
    for (const slot of slots[net]) expect(stored).toContain(`${prefix}.${slot}.2.weight`);
  }
}
