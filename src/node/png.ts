// Writes a grid of grayscale images in [−1, 1] as a PNG.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export function imageGridPng(images: Float32Array, count: number, width: number, height: number, columns: number): Buffer {
  const rows = Math.ceil(count / columns);
  const pad = 2;
  const W = columns * (width + pad) + pad;
  const H = rows * (height + pad) + pad;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  for (let i = 0; i < count; i++) {
    const ox = pad + (i % columns) * (width + pad);
    const oy = pad + Math.floor(i / columns) * (height + pad);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = images[i * width * height + y * width + x];
        const g = Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
        const p = ((oy + y) * W + ox + x) * 4;
        png.data[p] = png.data[p + 1] = png.data[p + 2] = g;
        png.data[p + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}

export function writeImageGrid(path: string, images: Float32Array, count: number, width: number, height: number, columns: number): void {
  writeFileSync(path, imageGridPng(images, count, width, height, columns));
}
