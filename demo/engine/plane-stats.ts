// Histogram estimates of KL and JS divergence between two 2-D point sets:
// counts on a bins × bins grid over [−extent, extent]², smoothed with a 3×3
// binomial kernel, plus half a count per cell (so no cell is empty), then
// normalised. Estimates, not exact divergences: they depend on the binning.

export interface DivergenceEstimate {
  /** KL(real ‖ generated), nats. */
  kl: number;
  /** Jensen–Shannon divergence, nats (at most ln 2 ≈ 0.693). */
  js: number;
}

export function histogram2d(points: ArrayLike<number>, bins: number, extent: number): Float64Array {
  const counts = new Float64Array(bins * bins);
  const scale = bins / (2 * extent);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const bx = Math.floor((points[i] + extent) * scale);
    const by = Math.floor((points[i + 1] + extent) * scale);
    // Points outside the square land in the edge cells, so no mass is dropped.
    const cx = Math.min(bins - 1, Math.max(0, bx));
    const cy = Math.min(bins - 1, Math.max(0, by));
    if (Number.isFinite(bx) && Number.isFinite(by)) counts[cy * bins + cx]++;
  }
  return counts;
}

/** 3×3 binomial blur ([1 2 1]/4 each way, edges clamped), then + pseudo per cell, normalised to sum 1. */
export function smoothDensity(counts: Float64Array, bins: number, pseudo = 0.5): Float64Array {
  const tmp = new Float64Array(counts.length);
  const out = new Float64Array(counts.length);
  const at = (a: Float64Array, x: number, y: number) => a[Math.min(bins - 1, Math.max(0, y)) * bins + Math.min(bins - 1, Math.max(0, x))];
  for (let y = 0; y < bins; y++) {
    for (let x = 0; x < bins; x++) tmp[y * bins + x] = (at(counts, x - 1, y) + 2 * at(counts, x, y) + at(counts, x + 1, y)) / 4;
  }
  let sum = 0;
  for (let y = 0; y < bins; y++) {
    for (let x = 0; x < bins; x++) {
      const v = (at(tmp, x, y - 1) + 2 * at(tmp, x, y) + at(tmp, x, y + 1)) / 4 + pseudo;
      out[y * bins + x] = v;
      sum += v;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function divergences(real: ArrayLike<number>, generated: ArrayLike<number>, bins = 32, extent = 3): DivergenceEstimate {
  const p = smoothDensity(histogram2d(real, bins, extent), bins);
  const q = smoothDensity(histogram2d(generated, bins, extent), bins);
  let kl = 0;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    kl += p[i] * Math.log(p[i] / q[i]);
    js += 0.5 * (p[i] * Math.log(p[i] / m) + q[i] * Math.log(q[i] / m));
  }
  return { kl, js };
}
