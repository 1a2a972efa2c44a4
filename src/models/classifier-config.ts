// A classifier's configuration and its validation, apart from the GPU code so
// that it can be checked (and tested) before anything touches a device.
import { GanConfigError } from '../runtime/errors.js';
import type { AdamOptions } from './config.js';
import type { Sequential } from './sequential.js';

export interface ClassifierConfig {
  /** Ends in `classes` logits; its second-to-last stage's output is the feature vector. */
  net: Sequential;
  classes: number;
  /** Training rows (rows, cols) and their labels (rows), 0 ≤ label < classes. */
  data: { values: Float32Array; labels: Uint8Array; rows: number; cols: number };
  batchSize: number;
  optimizer: AdamOptions;
  seed?: number;
  /** Read the loss back every this many steps (asynchronously). Default 50. */
  statsEvery?: number;
}

/** Checks a classifier config (throws GanConfigError, before any GPU work) and fills the defaults. */
export function resolveClassifierConfig(c: ClassifierConfig): Required<ClassifierConfig> {
  const { net, data } = c;
  const where = `classifier '${net?.name}'`;
  if (!(Number.isInteger(c.classes) && c.classes >= 2)) throw new GanConfigError(`${where}: classes must be an integer ≥ 2, got ${c.classes}`);
  if (net.outputSize !== c.classes) throw new GanConfigError(`${where} outputs ${net.outputSize} logits but classes is ${c.classes}`);
  if (net.stages.length < 2) throw new GanConfigError(`${where} needs at least two stages: the features come from the second-to-last`);
  if (net.inputSize !== data.cols) throw new GanConfigError(`${where} expects ${net.inputSize} inputs but data rows have ${data.cols}`);
  if (!(Number.isInteger(data.rows) && data.rows > 0) || data.values.length !== data.rows * data.cols || data.labels.length !== data.rows) {
    throw new GanConfigError(
      `${where}: data needs rows × cols = ${data.rows} × ${data.cols} values and ${data.rows} labels, got ${data.values.length} and ${data.labels.length}`,
    );
  }
  const bad = data.labels.findIndex((l) => l >= c.classes);
  if (bad >= 0) throw new GanConfigError(`${where}: label ${bad} is ${data.labels[bad]}, outside 0…${c.classes - 1}`);
  if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1 && c.batchSize <= data.rows)) {
    throw new GanConfigError(`${where}: batchSize must be an integer in 1…${data.rows}, got ${c.batchSize}`);
  }
  if (!(Number.isFinite(c.optimizer.lr) && c.optimizer.lr > 0)) throw new GanConfigError(`${where}: optimizer.lr must be > 0, got ${c.optimizer.lr}`);
  return { seed: 0, statsEvery: 50, ...c };
}
