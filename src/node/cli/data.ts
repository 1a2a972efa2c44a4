// --data: where the training images come from, how the CLI recognises each
// kind, and what a checkpoint records of them (rows, shape, a checksum) so
// that a resumed run can tell that it trains on the same data.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitDigits } from '../../data/digits.js';
import { DataError } from '../../data/data-error.js';
import { scalePixels, type ImageSet, type PixelRange } from '../../data/images.js';
import { loadIdxImages, loadNpyImages, loadPngFolder } from '../image-files.js';
import { loadMnistDigits } from '../mnist.js';
import { UsageError } from './errors.js';

export type DataKind = 'mnist' | 'idx' | 'npy' | 'png';

/** A data source as the command line (or a config) names it; paths absolute. */
export interface DataSource {
  kind: DataKind;
  path?: string;
  labels?: string;
  range: PixelRange;
}

/** What a checkpoint records of its data. */
export interface DataRecord extends DataSource {
  rows: number;
  shape: [number, number, number];
  /** FNV-1a (32-bit, hex) of the values' float bytes, then of the labels. */
  checksum: string;
  labelled: boolean;
}

/**
 * The source `path` names ('mnist', a folder of PNGs, a .npy file, or an IDX
 * file), checked to exist; UsageError otherwise. No file is read.
 */
export function dataSource(command: string, path: string, labels: string | undefined, range: PixelRange): DataSource {
  if (path === 'mnist') {
    if (labels !== undefined) throw new UsageError(`${command}: --labels does not go with --data mnist (the digits have their labels)`);
    return { kind: 'mnist', range };
  }
  if (!existsSync(path)) throw new UsageError(`${command}: --data '${path}' does not exist; expected mnist, an IDX file, a .npy file or a folder of PNGs`);
  const abs = resolve(path);
  const folder = statSync(abs).isDirectory();
  if (folder && labels !== undefined) {
    throw new UsageError(`${command}: --labels does not go with a folder of PNGs; put each class in a subfolder of it instead`);
  }
  let labelsPath: string | undefined;
  if (labels !== undefined) {
    if (!existsSync(labels) || !statSync(labels).isFile()) throw new UsageError(`${command}: --labels '${labels}' does not exist; expected an IDX or .npy file`);
    labelsPath = resolve(labels);
  }
  const kind: DataKind = folder ? 'png' : abs.toLowerCase().endsWith('.npy') ? 'npy' : 'idx';
  return labelsPath ? { kind, path: abs, labels: labelsPath, range } : { kind, path: abs, range };
}

/** Reads the source (DataError naming the file for anything wrong in it). */
export function loadData(source: DataSource): ImageSet {
  switch (source.kind) {
    case 'mnist': {
      const { train } = splitDigits(loadMnistDigits());
      return { values: scalePixels(train.pixels, source.range, 'mnist'), labels: train.labels, rows: train.rows, shape: [1, 28, 28] };
    }
    case 'png':
      return loadPngFolder(source.path!, { range: source.range });
    case 'npy':
      return loadNpyImages(source.path!, source.labels, { range: source.range });
    case 'idx':
      return loadIdxImages(source.path!, source.labels, { range: source.range });
  }
}

/** FNV-1a (32-bit) over the bytes of the values' floats, then over the labels. */
export function dataChecksum(set: ImageSet): string {
  let h = 0x811c9dc5;
  const bytes = new Uint8Array(set.values.buffer, set.values.byteOffset, set.values.byteLength);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  if (set.labels) for (const l of set.labels) h = Math.imul(h ^ l, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function dataRecord(source: DataSource, set: ImageSet): DataRecord {
  return { ...source, rows: set.rows, shape: set.shape, checksum: dataChecksum(set), labelled: set.labels !== undefined };
}

/** Checks that `set`, read from `source`, is the data `record` describes; DataError saying what differs. */
export function checkSameData(record: DataRecord, source: DataSource, set: ImageSet, where: string): void {
  const now = dataRecord(source, set);
  const was = record.path ?? record.kind;
  const is = source.path ?? source.kind;
  const what = is === was ? `the data in ${is} has changed since the run began` : `${is} is not the data the run began on (${was})`;
  if (now.rows !== record.rows || now.shape.join('×') !== record.shape.join('×')) {
    throw new DataError(`${where}: ${what}: it holds ${now.rows} images of ${now.shape.join('×')}, the run trained on ${record.rows} of ${record.shape.join('×')}`);
  }
  if (now.checksum !== record.checksum) {
    throw new DataError(`${where}: ${what} (checksum ${now.checksum}, recorded ${record.checksum}); resuming on other data would not continue the run`);
  }
}
