// A run: what train was asked to train (a preset or a config file, seed,
// batch, data, steps), recorded in every checkpoint's __metadata__ under
// RUN_METADATA_KEY as JSON so that resume, sample and eval can rebuild the
// same GanConfig. (loadCheckpoint reads only its own metadata keys and
// ignores this one.)
import { basename, extname } from 'node:path';
import { DataError } from '../../data/data-error.js';
import type { DigitData } from '../../data/digits.js';
import type { ImageSet, PixelRange } from '../../data/images.js';
import { CheckpointError } from '../../io/safetensors.js';
import type { GanConfig } from '../../models/gan/config.js';
import { DIGIT_PRESETS, preset, PRESET_OBJECTIVES, PRESETS, type PresetName, type PresetObjective } from '../../presets/presets.js';
import { parseConfigFile, type ConfigFile } from './config-file.js';
import { dataSource, type DataRecord, type DataSource } from './data.js';
import { UsageError } from './errors.js';

export const RUN_METADATA_KEY = 'webgpu-gan.run';
export const RUN_VERSION = 1;

/** Default --steps per preset (as the first train CLI had them). */
export const PRESET_STEPS: Record<PresetName, number> = {
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
export const CONFIG_STEPS = 1000;

/** What a checkpoint records of its run. */
export interface RunDescription {
  version: number;
  /** Names the checkpoints: <name>-<step>.safetensors. */
  name: string;
  preset?: PresetName;
  /** What the preset trains with (presets/objectives.ts); absent: the preset's own (bce). */
  objective?: PresetObjective;
  /** The config file's JSON as it was read, and where from. */
  config?: { path: string; json: Record<string, unknown> };
  seed: number;
  batch: number;
  /** The step the run aims at (train's --steps counted from 0; a resume with --steps moves it). */
  steps: number;
  /** The data it trains on; absent for presets that make their own (gaussian1d, sine, the 2-D sets) and configs of normal data. */
  data?: DataRecord;
}

/** A run before its data is read: the description without the data's record, and where the data is. */
export interface RunPlan {
  run: Omit<RunDescription, 'data' | 'batch'> & { batch?: number };
  config?: ConfigFile;
  source?: DataSource;
}

export interface PlanOptions {
  preset?: string;
  configPath?: string;
  configText?: string;
  data?: string;
  labels?: string;
  range?: PixelRange;
  seed?: number;
  batch?: number;
  steps?: number;
  objective?: string;
}

const isPreset = (name: string): name is PresetName => (PRESETS as readonly string[]).includes(name);

/** Checks what train was asked for, reading nothing but the config file. */
export function planRun(command: string, o: PlanOptions): RunPlan {
  if (o.preset !== undefined && o.configPath !== undefined) throw new UsageError(`${command}: give --preset or --config, not both`);
  if (o.labels !== undefined && o.data === undefined) throw new UsageError(`${command}: --labels needs --data`);
  if (o.configPath !== undefined) {
    if (o.objective !== undefined) throw new UsageError(`${command}: --objective is for presets; a config file names its own loss, penalty and spectralNorm`);
    const config = parseConfigFile(o.configText!, o.configPath);
    const seed = o.seed ?? (config.json.seed as number | undefined) ?? 0;
    const name = basename(o.configPath, extname(o.configPath)) || 'run';
    const run = { version: RUN_VERSION, name, config: { path: o.configPath, json: config.json }, seed, steps: o.steps ?? config.steps ?? CONFIG_STEPS, batch: o.batch };
    const d = config.data;
    if (o.data !== undefined) return { run, config, source: dataSource(command, o.data, o.labels, o.range ?? (d?.kind === 'files' ? d.range : undefined) ?? 'tanh') };
    if (d?.kind === 'normal') {
      if (o.range !== undefined) throw new UsageError(`${command}: --range is for image data, and ${o.configPath} trains on a normal distribution`);
      return { run, config };
    }
    if (!d) throw new UsageError(`${command}: ${o.configPath} has no "data"; give --data (mnist, an IDX or .npy file, or a folder of PNGs)`);
    return { run, config, source: dataSource(`${command}: ${o.configPath} data`, d.path, d.labels, o.range ?? d.range ?? 'tanh') };
  }
  const name = o.preset ?? 'gaussian1d';
  if (!isPreset(name)) throw new UsageError(`${command}: unknown preset '${name}'; expected one of ${PRESETS.join(', ')}`);
  if (o.range !== undefined) throw new UsageError(`${command}: --range is for --config runs; preset '${name}' scales its data itself`);
  const objective = o.objective;
  if (objective !== undefined && !(PRESET_OBJECTIVES as readonly string[]).includes(objective)) {
    throw new UsageError(`${command}: unknown --objective '${objective}'; expected one of ${PRESET_OBJECTIVES.join(', ')}`);
  }
  const run = {
    version: RUN_VERSION, name, preset: name, seed: o.seed ?? 0, steps: o.steps ?? PRESET_STEPS[name], batch: o.batch,
    ...(objective === undefined || objective === 'bce' ? {} : { objective: objective as PresetObjective }),
  };
  if (!DIGIT_PRESETS.includes(name)) {
    if (o.data !== undefined) throw new UsageError(`${command}: preset '${name}' makes its own data; --data goes with ${DIGIT_PRESETS.join(', ')} or --config`);
    return { run };
  }
  // The digit presets take pixels in [0, 1] and scale them to the Tanh range themselves.
  return { run, source: dataSource(command, o.data ?? 'mnist', o.labels, 'unit') };
}

/** The plan of a recorded run (resume, sample, eval), its data where it was or at `data` / `labels` if given. */
export function planRecordedRun(command: string, run: RunDescription, data?: string, labels?: string): RunPlan {
  const plan: RunPlan = { run: { ...run } };
  delete (plan.run as Partial<RunDescription>).data;
  if (run.config) plan.config = parseConfigFile(JSON.stringify(run.config.json), run.config.path);
  if (data !== undefined) {
    if (!run.data) throw new UsageError(`${command}: --data given, but this run trains on data it makes itself`);
    plan.source = dataSource(command, data, labels, run.data.range);
  } else if (labels !== undefined) {
    throw new UsageError(`${command}: --labels needs --data`);
  } else if (run.data) {
    const { kind, path, labels: l, range } = run.data;
    plan.source = kind === 'mnist' ? { kind, range } : { kind, path, ...(l ? { labels: l } : {}), range };
  }
  return plan;
}

/**
 * The GanConfig of a run on `set` (its data), or on stand-in rows of the
 * right width when `set` is null (sampling and evaluating need only the nets:
 * the data is not read). `statsEvery` overrides the config's.
 */
export function runConfig(plan: RunPlan, set: ImageSet | null, statsEvery?: number): GanConfig {
  const { run } = plan;
  let config: GanConfig;
  if (run.preset) {
    const name = run.preset;
    let digits: DigitData | undefined;
    if (DIGIT_PRESETS.includes(name)) {
      const rows = set?.rows ?? run.batch ?? 128;
      if (set && set.shape.join('×') !== '1×28×28') {
        throw new DataError(`preset '${name}' trains on 28×28 one-channel images, but ${plan.source?.path ?? 'the data'} holds ${set.shape.join('×')} ones`);
      }
      if (set && !set.labels && (name === 'cdcgan' || name === 'cdcganSmall')) {
        throw new DataError(`preset '${name}' is class-conditional and needs labels, but ${plan.source?.path ?? 'the data'} has none (give --labels)`);
      }
      digits = { pixels: set?.values ?? new Float32Array(rows * 784), labels: set?.labels ?? new Uint8Array(rows), rows };
    }
    config = preset(name, { seed: run.seed, batchSize: run.batch, digits, objective: run.objective });
  } else {
    const file = plan.config!;
    const base = file.build();
    const batchSize = run.batch ?? base.batchSize;
    const d = file.data?.kind === 'normal' && !plan.source ? file.data : null;
    const rows = set?.rows ?? batchSize;
    const cols = set ? set.values.length / set.rows : base.generator.outputSize;
    config = { ...base, seed: run.seed, batchSize, data: d ?? { kind: 'dataset', values: set?.values ?? new Float32Array(rows * cols), rows, cols } };
    if (file.classes !== undefined) {
      if (set && !set.labels) throw new DataError(`${file.path}: "classes" asks for a conditional GAN, but ${plan.source?.path ?? 'the data'} has no labels (give --labels)`);
      config.condition = { classes: file.classes, labels: set?.labels ?? new Uint8Array(rows) };
    }
  }
  if (statsEvery !== undefined) config.statsEvery = statsEvery;
  return config;
}

/** The run description of a checkpoint's metadata; CheckpointError when it is missing or malformed. */
export function readRunDescription(metadata: Record<string, string>, path: string): RunDescription {
  const text = metadata[RUN_METADATA_KEY];
  if (text === undefined) {
    const what = metadata.format === 'webgpu-gan' ? 'a webgpu-gan checkpoint saved by the library, not by this CLI' : 'not a checkpoint of this CLI';
    throw new CheckpointError(`${path}: has no __metadata__["${RUN_METADATA_KEY}"] (${what}); the CLI cannot tell which nets and data to rebuild`);
  }
  let run: RunDescription;
  try {
    run = JSON.parse(text) as RunDescription;
  } catch (e) {
    throw new CheckpointError(`${path}: __metadata__["${RUN_METADATA_KEY}"] is not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new CheckpointError(`${path}: __metadata__["${RUN_METADATA_KEY}"] ${what}`);
  };
  if (typeof run !== 'object' || run === null) bad('must be a JSON object');
  if (run.version !== RUN_VERSION) bad(`has version ${JSON.stringify(run.version)}; this CLI reads version ${RUN_VERSION}`);
  if (typeof run.name !== 'string') bad('has no name');
  if ((run.preset === undefined) === (run.config === undefined)) bad('must name a preset or hold a config');
  if (run.preset !== undefined && !isPreset(run.preset)) bad(`names an unknown preset ${JSON.stringify(run.preset)}`);
  for (const k of ['seed', 'batch', 'steps'] as const) if (!Number.isSafeInteger(run[k]) || run[k] < 0) bad(`has a bad ${k}: ${JSON.stringify(run[k])}`);
  return run;
}
