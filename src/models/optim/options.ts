// Reading an optimizer's options: each value checked for its type and range,
// unknown options refused, every message starting with the field ('.lr …')
// so that the caller's `fail` can put the config's path in front of it.
type Fail = (message: string) => never;

export interface OptionReader {
  /** A finite number (the fallback when absent; required when there is none). */
  num(key: string, fallback?: number): number;
  /** A number in [low, high) (or [low, high] when `closed`). */
  inRange(key: string, fallback: number, low: number, high: number, closed?: boolean): number;
  bool(key: string, fallback: boolean): boolean;
  /** lr: a finite number > 0, required. */
  lr(): number;
}

/** A value as a message shows it: strings quoted, numbers (NaN too) and undefined as they print. */
export const shown = (v: unknown): string => (typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v));

/** Refuses options outside `known` (besides name and schedule, which schedule.ts reads), then reads them. */
export function readOptions(o: Record<string, unknown>, fail: Fail, title: string, known: readonly string[]): OptionReader {
  const takes = [...known, 'schedule'];
  const unknown = Object.keys(o).filter((k) => k !== 'name' && !takes.includes(k));
  if (unknown.length) fail(` has unknown option(s) ${unknown.join(', ')}; ${title} takes ${takes.join(', ')}`);
  const num = (k: string, fallback?: number): number => {
    const v = o[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`.${k} must be a finite number, got ${shown(v)}`);
    return v as number;
  };
  return {
    num,
    inRange(k, fallback, low, high, closed = false) {
      const v = num(k, fallback);
      if (!(v >= low && (closed ? v <= high : v < high))) fail(`.${k} must be in [${low}, ${high}${closed ? ']' : ')'}, got ${v}`);
      return v;
    },
    bool(k, fallback) {
      const v = o[k] ?? fallback;
      if (typeof v !== 'boolean') fail(`.${k} must be true or false, got ${shown(v)}`);
      return v as boolean;
    },
    lr() {
      const v = num('lr');
      if (!(v > 0)) fail(`.lr must be a finite number > 0, got ${v}`);
      return v;
    },
  };
}
