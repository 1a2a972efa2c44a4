// uPlot helpers shared by the demo's charts: one colour scheme, axis style,
// and charts that follow their container's width.
import uPlot from 'uplot';

export const COLORS = {
  real: '#0f766e',
  realFill: 'rgba(15, 118, 110, 0.18)',
  fake: '#ea580c',
  fakeFill: 'rgba(234, 88, 12, 0.18)',
  disc: '#4f46e5',
  axis: '#475569',
  grid: '#eef0f4',
} as const;

export function axis(extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: '#cbd5e1', width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
    labelFont: '11px system-ui, sans-serif',
    ...extra,
  };
}

/** Formats a value for a legend or readout: 3 decimals, or 3 significant digits when tiny. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(3);
}

/**
 * Legend value: the point under the cursor, or the series' latest point when
 * the cursor is elsewhere (so a glance at the legend gives current values).
 */
export function latestOrHovered(u: uPlot, v: number | null, seriesIdx: number, idx: number | null): string {
  if (idx !== null) return v === null ? '–' : seriesIdx === 0 ? String(v) : fmt(v);
  const values = u.data[seriesIdx];
  for (let i = values.length - 1; i >= 0; i--) {
    const last = values[i];
    if (last !== null && last !== undefined && Number.isFinite(last)) return seriesIdx === 0 ? String(last) : fmt(last);
  }
  return '–';
}

/** A uPlot mounted in `container` that resizes with it. */
export class Chart {
  readonly plot: uPlot;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    opts: Omit<uPlot.Options, 'width'>,
    data: uPlot.AlignedData,
  ) {
    this.plot = new uPlot({ ...opts, width: this.width() }, data, container);
    this.observer = new ResizeObserver(() => {
      const width = this.width();
      if (width !== this.plot.width) this.plot.setSize({ width, height: opts.height });
    });
    this.observer.observe(container);
  }

  setData(data: uPlot.AlignedData, resetScales = true): void {
    this.plot.setData(data, resetScales);
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot.destroy();
    this.container.replaceChildren();
  }

  private width(): number {
    return Math.max(240, Math.floor(this.container.clientWidth));
  }
}
