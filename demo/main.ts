// Demo page: trains a preset live on WebGPU and shows what the engine reports.
// Wires the controls (demo/index.html) to the training loop and the views.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { createGpuContext, type GanTrainer, type GpuContext, type Sequential, type TrainingStats } from '../src/index.js';
import { fmt } from './charts.js';
import { findElements, STAT_KEYS, type PageElements } from './dom.js';
import { HistoryCharts, StatsHistory } from './history.js';
import {
  defaultLearningRates,
  isPresetKey,
  TrainingLoop,
  type LoopState,
  type PresetKey,
  type RunSettings,
} from './training-loop.js';
import { createView, type DistributionView } from './views.js';

/** Views refresh at most this often, and less often when a refresh is slow (≤ ~20% of the time). */
const VIEW_REFRESH_MS = 500;
const VIEW_REFRESH_SHARE = 0.2;

const STATE_TEXT: Record<LoopState, string> = {
  building: 'building…',
  paused: 'paused',
  running: 'training',
  pausing: 'pausing…',
  stepping: 'stepping…',
  halted: 'halted',
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function describeNet(tag: string, net: Sequential): string {
  const sizes: number[] = [];
  const acts = new Set<string>();
  for (const l of net.layers) {
    if (l.type === 'linear') {
      if (sizes.length === 0) sizes.push(l.inFeatures);
      sizes.push(l.outFeatures);
    } else if (l.type === 'activation') {
      acts.add(l.activation);
    }
  }
  return `${tag} ${sizes.join('→')}${acts.size ? ` (${[...acts].join(', ')})` : ''}`;
}

function describeConfig(c: GanTrainer['config']): string {
  const n = c.noise;
  const noise = n.distribution === 'uniform' ? `z ~ U[${n.low}, ${n.high})` : `z ~ N(${n.mean}, ${n.std})`;
  const nz = c.generator.inputSize;
  return [
    describeNet('G', c.generator),
    describeNet('D', c.discriminator),
    `${noise}${nz > 1 ? `^${nz}` : ''}`,
    `batch ${c.batchSize}`,
    `Adam lr D ${c.adamD.lr}, lr G ${c.adamG.lr}, β (${c.adamD.beta1}, ${c.adamD.beta2})`,
    `seed ${c.seed}`,
  ].join(' · ');
}

class DemoPage {
  private readonly history = new StatsHistory();
  private readonly charts: HistoryCharts;
  private readonly loop: TrainingLoop;
  private view: DistributionView | null = null;
  private applied: RunSettings | null = null;
  private latest: TrainingStats | null = null;
  private lastViewRefresh = -Infinity;
  private viewRefreshMs = 0;
  private deviceLost = false;

  constructor(
    private readonly el: PageElements,
    ctx: GpuContext,
  ) {
    this.charts = new HistoryCharts({ loss: el.lossChart, dOut: el.dOutChart, grad: el.gradChart });
    this.loop = new TrainingLoop(ctx, {
      onTrainer: (t, s) => this.onTrainer(t, s),
      onStats: (s) => {
        this.history.push(s);
        this.latest = s;
      },
      afterSteps: (t, force) => this.afterSteps(t, force),
      onState: (s) => this.onState(s),
      onError: (e) => this.showError(`${message(e)} Press Reset to start again.`),
    });

    el.play.addEventListener('click', () => this.loop.play());
    el.pause.addEventListener('click', () => this.loop.pause());
    el.step.addEventListener('click', () => this.loop.step());
    el.reset.addEventListener('click', () => void this.reset());
    el.preset.addEventListener('change', () => {
      const preset = el.preset.value;
      if (!isPresetKey(preset)) return;
      this.fillLearningRates(preset);
      void this.reset();
    });
    for (const input of [el.seed, el.lrD, el.lrG]) input.addEventListener('input', () => this.markPending());
    el.controls.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.reset();
    });

    ctx.device.addEventListener('uncapturederror', (ev) => {
      this.showError(`WebGPU error: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    ctx.device.lost.then((info) => {
      this.deviceLost = true;
      this.showError(`The GPU device was lost (${info.reason}): ${info.message || 'no details'}. Reload the page to start again.`);
      this.onState(this.loop.currentState);
    });
  }

  start(): Promise<void> {
    const preset = this.el.preset.value;
    this.fillLearningRates(isPresetKey(preset) ? preset : 'gaussian1d');
    return this.reset();
  }

  private fillLearningRates(preset: PresetKey): void {
    const lr = defaultLearningRates(preset);
    this.el.lrD.value = String(lr.lrD);
    this.el.lrG.value = String(lr.lrG);
  }

  /** The settings in the form, or a message saying what is wrong with them. */
  private readSettings(): RunSettings | string {
    const preset = this.el.preset.value;
    if (!isPresetKey(preset)) return `Unknown preset '${preset}'.`;
    const seed = Number(this.el.seed.value);
    if (this.el.seed.value.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      return `Seed must be an integer from 0 to 4294967295, got '${this.el.seed.value}'.`;
    }
    const lrD = Number(this.el.lrD.value);
    const lrG = Number(this.el.lrG.value);
    for (const [name, v, raw] of [['D', lrD, this.el.lrD.value], ['G', lrG, this.el.lrG.value]] as const) {
      if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) return `Learning rate ${name} must be a number > 0, got '${raw}'.`;
    }
    return { preset, seed, lrD, lrG };
  }

  private async reset(): Promise<void> {
    const settings = this.readSettings();
    if (typeof settings === 'string') {
      this.showError(settings);
      return;
    }
    this.clearError();
    try {
      await this.loop.reset(settings);
    } catch (e) {
      this.showError(`Could not build the trainer: ${message(e)}`);
      if (this.applied) {
        this.el.preset.value = this.applied.preset;
        this.markPending();
      }
    }
  }

  private onTrainer(trainer: GanTrainer, settings: RunSettings): void {
    this.applied = settings;
    this.markPending();
    this.history.clear();
    this.latest = null;
    this.view?.destroy();
    this.view = createView(settings.preset, trainer, { chart: this.el.distChart, note: this.el.distNote });
    this.el.distTitle.textContent = this.view.title;
    this.el.distCaption.textContent = this.view.caption;
    this.el.distNote.textContent = '';
    this.el.configSummary.textContent = describeConfig(trainer.config);
    this.lastViewRefresh = -Infinity;
  }

  /** After every chunk: counters now; engine reads and charts at most every VIEW_REFRESH_MS (or slower, see above). */
  private async afterSteps(trainer: GanTrainer, force: boolean): Promise<void> {
    this.el.steps.textContent = trainer.step.toLocaleString('en-US');
    const rate = this.loop.rate.stepsPerSecond;
    this.el.rate.textContent = Number.isFinite(rate) ? rate.toFixed(rate < 10 ? 2 : 1) : '–';
    const now = performance.now();
    const interval = Math.max(VIEW_REFRESH_MS, this.viewRefreshMs / VIEW_REFRESH_SHARE);
    if (!force && now - this.lastViewRefresh < interval) return;
    await this.view?.refresh(trainer);
    this.charts.draw(this.history);
    this.showLatestStats();
    this.lastViewRefresh = performance.now();
    this.viewRefreshMs = this.lastViewRefresh - now;
  }

  private showLatestStats(): void {
    const s = this.latest;
    for (const k of STAT_KEYS) this.el.stats[k].textContent = s ? fmt(s[k]) : '–';
    this.el.statsWindow.textContent = s
      ? `Means over the ${s.updatesG} step${s.updatesG === 1 ? '' : 's'} up to step ${s.step.toLocaleString('en-US')}.`
      : 'No report yet: train to get one.';
  }

  private onState(state: LoopState): void {
    const el = this.el;
    el.status.textContent = STATE_TEXT[state];
    el.status.dataset.state = state;
    const dead = this.deviceLost;
    el.play.disabled = dead || state !== 'paused';
    el.step.disabled = dead || state !== 'paused';
    el.pause.disabled = dead || state !== 'running';
    el.reset.disabled = dead || state === 'building';
    el.preset.disabled = dead || state === 'building';
  }

  private markPending(): void {
    const a = this.applied;
    const el = this.el;
    const changed = (input: HTMLInputElement, value: number | undefined) => {
      const differs = a !== null && Number(input.value) !== value;
      input.classList.toggle('changed', differs);
      return differs;
    };
    const pending = [changed(el.seed, a?.seed), changed(el.lrD, a?.lrD), changed(el.lrG, a?.lrG)].some(Boolean);
    el.pendingHint.classList.toggle('pending', pending);
    el.pendingHint.innerHTML = pending
      ? 'Changed settings are not applied yet: press <b>Reset</b> to rebuild the trainer with them.'
      : 'Seed and learning rates fix the trainer when it is built: they apply on <b>Reset</b>.';
  }

  private showError(text: string): void {
    this.el.error.textContent = text;
    this.el.error.hidden = false;
  }

  private clearError(): void {
    if (this.deviceLost) return;
    this.el.error.hidden = true;
    this.el.error.textContent = '';
  }
}

async function main(): Promise<void> {
  const el = findElements();
  let ctx: GpuContext;
  try {
    ctx = await createGpuContext();
  } catch (e) {
    el.adapter.textContent = 'none';
    el.configSummary.textContent = 'Not started: no WebGPU device.';
    el.fatalMessage.textContent = message(e);
    el.fatal.hidden = false;
    return;
  }
  el.adapter.textContent = ctx.adapterName;
  el.app.hidden = false; // visible before the charts are built: they size to their containers
  await new DemoPage(el, ctx).start();
}

void main();
