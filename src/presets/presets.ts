// Presets for the reference workloads. Each returns a full GanConfig that
// can be tweaked before GanTrainer.create().
import { checkDigits, scaleToTanhRange, type DigitData } from '../data/digits.js';
import { sineCurves, SINE_POINTS } from '../data/sine.js';
import { GanConfigError, type GanConfig } from '../models/gan/config.js';
import { BatchNorm, Conv2d, ConvTranspose2d, ELU, Flatten, LeakyReLU, Linear, ReLU, Tanh, Unflatten } from '../models/layers/index.js';
import { Sequential } from '../models/layers/sequential.js';
import { withObjective, type PresetObjective } from './objectives.js';
import { toy2d, TOY2D_SETS, type Toy2dSet } from './toy2d.js';

// The data the presets train on, so that `presets` is one namespace for a user.
export { decodeDigits, splitDigits, scaleToTanhRange, TRAIN_ROWS, type DigitData } from '../data/digits.js';
export { sineCurves, SINE_POINTS } from '../data/sine.js';
export { PRESET_OBJECTIVES, withObjective, withoutBatchStatistics, type PresetObjective } from './objectives.js';

export interface PresetOptions {
  seed?: number;
  batchSize?: number;
  /** D updates per G update (n_critic), for the presets that take it. */
  dSteps?: number;
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

/**
 * Seed 002: D 784-256-256-1 LeakyReLU(0.2); G 96-1024-1024-784 ReLU, Tanh out;
 * noise U[−1, 1]; BCE with logits; Adam 3e-4, betas (0.5, 0.999); batch 128.
 */
export function mnistMlp(digits: DigitData, o: PresetOptions = {}): GanConfig {
  checkDigits('mnistMlp', digits);
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

const ADAM_DCGAN = { lr: 2e-4, beta1: 0.5, beta2: 0.999 };
const digitData = (digits: DigitData) =>
  ({ kind: 'dataset', values: scaleToTanhRange(digits.pixels), rows: digits.rows, cols: 784 }) as const;

/**
 * DCGAN on 28×28 digits. G: z (100) ~ N(0, 1) → Linear 128·7·7 (no bias) →
 * (128, 7, 7) → BN → ReLU → ConvT 128→64 k4 s2 p1 (no bias) → BN → ReLU →
 * ConvT 64→1 k4 s2 p1 → Tanh. D: Conv 1→64 k4 s2 p1 → LeakyReLU 0.2 →
 * Conv 64→128 k4 s2 p1 (no bias) → BN → LeakyReLU 0.2 → Flatten → Linear → 1
 * logit. Batch 64, BCE, Adam 2e-4, betas (0.5, 0.999). The first BatchNorm
 * is per channel after the reshape (BatchNorm2d(128)), as in DCGAN.
 */
export function dcgan28(digits: DigitData, o: PresetOptions = {}): GanConfig {
  checkDigits('dcgan28', digits);
  return {
    generator: new Sequential('generator', [
      Linear(100, 128 * 7 * 7, { bias: false }), Unflatten(128, 7, 7), BatchNorm(128), ReLU(),
      ConvTranspose2d(128, 64, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(64), ReLU(),
      ConvTranspose2d(64, 1, 4, { stride: 2, padding: 1 }), Tanh(),
    ]),
    discriminator: new Sequential('discriminator', [
      Conv2d(1, 64, 4, { stride: 2, padding: 1 }), LeakyReLU(0.2),
      Conv2d(64, 128, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(128), LeakyReLU(0.2),
      Flatten(), Linear(128 * 7 * 7, 1),
    ], { inputShape: [1, 28, 28] }),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: digitData(digits),
    batchSize: o.batchSize ?? 64,
    dSteps: o.dSteps ?? 1,
    optimizerD: ADAM_DCGAN,
    optimizerG: ADAM_DCGAN,
    seed: o.seed ?? 0,
    statsEvery: 10,
  };
}

/**
 * Seed 004, the conditional DCGAN, at the digits' own 28×28 (not padded to
 * 32×32: the classifier and the other presets all see 28×28). G: [z (100);
 * onehot(y) (10)] as a 110-channel 1×1 image → ConvT 110→256 k7 (7×7, no
 * bias) → BN → ReLU → ConvT 256→128 k4 s2 p1 (14×14, no bias) → BN → ReLU →
 * ConvT 128→1 k4 s2 p1 (28×28) → Tanh. D: the image with 10 one-hot label
 * planes (11, 28, 28) → Conv 11→64 k4 s2 p1 → LeakyReLU 0.2 → Conv 64→128 k4
 * s2 p1 (no bias) → BN → LeakyReLU 0.2 → Flatten → Linear → 1 logit. BCE,
 * Adam 2e-4, betas (0.5, 0.999), batch 64. n_critic (dSteps) is an option;
 * the seed's 5 is not the default: with BCE, 5 D updates per G update let D
 * win outright on an H200 (bench/results/gpu-node-h200.jsonl), so the default
 * is 1. (The seed crops its images to 8×8 by mistake; this trains on the
 * whole digit.)
 */
export function cdcgan(digits: DigitData, o: PresetOptions = {}): GanConfig {
  checkDigits('cdcgan', digits);
  return {
    generator: new Sequential('generator', [
      ConvTranspose2d(110, 256, 7, { bias: false }), BatchNorm(256), ReLU(),
      ConvTranspose2d(256, 128, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(128), ReLU(),
      ConvTranspose2d(128, 1, 4, { stride: 2, padding: 1 }), Tanh(),
    ], { inputShape: [110, 1, 1] }),
    discriminator: new Sequential('discriminator', [
      Conv2d(11, 64, 4, { stride: 2, padding: 1 }), LeakyReLU(0.2),
      Conv2d(64, 128, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(128), LeakyReLU(0.2),
      Flatten(), Linear(128 * 7 * 7, 1),
    ], { inputShape: [11, 28, 28] }),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: digitData(digits),
    condition: { classes: 10, labels: digits.labels },
    batchSize: o.batchSize ?? 64,
    dSteps: o.dSteps ?? 1,
    optimizerD: ADAM_DCGAN,
    optimizerG: ADAM_DCGAN,
    seed: o.seed ?? 0,
    statsEvery: 10,
  };
}

/**
 * cdcgan's plan at a size that trains on a CPU (SwiftShader) in minutes:
 * G [z (32); onehot(y)] → Linear 16·7·7 (no bias) → (16, 7, 7) → BN → ReLU →
 * ConvT 16→8 k4 s2 p1 (no bias) → BN → ReLU → ConvT 8→1 k4 s2 p1 → Tanh;
 * D (11, 28, 28) → Conv 11→8 k4 s2 p1 → LeakyReLU 0.2 → Conv 8→16 k4 s2 p1
 * (no bias) → BN → LeakyReLU 0.2 → Flatten → Linear 784 → 1. One D update per
 * G update, batch 32, Adam 1e-3 / betas (0.5, 0.999): lr 1e-3 reached a given
 * conditional accuracy in about half the steps of 5e-4 (every run:
 * bench/results/quality.md).
 */
export function cdcganSmall(digits: DigitData, o: PresetOptions = {}): GanConfig {
  checkDigits('cdcganSmall', digits);
  const adam = { lr: 1e-3, beta1: 0.5, beta2: 0.999 };
  return {
    generator: new Sequential('generator', [
      Linear(32 + 10, 16 * 7 * 7, { bias: false }), Unflatten(16, 7, 7), BatchNorm(16), ReLU(),
      ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(8), ReLU(),
      ConvTranspose2d(8, 1, 4, { stride: 2, padding: 1 }), Tanh(),
    ]),
    discriminator: new Sequential('discriminator', [
      Conv2d(11, 8, 4, { stride: 2, padding: 1 }), LeakyReLU(0.2),
      Conv2d(8, 16, 4, { stride: 2, padding: 1, bias: false }), BatchNorm(16), LeakyReLU(0.2),
      Flatten(), Linear(16 * 7 * 7, 1),
    ], { inputShape: [11, 28, 28] }),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: digitData(digits),
    condition: { classes: 10, labels: digits.labels },
    batchSize: o.batchSize ?? 32,
    dSteps: o.dSteps ?? 1,
    optimizerD: adam,
    optimizerG: adam,
    seed: o.seed ?? 0,
    statsEvery: 10,
  };
}

export const PRESETS = ['gaussian1d', 'sine', 'mnistMlp', 'dcgan28', 'cdcgan', 'cdcganSmall', ...TOY2D_SETS] as const;
export type PresetName = (typeof PRESETS)[number];
/** The presets that train on digits. */
export const DIGIT_PRESETS: readonly PresetName[] = ['mnistMlp', 'dcgan28', 'cdcgan', 'cdcganSmall'];

/** What preset() takes: the preset's options, the digits for the digit presets, and the objective to train with. */
export interface PresetChoice extends PresetOptions {
  digits?: DigitData;
  /** The loss and stabiliser (objectives.ts): 'bce' (the preset's own, default), 'hinge-sn' or 'wgan-gp'. */
  objective?: PresetObjective;
}

/** A preset by name; the digit presets need the digits (their training split: see splitDigits). */
export function preset(name: string, o: PresetChoice = {}): GanConfig {
  return withObjective(presetConfig(name, o), o.objective ?? 'bce');
}

function presetConfig(name: string, o: PresetChoice): GanConfig {
  const digits = (): DigitData => {
    if (!o.digits) throw new GanConfigError(`preset '${name}' needs digits (in Node: splitDigits(loadMnistDigits()).train)`);
    return o.digits;
  };
  switch (name) {
    case 'gaussian1d': return gaussian1d(o);
    case 'sine': return sine(o);
    case 'mnistMlp': return mnistMlp(digits(), o);
    case 'dcgan28': return dcgan28(digits(), o);
    case 'cdcgan': return cdcgan(digits(), o);
    case 'cdcganSmall': return cdcganSmall(digits(), o);
    // The 2-D toy sets (toy2d.ts): no digits; 'drawn' uses DEFAULT_STROKES (toy2d() takes others).
    case 'ring8':
    case 'grid25':
    case 'twoMoons':
    case 'drawn':
      return toy2d(name satisfies Toy2dSet, { seed: o.seed, batchSize: o.batchSize });
    default:
      throw new GanConfigError(`unknown preset '${name}'; expected one of ${PRESETS.join(', ')}`);
  }
}
