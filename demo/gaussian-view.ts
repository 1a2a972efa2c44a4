// gaussian1d: histogram of real vs generated samples and D(x) over the same x range.
// The real histogram is drawn on the CPU from the preset's N(mean, std), for
// display only; training draws its own real batches on the GPU.
import uPlot from 'uplot';
import type { GanTrainer } from '../src/index.js';
import { axis, Chart, COLORS, fmt } from './charts.js';
import type { DistributionView, ViewElements } from './views.js';

const LO = -2;
const HI = 10;
const BIN = 0.25; // histogram bin width
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
  /** Density at each fine grid point (the value of the bin the point starts). */
  density: Float64Array;
  outside: number;
  mean: number;
  std: number;
}

function histogram(values: ArrayLike<number>, grid: Float64Array): Histogram {
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
  const density = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) density[i] = counts[Math.min(BINS - 1, Math.floor(i / PER_BIN))] / (n * BIN);
  const mean = sum / n;
  return { density, outside, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

export class GaussianView implements DistributionView {
  readonly title = 'Samples: real vs generated, and D(x)';
  readonly caption: string;
  private readonly grid: Float64Array;
  private readonly gridF32: Float32Array;
  private readonly real: Histogram;
  private readonly chart: Chart;

  constructor(
    trainer: GanTrainer,
    private readonly el: ViewElements,
  ) {
    const data = trainer.config.data;
    if (data.kind !== 'normal') throw new Error('GaussianView needs a preset whose real data is a normal distribution');
    this.caption =
      `Histograms (density, bins of ${BIN}) of ${SAMPLES} real values — drawn on the CPU from N(${data.mean}, ${data.std}) ` +
      `for display only — and ${SAMPLES} generator samples read from the GPU. ` +
      `D(x) is the discriminator's probability of "real" at each x (right axis).`;
    const points = Math.round((HI - LO) / FINE) + 1;
    this.grid = Float64Array.from({ length: points }, (_, i) => LO + i * FINE);
    this.gridF32 = Float32Array.from(this.grid);
    this.real = histogram(normalSamples(SAMPLES, data.mean, data.std, trainer.config.seed), this.grid);

    const stepped = uPlot.paths.stepped;
    if (!stepped) throw new Error('uPlot build without stepped paths');
    const bars = stepped({ align: 1 });
    const empty = new Float64Array(points).fill(NaN);
    this.chart = new Chart(el.chart, {
      height: 300,
      legend: { live: false },
      scales: {
        x: { time: false, range: [LO, HI] },
        y: { range: (_u, _min, max) => [0, Math.max(0.1, max * 1.08)] },
        p: { range: [0, 1] },
      },
      axes: [
        axis({ label: 'x', labelSize: 16, size: 30 }),
        axis({ label: 'density', labelSize: 16, size: 44 }),
        axis({ scale: 'p', side: 1, label: 'D(x)', labelSize: 16, size: 40, grid: { show: false } }),
      ],
      series: [
        { label: 'x' },
        { label: 'real (CPU, display only)', stroke: COLORS.real, fill: COLORS.realFill, width: 1.5, paths: bars, points: { show: false } },
        { label: 'generated G(z)', stroke: COLORS.fake, fill: COLORS.fakeFill, width: 1.5, paths: bars, points: { show: false } },
        { label: 'D(x)', stroke: COLORS.disc, width: 2, scale: 'p', points: { show: false } },
      ],
    }, [this.grid, this.real.density, empty, empty]);
  }

  async refresh(trainer: GanTrainer): Promise<void> {
    const generated = await trainer.sample(SAMPLES);
    const d = await trainer.discriminate(this.gridF32);
    const gen = histogram(generated, this.grid);
    this.chart.setData([this.grid, this.real.density, gen.density, Float64Array.from(d)]);
    const outside = gen.outside > 0 ? ` · ${gen.outside} of ${SAMPLES} generated fall outside [${LO}, ${HI}]` : '';
    this.el.note.textContent =
      `Generated: mean ${fmt(gen.mean)}, std ${fmt(gen.std)} · real display sample: mean ${fmt(this.real.mean)}, ` +
      `std ${fmt(this.real.std)}${outside}`;
  }

  destroy(): void {
    this.chart.destroy();
  }
}
