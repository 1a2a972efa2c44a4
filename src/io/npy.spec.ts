// The .npy format byte by byte (Node, no GPU): files numpy wrote (their bytes
// are below, from numpy 2.4's np.save), round trips of every dtype in both
// byte orders and all three versions, and every error, each a NpyError that
// names the source and says what was expected.
import { test, expect } from '@playwright/test';
import { encodeNpy, NpyError, parseNpy, type NpyArray } from './npy.js';

const b64 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));

// np.save of np.arange(6, dtype='<f4').reshape(2, 3) / 4 - 0.5
const NUMPY_F4 =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAC/AACAvgAAAAAAAIA+AAAAPwAAQD8=';
// np.save of np.array([-2, 300, 7], dtype='>i2')
const NUMPY_I2_BE =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//gEsAAc=';
// np.save of np.array(200, dtype='u1') (0-d)
const NUMPY_U1_0D =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIArI';
// np.lib.format.write_array(f, the f4 array above, version=(2, 0))
const NUMPY_F4_V2 =
  'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAC/AACAvgAAAAAAAIA+AAAAPwAAQD8=';
// np.lib.format.write_array(f, np.array([1.5], dtype='<f8'), version=(3, 0))
const NUMPY_F8_V3 =
  'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4Pw==';

test('parseNpy reads files numpy wrote: f4 (2, 3), big-endian i2 (3,), 0-d u1, version 2 and version 3', () => {
  const f4 = parseNpy(b64(NUMPY_F4));
  expect(f4).toEqual({ dtype: 'f4', shape: [2, 3], data: Float32Array.of(-0.5, -0.25, 0, 0.25, 0.5, 0.75) });
  expect(parseNpy(b64(NUMPY_I2_BE))).toEqual({ dtype: 'i2', shape: [3], data: Int16Array.of(-2, 300, 7) });
  expect(parseNpy(b64(NUMPY_U1_0D))).toEqual({ dtype: 'u1', shape: [], data: Uint8Array.of(200) });
  expect(parseNpy(b64(NUMPY_F4_V2))).toEqual(f4);
  expect(parseNpy(b64(NUMPY_F8_V3))).toEqual({ dtype: 'f8', shape: [1], data: Float64Array.of(1.5) });
});

test('encodeNpy writes byte for byte what numpy writes (header, padding to 64, data)', () => {
  expect(encodeNpy(Float32Array.of(-0.5, -0.25, 0, 0.25, 0.5, 0.75), [2, 3])).toEqual(b64(NUMPY_F4));
  expect(encodeNpy(Int16Array.of(-2, 300, 7), [3], { littleEndian: false })).toEqual(b64(NUMPY_I2_BE));
  expect(encodeNpy(Uint8Array.of(200), [])).toEqual(b64(NUMPY_U1_0D));
  expect(encodeNpy(Float32Array.of(-0.5, -0.25, 0, 0.25, 0.5, 0.75), [2, 3], { version: 2 })).toEqual(b64(NUMPY_F4_V2));
  expect(encodeNpy(Float64Array.of(1.5), [1], { version: 3 })).toEqual(b64(NUMPY_F8_V3));
});

test('every dtype round-trips in both byte orders and all three versions, extremes included', () => {
  const cases: [string, NpyArray, number[]][] = [
    ['f4', Float32Array.of(-3.4e38, -1.5, 0, 1e-45, 0.1, 3.4e38, Infinity, -Infinity), [2, 4]],
    ['f8', Float64Array.of(Math.PI, -1e300, 5e-324, -0, 1 / 3, 1e308), [3, 2]],
    ['u1', Uint8Array.of(0, 1, 127, 128, 254, 255), [6]],
    ['i1', Int8Array.of(-128, -1, 0, 1, 127, 42), [1, 2, 3]],
    ['i2', Int16Array.of(-32768, -300, 0, 258, 32767, 1), [2, 3]],
    ['i4', Int32Array.of(-(2 ** 31), -70000, 0, 65537, 2 ** 31 - 1, 7), [6, 1]],
    ['f4', new Float32Array(0), [0, 5]],
  ];
  for (const [dtype, data, shape] of cases) {
    for (const littleEndian of [true, false]) {
      for (const version of [1, 2, 3] as const) {
        const bytes = encodeNpy(data, shape, { littleEndian, version });
        const what = `${dtype} ${littleEndian ? 'LE' : 'BE'} v${version}`;
        expect((bytes.length - data.length * data.BYTES_PER_ELEMENT) % 64, what).toBe(0);
        expect(bytes[6], what).toBe(version);
        const back = parseNpy(bytes);
        expect(back.dtype, what).toBe(dtype);
        expect(back.shape, what).toEqual(shape);
        expect(back.data.constructor, what).toBe(data.constructor);
        expect([...back.data], what).toEqual([...data]);
      }
    }
  }
  // NaN survives too (toEqual on arrays compares NaN as equal to NaN only by Object.is).
  expect(Number.isNaN(parseNpy(encodeNpy(Float64Array.of(NaN), [1])).data[0])).toBe(true);
});

test('a header too long for version 1 is written as version 2 unless version 1 was asked for', () => {
  const shape = Array.from({ length: 30000 }, () => 1); // "(1, 1, …)": 90,000 characters
  expect(encodeNpy(Uint8Array.of(9), shape.slice(0, 20000))[6]).toBe(1); // 60,000: still fits
  const bytes = encodeNpy(Uint8Array.of(9), shape);
  expect(bytes[6]).toBe(2);
  expect(parseNpy(bytes).shape.length).toBe(30000);
  expect(() => encodeNpy(Uint8Array.of(9), shape, { version: 1 })).toThrow(/does not fit version 1 \(65535 bytes at most\); use version 2/);
});

/** A v1 file from a header dict and data bytes, padded as numpy pads. */
function npyFile(dict: string, data: Uint8Array | number[] = [], options: { magic?: number[]; major?: number; newline?: boolean } = {}): Uint8Array {
  const text = new TextEncoder().encode(dict);
  const padded = Math.ceil((10 + text.length + 1) / 64) * 64 - 10;
  const out = new Uint8Array(10 + padded + data.length);
  out.set(options.magic ?? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  out[6] = options.major ?? 1;
  new DataView(out.buffer).setUint16(8, padded, true);
  out.set(text, 10);
  out.fill(0x20, 10 + text.length, 10 + padded);
  out[10 + padded - 1] = options.newline === false ? 0x20 : 0x0a;
  out.set(data, 10 + padded);
  return out;
}

test('parseNpy rejects what it cannot read with a NpyError that names the source and says what was expected', () => {
  const dict = (descr: string, shape = '(2,)', fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const good = npyFile(dict('<i2'), [1, 0, 2, 0]);
  expect(parseNpy(good, 'x.npy')).toEqual({ dtype: 'i2', shape: [2], data: Int16Array.of(1, 2) });
  const cases: [string, Uint8Array, string | RegExp][] = [
    ['empty', new Uint8Array(0), 'x.npy: not a .npy file: it starts with nothing, expected the magic "\\x93NUMPY" and a version'],
    ['a PNG', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), /^x\.npy: not a \.npy file: it starts with 0x89 0x50 0x4e 0x47 0x0d 0x0a/],
    ['version 4.0', npyFile(dict('<i2'), [1, 0, 2, 0], { major: 4 }), 'x.npy: .npy format version 4.0 is not supported; expected 1.0, 2.0 or 3.0'],
    ['header length past the end', good.subarray(0, 40), /^x\.npy: the header length says 118 bytes but only 30 follow; the file is truncated$/],
    ['no newline', npyFile(dict('<i2'), [1, 0, 2, 0], { newline: false }), /^x\.npy: the header is not a Python dict literal \(no '\\n' at the end/],
    ['not a dict', npyFile("['descr', 1]"), /the header is not a Python dict literal \(a value that is not a dict/],
    ['garbage', npyFile("{'descr': <f4}"), /the header is not a Python dict literal \(an unexpected character at character 10\)/],
    ['missing shape', npyFile("{'descr': '<i2', 'fortran_order': False}"), "x.npy: the header has no 'shape'; expected 'descr', 'fortran_order' and 'shape'"],
    ['extra key', npyFile("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), 'x': 1}", [1, 0, 2, 0]), "x.npy: the header has unexpected key(s) 'x'"],
    ['repeated key', npyFile("{'descr': '<i2', 'descr': '<i2'}"), /the key 'descr' twice/],
    ['Fortran order', npyFile(dict('<f4', '(2, 1)', 'True'), new Array(8).fill(0)), 'x.npy: the array is in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(a) instead'],
    ['complex dtype', npyFile(dict('<c8'), new Array(16).fill(0)), "x.npy: dtype '<c8' is not supported; expected one of '<f4', '<f8', '|u1', '|i1', '<i2', '<i4' (or '>' for big-endian)"],
    ['u2', npyFile(dict('<u2'), [0, 0, 0, 0]), /dtype '<u2' is not supported/],
    ['string dtype', npyFile(dict('<U3')), /dtype '<U3' is not supported/],
    ['structured dtype', npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"), /dtype \[\["a","<f4"\]\] is not supported \(structured arrays are not\)/],
    ['no byte order on i2', npyFile(dict('|i2'), [1, 0, 2, 0]), "x.npy: dtype '|i2' has no byte order ('|') but i2 needs '<' or '>'"],
    ['negative dim', npyFile(dict('<i2', '(-2,)')), "x.npy: header 'shape' must be a tuple of non-negative integers, got [-2]"],
    ['truncated data', npyFile(dict('<i2'), [1, 0, 2]), 'x.npy: shape (2) of i2 needs 4 data bytes, found 3 (truncated)'],
    ['trailing data', npyFile(dict('<i2'), [1, 0, 2, 0, 9]), 'x.npy: shape (2) of i2 needs 4 data bytes, found 5 (trailing data)'],
  ];
  for (const [what, bytes, message] of cases) {
    let error: unknown = null;
    try {
      parseNpy(bytes, 'x.npy');
    } catch (e) {
      error = e;
    }
    expect(error, what).toBeInstanceOf(NpyError);
    if (typeof message === 'string') expect((error as Error).message, what).toBe(message);
    else expect((error as Error).message, what).toMatch(message);
  }
});

test('encodeNpy rejects arrays it cannot write and shapes that do not fit them', () => {
  expect(() => encodeNpy(new Uint16Array(2) as unknown as NpyArray, [2])).toThrow('npy: can write Float32Array, Float64Array, Uint8Array, Int8Array, Int16Array or Int32Array, got Uint16Array');
  expect(() => encodeNpy([1, 2] as unknown as NpyArray, [2])).toThrow(/got a plain Array/);
  expect(() => encodeNpy(new Float32Array(6), [4, 2])).toThrow('npy: shape (4, 2) holds 8 values but the array has 6');
  expect(() => encodeNpy(new Float32Array(2), [-1, -2])).toThrow('npy: shape must be an array of non-negative integers, got [-1,-2]');
  expect(() => encodeNpy(new Float32Array(2), [2], { version: 4 as 1 })).toThrow('npy: version must be 1, 2 or 3, got 4');
});
