// Image datasets from files (node/image-files.ts, no GPU): IDX images of any
// size with labels, plain and gzipped; folders of PNGs, gray and RGB, with
// class subfolders, and each error naming the file; .npy images and labels;
// .npy files written and read back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { test, expect } from '@playwright/test';
import { DataError } from '../data/data-error.js';
import { encodeNpy, NpyError } from '../io/npy.js';
import { loadIdxImages, loadNpy, loadNpyImages, loadPngFolder, saveNpy } from './image-files.js';

let dir: string;
test.beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'webgpu-gan-images-'))));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** An IDX file of u8 (type 0x08) or f32 (0x0d) values. */
function idx(type: 0x08 | 0x0d, dims: number[], values: number[]): Uint8Array {
  const size = type === 0x08 ? 1 : 4;
  const view = new DataView(new ArrayBuffer(4 + 4 * dims.length + size * values.length));
  view.setUint8(2, type);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values.forEach((v, i) => (type === 0x08 ? view.setUint8(4 + 4 * dims.length + i, v) : view.setFloat32(4 + 4 * dims.length + 4 * i, v)));
  return new Uint8Array(view.buffer);
}

/** A PNG of w × h: gray (value per pixel) or RGB ([r, g, b] per pixel). */
function png(w: number, h: number, pixel: (x: number, y: number) => number | [number, number, number], colorType: 0 | 2 | 6 = 0): Uint8Array {
  const p = new PNG({ width: w, height: h, colorType } as ConstructorParameters<typeof PNG>[0]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = pixel(x, y);
      const [r, g, b] = typeof v === 'number' ? [v, v, v] : v;
      p.data.set([r, g, b, 255], 4 * (y * w + x));
    }
  }
  return PNG.sync.write(p, { colorType, inputHasAlpha: true } as Parameters<typeof PNG.sync.write>[1]);
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test('loadIdxImages reads images of any size, (rows, H, W) and (rows, C, H, W), plain and gzipped, with labels, scaled to [−1, 1] by default', () => {
  // 2 images of 3×5: pixel i of image n is 10n + i.
  const pixels = Array.from({ length: 30 }, (_, i) => 10 * Math.floor(i / 15) + (i % 15));
  const images = write('small.idx.gz', gzipSync(idx(0x08, [2, 3, 5], pixels)));
  const labels = write('small-labels.idx', idx(0x08, [2], [7, 3]));
  const set = loadIdxImages(images, labels);
  expect(set.shape).toEqual([1, 3, 5]);
  expect(set.rows).toBe(2);
  expect([...set.labels!]).toEqual([7, 3]);
  expect([...set.values]).toEqual(pixels.map((v) => Math.fround((v / 255) * 2 - 1)));
  expect([...loadIdxImages(images, undefined, { range: 'unit' }).values]).toEqual(pixels.map((v) => Math.fround(v / 255)));
  // Two RGB images of 2×2 as floats in [0, 1].
  const rgb = write('rgb.idx', idx(0x0d, [2, 3, 2, 2], Array.from({ length: 24 }, (_, i) => i / 23)));
  const set2 = loadIdxImages(rgb, undefined, { range: 'unit' });
  expect(set2.shape).toEqual([3, 2, 2]);
  expect(set2.values[23]).toBe(1);
  expect(set2.labels).toBeUndefined();
});

test('loadIdxImages errors name the file: labels that do not match, a label count off, pixels out of range', () => {
  const images = write('two.idx', idx(0x08, [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]));
  const three = write('three-labels.idx', idx(0x08, [3], [0, 1, 2]));
  const floats = write('float-images.idx', idx(0x0d, [1, 1, 2], [0.5, 2]));
  expect(thrown(() => loadIdxImages(images, three)).message).toBe(`${three}: expected 2 labels, one per image in ${images}, found 3`);
  expect(thrown(() => loadIdxImages(floats)).message).toBe(`${floats}: value 1 is 2, outside 0…1 (float pixels); rescale the data, or take the values as they are with range 'raw'`);
  expect([...loadIdxImages(floats, undefined, { range: 'raw' }).values]).toEqual([0.5, 2]);
  expect(thrown(() => loadIdxImages(join(dir, 'missing.idx'))).message).toMatch(/ENOENT.*missing\.idx/);
});

test('loadPngFolder: gray PNGs in name order (numbers as numbers) as (rows, 1, H, W); RGB ones as (rows, 3, H, W)', () => {
  const gray = join(dir, 'gray');
  // 2.png sorts before 10.png; pixel (x, y) of image k is 40k + 10y + x.
  for (const k of [10, 2, 1]) write(`gray/${k}.png`, png(3, 2, (x, y) => 40 * (k % 5) + 10 * y + x));
  write('gray/notes.txt', new TextEncoder().encode('not an image'));
  const set = loadPngFolder(gray, { range: 'unit' });
  expect(set.shape).toEqual([1, 2, 3]);
  expect(set.rows).toBe(3);
  expect(set.labels).toBeUndefined();
  const expectRow = (k: number) => [0, 1, 2, 10, 11, 12].map((v) => Math.fround((40 * (k % 5) + v) / 255));
  expect([...set.values]).toEqual([...expectRow(1), ...expectRow(2), ...expectRow(10)]);

  const rgbDir = join(dir, 'rgb');
  write('rgb/a.png', png(2, 1, (x) => [255, 0, 10 * x], 2));
  write('rgb/b.png', png(2, 1, (x) => [0, 255, 100 + x], 6)); // with alpha: dropped
  const rgb = loadPngFolder(rgbDir, { range: 'raw' });
  expect(rgb.shape).toEqual([3, 1, 2]);
  // Each image channel-first: R plane, G plane, B plane.
  expect([...rgb.values]).toEqual([255, 255, 0, 0, 0, 10, 0, 0, 255, 255, 100, 101]);
  // Forced to one channel: luma of the colors.
  const asGray = loadPngFolder(rgbDir, { range: 'raw', channels: 1 });
  expect(asGray.shape).toEqual([1, 1, 2]);
  expect([...asGray.values]).toEqual([76, 77, 161, 161]);
});

test('loadPngFolder: a folder of class subfolders gives labels, one class per subfolder in name order', () => {
  write('classes/cat/1.png', png(2, 2, () => 0));
  write('classes/cat/2.png', png(2, 2, () => 0));
  write('classes/dog/1.png', png(2, 2, () => 255));
  const set = loadPngFolder(join(dir, 'classes'));
  expect(set.rows).toBe(3);
  expect([...set.labels!]).toEqual([0, 0, 1]);
  expect([...set.values.subarray(8)]).toEqual([1, 1, 1, 1]);
});

test('loadPngFolder errors name the first file that differs, or the folder', () => {
  write('sizes/a.png', png(4, 4, () => 0));
  write('sizes/b.png', png(4, 4, () => 0));
  write('sizes/c.png', png(4, 5, () => 0));
  write('mixed/a.png', png(2, 2, () => 0));
  write('mixed/b.png', png(2, 2, () => [1, 2, 3], 2));
  write('broken/a.png', png(2, 2, () => 0));
  write('broken/b.png', new TextEncoder().encode('\x89PNG but not really'));
  mkdirSync(join(dir, 'empty'));
  const file = write('a-file.png', png(1, 1, () => 0));
  const s = join(dir, 'sizes');
  const cases: [string, () => unknown, string | RegExp][] = [
    ['sizes', () => loadPngFolder(s), `${s}/c.png: is 4×5 but ${s}/a.png (the first) is 4×4; every image must be the same size`],
    ['gray and color', () => loadPngFolder(join(dir, 'mixed')), `${dir}/mixed/b.png: is color but ${dir}/mixed/a.png (the first) is grayscale; convert them to one kind, or ask for channels 1 or 3`],
    ['not a PNG', () => loadPngFolder(join(dir, 'broken')), new RegExp(`^${dir}/broken/b\\.png: not a PNG that decodes \\(`)],
    ['empty', () => loadPngFolder(join(dir, 'empty')), `${dir}/empty: no .png files in it (nor in subfolders of it)`],
    ['a file', () => loadPngFolder(file), `${file}: expected a folder of .png files`],
  ];
  for (const [what, run, message] of cases) {
    const e = thrown(run);
    expect(e, what).toBeInstanceOf(DataError);
    if (typeof message === 'string') expect(e.message, what).toBe(message);
    else expect(e.message, what).toMatch(message);
  }
  // Gray and color together are fine when the channels are asked for.
  expect(loadPngFolder(join(dir, 'mixed'), { channels: 3 }).shape).toEqual([3, 2, 2]);
});

test('saveNpy / loadNpy round-trip; loadNpyImages reads images and integer labels, and names the files in errors', () => {
  const images = join(dir, 'x.npy');
  saveNpy(images, Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 23), [2, 1, 3, 4]);
  expect(loadNpy(images).shape).toEqual([2, 1, 3, 4]);
  const labels = write('y.npy', encodeNpy(Int32Array.of(1, 0), [2]));
  const set = loadNpyImages(images, labels);
  expect(set.shape).toEqual([1, 3, 4]);
  expect([...set.labels!]).toEqual([1, 0]);
  expect(set.values[0]).toBe(-1);
  expect(set.values[23]).toBe(1);
  const flat = write('points.npy', encodeNpy(Float64Array.of(-2, 1, 3, 0.5), [2, 2]));
  expect(loadNpyImages(flat, undefined, { range: 'raw' })).toEqual({ values: Float32Array.of(-2, 1, 3, 0.5), rows: 2, shape: [2, 1, 1] });
  const bad = write('bad.npy', new TextEncoder().encode('not numpy at all'));
  const e = thrown(() => loadNpyImages(bad));
  expect(e).toBeInstanceOf(NpyError);
  expect(e.message).toMatch(new RegExp(`^${bad}: not a \\.npy file`));
  expect(thrown(() => loadNpyImages(images, flat)).message).toBe(`${flat}: expected integer labels of dims [rows], found Float64Array of dims [2, 2]`);
});
