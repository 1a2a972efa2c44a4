// npm run train -- --preset <name> [--steps N] [--seed S] [--batch B] [--out DIR]
// Trains a preset in Node (Dawn), printing losses as they come back, then
// writes what it learned: a PNG grid for the digit presets (one row per label
// for the conditional ones), sample statistics otherwise. The digit presets
// train on the 8,000-digit training split (splitDigits).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GanConfigError } from '../runtime/errors.js';
import { GanTrainer } from '../models/trainer.js';
import { DIGIT_PRESETS, preset, PRESETS, splitDigits, type PresetName } from '../models/presets.js';
import { createNodeGpuContext } from './device.js';
import { loadMnistDigits } from './mnist.js';
import { writeImageGrid } from './png.js';

const DEFAULT_STEPS: Record<PresetName, number> = {
  gaussian1d: 2000,
  sine: 2000,
  mnistMlp: 200,
  dcgan28: 200,
  cdcgan: 200,
  cdcganSmall: 500,
  ring8: 1000,
  grid25: 2000,
  twoMoons: 2000,
  drawn: 1000,
};

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'gaussian1d' },
      steps: { type: 'string' },
      seed: { type: 'string', default: '0' },
      batch: { type: 'string' },
      out: { type: 'string', default: 'out' },
    },
  });
  const name = values.preset!;
  if (!(PRESETS as readonly string[]).includes(name)) {
    throw new GanConfigError(`unknown preset '${name}'; expected one of ${PRESETS.join(', ')}`);
  }
  const isDigits = DIGIT_PRESETS.includes(name as PresetName);
  const steps = Number(values.steps ?? DEFAULT_STEPS[name as PresetName]);
  if (!Number.isInteger(steps) || steps < 1) throw new GanConfigError(`--steps must be a positive integer, got ${values.steps}`);
  const seed = Number(values.seed);
  const batchSize = values.batch ? Number(values.batch) : undefined;
  const config = preset(name, { seed, batchSize, digits: isDigits ? splitDigits(loadMnistDigits()).train : undefined });

  const ctx = await createNodeGpuContext();
  console.log(`adapter: ${ctx.adapterName}`);
  console.log(`G: ${config.generator.describe()}\nD: ${config.discriminator.describe()}`);
  const t0 = performance.now();
  const trainer = await GanTrainer.create(ctx, config);
  console.log(`step plan built in ${(performance.now() - t0).toFixed(0)} ms, ${trainer.dispatchesPerStep} dispatches per step`);
  trainer.onStats((s) => {
    const rate = s.step / ((performance.now() - tTrain) / 1000);
    console.log(
      `step ${String(s.step).padStart(6)}  loss D ${fmt(s.lossD)}  loss G ${fmt(s.lossG)}  ` +
        `D(x) ${fmt(s.dReal)}  D(G(z)) ${fmt(s.dFake)}  |∇D| ${fmt(s.gradNormD)}  |∇G| ${fmt(s.gradNormG)}  ${rate.toFixed(1)} steps/s`,
    );
  });
  const tTrain = performance.now();
  await trainer.train(steps);
  const seconds = (performance.now() - tTrain) / 1000;
  console.log(`trained ${steps} steps in ${seconds.toFixed(1)} s (${(steps / seconds).toFixed(1)} steps/s)`);

  mkdirSync(values.out!, { recursive: true });
  if (isDigits) {
    // 10 × 10; a conditional preset gets one row per label.
    const conditional = trainer.config.shapes.classes > 0;
    const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    const images = await trainer.sample(100, conditional ? { labels } : {});
    const path = join(values.out!, `${name}-${steps}.png`);
    writeImageGrid(path, images, 100, 28, 28, 10);
    console.log(`wrote ${path}${conditional ? ' (row i: label i)' : ''}`);
  } else if (trainer.config.shapes.sample !== 1) {
    const samples = await trainer.sample(1000);
    const X = trainer.config.shapes.sample;
    const means = Array.from({ length: X }, (_, j) => samples.filter((_, i) => i % X === j).reduce((a, b) => a + b, 0) / 1000);
    console.log(`generated 1000 samples of ${X} values; per-coordinate means ${means.slice(0, 4).map((m) => m.toFixed(3)).join(', ')}${X > 4 ? ', …' : ''}`);
  } else {
    const samples = await trainer.sample(10_000);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const std = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
    console.log(`generated ${samples.length} values: mean ${mean.toFixed(3)}, std ${std.toFixed(3)}`);
    if (name === 'gaussian1d') console.log('target: mean 4.000, std 1.250');
  }
  trainer.dispose();
  ctx.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
  process.exit(1);
});
