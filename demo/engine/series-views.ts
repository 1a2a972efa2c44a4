// 1-D and curve presets: the numbers the page plots with uPlot, read from the
// engine at each refresh (sample() and discriminate()).
import { presets, type GanTrainer } from '../../src/index.js';
import type { ViewData } from '../protocol.js';
import { viewWeights, weightsText } from './d-output.js';

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');

// gaussian1d ------------------------------------------------------------------
const LO = -2;
const HI = 10;
const BIN = 0.25; //  histogram bin width
const FINE = 0.05; // D(x) grid; BIN is a whole multiple of it, so bin edges fall on grid points
const PER_BIN = Math.round(BIN / FINE);
const BINS = Math.round((HI - LO) / BIN);
const SAMPLES = 2000;

/** Deterministic uniform [0, 1) stream (mulberry32), for the display-only real sample. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalSamples(n: number, mean: number, std: number, seed: number): Float64Array {
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const theta = 2 * Math.PI * rand();
    out[i] = mean + std * r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(theta);
  }
  return out;
}

interface Histogram {
  density: Float64Array; // at each fine grid point (the value of the bin the point starts)
  outside: number;
  mean: number;
  std: number;
}

function histogram(values: ArrayLike<number>, points: number): Histogram {
  const counts = new Float64Array(BINS);
  let outside = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    sumSq += v * v;
    const b = Math.floor((v - LO) / BIN);
    if (b >= 0 && b < BINS) counts[b]++;
    else outside++;
  }
  const n = values.length;
  const density = new Float64Array(points);
  for (let i = 0; i < points; i++) density[i] = counts[Math.min(BINS - 1, Math.floor(i / PER_BIN))] / (n * BIN);
  const mean = sum / n;
  return { density, outside, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

export const HIST1D_RANGE = { lo: LO, hi: HI };

export class Hist1dView {
  readonly caption: string;
  private readonly grid: Float64Array;
  private readonly gridF32: Float32Array;
  private readonly real: Histogram;
  private readonly weights: 'ema' | 'trained';

  constructor(trainer: GanTrainer) {
    const data = trainer.config.data;
    if (data.kind !== 'normal') throw new Error('Hist1dView needs a preset whose real data is a normal distribution');
    this.weights = viewWeights(trainer);
    const dx =
      trainer.discriminatorOutput === 'logit'
        ? `D(x) is the discriminator's probability of "real" at each x (right axis, 0 to 1), from discriminate().`
        : `D(x) is the critic's score at each x (right axis), from discriminate(): under the ${trainer.config.loss.module.title} ` +
          `loss D outputs an unbounded score, higher = more real, so that axis follows its range instead of 0 to 1.`;
    this.caption =
      `Histograms (density, bins of ${BIN}) of ${SAMPLES} real values — drawn on the CPU from N(${data.mean}, ${data.std}) ` +
      `for display only — and ${SAMPLES} generator samples read from the GPU. ${dx}${weightsText(trainer)}`;
    const points = Math.round((HI - LO) / FINE) + 1;
    this.grid = Float64Array.from({ length: points }, (_, i) => LO + i * FINE);
    this.gridF32 = Float32Array.from(this.grid);
    this.real = histogram(normalSamples(SAMPLES, data.mean, data.std, trainer.config.seed), points);
  }

  async refresh(trainer: GanTrainer): Promise<ViewData> {
    const step = trainer.step;
    const generated = await trainer.sample(SAMPLES, { weights: this.weights });
    const d = await trainer.discriminate(this.gridF32);
    const gen = histogram(generated, this.grid.length);
    const outside = gen.outside > 0 ? ` · ${gen.outside} of ${SAMPLES} generated fall outside [${LO}, ${HI}]` : '';
    return {
      kind: 'hist1d',
      step,
      x: this.grid,
      real: this.real.density,
      generated: gen.density,
      dx: Float64Array.from(d),
      note:
        `Generated: mean ${fmt(gen.mean)}, std ${fmt(gen.std)} · real display sample: mean ${fmt(this.real.mean)}, ` +
        `std ${fmt(this.real.std)}${outside}`,
    };
  }
}

// sine ------------------------------------------------------------------------
const REAL = 4;
const GENERATED = 6;
const POINTS = presets.SINE_POINTS;

const mean = (a: ArrayLike<number>, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
};

export class CurvesView {
  readonly caption: string;
  private readonly xs = Float64Array.from({ length: POINTS }, (_, i) => -Math.PI + (2 * Math.PI * i) / (POINTS - 1));
  private readonly real: Float32Array;
  private readonly weights: 'ema' | 'trained';
  private readonly score: boolean;

  constructor(trainer: GanTrainer) {
    const data = trainer.config.data;
    if (data.kind !== 'dataset' || data.cols !== POINTS) throw new Error(`CurvesView needs a dataset of ${POINTS}-point curves`);
    this.real = data.values.slice(0, REAL * POINTS);
    this.weights = viewWeights(trainer);
    this.score = trainer.discriminatorOutput === 'score';
    this.caption =
      `Teal, dashed: ${REAL} real curves, rows 0–${REAL - 1} of the training set (y = a·sin(x) at ${POINTS} points ` +
      `over [−π, π], a ~ U(1, 2)). Orange: ${GENERATED} generator samples read from the GPU, fresh noise at each refresh.` +
      weightsText(trainer);
  }

  async refresh(trainer: GanTrainer): Promise<ViewData> {
    const step = trainer.step;
    const generated = await trainer.sample(GENERATED, { weights: this.weights });
    const both = new Float32Array((REAL + GENERATED) * POINTS);
    both.set(this.real, 0);
    both.set(generated, REAL * POINTS);
    const d = await trainer.discriminate(both);
    const rows = (v: Float32Array, n: number) => Array.from({ length: n }, (_, r) => v.slice(r * POINTS, (r + 1) * POINTS));
    return {
      kind: 'curves',
      step,
      x: this.xs,
      real: rows(this.real, REAL),
      generated: rows(generated, GENERATED),
      note:
        (this.score ? `D's mean critic score (higher = more real): ` : `D's mean probability of "real": `) +
        `${fmt(mean(d, 0, REAL))} on these ${REAL} real curves, ` +
        `${fmt(mean(d, REAL, REAL + GENERATED))} on these ${GENERATED} generated ones.`,
    };
  }
}
