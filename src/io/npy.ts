// NumPy's .npy format (numpy.lib.format), read and written whole, browser-safe:
//
//   [6 bytes]   magic "\x93NUMPY"
//   [2 bytes]   format version: major, minor (1.0, 2.0 or 3.0)
//   [2|4 bytes] header length, u16 little-endian (v1) or u32 (v2, v3)
//   [header]    a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//               padded with spaces and ended by '\n' so that the data starts at a multiple of 64
//               (latin-1 in v1 and v2, UTF-8 in v3)
//   [data]      the values in C (row-major) order, in the byte order `descr` names
//
// Dtypes read and written: f4, f8 (floats), u1, i1, i2, i4 (integers), little
// or big endian. Fortran-order arrays are refused (save np.ascontiguousarray(a)).
import { ConfigError } from '../runtime/errors.js';

/** Thrown for .npy bytes that are malformed or of a layout this reader does not take, and for arrays it cannot write. */
export class NpyError extends ConfigError {
  override name = 'NpyError';
}

export type NpyDtype = 'f4' | 'f8' | 'u1' | 'i1' | 'i2' | 'i4';
export type NpyArray = Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Int32Array;

export interface NpyTensor {
  dtype: NpyDtype;
  /** C-order dimensions; [] for a 0-d array (one value). */
  shape: number[];
  data: NpyArray;
}

export interface EncodeNpyOptions {
  /** Byte order of the data (default true: '<'). Single-byte dtypes are written '|'. */
  littleEndian?: boolean;
  /** Format version (default: 1 when the header fits its u16 length, else 2). */
  version?: 1 | 2 | 3;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

interface DtypeInfo {
  size: number;
  make(n: number): NpyArray;
  get(v: DataView, at: number, little: boolean): number;
  set(v: DataView, at: number, x: number, little: boolean): void;
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  f4: { size: 4, make: (n) => new Float32Array(n), get: (v, a, l) => v.getFloat32(a, l), set: (v, a, x, l) => v.setFloat32(a, x, l) },
  f8: { size: 8, make: (n) => new Float64Array(n), get: (v, a, l) => v.getFloat64(a, l), set: (v, a, x, l) => v.setFloat64(a, x, l) },
  u1: { size: 1, make: (n) => new Uint8Array(n), get: (v, a) => v.getUint8(a), set: (v, a, x) => v.setUint8(a, x) },
  i1: { size: 1, make: (n) => new Int8Array(n), get: (v, a) => v.getInt8(a), set: (v, a, x) => v.setInt8(a, x) },
  i2: { size: 2, make: (n) => new Int16Array(n), get: (v, a, l) => v.getInt16(a, l), set: (v, a, x, l) => v.setInt16(a, x, l) },
  i4: { size: 4, make: (n) => new Int32Array(n), get: (v, a, l) => v.getInt32(a, l), set: (v, a, x, l) => v.setInt32(a, x, l) },
};
export const NPY_DTYPES = Object.keys(DTYPES) as NpyDtype[];

const ARRAY_DTYPE: [new (n: number) => NpyArray, NpyDtype][] = [
  [Float32Array, 'f4'],
  [Float64Array, 'f8'],
  [Uint8Array, 'u1'],
  [Int8Array, 'i1'],
  [Int16Array, 'i2'],
  [Int32Array, 'i4'],
];

/** The dtype a typed array is written as; NpyError for any other array. */
export function npyDtypeOf(data: unknown): NpyDtype {
  const found = ARRAY_DTYPE.find(([C]) => data instanceof C);
  if (!found) {
    const got = ArrayBuffer.isView(data) ? data.constructor.name : Array.isArray(data) ? 'a plain Array' : typeof data;
    throw new NpyError(`npy: can write Float32Array, Float64Array, Uint8Array, Int8Array, Int16Array or Int32Array, got ${got}`);
  }
  return found[1];
}

/** Parses .npy bytes; `source` names the file in errors. Throws NpyError saying what is wrong. */
export function parseNpy(bytes: Uint8Array, source = 'npy data'): NpyTensor {
  if (!(bytes instanceof Uint8Array)) throw new NpyError(`${source}: expected the file as a Uint8Array`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const start = [...bytes.subarray(0, 6)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    throw new NpyError(`${source}: not a .npy file: it starts with ${start || 'nothing'}, expected the magic "\\x93NUMPY" and a version`);
  }
  const [major, minor] = [bytes[6], bytes[7]];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new NpyError(`${source}: .npy format version ${major}.${minor} is not supported; expected 1.0, 2.0 or 3.0`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new NpyError(`${source}: truncated: the file ends inside the header length`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new NpyError(`${source}: the header length says ${headerLength} bytes but only ${bytes.length - 8 - lengthBytes} follow; the file is truncated`);
  }
  const raw = bytes.subarray(8 + lengthBytes, dataStart);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
  } catch {
    throw new NpyError(`${source}: the header is not valid UTF-8`);
  }
  const header = parseHeader(text, source);
  const { dtype, littleEndian } = parseDescr(header.descr, source);
  if (header.fortran_order !== false) {
    if (header.fortran_order === true) {
      throw new NpyError(`${source}: the array is in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(a) instead`);
    }
    throw new NpyError(`${source}: header 'fortran_order' must be True or False, got ${show(header.fortran_order)}`);
  }
  const shape = header.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(`${source}: header 'shape' must be a tuple of non-negative integers, got ${show(shape)}`);
  }
  const dims = shape as number[];
  const info = DTYPES[dtype];
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * info.size;
  const found = bytes.length - dataStart;
  if (found !== expected) {
    throw new NpyError(
      `${source}: shape (${dims.join(', ')}) of ${dtype} needs ${expected} data bytes, found ${found}` + (found < expected ? ' (truncated)' : ' (trailing data)'),
    );
  }
  const data = info.make(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart, expected);
  for (let i = 0; i < count; i++) data[i] = info.get(dv, i * info.size, littleEndian);
  return { dtype, shape: [...dims], data };
}

/**
 * The .npy bytes of `data` with `shape` (C order), in the dtype of its typed
 * array (Float32Array → f4, …). Writes the header numpy writes.
 */
export function encodeNpy(data: NpyArray, shape: readonly number[], options: EncodeNpyOptions = {}): Uint8Array {
  const dtype = npyDtypeOf(data);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(`npy: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`npy: shape (${shape.join(', ')}) holds ${count} values but the array has ${data.length}`);
  const little = options.littleEndian ?? true;
  const info = DTYPES[dtype];
  const order = info.size === 1 ? '|' : little ? '<' : '>';
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${order}${dtype}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const dictBytes = new TextEncoder().encode(dict);
  let version = options.version ?? 1;
  if (![1, 2, 3].includes(version)) throw new NpyError(`npy: version must be 1, 2 or 3, got ${JSON.stringify(options.version)}`);
  const prefix = (v: number) => (v === 1 ? 10 : 12);
  const padded = (v: number) => Math.ceil((prefix(v) + dictBytes.length + 1) / ALIGN) * ALIGN - prefix(v);
  if (version === 1 && padded(1) > 0xffff) {
    if (options.version === 1) throw new NpyError(`npy: a ${padded(1)}-byte header does not fit version 1 (65535 bytes at most); use version 2`);
    version = 2;
  }
  const headerLength = padded(version);
  const start = prefix(version) + headerLength;
  const out = new Uint8Array(start + count * info.size);
  out.set(MAGIC, 0);
  out[6] = version;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.set(dictBytes, prefix(version));
  out.fill(0x20, prefix(version) + dictBytes.length, start - 1);
  out[start - 1] = 0x0a;
  for (let i = 0; i < count; i++) info.set(view, start + i * info.size, data[i], little);
  return out;
}

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function parseDescr(descr: unknown, source: string): { dtype: NpyDtype; littleEndian: boolean } {
  const supported = `'<f4', '<f8', '|u1', '|i1', '<i2', '<i4' (or '>' for big-endian)`;
  if (typeof descr !== 'string') {
    throw new NpyError(`${source}: dtype ${show(descr)} is not supported (structured arrays are not); expected one of ${supported}`);
  }
  const m = /^([<>|=]?)([a-zA-Z]\d*)$/.exec(descr);
  const dtype = m?.[2] as NpyDtype | undefined;
  if (!m || !dtype || !(dtype in DTYPES)) throw new NpyError(`${source}: dtype '${descr}' is not supported; expected one of ${supported}`);
  const order = m[1];
  if (order === '|' && DTYPES[dtype].size > 1) throw new NpyError(`${source}: dtype '${descr}' has no byte order ('|') but ${dtype} needs '<' or '>'`);
  // '=' is the writer's native order; every platform numpy and WebGPU run on here is little-endian.
  return { dtype, littleEndian: order !== '>' };
}

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** The header dict: a Python literal of strings, integers, True/False/None, tuples and dicts. */
function parseHeader(text: string, source: string): Record<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new NpyError(`${source}: the header is not a Python dict literal (${what} at character ${i}): ${JSON.stringify(text.trimEnd().slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('an unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) fail('an escape in a string');
      i = end + 1;
      return s;
    }
    if (c === '{') {
      i++;
      const out: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (text[i] === '}') return i++, out;
        const key = value();
        if (typeof key !== 'string') fail('a key that is not a string');
        ws();
        if (text[i++] !== ':') fail("a missing ':'");
        if (Object.prototype.hasOwnProperty.call(out, key as string)) fail(`the key '${key as string}' twice`);
        out[key as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("a missing ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) return i++, out;
        out.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`a missing ',' or '${close}'`);
      }
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (!word) return fail('an unexpected character');
    i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const parsed = value();
  ws();
  if (i !== text.length) fail('text after the dict');
  if (!text.endsWith('\n')) fail("no '\\n' at the end");
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('a value that is not a dict');
  const dict = parsed as Record<string, PyValue>;
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in dict)) throw new NpyError(`${source}: the header has no '${key}'; expected 'descr', 'fortran_order' and 'shape'`);
  }
  const extra = Object.keys(dict).filter((k) => !['descr', 'fortran_order', 'shape'].includes(k));
  if (extra.length > 0) throw new NpyError(`${source}: the header has unexpected key(s) ${extra.map((k) => `'${k}'`).join(', ')}`);
  return dict;
}
