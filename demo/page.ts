// The demo page: sends the controls to the engine and shows what it sends
// back (counters, statistics, the preset's view). Every number shown comes
// from the engine's messages.
import type { TrainingStats } from '../src/index.js';
import { DEFAULT_STROKES, TOY2D_EXTENT } from '../src/data/toy2d.js';
import { fmt } from './charts.js';
import { STAT_KEYS, type PageElements } from './dom.js';
import { DrawPad } from './draw-pad.js';
import type { EngineLink } from './engine-link.js';
import { DivergenceChart, HistoryCharts, StatsHistory } from './history.js';
import { TRAINED_WEIGHTS, type DiscriminatorOutput, type FromEngine, type LoopState, type PresetKey, type ViewData, type ViewKind } from './protocol.js';
import { CurvesChart, Hist1dChart } from './series-charts.js';
import { SettingsForm } from './settings-form.js';

const STATE_TEXT: Record<LoopState, string> = {
  building: 'building…',
  paused: 'paused',
  running: 'training',
  pausing: 'pausing…',
  stepping: 'stepping…',
  halted: 'halted',
};

const TITLES: Record<ViewKind, string> = {
  hist1d: 'Samples: real vs generated, and D(x)',
  curves: 'Curves: real vs generated',
  plane: 'The plane: D(x), real and generated points, G’s gradients and manifold',
  images: 'Images from fixed noise, and a latent interpolation',
};

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export class DemoPage {
  private readonly history = new StatsHistory();
  private readonly charts: HistoryCharts;
  private readonly divergence: DivergenceChart;
  private readonly form: SettingsForm;
  private readonly pad: DrawPad;
  private chart: Hist1dChart | CurvesChart | null = null;
  private link: EngineLink | null = null;
  private view: ViewKind | null = null;
  private output: DiscriminatorOutput = 'logit';
  private latest: TrainingStats | null = null;
  private state: LoopState = 'building';
  private drawing = false;
  private dead = false;

  constructor(private readonly el: PageElements) {
    this.charts = new HistoryCharts({ loss: el.lossChart, dOut: el.dOutChart, grad: el.gradChart });
    this.divergence = new DivergenceChart(el.divergenceChart);
    this.form = new SettingsForm(el);
    this.pad = new DrawPad(el.drawPad, TOY2D_EXTENT, () => this.onDrawingChanged());
    this.pad.set(DEFAULT_STROKES, true);
  }

  /** Wires the controls to `link`, then builds the first trainer. */
  start(link: EngineLink): void {
    this.link = link;
    const el = this.el;
    const send = (type: 'play' | 'pause' | 'step' | 'save' | 'png') => () => link.send({ type });
    el.play.addEventListener('click', send('play'));
    el.pause.addEventListener('click', send('pause'));
    el.step.addEventListener('click', send('step'));
    el.save.addEventListener('click', send('save'));
    el.png.addEventListener('click', send('png'));
    el.reset.addEventListener('click', () => this.reset());
    el.preset.addEventListener('change', () => {
      const preset = this.form.preset;
      if (!preset) return;
      this.form.fillDefaults(preset);
      this.showTrainedWeights(preset);
      this.reset();
    });
    el.controls.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.reset();
    });
    el.load.addEventListener('click', () => el.loadFile.click());
    el.loadFile.addEventListener('change', () => void this.loadCheckpoint());
    el.loadTrained.addEventListener('click', () => void this.startFromTrainedWeights());
    el.drawToggle.addEventListener('click', () => this.setDrawing(!this.drawing));
    el.drawClear.addEventListener('click', () => this.pad.clear());
    el.drawTrain.addEventListener('click', () => {
      this.setDrawing(false);
      this.reset();
    });
    const preset = this.form.preset ?? 'gaussian1d';
    this.form.fillDefaults(preset);
    this.showTrainedWeights(preset);
    this.reset();
  }

  /** The "Start from trained weights" button, for presets that ship a checkpoint. */
  private showTrainedWeights(preset: PresetKey): void {
    this.el.loadTrained.hidden = TRAINED_WEIGHTS[preset] === undefined;
  }

  /**
   * Rebuilds the trainer with the preset's default settings (those the shipped
   * checkpoint was trained with) and loads the checkpoint into it.
   */
  private async startFromTrainedWeights(): Promise<void> {
    const preset = this.form.preset;
    const url = preset && TRAINED_WEIGHTS[preset];
    if (!preset || !url) return;
    this.clearError();
    this.el.fileNote.textContent = `Fetching the trained weights of ${preset}…`;
    let bytes: Uint8Array;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      this.el.fileNote.textContent = '';
      return this.showError(`Could not fetch the trained weights (${url}): ${e instanceof Error ? e.message : String(e)}`);
    }
    this.form.fillDefaults(preset);
    this.reset();
    // The engine runs the load after the rebuild (it serialises both).
    this.el.fileNote.textContent = `Loading the trained weights of ${preset}…`;
    this.link?.send({ type: 'load', bytes }, [bytes.buffer]);
  }

  handle(m: FromEngine): void {
    switch (m.type) {
      case 'trainer': return this.onTrainer(m);
      case 'stats':
        this.history.push(m.stats);
        this.latest = m.stats;
        return;
      case 'progress': {
        this.el.steps.textContent = m.step.toLocaleString('en-US');
        const r = m.stepsPerSecond;
        this.el.rate.textContent = Number.isFinite(r) ? r.toFixed(r < 10 ? 2 : 1) : '–';
        return;
      }
      case 'state': return this.onState(m.state);
      case 'view': return this.onView(m.data);
      case 'error':
        if (/device was lost/.test(m.message)) {
          this.dead = true;
          this.onState(this.state);
        }
        return this.showError(m.message);
      case 'checkpoint':
        download(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), m.name);
        this.el.fileNote.textContent = `Saved ${m.name} (${(m.bytes.length / 1024).toFixed(0)} KiB).`;
        return;
      case 'loaded':
        this.history.clear();
        this.latest = null;
        this.el.fileNote.textContent = `Loaded: the run continues from step ${m.step.toLocaleString('en-US')}.`;
        return;
      case 'png': return download(m.blob, m.name);
      case 'ready':
      case 'unavailable':
        return;
    }
  }

  private reset(): void {
    const settings = this.form.read(this.pad.value);
    if (typeof settings === 'string') return this.showError(settings);
    this.clearError();
    this.link?.send({ type: 'reset', settings });
  }

  private async loadCheckpoint(): Promise<void> {
    const file = this.el.loadFile.files?.[0];
    this.el.loadFile.value = '';
    if (!file) return;
    this.clearError();
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.el.fileNote.textContent = `Loading ${file.name}…`;
    this.link?.send({ type: 'load', bytes }, [bytes.buffer]);
  }

  private onTrainer(m: Extract<FromEngine, { type: 'trainer' }>): void {
    const el = this.el;
    this.form.markApplied(m.settings);
    if (m.settings.strokes) this.pad.set(m.settings.strokes, this.pad.isExample);
    this.history.clear();
    this.output = m.output;
    this.charts.setOutput(m.output);
    this.charts.draw(this.history);
    this.divergence.clear();
    this.latest = null;
    this.showLatestStats();
    this.chart?.destroy();
    this.chart = null;
    this.view = m.view;
    el.distTitle.textContent = TITLES[m.view];
    el.distCaption.textContent = m.caption;
    el.distNote.textContent = '';
    el.configSummary.textContent = m.summary;
    el.lossHint.textContent = `${m.lossTitle} loss, mean over each report window`;
    el.dOutHint.textContent =
      m.output === 'logit'
        ? 'mean probability D gives "real" (σ of its logit) on the real batch and on G\'s batch'
        : `mean critic score on the real batch and on G's batch: higher = more real, not a probability (${m.lossTitle} loss)`;
    el.statsOutput.textContent =
      m.output === 'logit'
        ? 'D(x) and D(G(z)): D\'s probability of "real", 0 to 1.'
        : 'D(x) and D(G(z)): mean critic scores (higher = more real), not probabilities.';
    el.distChart.hidden = m.view === 'plane' || m.view === 'images';
    el.planeWrap.hidden = m.view !== 'plane';
    el.divergencePanel.hidden = m.view !== 'plane';
    el.imagesWrap.hidden = m.view !== 'images';
    el.drawTools.hidden = m.settings.preset !== 'drawn';
    el.drawPad.hidden = m.settings.preset !== 'drawn';
    el.png.disabled = !(m.view === 'plane' || m.view === 'images');
    this.setDrawing(false);
  }

  private onView(d: ViewData): void {
    if (d.kind !== this.view) return; // from the trainer before a reset
    if (d.kind === 'hist1d') {
      const c = this.chart instanceof Hist1dChart ? this.chart : new Hist1dChart(this.el.distChart, this.output);
      this.chart = c;
      c.draw(d);
    } else if (d.kind === 'curves') {
      const c = this.chart instanceof CurvesChart ? this.chart : new CurvesChart(this.el.distChart);
      this.chart = c;
      c.draw(d);
    } else if (d.kind === 'plane') {
      this.divergence.push(d.step, d.kl, d.js);
    } else if (d.kind === 'images') {
      // The engine drew the grid into its OffscreenCanvas; say what is in it (for people and tests).
      const images = this.el.images;
      images.dataset.rows = String(d.rows);
      images.dataset.cols = String(d.cols);
      images.dataset.step = String(d.step);
      images.setAttribute('aria-label', `${d.rows}×${d.cols} generated digits at step ${d.step}`);
    }
    const extra = d.kind === 'plane' ? `KL(real‖G) ≈ ${fmt(d.kl)}, JS ≈ ${fmt(d.js)} nats at step ${d.step.toLocaleString('en-US')}. ` : '';
    this.el.distNote.textContent = extra + d.note;
    this.charts.draw(this.history);
    this.showLatestStats();
  }

  private showLatestStats(): void {
    const s = this.latest;
    for (const k of STAT_KEYS) this.el.stats[k].textContent = s ? fmt(s[k]) : '–';
    this.el.statsWindow.textContent = s
      ? `Means over the ${s.updatesG} step${s.updatesG === 1 ? '' : 's'} up to step ${s.step.toLocaleString('en-US')}.`
      : 'No report yet: train to get one.';
  }

  private onState(state: LoopState): void {
    this.state = state;
    const el = this.el;
    el.status.textContent = STATE_TEXT[state];
    el.status.dataset.state = state;
    const dead = this.dead;
    const idle = state === 'paused' || state === 'halted';
    el.play.disabled = dead || state !== 'paused';
    el.step.disabled = dead || state !== 'paused';
    el.pause.disabled = dead || state !== 'running';
    el.reset.disabled = dead || state === 'building';
    el.preset.disabled = dead || state === 'building';
    el.save.disabled = dead || state === 'building';
    el.load.disabled = dead || !idle;
    el.drawTrain.disabled = dead || state === 'building';
  }

  private setDrawing(on: boolean): void {
    this.drawing = on;
    this.pad.active = on;
    this.el.drawToggle.classList.toggle('active', on);
    this.el.drawToggle.textContent = on ? '✓ Done drawing' : '✎ Draw';
  }

  private onDrawingChanged(): void {
    const n = this.pad.value.length;
    this.el.drawTrain.disabled = n === 0 || this.state === 'building';
    this.el.drawTrain.textContent = n === 0 ? 'Draw something first' : 'Train on this drawing';
  }

  private showError(text: string): void {
    this.el.error.textContent = text;
    this.el.error.hidden = false;
  }

  private clearError(): void {
    if (this.dead) return;
    this.el.error.hidden = true;
    this.el.error.textContent = '';
  }
}
