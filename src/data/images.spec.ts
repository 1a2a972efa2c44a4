// Image sets of any size (data/images.ts, no GPU): the three layouts, the
// three scalings of integer and float pixels, labels, and every error.
import { test, expect } from '@playwright/test';
import { DataError } from './data-error.js';
import { idxImages, imageSet, labelClasses, scalePixels } from './images.js';

test('imageSet takes (rows, H, W) as one channel, (rows, C, H, W) as is, and (rows, F) as [F, 1, 1]', () => {
  const gray = imageSet({ dims: [2, 2, 3], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) }, undefined, { range: 'unit' });
  expect(gray.shape).toEqual([1, 2, 3]);
  expect(gray.rows).toBe(2);
  expect([...gray.values]).toEqual(Array.from({ length: 12 }, (_, i) => Math.fround((i * 20) / 255)));
  expect(gray.labels).toBeUndefined();
  const rgb = imageSet({ dims: [1, 3, 2, 2], data: new Uint8Array(12).fill(255) });
  expect(rgb.shape).toEqual([3, 2, 2]);
  expect([...rgb.values]).toEqual(new Array(12).fill(1));
  const flat = imageSet({ dims: [3, 2], data: Float64Array.of(-1.5, 2, 0, 3, 7, 8) }, undefined, { range: 'raw' });
  expect(flat.shape).toEqual([2, 1, 1]);
  expect([...flat.values]).toEqual([-1.5, 2, 0, 3, 7, 8]);
});

test('scaling: integer pixels 0…255 and float pixels 0…1 map to [−1, 1] (tanh), [0, 1] (unit), or stay as stored (raw)', () => {
  expect([...scalePixels(Uint8Array.of(0, 51, 255), 'tanh')]).toEqual([-1, Math.fround(51 / 255 * 2 - 1), 1]);
  expect([...scalePixels(Int16Array.of(0, 255), 'unit')]).toEqual([0, 1]);
  expect([...scalePixels(Float32Array.of(0, 0.25, 1), 'tanh')]).toEqual([-1, -0.5, 1]);
  expect([...scalePixels(Float32Array.of(0, 0.25, 1), 'unit')]).toEqual([0, 0.25, 1]);
  expect([...scalePixels(Int32Array.of(-7, 1000), 'raw')]).toEqual([-7, 1000]);
});

test('labels: any integer array of one per row, 0…255; labelClasses is the largest + 1', () => {
  const set = idxImages({ dims: [3, 1, 1], data: Uint8Array.of(1, 2, 3) }, { dims: [3], data: Int32Array.of(4, 0, 2) });
  expect(set.labels).toEqual(Uint8Array.of(4, 0, 2));
  expect(labelClasses(set.labels!)).toBe(5);
});

test('imageSet errors name the source and say what was expected and what was found', () => {
  const img = { dims: [2, 1, 2], data: Uint8Array.of(0, 1, 2, 3) };
  const cases: [string, () => unknown, string][] = [
    ['1-D', () => imageSet({ dims: [4], data: new Uint8Array(4) }, undefined, { source: 'a.idx' }), 'a.idx: expected images of dims [rows, H, W] or [rows, C, H, W] (or flat rows [rows, F]), found dims [4]'],
    ['5-D', () => imageSet({ dims: [1, 1, 1, 1, 1], data: new Uint8Array(1) }, undefined, { source: 'a.idx' }), 'a.idx: expected images of dims [rows, H, W] or [rows, C, H, W] (or flat rows [rows, F]), found dims [1, 1, 1, 1, 1]'],
    ['no rows', () => imageSet({ dims: [0, 2, 2], data: new Uint8Array(0) }, undefined, { source: 'a.idx' }), 'a.idx: dims [0, 2, 2] hold no values; expected at least one row of at least one value'],
    ['wrong count', () => imageSet({ dims: [2, 2, 2], data: new Uint8Array(7) }, undefined, { source: 'a.idx' }), 'a.idx: dims [2, 2, 2] need 8 values, found 7'],
    ['bad range', () => imageSet(img, undefined, { range: 'zero-one' as 'unit' }), 'images: range must be one of tanh, unit, raw, got "zero-one"'],
    ['integer out of range', () => imageSet({ dims: [1, 1, 2], data: Int16Array.of(3, 256) }, undefined, { source: 'a.npy' }), "a.npy: value 1 is 256, outside 0…255 (integer pixels); rescale the data, or take the values as they are with range 'raw'"],
    ['float out of range', () => imageSet({ dims: [1, 1, 2], data: Float32Array.of(0.5, -0.5) }, undefined, { source: 'a.npy' }), "a.npy: value 1 is -0.5, outside 0…1 (float pixels); rescale the data, or take the values as they are with range 'raw'"],
    ['NaN, even raw', () => imageSet({ dims: [1, 1, 2], data: Float32Array.of(0.5, NaN) }, undefined, { source: 'a.npy', range: 'raw' }), 'a.npy: value 1 is NaN, not finite'],
    ['float labels', () => imageSet(img, { dims: [2], data: Float32Array.of(0, 1) }, { labelsSource: 'l.npy' }), 'l.npy: expected integer labels of dims [rows], found Float32Array of dims [2]'],
    ['label matrix', () => imageSet(img, { dims: [2, 1], data: Uint8Array.of(0, 1) }, { labelsSource: 'l.npy' }), 'l.npy: expected integer labels of dims [rows], found Uint8Array of dims [2, 1]'],
    ['label count', () => imageSet(img, { dims: [3], data: Uint8Array.of(0, 1, 2) }, { source: 'a.idx', labelsSource: 'l.idx' }), 'l.idx: expected 2 labels, one per image in a.idx, found 3'],
    ['negative label', () => imageSet(img, { dims: [2], data: Int8Array.of(0, -1) }, { labelsSource: 'l.npy' }), 'l.npy: expected labels 0–255, found -1 at row 1'],
  ];
  for (const [what, run, message] of cases) {
    let error: unknown = null;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error, what).toBeInstanceOf(DataError);
    expect((error as Error).message, what).toBe(message);
  }
});
