// The float64 statistics behind the digit-GAN quality metrics (metrics.ts),
// against closed forms: Fréchet distance of diagonal and 1-D Gaussians,
// invariance under a rotation, eigen-decomposition reconstruction, mode coverage.
import { test, expect } from '@playwright/test';
import { agreement, featureStatistics, frechetDistance, modeCoverage, symmetricEigen } from '../src/models/metrics.js';
import { randomArray } from './support/data.js';

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
