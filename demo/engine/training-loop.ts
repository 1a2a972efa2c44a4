// Owns the trainer and runs it: play / pause / single step / reset, one at a
// time. While playing it trains in chunks sized to take ~250 ms (at least one
// step), yields to the event loop between chunks (so pause and other messages
// get in), and lets the engine refresh its views after each chunk.
import { GanTrainer, type GpuContext, type TrainingStats } from '../../src/index.js';
import type { LoopState, RunSettings } from '../protocol.js';
import { configFor } from './configs.js';

export interface LoopHooks {
  /** A new trainer replaced the old one (already disposed). */
  onTrainer(trainer: GanTrainer, settings: RunSettings): void;
  onStats(stats: TrainingStats): void;
  /** After each chunk or single step. `force`: refresh the views now, not throttled. */
  afterSteps(trainer: GanTrainer, force: boolean): Promise<void>;
  onState(state: LoopState): void;
  /** Training or a view read failed; the loop is halted until the next reset. */
  onError(error: unknown): void;
}

// Longer chunks pipeline better (stepsPerSubmit) but make pause slower to answer.
const CHUNK_TARGET_MS = 250;
const MAX_CHUNK = 2000;
const RATE_WINDOW_MS = 3000;

/** Wall-clock steps per second over the last few seconds of play. */
export class RateMeter {
  private samples: { t: number; step: number }[] = [];

  mark(step: number, t = performance.now()): void {
    this.samples.push({ t, step });
    while (this.samples.length > 2 && t - this.samples[1].t >= RATE_WINDOW_MS) this.samples.shift();
  }

  clear(): void {
    this.samples = [];
  }

  /** NaN until two marks exist. */
  get stepsPerSecond(): number {
    if (this.samples.length < 2) return NaN;
    const a = this.samples[0];
    const b = this.samples[this.samples.length - 1];
    return b.t > a.t ? ((b.step - a.step) * 1000) / (b.t - a.t) : NaN;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class TrainingLoop {
  readonly rate = new RateMeter();
  private trainer: GanTrainer | null = null;
  private unsubscribe: (() => void) | null = null;
  private wantRun = false;
  private state: LoopState = 'building';
  private tail: Promise<unknown> = Promise.resolve();
  private msPerStep = NaN;
  private between: (() => Promise<void>)[] = [];

  constructor(
    private readonly ctx: GpuContext,
    private readonly hooks: LoopHooks,
  ) {}

  get current(): GanTrainer | null {
    return this.trainer;
  }

  get currentState(): LoopState {
    return this.state;
  }

  /**
   * Stops any run, builds a trainer for `settings` and swaps it in. If the
   * config is rejected, the old trainer stays and the error is rethrown.
   */
  reset(settings: RunSettings): Promise<void> {
    this.wantRun = false;
    return this.exclusive(async () => {
      const before = this.state;
      this.setState('building');
      let next: GanTrainer;
      try {
        next = await GanTrainer.create(this.ctx, await configFor(settings));
      } catch (e) {
        this.setState(this.trainer ? (before === 'halted' ? 'halted' : 'paused') : 'halted');
        throw e;
      }
      this.unsubscribe?.();
      this.trainer?.dispose();
      this.trainer = next;
      this.unsubscribe = next.onStats((s) => this.hooks.onStats(s));
      this.msPerStep = NaN;
      this.rate.clear();
      this.hooks.onTrainer(next, settings);
      await this.guarded(() => this.hooks.afterSteps(next, true));
      if (this.state === 'building') this.setState('paused');
    });
  }

  play(): void {
    const trainer = this.trainer;
    if (!trainer || this.state !== 'paused') return;
    this.wantRun = true;
    this.setState('running');
    void this.exclusive(() => this.guarded(() => this.run(trainer)));
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.wantRun = false;
    this.setState('pausing');
  }

  step(): void {
    const trainer = this.trainer;
    if (!trainer || this.state !== 'paused') return;
    this.setState('stepping');
    void this.exclusive(() =>
      this.guarded(async () => {
        await trainer.train(1);
        await this.hooks.afterSteps(trainer, true);
        this.setState('paused');
      }),
    );
  }

  /**
   * Runs `fn` with the current trainer between two chunks of training (at
   * once when not playing). Once a pause or a reset has been asked for, it
   * waits for that instead, so that a load sent after a reset reaches the new
   * trainer. Its errors are the caller's; training goes on.
   */
  withTrainer<T>(fn: (trainer: GanTrainer) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = async () => {
        try {
          if (!this.trainer) throw new Error('no trainer yet');
          resolve(await fn(this.trainer));
        } catch (e) {
          reject(e);
        }
      };
      if (this.wantRun) this.between.push(job);
      else void this.exclusive(job);
    });
  }

  private async runBetween(): Promise<void> {
    const jobs = this.between;
    this.between = [];
    for (const job of jobs) await job();
  }

  private async run(trainer: GanTrainer): Promise<void> {
    this.rate.clear();
    this.rate.mark(trainer.step);
    while (this.wantRun) {
      const n = this.chunkSize();
      const t0 = performance.now();
      await trainer.train(n);
      const ms = performance.now() - t0;
      const perStep = ms / n;
      this.msPerStep = Number.isFinite(this.msPerStep) ? 0.7 * this.msPerStep + 0.3 * perStep : perStep;
      this.rate.mark(trainer.step);
      await this.hooks.afterSteps(trainer, false);
      await this.runBetween();
      await yieldToEventLoop();
    }
    await this.runBetween();
    // Show where it stopped, not where the last throttled refresh was.
    await this.hooks.afterSteps(trainer, true);
    this.rate.clear();
    this.setState('paused');
  }

  private chunkSize(): number {
    if (!Number.isFinite(this.msPerStep) || this.msPerStep <= 0) return 1;
    return Math.max(1, Math.min(MAX_CHUNK, Math.round(CHUNK_TARGET_MS / this.msPerStep)));
  }

  /** Runs `fn`; on failure halts (until the next reset) and reports the error. */
  private async guarded(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.wantRun = false;
      this.rate.clear();
      this.setState('halted');
      this.hooks.onError(e);
      await this.runBetween();
    }
  }

  /** Operations run one after another: a reset waits for the chunk in flight. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private setState(s: LoopState): void {
    this.state = s;
    this.hooks.onState(s);
  }
}
