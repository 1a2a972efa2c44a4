// CPU reference (float64) for concat_labels.wgsl: x (N, C, S), labels (N) as
// class indices stored as floats, out (N, C + K, S) = [x; onehot planes].
type Vec = Float64Array;
import { labelClass } from './softmax_cross_entropy.js';

export interface ConcatLabelsShape {
  rows: number;     // N
  channels: number; // C
  classes: number;  // K
  spatial: number;  // S = H·W, or 1 for vectors
}

export function concatLabelsForward(x: Vec, labels: ArrayLike<number>, s: ConcatLabelsShape): Vec {
  const { rows, channels, classes, spatial } = s;
  const out = new Float64Array(rows * (channels + classes) * spatial);
  for (let n = 0; n < rows; n++) {
    const base = n * (channels + classes) * spatial;
    out.set(x.subarray(n * channels * spatial, (n + 1) * channels * spatial), base);
    const plane = base + (channels + labelClass(labels[n], classes)) * spatial;
    out.fill(1, plane, plane + spatial);
  }
  return out;
}

/** dx = the first C channels of dout; the label channels get no gradient. */
export function concatLabelsBackwardInput(dout: Vec, s: ConcatLabelsShape): Vec {
  const { rows, channels, classes, spatial } = s;
  const dx = new Float64Array(rows * channels * spatial);
  for (let n = 0; n < rows; n++) {
    const start = n * (channels + classes) * spatial;
    dx.set(dout.subarray(start, start + channels * spatial), n * channels * spatial);
  }
  return dx;
}
