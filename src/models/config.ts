// GAN training configuration and its validation (all before any GPU work).
import { GanConfigError } from '../runtime/errors.js';
import type { Sequential } from './sequential.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export type NoiseSpec =
  | { distribution: 'uniform'; low: number; high: number }
  | { distribution: 'normal'; mean: number; std: number };

/** Real data: drawn fresh from a normal distribution, or rows of a dataset uploaded once. */
export type DataSpec =
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'dataset'; values: Float32Array; rows: number; cols: number };

/**
 * Class conditioning (a conditional GAN): G's input is [z; onehot(y)] and D's
 * input is the sample with K one-hot label planes appended as extra channels
 * (for flat samples, K extra features). Needs a dataset: `labels` holds the
 * class of each of its rows.
 */
export interface ConditionSpec {
  /** Number of classes K. */
  classes: number;
  /** (rows) class index of each dataset row, 0 ≤ label < classes. */
  labels: Uint8Array;
}

export interface GanConfig {
  generator: Sequential;
  discriminator: Sequential;
  noise: NoiseSpec;
  data: DataSpec;
  batchSize: number;
  /** Discriminator updates per generator update (n_critic). Default 1. */
  dSteps?: number;
  optimizerD: AdamOptions;
  optimizerG: AdamOptions;
  /** Target for real samples in the D loss (1 = none; 0.9 = one-sided label smoothing). */
  realLabel?: number;
  seed?: number;
  /** Read losses back every this many steps (asynchronously). Default 10. */
  statsEvery?: number;
  /** Train a class-conditional GAN. */
  condition?: ConditionSpec;
  /**
   * How steps are recorded. 'layered': a dispatch per layer and pass (any
   * net). 'fused-mlp': one dispatch per optimizer phase, for small MLP GANs
   * (fusedMlpIneligibility in models/fused-mlp-eligibility.ts says which). 'auto' (default): fused-mlp
   * when the config and device allow it, else layered.
   */
  plan?: 'auto' | 'layered' | 'fused-mlp';
}

export interface ResolvedAdam {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * Shapes the step plan works with. Per sample: noise Z = G.inputSize − K,
 * sample X = G.outputSize = C·S (C channels of S = H·W positions, or C = X,
 * S = 1 for flat samples), D input = (C + K)·S. K = 0 without conditioning.
 */
export interface PlanShapes {
  noise: number;
  sample: number;
  classes: number;
  channels: number;
  spatial: number;
}

export interface ResolvedGanConfig extends GanConfig {
  shapes: PlanShapes;
  plan: 'auto' | 'layered' | 'fused-mlp';
  dSteps: number;
  realLabel: number;
  seed: number;
  statsEvery: number;
  adamD: ResolvedAdam;
  adamG: ResolvedAdam;
}

const positiveInt = (where: string, v: number): void => {
  if (!Number.isInteger(v) || v < 1) throw new GanConfigError(`${where} must be a positive integer, got ${v}`);
};

function resolveAdam(where: string, o: AdamOptions): ResolvedAdam {
  const r = { lr: o.lr, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0 };
  if (!(Number.isFinite(r.lr) && r.lr > 0)) throw new GanConfigError(`${where}.lr must be a finite number > 0, got ${o.lr}`);
  for (const k of ['beta1', 'beta2'] as const) {
    if (!(r[k] >= 0 && r[k] < 1)) throw new GanConfigError(`${where}.${k} must be in [0, 1), got ${r[k]}`);
  }
  if (!(r.eps > 0)) throw new GanConfigError(`${where}.eps must be > 0, got ${r.eps}`);
  if (!(r.weightDecay >= 0)) throw new GanConfigError(`${where}.weightDecay must be ≥ 0, got ${r.weightDecay}`);
  return r;
}

export function resolveGanConfig(c: GanConfig): ResolvedGanConfig {
  const G = c.generator;
  const D = c.discriminator;
  positiveInt('batchSize', c.batchSize);
  const dSteps = c.dSteps ?? 1;
  positiveInt('dSteps', dSteps);
  const statsEvery = c.statsEvery ?? 10;
  positiveInt('statsEvery', statsEvery);
  if (D.outputSize !== 1) {
    throw new GanConfigError(`discriminator '${D.name}' must end in 1 logit, but its output has ${D.outputSize} features`);
  }
  const shapes = planShapes(c);
  const n = c.noise;
  if (n.distribution === 'uniform') {
    if (!(Number.isFinite(n.low) && Number.isFinite(n.high) && n.low < n.high)) {
      throw new GanConfigError(`noise: uniform needs finite low < high, got [${n.low}, ${n.high})`);
    }
  } else if (n.distribution === 'normal') {
    if (!(Number.isFinite(n.mean) && n.std > 0)) throw new GanConfigError(`noise: normal needs a finite mean and std > 0`);
  } else {
    throw new GanConfigError(`noise: unknown distribution '${(n as { distribution: string }).distribution}'; expected uniform or normal`);
  }
  const d = c.data;
  if (d.kind === 'normal') {
    if (c.condition) throw new GanConfigError('condition: a conditional GAN needs a dataset with labels, but data is a normal distribution');
    if (G.outputSize !== 1) throw new GanConfigError(`data: a normal distribution is 1-D but the generator outputs ${G.outputSize} features`);
    if (!(Number.isFinite(d.mean) && d.std > 0)) throw new GanConfigError(`data: normal needs a finite mean and std > 0`);
  } else if (d.kind === 'dataset') {
    positiveInt('data.rows', d.rows);
    if (d.cols !== shapes.sample) {
      throw new GanConfigError(`data: rows have ${d.cols} features but generator '${G.name}' outputs ${shapes.sample}`);
    }
    if (d.values.length !== d.rows * d.cols) {
      throw new GanConfigError(`data: values has ${d.values.length} numbers, expected rows × cols = ${d.rows} × ${d.cols} = ${d.rows * d.cols}`);
    }
    if (c.batchSize > d.rows) {
      throw new GanConfigError(`batchSize ${c.batchSize} does not fit the data: the dataset has only ${d.rows} rows`);
    }
    const bad = d.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new GanConfigError(`data: value ${bad} (row ${Math.floor(bad / d.cols)}) is ${d.values[bad]}, not finite`);
    if (c.condition) checkLabels(c.condition, d.rows);
  } else {
    throw new GanConfigError(`data: unknown kind '${(d as { kind: string }).kind}'; expected normal or dataset`);
  }
  const realLabel = c.realLabel ?? 1;
  if (!(realLabel > 0 && realLabel <= 1)) throw new GanConfigError(`realLabel must be in (0, 1], got ${realLabel}`);
  const plan = c.plan ?? 'auto';
  if (plan !== 'auto' && plan !== 'layered' && plan !== 'fused-mlp') {
    throw new GanConfigError(`plan must be 'auto', 'layered' or 'fused-mlp', got '${plan}'`);
  }
  const seed = c.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new GanConfigError(`seed must be a u32 integer, got ${seed}`);
  return {
    ...c,
    shapes,
    plan,
    dSteps,
    statsEvery,
    realLabel,
    seed,
    adamD: resolveAdam('optimizerD', c.optimizerD),
    adamG: resolveAdam('optimizerG', c.optimizerG),
  };
}

/** G and D must agree on the sample; with a condition, each input must have room for the K label values. */
function planShapes(c: GanConfig): PlanShapes {
  const G = c.generator;
  const D = c.discriminator;
  const K = c.condition?.classes ?? 0;
  if (c.condition !== undefined) positiveInt('condition.classes', K);
  const X = G.outputSize;
  // Label planes go after the sample's channels: per channel for image samples, as K extra features for flat ones.
  const [C, S] = G.outputShape ? [G.outputShape[0], G.outputShape[1] * G.outputShape[2]] : [X, 1];
  if (K > 0 && G.inputSize <= K) {
    throw new GanConfigError(`condition: generator '${G.name}' takes ${G.inputSize} inputs, which leaves no room for noise next to ${K} one-hot label values`);
  }
  const dExpected = (C + K) * S;
  if (D.inputSize !== dExpected) {
    const how = K === 0 ? '' : ` (its ${C} channel(s) of ${S} position(s) plus ${K} label plane(s))`;
    throw new GanConfigError(
      `generator '${G.name}' outputs ${X} features per sample, so discriminator '${D.name}' must take ${dExpected}${how}, but it expects ${D.inputSize}`,
    );
  }
  return { noise: G.inputSize - K, sample: X, classes: K, channels: C, spatial: S };
}

function checkLabels(cond: ConditionSpec, rows: number): void {
  if (!(cond.labels instanceof Uint8Array) || cond.labels.length !== rows) {
    throw new GanConfigError(`condition.labels must be a Uint8Array with one label per dataset row (${rows}), got ${cond.labels?.length}`);
  }
  const bad = cond.labels.findIndex((l) => l >= cond.classes);
  if (bad >= 0) throw new GanConfigError(`condition.labels[${bad}] is ${cond.labels[bad]}, outside 0…${cond.classes - 1}`);
}

/** Philox stream ids: D update j draws noise from 2j and real rows from 2j+1; the G update from 2·dSteps. */
export const noiseStreamD = (j: number): number => 2 * j;
export const realStreamD = (j: number): number => 2 * j + 1;
export const noiseStreamG = (dSteps: number): number => 2 * dSteps;
/** Fake-label draws of a conditional GAN use their update's noise stream with this bit set. */
export const LABEL_STREAM_BIT = 0x8000;
/** Streams ≥ this are for sampling outside training. */
export const SAMPLE_STREAM = 0x10000;
