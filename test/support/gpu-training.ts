// Runs a GAN on the test page's GPU from given initial weights and returns,
// after each chunk of steps, both nets' parameters and last gradients: what
// the whole-step parity tests compare against the float64 CPU trainer.
import type { GpuPage } from './fixtures.js';
import type { Sequential } from '../../src/models/layers/sequential.js';
import type { GanConfig } from '../../src/models/gan/config.js';

export interface NetSnapshot {
  g: number[];
  d: number[];
  dg: number[];
  dd: number[];
}

export interface GpuTrainingRun {
  /** One entry per stats report (statsEvery steps). */
  losses: { lossD: number; lossG: number }[];
  /** One snapshot after each chunk. */
  snapshots: NetSnapshot[];
  counters: { step: number; halted: boolean };
  /** The step plan the trainer chose, and whether its context took the adapter for a CPU one. */
  plan: string;
  softwareAdapter: boolean;
}

export interface GpuTrainingSpec<S> {
  /**
   * Builds the config from the page's Sequential class and `spec` (plain data).
   * Shipped to the page as source text, so it may use nothing but its arguments.
   */
  makeConfig: (Seq: typeof Sequential, spec: S) => GanConfig;
  spec: S;
  g0: Float32Array;
  d0: Float32Array;
  /** Steps to train before each snapshot. */
  chunks: number[];
  stepsPerSubmit?: number;
  /** Train on a context that takes this device for a GPU, not a CPU adapter (kernels' GPU variants on SwiftShader). */
  asHardwareAdapter?: boolean;
}

export function trainOnGpu<S>(gpu: GpuPage, run: GpuTrainingSpec<S>): Promise<GpuTrainingRun> {
  return gpu.page.evaluate(
    async ({ spec, g0, d0, chunks, stepsPerSubmit, configSource, asHardwareAdapter }) => {
      const { lib } = window.harness;
      const ctx = asHardwareAdapter ? new lib.GpuContext(window.harness.ctx.device, 'as hardware', false, false) : window.harness.ctx;
      const makeConfig = new Function('Seq', 'spec', `return (${configSource})(Seq, spec);`) as (
        s: typeof lib.Sequential,
        t: typeof spec,
      ) => Parameters<typeof lib.GanTrainer.create>[1];
      const trainer = await lib.GanTrainer.create(ctx, makeConfig(lib.Sequential, spec), {
        generator: Float32Array.from(g0),
        discriminator: Float32Array.from(d0),
      });
      const losses: { lossD: number; lossG: number }[] = [];
      trainer.onStats((s) => losses.push({ lossD: s.lossD, lossG: s.lossG }));
      const snapshots = [];
      for (const steps of chunks) {
        await trainer.train(steps, { stepsPerSubmit });
        snapshots.push({
          g: Array.from(await trainer.readParameters('generator')),
          d: Array.from(await trainer.readParameters('discriminator')),
          dg: Array.from(await trainer.readGradients('generator')),
          dd: Array.from(await trainer.readGradients('discriminator')),
        });
      }
      const counters = await trainer.readCounters();
      const plan = trainer.plan;
      trainer.dispose();
      return { losses, snapshots, counters, plan, softwareAdapter: ctx.softwareAdapter };
    },
    {
      spec: run.spec,
      g0: Array.from(run.g0),
      d0: Array.from(run.d0),
      chunks: run.chunks,
      stepsPerSubmit: run.stepsPerSubmit ?? 8,
      configSource: run.makeConfig.toString(),
      asHardwareAdapter: run.asHardwareAdapter ?? false,
    },
  );
}
