// Image datasets from disk (Node): IDX pairs of any image size, folders of
// PNGs, and .npy files, as data/images.ts ImageSets ({ values (rows, C·H·W)
// scaled to [−1, 1] by default, labels?, rows, shape [C, H, W] }); and .npy
// files written from typed arrays.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DataError } from '../data/data-error.js';
import { idxImages, imageSet, scalePixels, type ImageSet, type ImageSetOptions, type PixelRange } from '../data/images.js';
import { encodeNpy, parseNpy, type EncodeNpyOptions, type NpyArray, type NpyTensor } from '../io/npy.js';
import { loadIdx } from './idx-files.js';

export interface LoadImagesOptions {
  /** Pixel scaling (data/images.ts): 'tanh' [−1, 1] (default), 'unit' [0, 1], 'raw' as stored. */
  range?: PixelRange;
}

/** Reads a .npy file. */
export function loadNpy(path: string): NpyTensor {
  return parseNpy(readFileSync(path), path);
}

/** Writes `data` of `shape` (C order) as a .npy file, in the dtype of its typed array. */
export function saveNpy(path: string, data: NpyArray, shape: readonly number[], options: EncodeNpyOptions = {}): void {
  writeFileSync(path, encodeNpy(data, shape, options));
}

/**
 * Images from an IDX file (rows, H, W) or (rows, C, H, W), of any element
 * type and any size, and optionally their labels from an IDX file (rows);
 * gzipped or not. Errors name the file.
 */
export function loadIdxImages(imagesPath: string, labelsPath?: string, options: LoadImagesOptions = {}): ImageSet {
  const labels = labelsPath === undefined ? undefined : loadIdx(labelsPath);
  return idxImages(loadIdx(imagesPath), labels, { range: options.range, source: imagesPath, labelsSource: labelsPath });
}

/**
 * Images from a .npy file (rows, H, W), (rows, C, H, W) or flat rows
 * (rows, F), optionally with labels from a .npy file of integers (rows).
 */
export function loadNpyImages(imagesPath: string, labelsPath?: string, options: LoadImagesOptions = {}): ImageSet {
  const images = loadNpy(imagesPath);
  const labels = labelsPath === undefined ? undefined : loadNpy(labelsPath);
  return imageSet(
    { dims: images.shape, data: images.data },
    labels && { dims: labels.shape, data: labels.data },
    { range: options.range, source: imagesPath, labelsSource: labelsPath },
  );
}

export interface PngFolderOptions extends LoadImagesOptions {
  /** Force 1 (gray) or 3 (RGB) channels, converting; default: the first file's (gray or RGB; alpha is dropped). */
  channels?: 1 | 3;
}

const byName = new Intl.Collator('en', { numeric: true }).compare;
const isPng = (name: string): boolean => name.toLowerCase().endsWith('.png');

/**
 * A folder of PNG images, all the same size, as an ImageSet: grayscale PNGs
 * give C = 1, color ones C = 3 (alpha is dropped; 16-bit is read as 8-bit).
 * Files are taken in name order (numbers in names compare as numbers). A
 * folder holding no PNGs but subfolders of them is read as one class per
 * subfolder (in name order, label = its index: torchvision's ImageFolder).
 * DataError naming the first file that differs from the first one (in size,
 * or gray against color), or that is not a PNG that decodes.
 */
export function loadPngFolder(dir: string, options: PngFolderOptions = {}): ImageSet {
  if (!statSync(dir).isDirectory()) throw new DataError(`${dir}: expected a folder of .png files`);
  const names = readdirSync(dir).sort(byName);
  let files = names.filter(isPng).map((n) => join(dir, n));
  let labels: number[] | undefined;
  if (files.length === 0) {
    const classes = names.filter((n) => statSync(join(dir, n)).isDirectory());
    labels = [];
    for (const [label, sub] of classes.entries()) {
      const inClass = readdirSync(join(dir, sub)).filter(isPng).sort(byName);
      files.push(...inClass.map((n) => join(dir, sub, n)));
      labels.push(...inClass.map(() => label));
    }
    if (classes.length > 256) throw new DataError(`${dir}: ${classes.length} class subfolders; labels go up to 255`);
    if (files.length === 0) throw new DataError(`${dir}: no .png files in it (nor in subfolders of it)`);
  }
  let first: { path: string; width: number; height: number; channels: 1 | 3 } | null = null;
  let pixels: Uint8Array | null = null;
  for (const [row, path] of files.entries()) {
    let png: ReturnType<typeof PNG.sync.read>;
    try {
      png = PNG.sync.read(readFileSync(path));
    } catch (e) {
      throw new DataError(`${path}: not a PNG that decodes (${(e as Error).message})`);
    }
    const channels: 1 | 3 = png.color ? 3 : 1;
    if (!first) {
      first = { path, width: png.width, height: png.height, channels: options.channels ?? channels };
      pixels = new Uint8Array(files.length * first.channels * png.width * png.height);
    } else if (png.width !== first.width || png.height !== first.height) {
      throw new DataError(`${path}: is ${png.width}×${png.height} but ${first.path} (the first) is ${first.width}×${first.height}; every image must be the same size`);
    } else if (options.channels === undefined && channels !== first.channels) {
      const kind = (c: number) => (c === 1 ? 'grayscale' : 'color');
      throw new DataError(`${path}: is ${kind(channels)} but ${first.path} (the first) is ${kind(first.channels)}; convert them to one kind, or ask for channels 1 or 3`);
    }
    const plane = first.width * first.height;
    const base = row * first.channels * plane;
    for (let p = 0; p < plane; p++) {
      const [r, g, b] = [png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]];
      if (first.channels === 1) pixels![base + p] = png.color ? Math.round(0.299 * r + 0.587 * g + 0.114 * b) : r;
      else [pixels![base + p], pixels![base + plane + p], pixels![base + 2 * plane + p]] = [r, g, b];
    }
  }
  const f = first!;
  const range = options.range ?? 'tanh';
  const set: ImageSet = { values: scalePixels(pixels!, range, dir), rows: files.length, shape: [f.channels, f.height, f.width] };
  if (labels) set.labels = Uint8Array.from(labels);
  return set;
}

/** ImageSetOptions, re-exported for callers that build sets themselves. */
export type { ImageSet, ImageSetOptions, PixelRange };
