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
}

export interface ResolvedAdam {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface ResolvedGanConfig extends GanConfig {
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
  if (G.outputSize !== D.inputSize) {
    throw new GanConfigError(
      `generator '${G.name}' outputs ${G.outputSize} features but discriminator '${D.name}' expects ${D.inputSize}`,
    );
  }
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
    if (G.outputSize !== 1) throw new GanConfigError(`data: a normal distribution is 1-D but the generator outputs ${G.outputSize} features`);
    if (!(Number.isFinite(d.mean) && d.std > 0)) throw new GanConfigError(`data: normal needs a finite mean and std > 0`);
  } else if (d.kind === 'dataset') {
    positiveInt('data.rows', d.rows);
    if (d.cols !== D.inputSize) {
      throw new GanConfigError(`data: rows have ${d.cols} features but discriminator '${D.name}' expects ${D.inputSize}`);
    }
    if (d.values.length !== d.rows * d.cols) {
      throw new GanConfigError(`data: values has ${d.values.length} numbers, expected rows × cols = ${d.rows} × ${d.cols} = ${d.rows * d.cols}`);
    }
    if (c.batchSize > d.rows) {
      throw new GanConfigError(`batchSize ${c.batchSize} does not fit the data: the dataset has only ${d.rows} rows`);
    }
    const bad = d.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new GanConfigError(`data: value ${bad} (row ${Math.floor(bad / d.cols)}) is ${d.values[bad]}, not finite`);
  } else {
    throw new GanConfigError(`data: unknown kind '${(d as { kind: string }).kind}'; expected normal or dataset`);
  }
  const realLabel = c.realLabel ?? 1;
  if (!(realLabel > 0 && realLabel <= 1)) throw new GanConfigError(`realLabel must be in (0, 1], got ${realLabel}`);
  const seed = c.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new GanConfigError(`seed must be a u32 integer, got ${seed}`);
  return {
    ...c,
    dSteps,
    statsEvery,
    realLabel,
    seed,
    adamD: resolveAdam('optimizerD', c.optimizerD),
    adamG: resolveAdam('optimizerG', c.optimizerG),
  };
}

/** Philox stream ids: D update j draws noise from 2j and real rows from 2j+1; the G update from 2·dSteps. */
export const noiseStreamD = (j: number): number => 2 * j;
export const realStreamD = (j: number): number => 2 * j + 1;
export const noiseStreamG = (dSteps: number): number => 2 * dSteps;
/** Streams ≥ this are for sampling outside training. */
export const SAMPLE_STREAM = 0x10000;
