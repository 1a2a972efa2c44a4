// The float64 statistics behind the digit-GAN quality metrics (metrics.ts),
// against closed forms: Fréchet distance of diagonal Gaussians and of 2-D
// Gaussians whose covariances do not commute, invariance under a rotation,
// eigen-decomposition reconstruction, mode coverage.
import { test, expect } from '@playwright/test';
import { agreement, featureStatistics, frechetDistance, modeCoverage, symmetricEigen } from './metrics.js';
import { randomArray } from '../../test/support/data.js';

const F = 6;

/** A random symmetric positive-definite F × F matrix: AᵀA + 0.1 I. */
function randomSpd(seed: number): Float64Array {
  const a = randomArray(F * F, seed);
  const m = new Float64Array(F * F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) {
    for (let k = 0; k < F; k++) m[i * F + j] += a[k * F + i] * a[k * F + j];
    if (i === j) m[i * F + j] += 0.1;
  }
  return m;
}

test('symmetricEigen: V diag(λ) Vᵀ rebuilds a random symmetric 6×6 matrix and V is orthonormal', () => {
  const m = randomSpd(1);
  const { values, vectors } = symmetricEigen(m, F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) {
    let rebuilt = 0;
    let dot = 0;
    for (let k = 0; k < F; k++) {
      rebuilt += vectors[i * F + k] * values[k] * vectors[j * F + k];
      dot += vectors[k * F + i] * vectors[k * F + j];
    }
    expect(Math.abs(rebuilt - m[i * F + j])).toBeLessThan(1e-10);
    expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-10);
  }
});

test('frechetDistance: closed form for diagonal covariances, 0 against itself, symmetric in its arguments', () => {
  const diag = (v: number[]) => {
    const c = new Float64Array(F * F);
    v.forEach((x, i) => (c[i * F + i] = x));
    return c;
  };
  const va = [1, 2, 0.5, 3, 1, 4];
  const vb = [2, 1, 0.5, 1, 9, 1];
  const a = { mean: Float64Array.from([0, 1, 2, 3, 4, 5]), cov: diag(va) };
  const b = { mean: Float64Array.from([1, 1, 2, 1, 4, 5]), cov: diag(vb) };
  // Σ (μa − μb)² + Σ (√va − √vb)²
  const expected = 1 + 4 + va.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(vb[i])) ** 2, 0);
  expect(frechetDistance(a, b)).toBeCloseTo(expected, 9);
  const full = { mean: a.mean, cov: randomSpd(2) };
  const other = { mean: b.mean, cov: randomSpd(3) };
  expect(Math.abs(frechetDistance(full, full))).toBeLessThan(1e-9);
  expect(frechetDistance(full, other)).toBeCloseTo(frechetDistance(other, full), 8);
  expect(frechetDistance(full, other)).toBeGreaterThan(0);
});

/** A 2 × 2 covariance [[a, b], [b, c]] in an F-wide identity frame (the other F − 2 variances 1). */
function embed2(a: number, b: number, c: number): Float64Array {
  const m = new Float64Array(F * F);
  for (let i = 2; i < F; i++) m[i * F + i] = 1;
  [m[0], m[1], m[F], m[F + 1]] = [a, b, b, c];
  return m;
}

test('frechetDistance with full covariances that do not commute: Tr √(Σa Σb), not Tr(√Σa √Σb)', () => {
  // For 2 × 2 SPD A, B the eigenvalues λ1, λ2 of AB are real and positive, and
  // Tr √(AB) = √λ1 + √λ2 = √(Tr(AB) + 2 √(det A · det B)): a closed form that
  // needs no matrix square root. A = [[2, 1.5], [1.5, 2]], B = diag(1, 9):
  // Tr(AB) = 20, det A = 1.75, det B = 9 → Tr √(AB) = √(20 + 2 √15.75).
  const [a11, a12, a22, b11, b12, b22] = [2, 1.5, 2, 1, 0, 9];
  const trAB = a11 * b11 + 2 * a12 * b12 + a22 * b22;
  const detA = a11 * a22 - a12 * a12;
  const detB = b11 * b22 - b12 * b12;
  const trSqrt = Math.sqrt(trAB + 2 * Math.sqrt(detA * detB));
  expect(trSqrt).toBeCloseTo(Math.sqrt(20 + 2 * Math.sqrt(15.75)), 14);
  // In the F-wide frame the other F − 2 dimensions are identical (variance 1 each): they add 1 + 1 − 2·1 = 0.
  const mean = new Float64Array(F);
  const fid = frechetDistance({ mean, cov: embed2(a11, a12, a22) }, { mean, cov: embed2(b11, b12, b22) });
  const expected = a11 + a22 + b11 + b22 - 2 * trSqrt;
  expect(fid).toBeCloseTo(expected, 10);
  // The tempting wrong formula, Tr(√A √B), gives another number for these non-commuting A and B:
  // A's eigenvalues are 3.5 and 0.5 on (1, 1)/√2 and (1, −1)/√2, so √A's diagonal is (√3.5 + √0.5)/2; √B = diag(1, 3).
  const sqrtA11 = (Math.sqrt(a11 + a12) + Math.sqrt(a11 - a12)) / 2;
  const wrong = a11 + a22 + b11 + b22 - 2 * (sqrtA11 * Math.sqrt(b11) + sqrtA11 * Math.sqrt(b22));
  expect(Math.abs(wrong - expected)).toBeGreaterThan(0.2);
});

test('frechetDistance is invariant under a rotation of both Gaussians (full 6 × 6 covariances, shifted means)', () => {
  // R: a random orthogonal matrix (Gram–Schmidt on random rows).
  const r = randomArray(F * F, 41);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let k = 0; k < F; k++) d += r[i * F + k] * r[j * F + k];
      for (let k = 0; k < F; k++) r[i * F + k] -= d * r[j * F + k];
    }
    const n = Math.hypot(...r.slice(i * F, (i + 1) * F));
    for (let k = 0; k < F; k++) r[i * F + k] /= n;
  }
  const rotate = (g: { mean: Float64Array; cov: Float64Array }) => {
    const mean = new Float64Array(F);
    const cov = new Float64Array(F * F);
    for (let i = 0; i < F; i++) for (let k = 0; k < F; k++) mean[i] += r[i * F + k] * g.mean[k];
    // R Σ Rᵀ
    for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) {
      let s = 0;
      for (let k = 0; k < F; k++) for (let l = 0; l < F; l++) s += r[i * F + k] * g.cov[k * F + l] * r[j * F + l];
      cov[i * F + j] = s;
    }
    return { mean, cov };
  };
  const a = { mean: Float64Array.from(randomArray(F, 42)), cov: randomSpd(43) };
  const b = { mean: Float64Array.from(randomArray(F, 44)), cov: randomSpd(45) };
  const before = frechetDistance(a, b);
  expect(before).toBeGreaterThan(0.1);
  expect(frechetDistance(rotate(a), rotate(b))).toBeCloseTo(before, 8);
});

test('featureStatistics: mean and unbiased covariance of rows', () => {
  const rows = [1, 2, 3, 5, 5, 4];
  const { mean, cov } = featureStatistics(Float32Array.from(rows), 2); // rows (1,2), (3,5), (5,4)
  expect(Array.from(mean)).toEqual([3, 11 / 3]);
  expect(cov[0]).toBeCloseTo(4, 12); // ((−2)² + 0 + 2²) / 2
  expect(cov[1]).toBeCloseTo(((-2) * (2 - 11 / 3) + 0 + 2 * (4 - 11 / 3)) / 2, 12);
  expect(cov[1]).toBe(cov[2]);
  expect(() => featureStatistics(Float32Array.from([1, 2]), 2)).toThrow(/at least 2 rows/);
});

test('modeCoverage and agreement: one class → 1 covered and KL = log 10; balanced → 10 and 0', () => {
  const one = modeCoverage(new Array(100).fill(7), 10);
  expect(one.classesCovered).toBe(1);
  expect(one.klToUniform).toBeCloseTo(Math.log(10), 12);
  const balanced = modeCoverage(Array.from({ length: 100 }, (_, i) => i % 10), 10);
  expect(balanced.classesCovered).toBe(10);
  expect(balanced.klToUniform).toBeCloseTo(0, 12);
  // 4% of one class is not covered.
  const skewed = modeCoverage([...new Array(96).fill(0), 1, 1, 1, 1], 10);
  expect(skewed.classesCovered).toBe(1);
  expect(agreement([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
});
