// The digit classifier behind the GAN quality metrics, its shipped weights'
// file format, and the evaluation of a digit GAN against held-out digits.
// Weights: weights/digit-classifier.safetensors, trained by
// scripts/train-classifier.mjs on the 8,000 training digits (splitDigits).
import { scaleToTanhRange, type DigitData } from '../data/digits.js';
import { CheckpointError, encodeSafetensors, parseSafetensors, type SafetensorsTensor } from '../io/safetensors.js';
import { GanConfigError } from '../models/gan/config.js';
import type { GanTrainer } from '../models/gan/trainer.js';
import { Conv2d, Flatten, Linear, ReLU } from '../models/layers/index.js';
import { Sequential } from '../models/layers/sequential.js';
import type { Classifier, ClassifierConfig } from './classifier.js';
import { agreement, featureStatistics, frechetDistance, modeCoverage, type ModeCoverage } from './metrics.js';

/**
 * (1, 28, 28) in [−1, 1] → Conv 1→8 k5 s2 p2 → ReLU → Conv 8→16 k5 s2 p2 →
 * ReLU → Flatten → Linear 784→64 → ReLU (the 64 features) → Linear 64→10.
 */
export function digitClassifierNet(): Sequential {
  return new Sequential(
    'classifier',
    [
      Conv2d(1, 8, 5, { stride: 2, padding: 2 }), ReLU(),
      Conv2d(8, 16, 5, { stride: 2, padding: 2 }), ReLU(),
      Flatten(), Linear(16 * 7 * 7, 64), ReLU(), Linear(64, 10),
    ],
    { inputShape: [1, 28, 28] },
  );
}

/** Training setup of the shipped weights: inputs in the GANs' [−1, 1] range. */
export function digitClassifierConfig(train: DigitData, seed = 0): ClassifierConfig {
  return {
    net: digitClassifierNet(),
    classes: 10,
    data: { values: scaleToTanhRange(train.pixels), labels: train.labels, rows: train.rows, cols: 784 },
    batchSize: 64,
    optimizer: { lr: 2e-3, beta1: 0.9, beta2: 0.999 },
    seed,
  };
}

const WEIGHTS_FORMAT = 'webgpu-gan-classifier';

/** A net's flat parameters as safetensors, under its PyTorch state_dict names. */
export function encodeClassifierWeights(net: Sequential, params: Float32Array, metadata: Record<string, string> = {}): Uint8Array {
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of net.parameters) tensors.set(p.name, { shape: [...p.shape], data: params.slice(p.offset, p.offset + p.size) });
  return encodeSafetensors(tensors, { ...metadata, format: WEIGHTS_FORMAT, net: net.describe() });
}

/** Validates the whole file against `net` before returning its flat parameters. */
export function decodeClassifierWeights(net: Sequential, bytes: Uint8Array): Float32Array {
  const file = parseSafetensors(bytes);
  if (file.metadata.format !== WEIGHTS_FORMAT || file.metadata.net !== net.describe()) {
    throw new CheckpointError(`classifier weights: the file is for ${JSON.stringify(file.metadata.net)} (format ${JSON.stringify(file.metadata.format)}), not "${net.describe()}"`);
  }
  const flat = new Float32Array(net.parameterCount);
  for (const p of net.parameters) {
    const t = file.tensors.get(p.name);
    if (!t || t.shape.join('x') !== p.shape.join('x')) {
      throw new CheckpointError(`classifier weights: tensor '${p.name}' should be ${p.shape.join('×')}, found ${t ? t.shape.join('×') : 'nothing'}`);
    }
    if (!t.data.every(Number.isFinite)) throw new CheckpointError(`classifier weights: tensor '${p.name}' is not finite`);
    flat.set(t.data, p.offset);
  }
  if (file.tensors.size !== net.parameters.length) throw new CheckpointError(`classifier weights: ${file.tensors.size} tensors, expected ${net.parameters.length}`);
  return flat;
}

export interface FeatureStatistics {
  mean: Float64Array;
  cov: Float64Array;
}

export interface DigitGanQuality {
  samples: number;
  /** Classifier-FID of the generated digits against the held-out digits. */
  fid: number;
  coverage: ModeCoverage;
  /** Conditional GANs: fraction of G(z, y) the classifier labels y (samples asked for with labels i mod 10). */
  conditionalAccuracy: number | null;
}

/** The classifier's features of `digits` (pixels in [0, 1]) as a Gaussian. */
export async function digitFeatureStatistics(classifier: Classifier, digits: DigitData): Promise<FeatureStatistics> {
  const p = await classifier.predict(scaleToTanhRange(digits.pixels));
  return featureStatistics(p.features, p.featureSize);
}

/** Samples `count` digits from the trainer's G (eval mode) and scores them against `reference` (held-out features). */
export async function evaluateDigitGan(
  trainer: GanTrainer,
  classifier: Classifier,
  reference: FeatureStatistics,
  count = 2000,
): Promise<DigitGanQuality> {
  if (trainer.config.shapes.sample !== 784) throw new GanConfigError(`evaluateDigitGan: the generator makes ${trainer.config.shapes.sample} values per sample, not 28×28 digits`);
  const conditional = trainer.config.shapes.classes === 10;
  const labels = Array.from({ length: count }, (_, i) => i % 10);
  const images = await trainer.sample(count, conditional ? { labels } : {});
  const p = await classifier.predict(images);
  return {
    samples: count,
    fid: frechetDistance(featureStatistics(p.features, p.featureSize), reference),
    coverage: modeCoverage(p.classes, 10),
    conditionalAccuracy: conditional ? agreement(p.classes, labels) : null,
  };
}
