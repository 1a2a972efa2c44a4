// The toy mode-coverage measure (toy-coverage.ts) on the 2-D mixture sets of
// data/toy2d.ts: the real data covers every mode, collapsed and far-off
// samples, the share threshold, bad input, and a brute-force recount on
// random points from independently written centres. CPU only, no GPU.
import { test, expect } from '@playwright/test';
import { toyModeCoverage } from './toy-coverage.js';
import { grid25, GRID25_MODES, ring8, RING8_MODES } from '../data/toy2d.js';
import { DataError } from '../data/data-error.js';
import { randomArray } from '../../test/support/data.js';

/** n copies of (x, y). */
const repeat = (n: number, x: number, y: number): Float32Array => {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) out.set([x, y], 2 * i);
  return out;
};

// A 2-D isotropic Gaussian puts 1 − e^(−9/2) ≈ 0.9889 of its mass within 3σ
// (the radius is Rayleigh distributed), so the real data scores that, not ≥ 0.99.
const WITHIN_3_SIGMA_2D = 1 - Math.exp(-4.5);

test('the real data covers every mode (ring8 8/8, grid25 25/25), with 1 − e^(−9/2) ≈ 98.9% of its samples within 3σ', () => {
  const n = 8000;
  // Binomial std of the share is ≈ 0.0012 at n = 8000: allow 4 of them.
  const tolerance = 4 * Math.sqrt((WITHIN_3_SIGMA_2D * (1 - WITHIN_3_SIGMA_2D)) / n);
  for (const seed of [0, 1, 2]) {
    const ring = toyModeCoverage(ring8(n, seed), 'ring8');
    expect(ring.modes).toBe(8);
    expect(ring.covered).toBe(8);
    expect(ring.highQuality).toBeGreaterThan(0.98);
    expect(Math.abs(ring.highQuality - WITHIN_3_SIGMA_2D)).toBeLessThan(tolerance);
    expect(ring.perMode.reduce((a, b) => a + b, 0)).toBe(Math.round(ring.highQuality * n));
    for (const c of ring.perMode) expect(Math.abs(c - n / 8)).toBeLessThan(150);

    const grid = toyModeCoverage(grid25(n, seed), 'grid25');
    expect(grid.modes).toBe(25);
    expect(grid.covered).toBe(25);
    expect(grid.highQuality).toBeGreaterThan(0.98);
    expect(Math.abs(grid.highQuality - WITHIN_3_SIGMA_2D)).toBeLessThan(tolerance);
    for (const c of grid.perMode) expect(Math.abs(c - n / 25)).toBeLessThan(90);
  }
});

test('samples all at one mode cover that mode only; samples far from every mode cover none', () => {
  const atOne = toyModeCoverage(repeat(2500, RING8_MODES.centers[3][0], RING8_MODES.centers[3][1]), 'ring8');
  expect(atOne).toEqual({ modes: 8, covered: 1, highQuality: 1, perMode: [0, 0, 0, 2500, 0, 0, 0, 0] });
  const gridOne = toyModeCoverage(repeat(100, 1, -2), 'grid25');
  expect(gridOne.covered).toBe(1);
  expect(gridOne.perMode[GRID25_MODES.centers.findIndex(([x, y]) => x === 1 && y === -2)]).toBe(100);

  for (const set of ['ring8', 'grid25'] as const) {
    const far = toyModeCoverage(repeat(2500, 10, 10), set);
    expect(far.covered).toBe(0);
    expect(far.highQuality).toBe(0);
    expect(far.perMode.every((c) => c === 0)).toBe(true);
  }
  // Between two ring modes (1 apart, σ 0.05): near neither.
  const between = toyModeCoverage(repeat(50, (RING8_MODES.centers[0][0] + RING8_MODES.centers[1][0]) / 2, (RING8_MODES.centers[0][1] + RING8_MODES.centers[1][1]) / 2), 'ring8');
  expect(between.highQuality).toBe(0);
});

test('a mode needs minShare of the samples: 0.5% does not count, 1% does, and minShare can be set', () => {
  // 2000 samples: 1990 at grid mode (0, 0), 10 (0.5%) at (2, 2).
  const s = repeat(2000, 0, 0);
  s.set(repeat(10, 2, 2), 2 * 1990);
  const r = toyModeCoverage(s, 'grid25');
  expect(r.covered).toBe(1);
  expect(r.highQuality).toBe(1);
  expect(r.perMode.filter((c) => c > 0).sort((a, b) => a - b)).toEqual([10, 1990]);
  expect(toyModeCoverage(s, 'grid25', { minShare: 0.005 }).covered).toBe(2);
  // Exactly 1% counts: 25 of 2500.
  const t = repeat(2500, 0, 0);
  t.set(repeat(25, -2, 2), 2 * 2475);
  expect(toyModeCoverage(t, 'grid25').covered).toBe(2);
  t.set(repeat(1, 0, 0), 2 * 2475); // 24 of 2500
  expect(toyModeCoverage(t, 'grid25').covered).toBe(1);
});

test('a sample at just inside 3σ counts and just outside does not', () => {
  const σ = GRID25_MODES.std;
  expect(toyModeCoverage(Float32Array.of(1 + 2.99 * σ, 0), 'grid25').highQuality).toBe(1);
  expect(toyModeCoverage(Float32Array.of(1, 3.01 * σ), 'grid25').highQuality).toBe(0);
  // Euclidean distance, not per axis: 2.1σ on each axis is 2.97σ away, 2.2σ is 3.11σ.
  expect(toyModeCoverage(Float32Array.of(2 + 2.1 * σ, 2.1 * σ), 'ring8').highQuality).toBe(1);
  expect(toyModeCoverage(Float32Array.of(2 + 2.2 * σ, 2.2 * σ), 'ring8').highQuality).toBe(0);
});

test('agrees with a brute-force recount on random points, from centres written out here', () => {
  const σ = 0.05;
  const ring = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);
  const grid: number[][] = [];
  for (const x of [-2, -1, 0, 1, 2]) for (const y of [-2, -1, 0, 1, 2]) grid.push([x, y]);
  for (const [set, centres] of [['ring8', ring], ['grid25', grid]] as const) {
    for (const seed of [1, 2, 3]) {
      const n = 3000;
      // A third uniform over [−3, 3]², the rest within 0.2 (4σ) per axis of a random centre, so both sides of 3σ are well filled.
      const u = randomArray(4 * n, seed);
      const samples = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        if (i % 3 === 0) {
          samples[2 * i] = 3 * u[4 * i];
          samples[2 * i + 1] = 3 * u[4 * i + 1];
        } else {
          const c = centres[Math.floor(((u[4 * i + 2] + 1) / 2) * centres.length) % centres.length];
          samples[2 * i] = c[0] + 0.2 * u[4 * i];
          samples[2 * i + 1] = c[1] + 0.2 * u[4 * i + 1];
        }
      }
      const counts = new Array(centres.length).fill(0);
      for (let i = 0; i < n; i++) {
        const d = centres.map(([cx, cy], k) => ({ k, d: Math.hypot(samples[2 * i] - cx, samples[2 * i + 1] - cy) })).sort((a, b) => a.d - b.d);
        if (d[0].d <= 3 * σ) counts[d[0].k]++;
      }
      const got = toyModeCoverage(samples, set);
      expect(got.modes).toBe(centres.length);
      // Rounding in the centres (cos/sin) may move a sample on the 3σ boundary; allow one.
      got.perMode.forEach((c, k) => expect(Math.abs(c - counts[k])).toBeLessThanOrEqual(1));
      const high = counts.reduce((a, b) => a + b, 0);
      expect(Math.abs(got.highQuality - high / n)).toBeLessThanOrEqual(1 / n);
      expect(high).toBeGreaterThan(n / 5);
      expect(high).toBeLessThan(n);
      for (const share of [0.01, 0.02, 0.04]) {
        const want = counts.filter((c) => c >= share * n).length;
        expect(toyModeCoverage(samples, set, { minShare: share }).covered).toBe(want);
      }
    }
  }
});

test('bad input is a DataError that says what is wrong', () => {
  const bad = (f: () => unknown, message: RegExp) => {
    let thrown: unknown;
    try {
      f();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DataError);
    expect((thrown as Error).name).toBe('DataError');
    expect((thrown as Error).message).toMatch(message);
  };
  bad(() => toyModeCoverage(new Float32Array(3), 'ring8'), /even number of values; got 3/);
  bad(() => toyModeCoverage(new Float32Array(0), 'ring8'), /got 0/);
  bad(() => toyModeCoverage(Float32Array.of(0, 0, 1, NaN), 'grid25'), /sample 1 is \(1, NaN\), not finite/);
  bad(() => toyModeCoverage(Float32Array.of(Infinity, 0), 'grid25'), /sample 0 .*not finite/);
  bad(() => toyModeCoverage(new Float32Array(4), 'twoMoons' as never), /unknown set 'twoMoons'; expected one of ring8, grid25/);
  bad(() => toyModeCoverage(new Float32Array(4), 'toString' as never), /unknown set 'toString'/);
  bad(() => toyModeCoverage(new Float32Array(4), 'ring8', { minShare: 0 }), /minShare must be a number in \(0, 1\], got 0/);
  bad(() => toyModeCoverage(new Float32Array(4), 'ring8', { minShare: NaN }), /minShare/);
});
