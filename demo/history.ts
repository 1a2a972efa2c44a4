// Training statistics over steps (as the engine reports them) and the three
// charts that plot them: losses, D's mean outputs, gradient norms.
import type { TrainingStats } from '../src/index.js';
import { axis, Chart, COLORS, latestOrHovered } from './charts.js';
import type { DiscriminatorOutput } from './protocol.js';

type Series = (number | null)[];
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class StatsHistory {
  readonly step: number[] = [];
  readonly lossD: Series = [];
  readonly lossG: Series = [];
  readonly dReal: Series = [];
  readonly dFake: Series = [];
  readonly gradNormD: Series = [];
  readonly gradNormG: Series = [];

  get length(): number {
    return this.step.length;
  }

  push(s: TrainingStats): void {
    this.step.push(s.step);
    this.lossD.push(finite(s.lossD));
    this.lossG.push(finite(s.lossG));
    this.dReal.push(finite(s.dReal));
    this.dFake.push(finite(s.dFake));
    this.gradNormD.push(finite(s.gradNormD));
    this.gradNormG.push(finite(s.gradNormG));
  }

  clear(): void {
    for (const a of [this.step, this.lossD, this.lossG, this.dReal, this.dFake, this.gradNormD, this.gradNormG]) a.length = 0;
  }
}

const HEIGHT = 210;
const stepAxis = () => axis({ label: 'step', labelSize: 16, size: 30 });
const line = (label: string, stroke: string, dash?: number[]) => ({
  label,
  stroke,
  width: 1.5,
  dash,
  value: latestOrHovered,
  points: { show: false },
});

const stepSeries = () => ({ label: 'step', value: latestOrHovered });

/** D's mean outputs: probabilities on a fixed [0, 1] axis, or critic scores on an axis that follows them. */
function dOutChart(container: HTMLElement, output: DiscriminatorOutput): Chart {
  const probability = output === 'logit';
  return new Chart(container, {
    height: HEIGHT,
    scales: { x: { time: false }, y: probability ? { range: [0, 1] } : {} },
    axes: [stepAxis(), axis({ size: 52, label: probability ? 'P(real)' : 'critic score', labelSize: 16 })],
    series: [stepSeries(), line('D(x) on real', COLORS.real), line('D(G(z)) on fake', COLORS.fake)],
  }, [[], [], []]);
}

export class HistoryCharts {
  private readonly charts: Chart[];
  private drawn = -1;
  private output: DiscriminatorOutput = 'logit';

  constructor(
    private readonly containers: { loss: HTMLElement; dOut: HTMLElement; grad: HTMLElement },
  ) {
    const x = stepSeries();
    const scales = { x: { time: false } };
    this.charts = [
      new Chart(containers.loss, {
        height: HEIGHT,
        scales,
        axes: [stepAxis(), axis({ size: 44 })],
        series: [x, line('loss D', COLORS.disc), line('loss G', COLORS.fake)],
      }, [[], [], []]),
      dOutChart(containers.dOut, this.output),
      new Chart(containers.grad, {
        height: HEIGHT,
        scales,
        axes: [stepAxis(), axis({ size: 52 })],
        series: [x, line('‖∇D‖', COLORS.disc), line('‖∇G‖', COLORS.fake)],
      }, [[], [], []]),
    ];
  }

  /** What D's outputs are for the trainer now running: rebuilds the D chart (axis range and label) when that changes. */
  setOutput(output: DiscriminatorOutput): void {
    if (output === this.output) return;
    this.output = output;
    this.charts[1].destroy();
    this.charts[1] = dOutChart(this.containers.dOut, output);
    this.drawn = -1;
  }

  draw(h: StatsHistory): void {
    if (h.length === this.drawn) return;
    this.drawn = h.length;
    const [loss, dOut, grad] = this.charts;
    loss.setData([h.step, h.lossD, h.lossG]);
    dOut.setData([h.step, h.dReal, h.dFake]);
    grad.setData([h.step, h.gradNormD, h.gradNormG]);
    for (const el of Object.values(this.containers)) el.dataset.points = String(h.length);
  }

  destroy(): void {
    for (const c of this.charts) c.destroy();
  }
}

/** KL and JS histogram estimates over steps (2-D presets). */
export class DivergenceChart {
  readonly step: number[] = [];
  readonly kl: Series = [];
  readonly js: Series = [];
  private readonly chart: Chart;

  constructor(private readonly container: HTMLElement) {
    this.chart = new Chart(container, {
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [stepAxis(), axis({ size: 44 })],
      series: [{ label: 'step', value: latestOrHovered }, line('KL(real‖G)', COLORS.disc), line('JS', COLORS.fake)],
    }, [[], [], []]);
  }

  push(step: number, kl: number, js: number): void {
    const last = this.step.length ? this.step[this.step.length - 1] : -1;
    if (step < last) this.clear(); // a checkpoint took the run back
    if (step === last) {
      this.kl[this.kl.length - 1] = finite(kl);
      this.js[this.js.length - 1] = finite(js);
    } else {
      this.step.push(step);
      this.kl.push(finite(kl));
      this.js.push(finite(js));
    }
    this.chart.setData([this.step, this.kl, this.js]);
    this.container.dataset.points = String(this.step.length);
  }

  clear(): void {
    for (const a of [this.step, this.kl, this.js]) a.length = 0;
    this.chart.setData([[], [], []]);
    this.container.dataset.points = '0';
  }
}
