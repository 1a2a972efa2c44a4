// IDX, the format of MNIST, Fashion-MNIST, EMNIST and KMNIST
// (yann.lecun.com/exdb/mnist): bytes 0, 0, a type code, the number of
// dimensions; then each dimension as a big-endian u32; then the values,
// big-endian, row-major. Gzipped files (as distributed) are unpacked by the
// caller (node/idx-files.ts does, with zlib).
import type { DigitData } from './digits.js';
import { DataError } from './data-error.js';

export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  dims: number[];
  data: IdxArray;
}

// Type code → element size and a big-endian reader into a typed array.
const IDX_TYPES: Record<number, { name: string; size: number; read: (view: DataView, count: number) => IdxArray }> = {
  0x08: { name: 'u8', size: 1, read: (v, n) => new Uint8Array(v.buffer, v.byteOffset, n).slice() },
  0x09: { name: 'i8', size: 1, read: (v, n) => new Int8Array(v.buffer, v.byteOffset, n).slice() },
  0x0b: { name: 'i16', size: 2, read: (v, n) => Int16Array.from({ length: n }, (_, i) => v.getInt16(2 * i)) },
  0x0c: { name: 'i32', size: 4, read: (v, n) => Int32Array.from({ length: n }, (_, i) => v.getInt32(4 * i)) },
  0x0d: { name: 'f32', size: 4, read: (v, n) => Float32Array.from({ length: n }, (_, i) => v.getFloat32(4 * i)) },
  0x0e: { name: 'f64', size: 8, read: (v, n) => Float64Array.from({ length: n }, (_, i) => v.getFloat64(8 * i)) },
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** gzip's magic bytes: a file that starts with them must be unpacked before parseIdx. */
export const isGzip = (bytes: Uint8Array): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Parses an IDX file's (unpacked) bytes; `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxTensor {
  if (isGzip(bytes)) throw new DataError(`${source}: is gzipped; unpack it first (in Node, loadIdx does)`);
  if (bytes.length < 4) throw new DataError(`${source}: expected a 4-byte IDX header, found ${bytes.length} bytes`);
  const type = IDX_TYPES[bytes[2]];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type) {
    throw new DataError(
      `${source}: bad IDX magic ${[...bytes.subarray(0, 4)].map(hex).join(' ')}; expected 0x00 0x00, a type code ` +
        `(${Object.entries(IDX_TYPES).map(([code, t]) => `${hex(Number(code))} ${t.name}`).join(', ')}), the number of dimensions`,
    );
  }
  const ndim = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) {
    throw new DataError(`${source}: truncated header: ${ndim} dimensions need ${header} bytes, found ${bytes.length}`);
  }
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count * type.size;
  if (bytes.length !== expected) {
    throw new DataError(
      `${source}: dims [${dims.join(', ')}] of ${type.name} need ${expected} bytes, found ${bytes.length}` +
        (bytes.length < expected ? ' (truncated)' : ' (trailing data)'),
    );
  }
  return { dims, data: type.read(new DataView(bytes.buffer, bytes.byteOffset + header, count * type.size), count) };
}

/**
 * 28×28 u8 images and their u8 labels 0–9 (MNIST, Fashion-MNIST) as
 * DigitData: pixels (rows, 784) in [0, 1]. The paths name the files in errors.
 */
export function idxDigits(images: IdxTensor, labels: IdxTensor, imagesPath = 'images', labelsPath = 'labels'): DigitData {
  if (!(images.data instanceof Uint8Array) || images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new DataError(
      `${imagesPath}: expected u8 images of dims [rows, 28, 28], found ${images.data.constructor.name} of dims [${images.dims.join(', ')}]`,
    );
  }
  if (!(labels.data instanceof Uint8Array) || labels.dims.length !== 1) {
    throw new DataError(`${labelsPath}: expected u8 labels of dims [rows], found ${labels.data.constructor.name} of dims [${labels.dims.join(', ')}]`);
  }
  const rows = images.dims[0];
  if (labels.dims[0] !== rows) {
    throw new DataError(`${labelsPath}: expected ${rows} labels, one per image in ${imagesPath}, found ${labels.dims[0]}`);
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataError(`${labelsPath}: expected labels 0–9, found ${labels.data[bad]} at row ${bad}`);
  const pixels = Float32Array.from(images.data, (p) => p / 255);
  return { pixels, labels: labels.data, rows };
}
