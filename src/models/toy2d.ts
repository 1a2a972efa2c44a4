// 2-D toy data sets and their presets (the GAN Lab kind): a ring of 8
// Gaussians, a 5×5 grid of Gaussians, two moons, and points along strokes a
// user drew. Every set is drawn once on the CPU from Philox keyed by the seed
// (the same seed gives the same points) and uploaded as a dataset; batches
// are then drawn on the GPU. All sets lie within about [−2.5, 2.5]².
import { GanConfigError } from '../runtime/errors.js';
import { randomNormal, randomUniform, type DrawKey } from '../reference/random.js';
import type { GanConfig, NoiseSpec } from './config.js';
import { ELU, Linear, type Layer } from './layers.js';
import { Sequential } from './sequential.js';

export const TOY2D_SETS = ['ring8', 'grid25', 'twoMoons', 'drawn'] as const;
export type Toy2dSet = (typeof TOY2D_SETS)[number];

/** Rows drawn for each set (batches of up to this many fit). */
export const TOY2D_ROWS = 4096;
/** The square every set lies in, for views: [−TOY2D_EXTENT, TOY2D_EXTENT]². */
export const TOY2D_EXTENT = 3;

/** A drawn shape: strokes, each a polyline of (x, y) points in data coordinates. */
export type Strokes = readonly (readonly (readonly [number, number])[])[];

// Philox streams of the CPU draws (distinct from the training streams, which key the GPU draws).
const STREAM_PICK = 0x7d00;
const STREAM_JITTER = 0x7d01;
const STREAM_SHAPE = 0x7d02;

const key = (seed: number, stream: number): DrawKey => ({ seed: seed >>> 0, step: 0, stream });

/** Mixture of isotropic Gaussians at `centers` (equal weights), `rows` points. */
function mixture(centers: readonly (readonly [number, number])[], std: number, rows: number, seed: number): Float32Array {
  const pick = randomUniform(key(seed, STREAM_PICK), rows, 0, centers.length);
  const jitter = randomNormal(key(seed, STREAM_JITTER), 2 * rows, 0, std);
  const out = new Float32Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    const c = centers[Math.min(centers.length - 1, Math.floor(pick[r]))];
    out[2 * r] = c[0] + jitter[2 * r];
    out[2 * r + 1] = c[1] + jitter[2 * r + 1];
  }
  return out;
}

/** 8 Gaussians (std 0.05) evenly spaced on the circle of radius 2. */
export function ring8(rows = TOY2D_ROWS, seed = 0): Float32Array {
  const centers = Array.from({ length: 8 }, (_, k): [number, number] => [2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)]);
  return mixture(centers, 0.05, rows, seed);
}

/** 25 Gaussians (std 0.05) on the grid {−2, −1, 0, 1, 2}². */
export function grid25(rows = TOY2D_ROWS, seed = 0): Float32Array {
  const centers: [number, number][] = [];
  for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) centers.push([i, j]);
  return mixture(centers, 0.05, rows, seed);
}

/**
 * Two interleaved half circles (scikit-learn's make_moons), centred and scaled
 * by 1.5 so they span about [−2.3, 2.3] × [−1.2, 1.2]; Gaussian noise std 0.06.
 */
export function twoMoons(rows = TOY2D_ROWS, seed = 0): Float32Array {
  const t = randomUniform(key(seed, STREAM_SHAPE), rows, 0, Math.PI);
  const side = randomUniform(key(seed, STREAM_PICK), rows, 0, 1);
  const jitter = randomNormal(key(seed, STREAM_JITTER), 2 * rows, 0, 0.06);
  const out = new Float32Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    const upper = side[r] < 0.5;
    const x = upper ? Math.cos(t[r]) : 1 - Math.cos(t[r]);
    const y = upper ? Math.sin(t[r]) : 0.5 - Math.sin(t[r]);
    out[2 * r] = 1.5 * (x - 0.5) + jitter[2 * r];
    out[2 * r + 1] = 1.5 * (y - 0.25) + jitter[2 * r + 1];
  }
  return out;
}

/**
 * Points spread uniformly by arc length along the strokes (a single-point
 * stroke is a dot), plus Gaussian noise of std `spread`.
 */
export function strokePoints(strokes: Strokes, rows = TOY2D_ROWS, seed = 0, spread = 0.04): Float32Array {
  const segments: { a: readonly [number, number]; b: readonly [number, number]; start: number }[] = [];
  let total = 0;
  for (const stroke of strokes) {
    for (const p of stroke) {
      if (!(Number.isFinite(p[0]) && Number.isFinite(p[1]))) throw new GanConfigError(`drawn shape: point (${p[0]}, ${p[1]}) is not finite`);
    }
    if (stroke.length === 1) {
      segments.push({ a: stroke[0], b: stroke[0], start: total });
      total += 0.05; // a dot weighs as much as a short segment
    }
    for (let i = 1; i < stroke.length; i++) {
      const a = stroke[i - 1];
      const b = stroke[i];
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (len === 0) continue;
      segments.push({ a, b, start: total });
      total += len;
    }
  }
  if (segments.length === 0) throw new GanConfigError('drawn shape: draw at least one stroke or dot first');
  const along = randomUniform(key(seed, STREAM_SHAPE), rows, 0, total);
  const jitter = randomNormal(key(seed, STREAM_JITTER), 2 * rows, 0, spread);
  const out = new Float32Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid].start <= along[r]) lo = mid;
      else hi = mid - 1;
    }
    const s = segments[lo];
    const next = lo + 1 < segments.length ? segments[lo + 1].start : total;
    const f = next > s.start ? Math.min(1, (along[r] - s.start) / (next - s.start)) : 0;
    out[2 * r] = s.a[0] + f * (s.b[0] - s.a[0]) + jitter[2 * r];
    out[2 * r + 1] = s.a[1] + f * (s.b[1] - s.a[1]) + jitter[2 * r + 1];
  }
  return out;
}

/** A small default drawing (a heart-ish loop and a dot) for the `drawn` set before the user draws. */
export const DEFAULT_STROKES: Strokes = [
  Array.from({ length: 41 }, (_, i): [number, number] => {
    const t = (i / 40) * 2 * Math.PI;
    const x = 16 * Math.sin(t) ** 3;
    const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    return [x / 8, y / 8 + 0.3];
  }),
];

export interface Toy2dOptions {
  seed?: number;
  batchSize?: number;
  /** Hidden layer widths of G and D (default [64, 64]). */
  hiddenG?: readonly number[];
  hiddenD?: readonly number[];
  noise?: NoiseSpec;
  /** The strokes of the `drawn` set (default DEFAULT_STROKES). */
  strokes?: Strokes;
}

/** An MLP in → hidden… → out with ELU between layers and a linear output. */
export function mlp(name: string, inputs: number, hidden: readonly number[], outputs: number): Sequential {
  const layers: Layer[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(Linear(width, h), ELU());
    width = h;
  }
  layers.push(Linear(width, outputs));
  return new Sequential(name, layers);
}

export function toy2dData(set: Toy2dSet, seed: number, strokes: Strokes = DEFAULT_STROKES): Float32Array {
  switch (set) {
    case 'ring8': return ring8(TOY2D_ROWS, seed);
    case 'grid25': return grid25(TOY2D_ROWS, seed);
    case 'twoMoons': return twoMoons(TOY2D_ROWS, seed);
    case 'drawn': return strokePoints(strokes, TOY2D_ROWS, seed);
    default: throw new GanConfigError(`unknown 2-D set '${set as string}'; expected one of ${TOY2D_SETS.join(', ')}`);
  }
}

/**
 * Adam learning rates (D, G) per set. Measured on SwiftShader (Node, seeds 0
 * and 1 for ring8, seed 0 otherwise), fraction of 1000 real points with a
 * generated one within 0.15 ("recall") and of generated points within 0.15
 * of a real one ("precision"):
 *   ring8  2e-3/2e-3: recall 0.99 from step 750, precision 0.36 → 0.53 at 2000
 *          (1e-3/1e-3: recall 1.00 from step 500, precision 0.31 → 0.49);
 *   twoMoons 2e-3/1e-3: recall 0.96, precision 0.78 at step 2000;
 *   grid25 2e-3/1e-3: recall 0.7–0.9, precision ~0.2 through 2000 steps (it
 *          is the hard one: several modes are still bridged by G).
 */
export const TOY2D_LEARNING_RATES: Record<Toy2dSet, { lrD: number; lrG: number }> = {
  ring8: { lrD: 2e-3, lrG: 2e-3 },
  grid25: { lrD: 2e-3, lrG: 1e-3 },
  twoMoons: { lrD: 2e-3, lrG: 1e-3 },
  drawn: { lrD: 2e-3, lrG: 1e-3 },
};

/**
 * A 2-D toy preset: G 2-64-64-2 and D 2-64-64-1 (ELU), noise N(0, 1)², batch
 * 256, Adam with betas (0.5, 0.999) at TOY2D_LEARNING_RATES, BCE with logits.
 */
export function toy2d(set: Toy2dSet, o: Toy2dOptions = {}): GanConfig {
  const seed = o.seed ?? 0;
  const lr = TOY2D_LEARNING_RATES[set];
  return {
    generator: mlp('generator', 2, o.hiddenG ?? [64, 64], 2),
    discriminator: mlp('discriminator', 2, o.hiddenD ?? [64, 64], 1),
    noise: o.noise ?? { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: toy2dData(set, seed, o.strokes), rows: TOY2D_ROWS, cols: 2 },
    batchSize: o.batchSize ?? 256,
    dSteps: 1,
    optimizerD: { lr: lr.lrD, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: lr.lrG, beta1: 0.5, beta2: 0.999 },
    seed,
    statsEvery: 25,
  };
}
