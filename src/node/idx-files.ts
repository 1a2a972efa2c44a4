// IDX files from disk, gzipped or not (data/idx.ts parses them).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../data/data-error.js';
import { idxDigits, isGzip, parseIdx, type IdxTensor } from '../data/idx.js';
import type { DigitData } from '../data/digits.js';

/** Reads and parses an IDX file (.gz or not). */
export function loadIdx(path: string): IdxTensor {
  let bytes: Uint8Array = readFileSync(path);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`${path}: starts like gzip but does not unpack: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, path);
}

/** 28×28 u8 images and their labels 0–9 from a pair of IDX files (MNIST, Fashion-MNIST; .gz or not). */
export function loadIdxDigits(imagesPath: string, labelsPath: string): DigitData {
  return idxDigits(loadIdx(imagesPath), loadIdx(labelsPath), imagesPath, labelsPath);
}
