// The IDX parser (data/idx.ts) and its file loader (node/idx-files.ts):
// round trips of every element type through small files written here, plain
// and gzipped; every error names the file, what was expected and what was
// found; and the real Fashion-MNIST test set from Debian's
// dataset-fashion-mnist (.ci/run installs it; the README says to).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test, expect } from '@playwright/test';
import { parseIdx } from '../data/idx.js';
import { loadIdx, loadIdxDigits } from './idx-files.js';

/** An IDX file: magic 0 0 type ndim, big-endian u32 dims, big-endian values. */
function idxBytes(type: number, dims: number[], values: ArrayLike<number>): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[type]!;
  const view = new DataView(new ArrayBuffer(4 + 4 * dims.length + size * values.length));
  view.setUint8(2, type);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const at = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (type === 0x08) view.setUint8(at + i, v);
    else if (type === 0x09) view.setInt8(at + i, v);
    else if (type === 0x0b) view.setInt16(at + 2 * i, v);
    else if (type === 0x0c) view.setInt32(at + 4 * i, v);
    else if (type === 0x0d) view.setFloat32(at + 4 * i, v);
    else view.setFloat64(at + 8 * i, v);
  }
  return new Uint8Array(view.buffer);
}

let dir: string;
test.beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'webgpu-gan-idx-'))));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

/** `rows` 28×28 u8 images whose pixel i of image n is (7n + i) mod 256, and labels n mod 10. */
function digitFiles(rows: number, gz: boolean, labels = Array.from({ length: rows }, (_, n) => n % 10)): [string, string] {
  const pixels = Array.from({ length: rows * 784 }, (_, i) => (7 * Math.floor(i / 784) + (i % 784)) % 256);
  const pack = gz ? gzipSync : (b: Uint8Array) => b;
  return [
    write(`images-${rows}${gz ? '.gz' : ''}`, pack(idxBytes(0x08, [rows, 28, 28], pixels))),
    write(`labels-${rows}-${labels.join('_')}${gz ? '.gz' : ''}`, pack(idxBytes(0x08, [labels.length], labels))),
  ];
}

test('parseIdx and loadIdx round-trip every element type, plain and gzipped: u8 i8 i16 i32 f32 f64, dims [2,3] and [5] and []', () => {
  const cases: [number, number[], number[], string][] = [
    [0x08, [2, 3], [0, 1, 127, 128, 254, 255], 'Uint8Array'],
    [0x09, [2, 3], [-128, -1, 0, 1, 64, 127], 'Int8Array'],
    [0x0b, [5], [-32768, -300, 0, 258, 32767], 'Int16Array'],
    [0x0c, [5], [-(2 ** 31), -70000, 0, 65537, 2 ** 31 - 1], 'Int32Array'],
    [0x0d, [2, 3], [-1.5, 0, 0.25, 1e-3, 3.4e38, -7], 'Float32Array'],
    [0x0e, [5], [Math.PI, -1e300, 0, 5e-324, 1 / 3], 'Float64Array'],
    [0x08, [], [42], 'Uint8Array'],
  ];
  for (const [type, dims, values, kind] of cases) {
    for (const gz of [false, true]) {
      const raw = idxBytes(type, dims, values);
      const r = gz ? loadIdx(write(`t${type}-${dims.join('x')}.gz`, gzipSync(raw))) : parseIdx(raw);
      const what = `type 0x${type.toString(16)}, dims [${dims}], ${gz ? 'gzipped' : 'plain'}`;
      expect(r.dims, what).toEqual(dims);
      expect(r.data.constructor.name, what).toBe(kind);
      expect([...r.data], what).toEqual(type === 0x0d ? values.map(Math.fround) : values);
    }
  }
});

test('loadIdxDigits reads 28×28 u8 images and labels, plain and gzipped: rows=3', () => {
  for (const gz of [false, true]) {
    const d = loadIdxDigits(...digitFiles(3, gz));
    expect(d.rows).toBe(3);
    expect(d.pixels.length).toBe(3 * 784);
    expect([...d.labels]).toEqual([0, 1, 2]);
    // Pixel i of image n was (7n + i) mod 256, scaled to [0, 1].
    for (const [n, i] of [[0, 0], [0, 255], [1, 3], [2, 783]]) {
      expect(d.pixels[n * 784 + i]).toBe(Math.fround(((7 * n + i) % 256) / 255));
    }
  }
});

test('parseIdx errors name the source and say what was expected and what was found', () => {
  const good = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
  const bad = (bytes: Uint8Array): (() => unknown) => () => parseIdx(bytes, 'f.idx');
  expect(bad(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]))).toThrow(
    /^f\.idx: bad IDX magic 0x50 0x4b 0x03 0x04; expected 0x00 0x00, a type code \(0x08 u8, .*0x0e f64\)/,
  );
  expect(bad(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]))).toThrow(/f\.idx: bad IDX magic 0x00 0x00 0x0a 0x01/);
  expect(bad(good.subarray(0, 3))).toThrow('f.idx: expected a 4-byte IDX header, found 3 bytes');
  expect(bad(good.subarray(0, 9))).toThrow('f.idx: truncated header: 2 dimensions need 12 bytes, found 9');
  expect(bad(good.subarray(0, 16))).toThrow('f.idx: dims [2, 3] of u8 need 18 bytes, found 16 (truncated)');
  expect(bad(Uint8Array.from([...good, 0]))).toThrow('f.idx: dims [2, 3] of u8 need 18 bytes, found 19 (trailing data)');
  expect(bad(gzipSync(good))).toThrow('f.idx: is gzipped; unpack it first (in Node, loadIdx does)');
  const broken = write('broken.gz', gzipSync(good).subarray(0, 12));
  expect(() => loadIdx(broken)).toThrow(new RegExp(`^${broken}: starts like gzip but does not unpack: `));
  expect(() => parseIdx(good.subarray(0, 16))).toThrow(/^IDX data: dims \[2, 3\]/); // unnamed bytes
});

test('loadIdxDigits errors name the file: truncated, not 28×28, not u8, count mismatch, label > 9', () => {
  const [images, labels] = digitFiles(3, true);
  const [, twoLabels] = digitFiles(2, false);
  const [, label10] = digitFiles(3, false, [0, 10, 2]);
  const truncated = write('truncated.gz', gzipSync(idxBytes(0x08, [3, 28, 28], new Array(3 * 784 - 5).fill(0))));
  const small = write('small', idxBytes(0x08, [3, 32, 32], new Array(3 * 1024).fill(0)));
  const floats = write('floats', idxBytes(0x0d, [3, 28, 28], new Array(3 * 784).fill(0)));
  const labelMatrix = write('label-matrix', idxBytes(0x08, [3, 1], [0, 1, 2]));
  expect(() => loadIdxDigits(truncated, labels)).toThrow(`${truncated}: dims [3, 28, 28] of u8 need 2368 bytes, found 2363 (truncated)`);
  expect(() => loadIdxDigits(small, labels)).toThrow(
    `${small}: expected u8 images of dims [rows, 28, 28], found Uint8Array of dims [3, 32, 32]`,
  );
  expect(() => loadIdxDigits(floats, labels)).toThrow(`${floats}: expected u8 images of dims [rows, 28, 28], found Float32Array`);
  expect(() => loadIdxDigits(images, labelMatrix)).toThrow(
    `${labelMatrix}: expected u8 labels of dims [rows], found Uint8Array of dims [3, 1]`,
  );
  expect(() => loadIdxDigits(images, twoLabels)).toThrow(`${twoLabels}: expected 3 labels, one per image in ${images}, found 2`);
  expect(() => loadIdxDigits(images, label10)).toThrow(`${label10}: expected labels 0–9, found 10 at row 1`);
  expect(() => loadIdxDigits(join(dir, 'missing'), labels)).toThrow(/ENOENT.*missing/);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
test('loadIdxDigits reads Fashion-MNIST t10k from Debian dataset-fashion-mnist: 10000 rows, 1000 per class', () => {
  // Never skipped: without the package this fails, saying what to install.
  let d;
  try {
    d = loadIdxDigits(`${FASHION}/t10k-images-idx3-ubyte.gz`, `${FASHION}/t10k-labels-idx1-ubyte.gz`);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(this test needs Debian's dataset-fashion-mnist: apt-get install dataset-fashion-mnist)`);
  }
  expect(d.rows).toBe(10000);
  expect(d.pixels.length).toBe(10000 * 784);
  const histogram = new Array(10).fill(0);
  for (const l of d.labels) histogram[l]++;
  expect(histogram).toEqual(new Array(10).fill(1000));
  let min = Infinity;
  let max = -Infinity;
  for (const p of d.pixels) [min, max] = [Math.min(min, p), Math.max(max, p)];
  expect([min, max]).toEqual([0, 1]);
});
