// 2-D toy sets (src/models/toy2d.ts) and the demo's histogram KL/JS
// estimates: CPU only, no GPU.
import { test, expect } from '@playwright/test';
import { resolveGanConfig } from '../models/gan/config.js';
import { grid25, ring8, strokePoints, toy2d, toy2dData, TOY2D_EXTENT, TOY2D_ROWS, TOY2D_SETS, twoMoons } from './toy2d.js';
import { divergences } from '../../demo/engine/plane-stats.js';
import { preset, PRESETS } from './presets.js';

test('toy sets are deterministic from the seed, differ across seeds, and lie in the view square', () => {
  for (const make of [ring8, grid25, twoMoons]) {
    const a = make(2000, 7);
    expect(a).toEqual(make(2000, 7));
    expect(a).not.toEqual(make(2000, 8));
    expect(a.every((v) => Math.abs(v) < TOY2D_EXTENT)).toBe(true);
  }
});

test('ring8 puts equal mass near each of its 8 centres', () => {
  const pts = ring8(8000, 1);
  const counts = new Array(8).fill(0);
  let worst = 0;
  for (let i = 0; i < 8000; i++) {
    const [x, y] = [pts[2 * i], pts[2 * i + 1]];
    worst = Math.max(worst, Math.abs(Math.hypot(x, y) - 2));
    counts[Math.round((Math.atan2(y, x) / (2 * Math.PI)) * 8 + 8) % 8]++;
  }
  expect(worst).toBeLessThan(0.3);
  for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
});

test('drawn strokes: points spread along the polyline by length; a dot counts; no strokes is an error', () => {
  const pts = strokePoints([[[-1, 0], [1, 0]], [[0, 2]]], 4000, 3, 0.01);
  let onLine = 0;
  let onDot = 0;
  for (let i = 0; i < 4000; i++) {
    const [x, y] = [pts[2 * i], pts[2 * i + 1]];
    if (Math.abs(y) < 0.05 && Math.abs(x) <= 1.05) onLine++;
    else if (Math.hypot(x, y - 2) < 0.05) onDot++;
  }
  expect(onLine + onDot).toBe(4000);
  expect(onDot / 4000).toBeCloseTo(0.05 / 2.05, 1);
  expect(() => strokePoints([], 10, 0)).toThrow(/draw at least one stroke/);
});

test('every 2-D preset resolves: 2-D noise and data, G 2-64-64-2, D 2-64-64-1', () => {
  for (const set of TOY2D_SETS) {
    const c = resolveGanConfig(toy2d(set, { seed: 1 }));
    expect(c.generator.inputSize).toBe(2);
    expect(c.generator.outputSize).toBe(2);
    expect(c.discriminator.parameterCount).toBeGreaterThan(0);
    expect(c.data.kind === 'dataset' && c.data.rows).toBe(TOY2D_ROWS);
  }
});

test('histogram KL/JS: near 0 for two samples of one set, large for different sets, JS ≤ ln 2', () => {
  const same = divergences(ring8(2000, 1), ring8(2000, 2));
  const different = divergences(ring8(2000, 1), twoMoons(2000, 1));
  expect(same.kl).toBeLessThan(0.15);
  expect(same.js).toBeLessThan(0.05);
  expect(different.kl).toBeGreaterThan(1);
  expect(different.js).toBeGreaterThan(0.3);
  expect(different.js).toBeLessThanOrEqual(Math.LN2);
});

// (That the package entry point exports toy2d is checked in the browser: test/embed.spec.ts.)
test('the 2-D presets are registered: in PRESETS and built by preset(name) without digits', () => {
  for (const set of TOY2D_SETS) {
    expect(PRESETS).toContain(set);
    const c = resolveGanConfig(preset(set, { seed: 2, batchSize: 128 }));
    expect(c.batchSize).toBe(128);
    expect(c.seed).toBe(2);
    expect(c.shapes).toMatchObject({ noise: 2, sample: 2, classes: 0 });
    expect(c.data.kind === 'dataset' && c.data.values).toEqual(toy2dData(set, 2));
  }
  expect(() => preset('ring9')).toThrow(/ring8, grid25, twoMoons, drawn/);
});
