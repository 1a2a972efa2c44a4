// The safetensors format byte by byte (Node, no GPU): what encodeSafetensors
// writes, hand-built files parseSafetensors reads, and malformed files it
// rejects with a CheckpointError that says what is wrong.
import { test, expect } from '@playwright/test';
import { CheckpointError, duplicateJsonKey, encodeSafetensors, parseSafetensors, type SafetensorsTensor } from './safetensors.js';
import { concat, expectRejected, f32le, headerLength, rawFile, u64 } from '../../test/support/safetensors-bytes.js';

test('encodeSafetensors: u64 header length, space-padded JSON, 8-byte aligned F32 data', () => {
  const tensors = new Map<string, SafetensorsTensor>([
    ['a.weight', { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
    ['a.bias', { shape: [2], data: Float32Array.of(-0.5, 0.25) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { format: 'test', note: 'ünïcode' });
  const n = headerLength(bytes);
  expect(bytes.subarray(4, 8)).toEqual(new Uint8Array(4)); // high 32 bits of the u64
  expect(n % 8).toBe(0);
  expect(bytes.length).toBe(8 + n + 8 * 4);

  const headerBytes = bytes.subarray(8, 8 + n);
  const text = new TextDecoder().decode(headerBytes);
  const json = text.trimEnd();
  expect(text.length - json.length).toBeLessThan(8); // only as much padding as alignment needs
  expect(headerBytes.subarray(new TextEncoder().encode(json).length).every((b) => b === 0x20)).toBe(true);
  expect(JSON.parse(json)).toEqual({
    __metadata__: { format: 'test', note: 'ünïcode' },
    'a.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    'a.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
    empty: { dtype: 'F32', shape: [0, 4], data_offsets: [32, 32] },
  });
  expect(bytes.subarray(8 + n)).toEqual(f32le(1, 2, 3, 4, 5, 6, -0.5, 0.25));

  const back = parseSafetensors(bytes);
  expect([...back.tensors.keys()]).toEqual(['a.weight', 'a.bias', 'empty']);
  expect(back.tensors.get('a.weight')).toEqual(tensors.get('a.weight'));
  expect(back.tensors.get('a.bias')).toEqual(tensors.get('a.bias'));
  expect(back.tensors.get('empty')?.shape).toEqual([0, 4]);
  expect(back.metadata).toEqual({ format: 'test', note: 'ünïcode' });
});

test('parseSafetensors reads a hand-built file: unpadded header, entries out of offset order, odd byte offset', () => {
  // 1.5 = 0x3fc00000, -2 = 0xc0000000, 3 = 0x40400000, little-endian.
  const data = Uint8Array.of(0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0);
  const header =
    '{"b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]},' +
    '"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
  const file = rawFile(header, data);
  expect(file.subarray(0, 8)).toEqual(Uint8Array.of(header.length, 0, 0, 0, 0, 0, 0, 0));
  // Parse from a view that starts at an odd byte, so no Float32Array could alias it.
  const host = new Uint8Array(file.length + 3);
  host.set(file, 3);
  const parsed = parseSafetensors(host.subarray(3));
  expect([...parsed.tensors.keys()]).toEqual(['a', 'b']);
  expect(parsed.tensors.get('a')).toEqual({ shape: [], data: Float32Array.of(3) });
  expect(parsed.tensors.get('b')).toEqual({ shape: [1, 2], data: Float32Array.of(1.5, -2) });
  expect(parsed.metadata).toEqual({ k: 'v' });
});

test('parseSafetensors rejects malformed files with a CheckpointError that says what is wrong', () => {
  const t = (shape: number[], offsets: number[], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });
  const file = (h: Record<string, unknown>, data: Uint8Array) => rawFile(JSON.stringify(h), data);
  const two = f32le(1, 2);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /0 bytes, too short/],
    ['7 bytes', new Uint8Array(7), /7 bytes, too short/],
    ['header length past the end', concat(u64(1000), new TextEncoder().encode('{}')), /says 1000 bytes but the file has only 2/],
    ['header length 2^63', concat(u64(2n ** 63n), new TextEncoder().encode('{}')), /says 9223372036854775808 bytes/],
    ['header not JSON', rawFile('{"a": nope}', new Uint8Array(0)), /not valid JSON/],
    ['header a JSON array', rawFile('[1, 2]', new Uint8Array(0)), /must be a JSON object/],
    ['header not UTF-8', concat(u64(4), Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), /not valid UTF-8/],
    ['dtype F16', file({ a: t([2], [0, 4], 'F16') }, f32le(1)), /'a' has dtype "F16"; only F32/],
    ['negative dimension', file({ a: t([-2], [0, 8]) }, two), /shape \[-2\] must be an array of non-negative integers/],
    ['fractional dimension', file({ a: t([1.5], [0, 8]) }, two), /shape \[1.5\]/],
    ['offsets not a pair', file({ a: t([2], [0]) }, two), /data_offsets \[0\] must be \[begin, end\]/],
    ['offsets backwards', file({ a: t([2], [8, 0]) }, two), /data_offsets \[8,0\]/],
    ['size does not match shape', file({ a: t([3], [0, 8]) }, two), /hold 8 bytes but F32 shape \[3\] needs 12/],
    ['overlap', file({ a: t([2], [0, 8]), b: t([1], [4, 8]) }, two), /'b' data_offsets \[4, 8\] overlap/],
    ['gap', file({ a: t([1], [4, 8]) }, two), /leaving a gap/],
    ['truncated data', file({ a: t([2], [0, 8]) }, f32le(1)), /run past the data section \(4 bytes\)/],
    ['trailing bytes', file({ a: t([1], [0, 4]) }, two), /data section is 8 bytes but the tensors cover 4/],
    ['metadata not strings', file({ __metadata__: { step: 3 } }, new Uint8Array(0)), /__metadata__.step must be a string/],
  ];
  for (const [what, bytes, message] of cases) {
    expectRejected(what, bytes, message);
  }
});

