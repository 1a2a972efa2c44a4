// What a training command prints while it runs: cli-progress's bar (steps,
// steps/s, ETA) on stderr, and a statistics line on stdout each time the
// trainer reports (every --log-every steps).
import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import type { TrainingStats } from '../../models/gan/stats.js';
import type { CliOutput } from './output.js';

export type ProgressMode = 'auto' | 'always' | 'never';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'always', 'never'];

// cli-progress is CommonJS that requires Node built-ins: loaded at run time, not bundled.
type CliProgress = typeof import('cli-progress');
let cliProgress: CliProgress | null = null;
const loadCliProgress = (): CliProgress => (cliProgress ??= createRequire(import.meta.url)('cli-progress') as CliProgress);

/** 75 → "1m15s", 3725 → "1h02m", 4.2 → "4s". */
export function formatSeconds(t: number): string {
  if (!Number.isFinite(t)) return '…';
  const s = Math.max(0, Math.round(t));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/** The statistics line (the format the first train CLI printed, which scripts parse). */
export function statsLine(s: TrainingStats, stepsPerSecond: number): string {
  return (
    `step ${String(s.step).padStart(6)}  loss D ${fmt(s.lossD)}  loss G ${fmt(s.lossG)}  ` +
    `D(x) ${fmt(s.dReal)}  D(G(z)) ${fmt(s.dFake)}  |∇D| ${fmt(s.gradNormD)}  |∇G| ${fmt(s.gradNormG)}  ${stepsPerSecond.toFixed(1)} steps/s`
  );
}

export class TrainingReporter {
  private bar: SingleBar | null = null;
  private started = 0;

  constructor(
    private readonly io: CliOutput,
    private readonly mode: ProgressMode,
    /** The step the run starts at, and the one it ends at. */
    private readonly from: number,
    private readonly to: number,
    private readonly printStats: boolean,
  ) {}

  /** Steps per second since begin(), counting from `from`. */
  rate(step: number): number {
    return (step - this.from) / Math.max((performance.now() - this.started) / 1000, 1e-9);
  }

  begin(): void {
    this.started = performance.now();
    this.value = this.from;
    const show = this.mode === 'always' || (this.mode === 'auto' && this.io.errIsTTY);
    if (!show) return;
    const { SingleBar, Presets } = loadCliProgress();
    this.bar = new SingleBar(
      {
        format: '{bar} {percentage}% | step {value}/{total} | {speed} steps/s | ETA {etaText}',
        stream: this.io.errStream() as NodeJS.WritableStream,
        noTTYOutput: !this.io.errIsTTY,
        notTTYSchedule: 1000,
        hideCursor: this.io.errIsTTY,
        // On a terminal the bar is cleared when it stops: for a line printed over it (line()), and at the end.
        clearOnComplete: this.io.errIsTTY,
      },
      Presets.shades_classic,
    );
    this.bar.start(this.to, this.from, this.payload(this.from));
  }

  private value = 0;

  /** Steps per second and the time left at that rate (our own: the bar restarts around printed lines). */
  private payload(step: number): { speed: string; etaText: string } {
    const rate = this.rate(step);
    return { speed: rate.toFixed(1), etaText: step > this.from ? formatSeconds((this.to - step) / rate) : '…' };
  }

  /** The run has submitted steps up to `step`. */
  progress(step: number): void {
    this.value = step;
    this.bar?.update(step, this.payload(step));
  }

  stats(s: TrainingStats): void {
    if (this.printStats) this.line(statsLine(s, this.rate(s.step)));
  }

  /** A line on stdout. On a terminal where the bar is drawn, the bar's line is cleared first; the bar redraws below it. */
  line(text: string): void {
    if (this.bar && this.io.errIsTTY && this.io.outIsTTY) {
      // The bar stops (clearing its line), the text takes the line, and the bar starts again below it.
      this.bar.stop();
      this.io.out(`${text}\n`);
      this.bar.start(this.to, this.value, this.payload(this.value));
      return;
    }
    this.io.out(`${text}\n`);
  }

  end(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
