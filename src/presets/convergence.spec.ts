// End-to-end convergence: the gaussian1d preset (G and D 1-50-50-1 ELU, batch
// 100, uniform [0, 1) noise, real data N(4, 1.25)) trained on the GPU must
// produce samples with the right mean and spread. The step count is the
// smallest with a wide margin: the float64 reference trainer puts seeds 0–9
// inside the tolerance from step 375 to 700 (see the preset's comment), and
// the GPU follows the reference closely (same noise: within 0.025 in mean and
// std from step 400 on), so 500 steps leaves room on both sides.
import { test, expect } from '../../test/support/fixtures.js';
import type { TrainingStats } from '../index.js';

const STEPS = 500;
const SAMPLES = 10_000;
const TARGET = { mean: 4, std: 1.25 };
const TOLERANCE = 0.2;
const SEEDS = [0, 1, 2];

interface Run {
  samples: number[];
  stats: TrainingStats | null;
  step: number;
}

for (const seed of SEEDS) {
  const name = `gaussian1d 1-50-50-1 ELU, batch=100, steps=${STEPS}, seed=${seed}: ${SAMPLES} samples have mean 4 ± ${TOLERANCE} and std 1.25 ± ${TOLERANCE}`;
  test(name, async ({ gpu }) => {
    // SwiftShader: ~115 ms a step in the browser, so ~60 s of training; double it for slow CI machines.
    test.setTimeout(150_000);
    const run: Run = await gpu.page.evaluate(
      async ({ seed, steps, n }) => {
        const { lib, ctx } = window.harness;
        const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ seed }));
        try {
          await trainer.train(steps);
          const samples = await trainer.sample(n);
          return { samples: Array.from(samples), stats: trainer.latestStats, step: trainer.step };
        } finally {
          trainer.dispose();
        }
      },
      { seed, steps: STEPS, n: SAMPLES },
    );

    expect(run.step).toBe(STEPS);
    expect(run.samples).toHaveLength(SAMPLES);
    expect(run.samples.every(Number.isFinite)).toBe(true);
    const mean = run.samples.reduce((a, b) => a + b, 0) / SAMPLES;
    const std = Math.sqrt(run.samples.reduce((a, b) => a + (b - mean) ** 2, 0) / SAMPLES);
    console.log(`seed ${seed}, ${STEPS} steps: mean ${mean.toFixed(3)}, std ${std.toFixed(3)}`);

    expect(run.stats, 'training statistics were read back').not.toBeNull();
    const stats = run.stats!;
    expect(stats.step).toBe(STEPS);
    for (const key of ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'] as const) {
      expect(Number.isFinite(stats[key]), `latestStats.${key} = ${stats[key]}`).toBe(true);
    }

    expect(Math.abs(mean - TARGET.mean), `mean ${mean.toFixed(3)}`).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(std - TARGET.std), `std ${std.toFixed(3)}`).toBeLessThanOrEqual(TOLERANCE);
  });
}
