// Mode coverage of a GAN trained on a 2-D mixture of Gaussians: the toy
// measure of mode collapse from the unrolled-GAN and VEEGAN papers (Metz et
// al. 2017, "Unrolled Generative Adversarial Networks", ICLR; Srivastava et
// al. 2017, "VEEGAN: Reducing Mode Collapse in GANs using Implicit
// Variational Learning", NeurIPS), on the ring of 8 and the 5×5 grid of
// data/toy2d.ts, whose centres and σ it takes from there (TOY2D_MODES):
//
//   each sample is assigned to its nearest mode centre; it is high quality if
//   it lies within 3σ of that centre (Euclidean distance ≤ 3σ);
//   highQuality = high-quality samples / all samples;
//   a mode is covered if its high-quality samples are ≥ minShare (default 1%)
//   of all samples.
//
// A perfect generator scores highQuality 1 − e^(−9/2) ≈ 0.989 (a 2-D
// Gaussian's mass within 3σ) and covers every mode. The papers draw 2,500
// samples. VEEGAN counts a mode as captured with any
// high-quality sample; the share threshold (as later papers use a minimum
// count) keeps a few stray samples from counting as a mode: with 2,500
// samples, 1% is 25, against 2500 / 8 ≈ 312 or 2500 / 25 = 100 of a perfect
// generator.
import { DataError } from '../data/data-error.js';
import { TOY2D_MODES, type Toy2dMixtureSet } from '../data/toy2d.js';

export type ToyCoverageSet = Toy2dMixtureSet;

export interface ToyCoverageOptions {
  /** The share of all samples a mode needs within 3σ to count as covered, in (0, 1]; default 0.01. */
  minShare?: number;
}

export interface ToyCoverage {
  /** Modes of the set (8 or 25). */
  modes: number;
  /** Modes with ≥ minShare of the samples within 3σ. */
  covered: number;
  /** Share of the samples within 3σ of their nearest mode. */
  highQuality: number;
  /** High-quality samples per mode, in the set's centre order (TOY2D_MODES[set].centers). */
  perMode: number[];
}

/**
 * Mode coverage of samples (n, 2), row-major, against the modes of `set`.
 * Throws DataError for an unknown set, an empty or odd-length array, a
 * non-finite sample, or a minShare outside (0, 1].
 */
export function toyModeCoverage(samples: Float32Array, set: ToyCoverageSet, o: ToyCoverageOptions = {}): ToyCoverage {
  const spec = Object.hasOwn(TOY2D_MODES, set) ? TOY2D_MODES[set] : undefined;
  if (!spec) throw new DataError(`toyModeCoverage: unknown set '${String(set)}'; expected one of ${Object.keys(TOY2D_MODES).join(', ')}`);
  if (!(samples instanceof Float32Array)) throw new DataError('toyModeCoverage: samples must be a Float32Array of (x, y) rows');
  if (samples.length === 0 || samples.length % 2 !== 0) {
    throw new DataError(`toyModeCoverage: samples must hold (x, y) rows, a positive even number of values; got ${samples.length}`);
  }
  const minShare = o.minShare ?? 0.01;
  if (typeof minShare !== 'number' || !(minShare > 0 && minShare <= 1)) {
    throw new DataError(`toyModeCoverage: minShare must be a number in (0, 1], got ${String(minShare)}`);
  }
  const centers = spec.centers;
  const K = centers.length;
  const n = samples.length / 2;
  const radius2 = (3 * spec.std) ** 2;
  const perMode = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) {
    const x = samples[2 * i];
    const y = samples[2 * i + 1];
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      throw new DataError(`toyModeCoverage: sample ${i} is (${x}, ${y}), not finite (the generator diverged?)`);
    }
    let best = Infinity;
    let nearest = 0;
    for (let k = 0; k < K; k++) {
      const d2 = (x - centers[k][0]) ** 2 + (y - centers[k][1]) ** 2;
      if (d2 < best) {
        best = d2;
        nearest = k;
      }
    }
    if (best <= radius2) perMode[nearest]++;
  }
  const high = perMode.reduce((a, b) => a + b, 0);
  return { modes: K, covered: perMode.filter((c) => c / n >= minShare).length, highQuality: high / n, perMode };
}
