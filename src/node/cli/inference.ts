// sample and eval: a checkpoint's nets rebuilt from its run description, on
// stand-in data (the data itself is not needed to run G or D), and restored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitDigits } from '../../data/digits.js';
import { decodeClassifierWeights, digitClassifierConfig, digitClassifierNet, digitFeatureStatistics, evaluateDigitGan } from '../../eval/digit-quality.js';
import { Classifier } from '../../eval/classifier.js';
import { loadCheckpoint } from '../../models/gan/checkpoint.js';
import { resolveGanConfig, type GanConfig } from '../../models/gan/config.js';
import { GanTrainer } from '../../models/gan/trainer.js';
import { encodeNpy } from '../../io/npy.js';
import { createNodeGpuContext } from '../device.js';
import { loadMnistDigits } from '../mnist.js';
import { existingPath, intOption, type ParsedCommand } from './args.js';
import { EXIT_OK, UsageError } from './errors.js';
import { drawable, sampleGridPng } from './grid.js';
import type { Job } from './train.js';
import { sampleRange, sampleShape } from './train.js';
import { readCheckpointFile, writeFileAtomic } from './checkpoint-files.js';
import { planRecordedRun, readRunDescription, runConfig, type RunDescription } from './run.js';

interface OpenedCheckpoint {
  path: string;
  bytes: Uint8Array;
  run: RunDescription;
  config: GanConfig;
  step: number;
}

/** Reads a CLI checkpoint and builds its GanConfig on stand-in data; no GPU work. */
function openCheckpoint(command: string, raw: string | undefined): OpenedCheckpoint {
  const path = existingPath(command, 'the checkpoint', raw);
  const { bytes, file } = readCheckpointFile(path);
  const run = readRunDescription(file.metadata, path);
  const config = runConfig(planRecordedRun(command, run), null);
  resolveGanConfig(config);
  return { path, bytes, run, config, step: Number(file.metadata.step) };
}

async function restoredTrainer(c: OpenedCheckpoint) {
  const ctx = await createNodeGpuContext();
  const trainer = await GanTrainer.create(ctx, c.config);
  await loadCheckpoint(trainer, c.bytes);
  return { ctx, trainer };
}

/** "3" (every sample that class) or "0,1,2,…" (one per sample); checked against n and K. */
function parseLabels(raw: string, n: number, classes: number): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const bad = parts.findIndex((s, i) => !/^\d+$/.test(s) || values[i] >= classes);
  if (bad >= 0) throw new UsageError(`sample: --labels: '${parts[bad]}' is not a class of this GAN (integers 0…${classes - 1})`);
  if (values.length === 1) return new Array<number>(n).fill(values[0]);
  if (values.length !== n) throw new UsageError(`sample: --labels has ${values.length} classes but --n is ${n}; give one class for all, or one per sample`);
  return values;
}

/** `sample CHECKPOINT`. */
export function prepareSample(p: ParsedCommand): Job {
  const v = p.values;
  const n = intOption('sample', 'n', v.n, 1) ?? 64;
  const columnsAsked = intOption('sample', 'columns', v.columns, 1);
  if (v.out !== undefined && (typeof v.out !== 'string' || v.out === '')) throw new UsageError('sample: --out needs a path prefix');
  const c = openCheckpoint('sample', p.positionals[0]);
  const prefix = (v.out as string | undefined) ?? `${c.path.replace(/\.safetensors$/i, '')}-samples`;
  if (!existsSync(dirname(resolve(prefix))) || !statSync(dirname(resolve(prefix))).isDirectory()) {
    throw new UsageError(`sample: the folder of --out '${prefix}' does not exist`);
  }
  const K = c.config.condition?.classes ?? 0;
  if (v.labels !== undefined && K === 0) throw new UsageError('sample: --labels given, but this GAN is not conditional');
  const labels = K > 0 ? (v.labels !== undefined ? parseLabels(v.labels as string, n, K) : Array.from({ length: n }, (_, i) => i % K)) : undefined;
  const shape = sampleShape(c.config, c.run);
  const columns = columnsAsked ?? (K > 0 && v.labels === undefined ? K : Math.ceil(Math.sqrt(n)));
  return {
    gpu: true,
    async run(io) {
      const { ctx, trainer } = await restoredTrainer(c);
      const samples = await trainer.sample(n, labels ? { labels } : {});
      const X = trainer.config.shapes.sample;
      const npy = `${prefix}.npy`;
      writeFileAtomic(npy, encodeNpy(samples, shape ? [n, ...shape] : [n, X]));
      io.out(`wrote ${npy} (float32, shape (${(shape ? [n, ...shape] : [n, X]).join(', ')}))\n`);
      if (drawable(shape)) {
        const png = `${prefix}.png`;
        writeFileAtomic(png, sampleGridPng(samples, n, shape, columns, sampleRange(c.run)));
        io.out(`wrote ${png} (${columns} columns)\n`);
      }
      trainer.dispose();
      ctx.dispose();
      return EXIT_OK;
    },
  };
}

/** weights/digit-classifier.safetensors of this package: looked for above this module (src/node/cli or dist). */
function defaultClassifierPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'weights', 'digit-classifier.safetensors');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new UsageError('eval: the digit classifier weights (weights/digit-classifier.safetensors) are not beside this package; give --classifier FILE');
}

/** `eval CHECKPOINT`. */
export function prepareEval(p: ParsedCommand): Job {
  const v = p.values;
  const samples = intOption('eval', 'samples', v.samples, 2) ?? 2000;
  const classifierPath = v.classifier !== undefined ? existingPath('eval', '--classifier', v.classifier) : defaultClassifierPath();
  const c = openCheckpoint('eval', p.positionals[0]);
  const shape = sampleShape(c.config, c.run);
  if (c.config.generator.outputSize !== 784 || (shape && shape.join('×') !== '1×28×28')) {
    throw new UsageError(`eval: ${c.path} makes ${shape ? shape.join('×') : c.config.generator.outputSize} samples; the digit metrics need 28×28 one-channel digits`);
  }
  const net = digitClassifierNet();
  const weights = decodeClassifierWeights(net, readFileSync(classifierPath));
  return {
    gpu: true,
    async run(io) {
      const { train, holdout } = splitDigits(loadMnistDigits());
      const { ctx, trainer } = await restoredTrainer(c);
      const classifier = await Classifier.create(ctx, digitClassifierConfig(train), weights);
      const reference = await digitFeatureStatistics(classifier, holdout);
      const quality = await evaluateDigitGan(trainer, classifier, reference, samples);
      const result = { checkpoint: c.path, step: trainer.step, ...quality, heldOutDigits: holdout.rows };
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      classifier.dispose();
      trainer.dispose();
      ctx.dispose();
      return EXIT_OK;
    },
  };
}
