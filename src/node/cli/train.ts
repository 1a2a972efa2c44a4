// train and resume: check everything, read the data, build the trainer (and
// restore the checkpoint), then train in stretches that end where a periodic
// checkpoint is due, saving at each, at the end, and on Ctrl-C.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PixelRange } from '../../data/images.js';
import { loadCheckpoint } from '../../models/gan/checkpoint.js';
import { resolveGanConfig, type GanConfig } from '../../models/gan/config.js';
import { GanTrainer } from '../../models/gan/trainer.js';
import { createNodeGpuContext } from '../device.js';
import { choiceOption, existingPath, intOption, rangeOption, type ParsedCommand } from './args.js';
import { checkpointPath, readCheckpointFile, saveRunCheckpoint } from './checkpoint-files.js';
import { checkSameData, dataRecord, loadData } from './data.js';
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from './errors.js';
import { drawable, sampleGridPng } from './grid.js';
import type { CliOutput } from './output.js';
import { PROGRESS_MODES, TrainingReporter, type ProgressMode } from './progress.js';
import { planRecordedRun, planRun, readRunDescription, runConfig, type RunDescription, type RunPlan } from './run.js';

/** A command checked and ready: `gpu` says whether it needs the device (and so the stderr filter). */
export interface Job {
  gpu: boolean;
  run(io: CliOutput): Promise<number>;
}

interface RunOptions {
  steps?: number;
  out?: string;
  saveEvery: number;
  keep: number;
  logEvery?: number;
  progress: ProgressMode;
}

function runOptions(command: string, v: ParsedCommand['values']): RunOptions {
  if (v.out !== undefined && (typeof v.out !== 'string' || v.out === '')) throw new UsageError(`${command}: --out needs a folder`);
  return {
    steps: intOption(command, 'steps', v.steps, 1),
    out: v.out as string | undefined,
    saveEvery: intOption(command, 'save-every', v['save-every'], 0) ?? 0,
    keep: intOption(command, 'keep', v.keep, 0) ?? 0,
    logEvery: intOption(command, 'log-every', v['log-every'], 0),
    progress: choiceOption(command, 'progress', v.progress, PROGRESS_MODES) ?? 'auto',
  };
}

/** `train`: everything checked here, before any data or GPU work. */
export function prepareTrain(p: ParsedCommand): Job {
  const v = p.values;
  const o = runOptions('train', v);
  const seed = intOption('train', 'seed', v.seed, 0);
  if (seed !== undefined && seed > 0xffffffff) throw new UsageError(`train: --seed must be an integer in 0…4294967295, got '${String(v.seed)}'`);
  const configPath = v.config === undefined ? undefined : existingPath('train', '--config', v.config);
  const plan = planRun('train', {
    preset: v.preset as string | undefined,
    configPath,
    configText: configPath === undefined ? undefined : readFileSync(configPath, 'utf8'),
    data: v.data as string | undefined,
    labels: v.labels as string | undefined,
    range: rangeOption('train', v.range),
    seed,
    batch: intOption('train', 'batch', v.batch, 1),
    steps: o.steps,
    objective: v.objective as string | undefined,
  });
  return {
    gpu: true,
    run: (io) => {
      const set = plan.source ? loadData(plan.source) : null;
      const config = runConfig(plan, set, o.logEvery || undefined);
      resolveGanConfig(config); // GanConfigError (bad input) before any GPU work
      const run: RunDescription = { ...plan.run, batch: config.batchSize, ...(plan.source && set ? { data: dataRecord(plan.source, set) } : {}) };
      return trainRun(io, { run, config, plan, out: o.out ?? 'out', steps: run.steps, options: o });
    },
  };
}

/** `resume CHECKPOINT`. */
export function prepareResume(p: ParsedCommand): Job {
  const v = p.values;
  const o = runOptions('resume', v);
  const path = existingPath('resume', 'the checkpoint', p.positionals[0]);
  const { bytes, file } = readCheckpointFile(path);
  const recorded = readRunDescription(file.metadata, path);
  const step = Number(file.metadata.step);
  if (!Number.isSafeInteger(step) || step < 0) throw new UsageError(`resume: ${path} has no valid __metadata__.step`);
  const steps = o.steps ?? recorded.steps - step;
  if (steps < 1) {
    throw new UsageError(`resume: ${path} is at step ${step}, the end of its run (--steps ${recorded.steps}); give --steps N to train N more`);
  }
  const plan = planRecordedRun('resume', recorded, v.data as string | undefined, v.labels as string | undefined);
  return {
    gpu: true,
    run: (io) => {
      const set = plan.source ? loadData(plan.source) : null;
      if (set && plan.source && recorded.data) checkSameData(recorded.data, plan.source, set, `resume ${path}`);
      const config = runConfig(plan, set, o.logEvery || undefined);
      resolveGanConfig(config);
      const run: RunDescription = { ...recorded, steps: step + steps, ...(recorded.data && plan.source ? { data: { ...recorded.data, ...plan.source } } : {}) };
      return trainRun(io, { run, config, plan, out: o.out ?? dirname(path), steps, options: o, resume: { path, bytes, step } });
    },
  };
}

interface TrainRun {
  run: RunDescription;
  config: GanConfig;
  plan: RunPlan;
  out: string;
  /** Steps to train in this call. */
  steps: number;
  options: RunOptions;
  resume?: { path: string; bytes: Uint8Array; step: number };
}

/** The range the generated samples are in: the presets train on [−1, 1]; config runs on their data's range. */
export const sampleRange = (run: RunDescription): PixelRange => (run.preset ? 'tanh' : (run.data?.range ?? 'tanh'));

/** The (C, H, W) of a sample: the generator's image output, else the data's shape; null for flat samples. */
export function sampleShape(config: { generator: { outputShape: readonly [number, number, number] | null } }, run: RunDescription): [number, number, number] | null {
  const s = config.generator.outputShape ?? run.data?.shape ?? null;
  return s ? [s[0], s[1], s[2]] : null;
}

async function trainRun(io: CliOutput, t: TrainRun): Promise<number> {
  const { run, config, options: o } = t;
  mkdirSync(t.out, { recursive: true });
  const ctx = await createNodeGpuContext();
  io.out(`adapter: ${ctx.adapterName}\n`);
  io.out(`G: ${config.generator.describe()}\nD: ${config.discriminator.describe()}\n`);
  const t0 = performance.now();
  const trainer = await GanTrainer.create(ctx, config);
  io.out(`step plan built in ${(performance.now() - t0).toFixed(0)} ms, ${trainer.dispatchesPerStep} dispatches per step\n`);
  if (t.resume) {
    await loadCheckpoint(trainer, t.resume.bytes);
    io.out(`resumed ${t.resume.path} at step ${trainer.step}; training to step ${trainer.step + t.steps}\n`);
  }
  const from = trainer.step;
  const to = from + t.steps;
  const reporter = new TrainingReporter(io, o.progress, from, to, o.logEvery !== 0);
  const unsubscribe = trainer.onStats((s) => reporter.stats(s));

  // Ctrl-C: stop between command buffers, then save. A terminal signals this process and the filtering
  // parent, which passes it on: the same Ctrl-C can come twice, so a second one within a second is ignored.
  const controller = new AbortController();
  let interruptedAt = 0;
  const onSignal = () => {
    const now = Date.now();
    if (!controller.signal.aborted) {
      interruptedAt = now;
      controller.abort(new Error('interrupted'));
      reporter.end();
      io.err('webgpu-gan: interrupted; stopping after the current command buffer, then saving a checkpoint (Ctrl-C again to quit without saving)\n');
    } else if (now - interruptedAt > 1000) {
      io.err('webgpu-gan: interrupted again; exiting without saving\n');
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const written: string[] = [];
  let savedAt = -1;
  const save = async (): Promise<string> => {
    const path = await saveRunCheckpoint(trainer, run, t.out);
    savedAt = trainer.step;
    if (!written.includes(path)) written.push(path);
    if (o.keep > 0) for (const old of written.splice(0, Math.max(0, written.length - o.keep))) rmSync(old, { force: true });
    reporter.line(`saved ${path} (step ${trainer.step})`);
    return path;
  };

  const started = performance.now();
  reporter.begin();
  try {
    while (trainer.step < to && !controller.signal.aborted) {
      const at = trainer.step;
      const stretch = o.saveEvery > 0 ? Math.min(o.saveEvery - (at % o.saveEvery), to - at) : to - at;
      try {
        await trainer.train(stretch, { signal: controller.signal, onProgress: (p) => reporter.progress(at + p.done) });
      } catch (e) {
        if (controller.signal.aborted) break;
        throw e;
      }
      if (o.saveEvery > 0 && trainer.step % o.saveEvery === 0 && trainer.step < to) await save();
    }
  } finally {
    reporter.end();
    unsubscribe();
  }
  const seconds = (performance.now() - started) / 1000;
  const done = trainer.step - from;
  const last = savedAt === trainer.step ? checkpointPath(t.out, run.name, trainer.step) : await save();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (controller.signal.aborted) {
    io.err(`webgpu-gan: interrupted at step ${trainer.step} (${done} of ${t.steps} steps done); saved ${last}\ncontinue with: webgpu-gan resume ${last}\n`);
    trainer.dispose();
    ctx.dispose();
    return EXIT_INTERRUPTED;
  }
  io.out(`trained ${done} steps in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(1)} steps/s)\n`);
  await reportSamples(io, trainer, run, t.out);
  trainer.dispose();
  ctx.dispose();
  return EXIT_OK;
}

/** What the run learned: a grid of samples for images (a row per class for conditional GANs), sample statistics otherwise. */
async function reportSamples(io: CliOutput, trainer: GanTrainer, run: RunDescription, out: string): Promise<void> {
  const shape = sampleShape(trainer.config, run);
  const X = trainer.config.shapes.sample;
  if (drawable(shape)) {
    const K = trainer.config.shapes.classes;
    const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10) % Math.max(K, 1));
    const images = await trainer.sample(100, K > 0 ? { labels } : {});
    const path = join(out, `${run.name}-${trainer.step}.png`);
    writeFileSync(path, sampleGridPng(images, 100, shape, 10, sampleRange(run)));
    io.out(`wrote ${path}${K > 0 ? ` (row i: label i mod ${K})` : ''}\n`);
  } else if (X !== 1) {
    const samples = await trainer.sample(1000);
    const means = Array.from({ length: X }, (_, j) => samples.filter((_, i) => i % X === j).reduce((a, b) => a + b, 0) / 1000);
    io.out(`generated 1000 samples of ${X} values; per-coordinate means ${means.slice(0, 4).map((m) => m.toFixed(3)).join(', ')}${X > 4 ? ', …' : ''}\n`);
  } else {
    const samples = await trainer.sample(10_000);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const std = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
    io.out(`generated ${samples.length} values: mean ${mean.toFixed(3)}, std ${std.toFixed(3)}\n`);
    if (run.preset === 'gaussian1d') io.out('target: mean 4.000, std 1.250\n');
  }
}

