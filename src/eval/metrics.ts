// Quality metrics of a digit GAN, from a classifier trained by this engine
// (classifier.ts): the classifier runs on the GPU over real and generated
// digits; what is left here is float64 statistics of its outputs.
//
//   classifier-FID   ‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^½) over the penultimate features
//   mode coverage    class histogram of generated digits, classes with ≥ 5%, KL(histogram ‖ uniform)
//   conditional acc. fraction of G(z, y) the classifier labels y

/** Mean (F) and covariance (F, F, unbiased) of n feature rows (n, F). */
export function featureStatistics(features: Float32Array, featureSize: number): { mean: Float64Array; cov: Float64Array } {
  const F = featureSize;
  const n = features.length / F;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`featureStatistics: need at least 2 rows of ${F} features, got ${features.length} values`);
  const mean = new Float64Array(F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) mean[f] += features[i * F + f];
  for (let f = 0; f < F; f++) mean[f] /= n;
  const cov = new Float64Array(F * F);
  const row = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) row[f] = features[i * F + f] - mean[f];
    for (let a = 0; a < F; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < F; b++) cov[a * F + b] += ra * row[b];
    }
  }
  for (let a = 0; a < F; a++) {
    for (let b = a; b < F; b++) {
      cov[a * F + b] /= n - 1;
      cov[b * F + a] = cov[a * F + b];
    }
  }
  return { mean, cov };
}

/**
 * Eigen-decomposition of a symmetric F × F matrix by cyclic Jacobi rotations
 * (exact to rounding for the 64-wide feature covariances here, and short).
 * Returns eigenvalues and the eigenvectors as columns of `vectors`.
 */
export function symmetricEigen(matrix: Float64Array, F: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(F * F);
  for (let i = 0; i < F; i++) v[i * F + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < F; p++) {
      diag += a[p * F + p] ** 2;
      for (let q = p + 1; q < F; q++) off += a[p * F + q] ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < F; p++) {
      for (let q = p + 1; q < F; q++) {
        const apq = a[p * F + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * F + q] - a[p * F + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < F; k++) {
          const akp = a[k * F + p];
          const akq = a[k * F + q];
          a[k * F + p] = c * akp - s * akq;
          a[k * F + q] = s * akp + c * akq;
        }
        for (let k = 0; k < F; k++) {
          const apk = a[p * F + k];
          const aqk = a[q * F + k];
          a[p * F + k] = c * apk - s * aqk;
          a[q * F + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < F; k++) {
          const vkp = v[k * F + p];
          const vkq = v[k * F + q];
          v[k * F + p] = c * vkp - s * vkq;
          v[k * F + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: F }, (_, i) => a[i * F + i]), vectors: v };
}

/**
 * Fréchet distance between two Gaussians. Tr (Σ_a Σ_b)^½ = Σ √λ(S Σ_b S) with
 * S = Σ_a^½: S Σ_b S is symmetric positive semi-definite with the same
 * eigenvalues as Σ_a Σ_b, so no non-symmetric square root is needed.
 */
export function frechetDistance(a: { mean: Float64Array; cov: Float64Array }, b: { mean: Float64Array; cov: Float64Array }): number {
  const F = a.mean.length;
  let meanTerm = 0;
  for (let f = 0; f < F; f++) meanTerm += (a.mean[f] - b.mean[f]) ** 2;
  const { values, vectors } = symmetricEigen(a.cov, F);
  const sqrtA = new Float64Array(F * F); // V diag(√λ) Vᵀ
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < F; j++) {
      let s = 0;
      for (let k = 0; k < F; k++) s += vectors[i * F + k] * Math.sqrt(Math.max(values[k], 0)) * vectors[j * F + k];
      sqrtA[i * F + j] = s;
    }
  }
  const m = matmul(matmul(sqrtA, b.cov, F), sqrtA, F);
  const inner = symmetricEigen(m, F).values.reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
  let trace = 0;
  for (let f = 0; f < F; f++) trace += a.cov[f * F + f] + b.cov[f * F + f];
  return meanTerm + trace - 2 * inner;
}

function matmul(x: Float64Array, y: Float64Array, F: number): Float64Array {
  const out = new Float64Array(F * F);
  for (let i = 0; i < F; i++) {
    for (let k = 0; k < F; k++) {
      const xik = x[i * F + k];
      if (xik === 0) continue;
      for (let j = 0; j < F; j++) out[i * F + j] += xik * y[k * F + j];
    }
  }
  return out;
}

export interface ModeCoverage {
  /** Fraction of samples per class. */
  histogram: number[];
  /** Classes holding at least 5% of the samples. */
  classesCovered: number;
  /** KL(histogram ‖ uniform) in nats: 0 when every class is equally common, log K for a single class. */
  klToUniform: number;
}

export function modeCoverage(predicted: ArrayLike<number>, classes: number): ModeCoverage {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < predicted.length; i++) counts[predicted[i]]++;
  const histogram = counts.map((c) => c / predicted.length);
  const klToUniform = histogram.reduce((s, p) => (p > 0 ? s + p * Math.log(p * classes) : s), 0);
  return { histogram, classesCovered: histogram.filter((p) => p >= 0.05).length, klToUniform };
}

/** Fraction of rows where predicted[i] === labels[i]. */
export function agreement(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length || predicted.length === 0) {
    throw new RangeError(`agreement: ${predicted.length} predictions for ${labels.length} labels`);
  }
  let same = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) same++;
  return same / labels.length;
}
