// Image datasets of any size, from arrays of any of the usual element types
// (IDX and .npy files, decoded PNGs), as the rows a GanConfig's dataset takes:
//
//   values  Float32Array (rows, C·H·W), each image channel-first (C, H, W) like the engine's NCHW
//   labels  Uint8Array (rows), when given
//   shape   [C, H, W]
//
// Layouts read: (rows, H, W) is grayscale (C = 1); (rows, C, H, W) is
// channel-first; (rows, F) is flat rows of F values, shape [F, 1, 1] (the
// engine's convention for flat samples: F channels of one position).
//
// Scaling (`range`): integer pixels must be 0…255 and float pixels 0…1; both
// are mapped to [−1, 1] ('tanh', the default: the range of a generator that
// ends in Tanh) or to [0, 1] ('unit'). 'raw' takes every value as it is
// (only checked finite), for data that is already scaled or not pixels.
import { DataError } from './data-error.js';
import type { IdxTensor } from './idx.js';

export type PixelRange = 'tanh' | 'unit' | 'raw';
export const PIXEL_RANGES: readonly PixelRange[] = ['tanh', 'unit', 'raw'];

/** Rows of images (or of flat samples) with their labels. */
export interface ImageSet {
  /** (rows, C·H·W), each row one image in (C, H, W) order. */
  values: Float32Array;
  /** (rows) class of each row, when the source has labels. */
  labels?: Uint8Array;
  rows: number;
  /** [C, H, W]; flat rows of F values are [F, 1, 1]. */
  shape: [number, number, number];
}

export interface ImageSetOptions {
  /** How the pixel values are scaled (default 'tanh': [−1, 1]). */
  range?: PixelRange;
  /** Names the images in errors (a file name). */
  source?: string;
  /** Names the labels in errors. */
  labelsSource?: string;
}

/** An array as the loaders take it: its dims (C order) and values. */
export interface DimsArray {
  dims: readonly number[];
  data: ArrayLike<number> & { constructor: { name: string } };
}

const isIntegerArray = (data: unknown): boolean =>
  data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Int8Array || data instanceof Int16Array ||
  data instanceof Int32Array || data instanceof Uint16Array || data instanceof Uint32Array;

/**
 * Images (rows, H, W), (rows, C, H, W) or flat rows (rows, F) and optional
 * labels (rows) as an ImageSet, scaled as `range` says. DataError naming the
 * source for any other layout, an empty set, a value outside the range its
 * type implies, or labels that do not match.
 */
export function imageSet(images: DimsArray, labels?: DimsArray, options: ImageSetOptions = {}): ImageSet {
  const source = options.source ?? 'images';
  const labelsSource = options.labelsSource ?? 'labels';
  const range = options.range ?? 'tanh';
  if (!PIXEL_RANGES.includes(range)) throw new DataError(`${source}: range must be one of ${PIXEL_RANGES.join(', ')}, got ${JSON.stringify(range)}`);
  const dims = images.dims;
  let shape: [number, number, number];
  if (dims.length === 2) shape = [dims[1], 1, 1];
  else if (dims.length === 3) shape = [1, dims[1], dims[2]];
  else if (dims.length === 4) shape = [dims[1], dims[2], dims[3]];
  else {
    throw new DataError(`${source}: expected images of dims [rows, H, W] or [rows, C, H, W] (or flat rows [rows, F]), found dims [${dims.join(', ')}]`);
  }
  const rows = dims[0];
  const cols = shape[0] * shape[1] * shape[2];
  if (rows < 1 || cols < 1) throw new DataError(`${source}: dims [${dims.join(', ')}] hold no values; expected at least one row of at least one value`);
  if (images.data.length !== rows * cols) {
    throw new DataError(`${source}: dims [${dims.join(', ')}] need ${rows * cols} values, found ${images.data.length}`);
  }
  const values = scalePixels(images.data, range, source);
  const set: ImageSet = { values, rows, shape };
  if (labels) set.labels = imageLabels(labels, rows, labelsSource, source);
  return set;
}

/** `data` scaled as `range` says, into a new Float32Array; DataError at the first value out of range. */
export function scalePixels(data: ArrayLike<number>, range: PixelRange, source = 'images'): Float32Array {
  const integer = isIntegerArray(data);
  const max = integer ? 255 : 1;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new DataError(`${source}: value ${i} is ${v}, not finite`);
    if (range === 'raw') {
      out[i] = v;
      continue;
    }
    if (!(v >= 0 && v <= max)) {
      throw new DataError(
        `${source}: value ${i} is ${v}, outside ${integer ? '0…255 (integer pixels)' : '0…1 (float pixels)'}; ` +
          `rescale the data, or take the values as they are with range 'raw'`,
      );
    }
    out[i] = range === 'unit' ? v / max : (v / max) * 2 - 1;
  }
  return out;
}

function imageLabels(labels: DimsArray, rows: number, labelsSource: string, source: string): Uint8Array {
  if (!isIntegerArray(labels.data) || labels.dims.length !== 1) {
    throw new DataError(`${labelsSource}: expected integer labels of dims [rows], found ${labels.data.constructor.name} of dims [${labels.dims.join(', ')}]`);
  }
  if (labels.dims[0] !== rows) throw new DataError(`${labelsSource}: expected ${rows} labels, one per image in ${source}, found ${labels.dims[0]}`);
  const out = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = labels.data[i];
    if (!(l >= 0 && l <= 255)) throw new DataError(`${labelsSource}: expected labels 0–255, found ${l} at row ${i}`);
    out[i] = l;
  }
  return out;
}

/** IDX images (rows, H, W) or (rows, C, H, W), any element type, and optional IDX labels. */
export function idxImages(images: IdxTensor, labels?: IdxTensor, options: ImageSetOptions = {}): ImageSet {
  return imageSet(images, labels, options);
}

/** Classes in a labelled set: the largest label + 1. */
export function labelClasses(labels: Uint8Array): number {
  let max = 0;
  for (const l of labels) if (l > max) max = l;
  return max + 1;
}
