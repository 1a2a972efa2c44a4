// sine: a few generated curves against a few real ones (rows of the
// training set), with D's mean probability on each group.
import { presets, type GanTrainer } from '../src/index.js';
import { axis, Chart, COLORS, fmt } from './charts.js';
import type { DistributionView, ViewElements } from './views.js';

const REAL = 4;
const GENERATED = 6;
const POINTS = presets.SINE_POINTS;
const PI_TICKS = [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI];
const PI_LABELS = ['−π', '−π/2', '0', 'π/2', 'π'];

const mean = (a: ArrayLike<number>, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
};

export class SineView implements DistributionView {
  readonly title = 'Curves: real vs generated';
  readonly caption =
    `Teal, dashed: ${REAL} real curves, rows 0–${REAL - 1} of the training set (y = a·sin(x) at ${POINTS} points ` +
    `over [−π, π], a ~ U(1, 2)). Orange: ${GENERATED} generator samples read from the GPU, fresh noise at each refresh.`;
  private readonly xs: Float64Array;
  private readonly real: Float32Array;
  private readonly chart: Chart;

  constructor(
    trainer: GanTrainer,
    private readonly el: ViewElements,
  ) {
    const data = trainer.config.data;
    if (data.kind !== 'dataset' || data.cols !== POINTS) throw new Error(`SineView needs a dataset of ${POINTS}-point curves`);
    this.real = data.values.slice(0, REAL * POINTS);
    this.xs = Float64Array.from({ length: POINTS }, (_, i) => -Math.PI + (2 * Math.PI * i) / (POINTS - 1));
    const curve = (label: string, stroke: string, dash?: number[]) => ({
      label,
      stroke,
      width: 1.75,
      dash,
      points: { show: true, size: 4, fill: stroke },
    });
    this.chart = new Chart(el.chart, {
      height: 300,
      legend: { show: false },
      scales: {
        x: { time: false, range: [-Math.PI - 0.1, Math.PI + 0.1] },
        y: { range: (_u, min, max) => [Math.min(-2.5, Math.floor(min)), Math.max(2.5, Math.ceil(max))] },
      },
      axes: [
        axis({ label: 'x', labelSize: 16, size: 30, splits: () => PI_TICKS, values: () => PI_LABELS }),
        axis({ label: 'y', labelSize: 16, size: 40 }),
      ],
      series: [
        { label: 'x' },
        ...Array.from({ length: REAL }, (_, i) => curve(`real ${i}`, COLORS.real, [6, 4])),
        ...Array.from({ length: GENERATED }, (_, i) => curve(`G(z) ${i}`, COLORS.fake)),
      ],
    }, [this.xs, ...this.rows(this.real, REAL), ...Array.from({ length: GENERATED }, () => new Float64Array(POINTS).fill(NaN))]);
  }

  async refresh(trainer: GanTrainer): Promise<void> {
    const generated = await trainer.sample(GENERATED);
    const both = new Float32Array((REAL + GENERATED) * POINTS);
    both.set(this.real, 0);
    both.set(generated, REAL * POINTS);
    const d = await trainer.discriminate(both);
    this.chart.setData([this.xs, ...this.rows(this.real, REAL), ...this.rows(generated, GENERATED)]);
    this.el.note.textContent =
      `D's mean probability of "real": ${fmt(mean(d, 0, REAL))} on these ${REAL} real curves, ` +
      `${fmt(mean(d, REAL, REAL + GENERATED))} on these ${GENERATED} generated ones.`;
  }

  destroy(): void {
    this.chart.destroy();
  }

  private rows(values: Float32Array, n: number): Float32Array[] {
    return Array.from({ length: n }, (_, r) => values.subarray(r * POINTS, (r + 1) * POINTS));
  }
}
