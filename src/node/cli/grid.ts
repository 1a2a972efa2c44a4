// A PNG grid of generated images, gray (C = 1) or RGB (C = 3), each (C, H, W)
// in the range the run's data was scaled to.
import { PNG } from 'pngjs';
import type { PixelRange } from '../../data/images.js';

/** Whether samples of this shape can be drawn as a grid. */
export const drawable = (shape: readonly number[] | null): shape is [number, number, number] =>
  shape !== null && (shape[0] === 1 || shape[0] === 3) && shape[1] * shape[2] > 1;

/** Maps values to 0…1 as the data was scaled: [−1, 1] (tanh), [0, 1] (unit), or the samples' own min…max (raw). */
function toUnit(values: Float32Array, range: PixelRange): (v: number) => number {
  if (range === 'tanh') return (v) => (v + 1) / 2;
  if (range === 'unit') return (v) => v;
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return hi > lo ? (v) => (v - lo) / (hi - lo) : () => 0.5;
}

/** n images of `shape` as a grid with `columns` columns and a 2-pixel white border. */
export function sampleGridPng(images: Float32Array, n: number, shape: [number, number, number], columns: number, range: PixelRange): Buffer {
  const [C, H, W] = shape;
  const pad = 2;
  const rows = Math.ceil(n / columns);
  const width = columns * (W + pad) + pad;
  const height = rows * (H + pad) + pad;
  const png = new PNG({ width, height });
  png.data.fill(255);
  const unit = toUnit(images, range);
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, unit(v))) * 255);
  for (let i = 0; i < n; i++) {
    const ox = pad + (i % columns) * (W + pad);
    const oy = pad + Math.floor(i / columns) * (H + pad);
    const base = i * C * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = ((oy + y) * width + ox + x) * 4;
        for (let c = 0; c < 3; c++) png.data[p + c] = byte(images[base + (C === 3 ? c : 0) * H * W + y * W + x]);
        png.data[p + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}
