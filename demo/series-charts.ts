// The page's uPlot charts of what the engine sent for the 1-D and curve
// presets (demo/engine/series-views.ts computes the numbers).
import uPlot from 'uplot';
import type { DiscriminatorOutput, ViewData } from './protocol.js';
import { axis, Chart, COLORS } from './charts.js';

type Hist1d = Extract<ViewData, { kind: 'hist1d' }>;
type Curves = Extract<ViewData, { kind: 'curves' }>;

export class Hist1dChart {
  private chart: Chart | null = null;

  /** `output`: D's probability on a fixed [0, 1] axis, or a critic's score on an axis that follows its range. */
  constructor(
    private readonly container: HTMLElement,
    private readonly output: DiscriminatorOutput = 'logit',
  ) {}

  draw(d: Hist1d): void {
    const data: uPlot.AlignedData = [d.x, d.real, d.generated, d.dx];
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    const stepped = uPlot.paths.stepped;
    if (!stepped) throw new Error('uPlot build without stepped paths');
    const bars = stepped({ align: 1 });
    const score = this.output === 'score';
    this.chart = new Chart(this.container, {
      height: 300,
      legend: { live: false },
      scales: {
        x: { time: false, range: [d.x[0], d.x[d.x.length - 1]] },
        y: { range: (_u, _min, max) => [0, Math.max(0.1, max * 1.08)] },
        p: this.output === 'logit'
          ? { range: [0, 1] }
          : { range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min - 0.05 * (max - min), max + 0.05 * (max - min)]) },
      },
      axes: [
        axis({ label: 'x', labelSize: 16, size: 30 }),
        axis({ label: 'density', labelSize: 16, size: 44 }),
        axis({ scale: 'p', side: 1, label: score ? 'D(x), critic score' : 'D(x) = P(real)', labelSize: 16, size: score ? 48 : 40, grid: { show: false } }),
      ],
      series: [
        { label: 'x' },
        { label: 'real (CPU, display only)', stroke: COLORS.real, fill: COLORS.realFill, width: 1.5, paths: bars, points: { show: false } },
        { label: 'generated G(z)', stroke: COLORS.fake, fill: COLORS.fakeFill, width: 1.5, paths: bars, points: { show: false } },
        { label: score ? 'D(x) score' : 'D(x)', stroke: COLORS.disc, width: 2, scale: 'p', points: { show: false } },
      ],
    }, data);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}

const PI_TICKS = [-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI];
const PI_LABELS = ['−π', '−π/2', '0', 'π/2', 'π'];

export class CurvesChart {
  private chart: Chart | null = null;

  constructor(private readonly container: HTMLElement) {}

  draw(d: Curves): void {
    const data: uPlot.AlignedData = [d.x, ...d.real, ...d.generated];
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    const curve = (label: string, stroke: string, dash?: number[]) => ({
      label,
      stroke,
      width: 1.75,
      dash,
      points: { show: true, size: 4, fill: stroke },
    });
    this.chart = new Chart(this.container, {
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
        ...d.real.map((_, i) => curve(`real ${i}`, COLORS.real, [6, 4])),
        ...d.generated.map((_, i) => curve(`G(z) ${i}`, COLORS.fake)),
      ],
    }, data);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
