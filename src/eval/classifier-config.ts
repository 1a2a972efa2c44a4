// A classifier's configuration and its validation, apart from the GPU code so
// that it can be checked (and tested) before anything touches a device.
import { ConfigError } from '../runtime/errors.js';
import type { Sequential } from '../models/layers/sequential.js';
import '../models/optim/index.js'; // registers the optimizers
import { findOptimizer, optimizerNames, type OptimizerModule } from '../models/optim/optimizer.js';
import type { OptimizerSpec } from '../models/optim/optimizer.js';

/** Thrown for a bad ClassifierConfig or call, before any GPU work. */
export class ClassifierConfigError extends ConfigError {
  override name = 'ClassifierConfigError';
}

export interface ClassifierConfig {
  /** Ends in `classes` logits; its second-to-last stage's output is the feature vector. */
  net: Sequential;
  classes: number;
  /** Training rows (rows, cols) and their labels (rows), 0 ≤ label < classes. */
  data: { values: Float32Array; labels: Uint8Array; rows: number; cols: number };
  batchSize: number;
  optimizer: OptimizerSpec;
  seed?: number;
  /** Read the loss back every this many steps (asynchronously). Default 50. */
  statsEvery?: number;
}

export interface ResolvedClassifierConfig extends Required<ClassifierConfig> {
  optimizerModule: OptimizerModule;
  hyper: unknown;
}

/** Checks a classifier config (throws ClassifierConfigError, before any GPU work) and fills the defaults. */
export function resolveClassifierConfig(c: ClassifierConfig): ResolvedClassifierConfig {
  if (typeof c !== 'object' || c === null) throw new ClassifierConfigError(`classifier: the config must be an object, got ${String(c)}`);
  const { net, data } = c;
  const where = `classifier '${net?.name}'`;
  const fail = (m: string): never => {
    throw new ClassifierConfigError(`${where}${m}`);
  };
  if (!net || !Array.isArray(net.stages)) fail(`: net must be a Sequential`);
  if (!(Number.isInteger(c.classes) && c.classes >= 2)) fail(`: classes must be an integer ≥ 2, got ${c.classes}`);
  if (net.outputSize !== c.classes) fail(` outputs ${net.outputSize} logits but classes is ${c.classes}`);
  if (net.stages.length < 2) fail(` needs at least two stages: the features come from the second-to-last`);
  if (!data || !(data.values instanceof Float32Array) || !(data.labels instanceof Uint8Array)) fail(`: data needs values (Float32Array) and labels (Uint8Array)`);
  if (net.inputSize !== data.cols) fail(` expects ${net.inputSize} inputs but data rows have ${data.cols}`);
  if (!(Number.isInteger(data.rows) && data.rows > 0) || data.values.length !== data.rows * data.cols || data.labels.length !== data.rows) {
    fail(`: data needs rows × cols = ${data.rows} × ${data.cols} values and ${data.rows} labels, got ${data.values.length} and ${data.labels.length}`);
  }
  const bad = data.labels.findIndex((l) => l >= c.classes);
  if (bad >= 0) fail(`: label ${bad} is ${data.labels[bad]}, outside 0…${c.classes - 1}`);
  if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1 && c.batchSize <= data.rows)) fail(`: batchSize must be an integer in 1…${data.rows}, got ${c.batchSize}`);
  const o = (c.optimizer ?? {}) as OptimizerSpec & Record<string, unknown>;
  const module = findOptimizer((o.name as string | undefined) ?? 'adam');
  if (!module) return fail(`: optimizer.name is ${JSON.stringify(o.name)}; expected one of ${optimizerNames().join(', ')}`);
  const hyper = module.resolve(o, (m) => fail(`: optimizer${m}`));
  return { seed: 0, statsEvery: 50, ...c, optimizerModule: module, hyper };
}
