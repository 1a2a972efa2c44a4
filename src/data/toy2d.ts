// 2-D toy data sets (the GAN Lab kind): a ring of 8 Gaussians, a 5×5 grid
// of Gaussians, two moons, and points along strokes a user drew. Every set is
// drawn once on the CPU from Philox keyed by the seed (the same seed gives
// the same points); a trainer uploads it as a dataset and draws batches on
// the GPU. All sets lie within about [−2.5, 2.5]². Their presets are
// presets/toy2d.ts.
import { randomNormal, randomUniform, type DrawKey } from '../runtime/philox.js';
import { DataError } from './data-error.js';

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

/** A mixture set's modes: the centres of its isotropic Gaussians (equal weights) and their std. */
export interface GaussianModes {
  readonly centers: readonly (readonly [number, number])[];
  readonly std: number;
}

/** ring8's modes: 8 Gaussians (std 0.05) evenly spaced on the circle of radius 2, the first at (2, 0). */
export const RING8_MODES: GaussianModes = Object.freeze({
  centers: Object.freeze(Array.from({ length: 8 }, (_, k) => Object.freeze([2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)] as const))),
  std: 0.05,
});

/** grid25's modes: 25 Gaussians (std 0.05) on the grid {−2, −1, 0, 1, 2}², row-major in x then y. */
export const GRID25_MODES: GaussianModes = Object.freeze({
  centers: Object.freeze(Array.from({ length: 25 }, (_, k) => Object.freeze([Math.floor(k / 5) - 2, (k % 5) - 2] as const))),
  std: 0.05,
});

/** The modes of the mixture sets, by name (what eval/toy-coverage.ts measures against). */
export const TOY2D_MODES = Object.freeze({ ring8: RING8_MODES, grid25: GRID25_MODES });
export type Toy2dMixtureSet = keyof typeof TOY2D_MODES;

/** 8 Gaussians (std 0.05) evenly spaced on the circle of radius 2 (RING8_MODES). */
export function ring8(rows = TOY2D_ROWS, seed = 0): Float32Array {
  return mixture(RING8_MODES.centers, RING8_MODES.std, rows, seed);
}

/** 25 Gaussians (std 0.05) on the grid {−2, −1, 0, 1, 2}² (GRID25_MODES). */
export function grid25(rows = TOY2D_ROWS, seed = 0): Float32Array {
  return mixture(GRID25_MODES.centers, GRID25_MODES.std, rows, seed);
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
      if (!(Number.isFinite(p[0]) && Number.isFinite(p[1]))) throw new DataError(`drawn shape: point (${p[0]}, ${p[1]}) is not finite`);
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
  if (segments.length === 0) throw new DataError('drawn shape: draw at least one stroke or dot first');
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

/** The rows of a set, drawn from Philox keyed by `seed`. */
export function toy2dData(set: Toy2dSet, seed: number, strokes: Strokes = DEFAULT_STROKES): Float32Array {
  switch (set) {
    case 'ring8': return ring8(TOY2D_ROWS, seed);
    case 'grid25': return grid25(TOY2D_ROWS, seed);
    case 'twoMoons': return twoMoons(TOY2D_ROWS, seed);
    case 'drawn': return strokePoints(strokes, TOY2D_ROWS, seed);
    default: throw new DataError(`unknown 2-D set '${set as string}'; expected one of ${TOY2D_SETS.join(', ')}`);
  }
}
