// The engine: owns the GPU context, the trainer (through TrainingLoop) and
// the views that read from it. Runs in the worker (worker.ts) or, where a
// worker has no WebGPU, on the page's thread; either way it only talks
// through `post` and `handle`, with the messages of demo/protocol.ts.
import { createGpuContext, ImageGridRenderer, loadCheckpoint, saveCheckpoint, type GanTrainer, type GpuContext } from '../../src/index.js';
import { DIGIT_PRESET_KEYS, type EngineCanvases, type FromEngine, type RunSettings, type ToEngine, type ViewData, type ViewKind } from '../protocol.js';
import { describeConfig } from './describe.js';
import { ImageView } from './image-view.js';
import { PlaneView } from './plane-view.js';
import { CurvesView, Hist1dView } from './series-views.js';
import { TrainingLoop } from './training-loop.js';

export type Post = (msg: FromEngine, transfer?: Transferable[]) => void;

/**
 * Views refresh at most this often, and less often when a refresh is slow (≤ ~20% of the time).
 * A chunk of training is at least one step, so on a slow preset (the conv ones on a CPU adapter,
 * seconds per step) the views refresh after each step or every few steps.
 */
const VIEW_REFRESH_MS = 500;
const VIEW_REFRESH_SHARE = 0.2;

interface EngineView {
  readonly kind: ViewKind;
  readonly caption: string;
  refresh(trainer: GanTrainer): Promise<ViewData>;
  /** Draws again right before a PNG is taken (a WebGPU canvas is copied in the task that drew it). */
  redraw?(trainer: GanTrainer): Promise<void>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class Engine {
  private loop: TrainingLoop | null = null;
  private canvases: EngineCanvases | null = null;
  private view: EngineView | null = null;
  private settings: RunSettings | null = null;
  private lastViewRefresh = -Infinity;
  private viewRefreshMs = 0;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
    /** Whether this browser can show a WebGPU canvas (the image grid's GPU path). */
    private readonly canPresent: boolean,
  ) {
    ctx.device.addEventListener('uncapturederror', (ev) => {
      post({ type: 'error', message: `WebGPU error: ${(ev as GPUUncapturedErrorEvent).error.message}` });
    });
    void ctx.device.lost.then((info) => {
      post({ type: 'error', message: `The GPU device was lost (${info.reason}): ${info.message || 'no details'}. Reload the page.` });
    });
  }

  /** Gets a WebGPU device; posts 'ready' or 'unavailable'. */
  static async start(post: Post, where: 'worker' | 'main thread'): Promise<Engine | null> {
    let ctx: GpuContext;
    // Before our device exists: where a WebGPU canvas cannot be shown (headless
    // Chromium on SwiftShader), trying loses every device of this thread.
    const canPresent = await ImageGridRenderer.canPresent();
    try {
      ctx = await createGpuContext();
    } catch (e) {
      post({ type: 'unavailable', message: message(e) });
      return null;
    }
    post({ type: 'ready', adapter: ctx.adapterName, where });
    return new Engine(ctx, post, canPresent);
  }

  handle(msg: ToEngine): void {
    switch (msg.type) {
      case 'init':
        this.canvases = msg.canvases;
        this.loop = new TrainingLoop(this.ctx, {
          onTrainer: (t, s) => this.onTrainer(t, s),
          onStats: (stats) => this.post({ type: 'stats', stats }),
          afterSteps: (t, force) => this.afterSteps(t, force),
          onState: (state) => this.post({ type: 'state', state }),
          onError: (e) => this.post({ type: 'error', message: `${message(e)} Press Reset to start again.` }),
        });
        return;
      case 'reset':
        this.loop?.reset(msg.settings).catch((e: unknown) => {
          this.post({ type: 'error', message: `Could not build the trainer: ${message(e)}` });
        });
        return;
      case 'play': return this.loop?.play();
      case 'pause': return this.loop?.pause();
      case 'step': return this.loop?.step();
      case 'save':
        void this.loop?.withTrainer(async (t) => {
          const bytes = await saveCheckpoint(t);
          this.post({ type: 'checkpoint', bytes, name: `${this.settings?.preset ?? 'gan'}-step${t.step}.safetensors` }, [bytes.buffer]);
        }).catch((e: unknown) => this.post({ type: 'error', message: `Could not save: ${message(e)}` }));
        return;
      case 'load':
        void this.loop?.withTrainer(async (t) => {
          await loadCheckpoint(t, msg.bytes);
          this.post({ type: 'loaded', step: t.step });
          await this.afterSteps(t, true);
        }).catch((e: unknown) => this.post({ type: 'error', message: `Checkpoint not loaded (nothing was changed): ${message(e)}` }));
        return;
      case 'png':
        void this.png().catch((e: unknown) => this.post({ type: 'error', message: `Could not make the PNG: ${message(e)}` }));
        return;
    }
  }

  private async png(): Promise<void> {
    const c = this.canvases;
    if (!c || !this.view) throw new Error('nothing drawn yet');
    const canvas = this.view.kind === 'images' ? c.images : this.view.kind === 'plane' ? c.plane : null;
    if (!canvas) throw new Error('this preset is plotted on the page, not drawn into an image');
    const trainer = this.loop?.current;
    if (trainer && this.view.redraw) await this.view.redraw(trainer);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const step = this.loop?.current?.step ?? 0;
    this.post({ type: 'png', blob, name: `${this.settings?.preset ?? 'gan'}-step${step}.png` });
  }

  private onTrainer(trainer: GanTrainer, settings: RunSettings): void {
    const c = this.canvases;
    if (!c) throw new Error('engine: init must come before reset');
    this.settings = settings;
    const p = settings.preset;
    if (p === 'gaussian1d') this.view = Object.assign(new Hist1dView(trainer), { kind: 'hist1d' as const });
    else if (p === 'sine') this.view = Object.assign(new CurvesView(trainer), { kind: 'curves' as const });
    else if (DIGIT_PRESET_KEYS.includes(p)) {
      this.view = Object.assign(new ImageView(trainer, c.images, c.interpolation, this.canPresent), { kind: 'images' as const });
    } else this.view = Object.assign(new PlaneView(trainer, c.plane), { kind: 'plane' as const });
    this.lastViewRefresh = -Infinity;
    this.post({
      type: 'trainer',
      settings,
      view: this.view.kind,
      summary: describeConfig(trainer),
      caption: this.view.caption,
      output: trainer.discriminatorOutput,
      lossTitle: trainer.config.loss.module.title,
    });
  }

  /** After every chunk: progress now; engine reads for the views at most every VIEW_REFRESH_MS (or slower, see above). */
  private async afterSteps(trainer: GanTrainer, force: boolean): Promise<void> {
    const rate = this.loop?.rate.stepsPerSecond ?? NaN;
    this.post({ type: 'progress', step: trainer.step, stepsPerSecond: rate });
    const now = performance.now();
    const interval = Math.max(VIEW_REFRESH_MS, this.viewRefreshMs / VIEW_REFRESH_SHARE);
    if (!force && now - this.lastViewRefresh < interval) return;
    if (this.view) this.post({ type: 'view', data: await this.view.refresh(trainer) });
    this.lastViewRefresh = performance.now();
    this.viewRefreshMs = this.lastViewRefresh - now;
  }
}
