// The safetensors format (https://github.com/huggingface/safetensors), read
// and written whole and validated before anything is returned:
//
//   [8 bytes]  N, the header length, u64 little-endian
//   [N bytes]  UTF-8 JSON object, space-padded so the data starts 8-byte aligned:
//              { "__metadata__": { string: string },
//                "<tensor name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ... }
//   [rest]     the tensors' raw little-endian data; offsets are relative to the
//              start of this section, the tensors tile it with no gaps or overlaps.
import { ConfigError } from '../runtime/errors.js';

/** Thrown when a checkpoint or weights file is malformed or does not fit the model; nothing was loaded. */
export class CheckpointError extends ConfigError {
  override name = 'CheckpointError';
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  /** In file order (by data offset). */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Serialises F32 tensors (in the order given) and string metadata. The header
 * is padded with spaces to a multiple of 8 bytes so the data is 8-byte aligned.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new CheckpointError(`'__metadata__' is reserved and cannot name a tensor`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new CheckpointError(`tensor '${name}': shape ${showShape(t.shape)} must be non-negative integers`);
    }
    if (t.data.length !== elementCount(t.shape)) {
      throw new CheckpointError(`tensor '${name}': ${t.data.length} values do not fill shape ${showShape(t.shape)}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: ReadDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface ParseSafetensorsOptions {
  /**
   * Also read F16 and BF16 tensors, widened to F32 exactly (default false:
   * any dtype other than F32 is refused). For weights saved in half
   * precision, e.g. a PyTorch state_dict after model.half().
   */
  halfPrecision?: boolean;
}

type ReadDtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<ReadDtype, number> = { F32: 4, F16: 2, BF16: 2 };

const bits = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits → the same value as a float (every half is exactly a float). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits (the top half of a float's) → that float. */
export function bf16ToF32(h: number): number {
  bits.setUint32(0, h << 16);
  return bits.getFloat32(0);
}

/**
 * Parses and validates a safetensors file of F32 tensors (with
 * `halfPrecision`, also F16 and BF16 ones, returned as F32). Throws
 * CheckpointError for anything malformed: a short file, a header length past
 * the end, a header that is not a UTF-8 JSON object, a dtype other than F32,
 * a bad shape, data offsets that don't match the shape or don't tile the data
 * section exactly, non-string metadata.
 */
export function parseSafetensors(bytes: Uint8Array, options: ParseSafetensorsOptions = {}): SafetensorsFile {
  const halfPrecision = options.halfPrecision === true;
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError('checkpoint: expected the file as a Uint8Array');
  if (bytes.length < 8) {
    throw new CheckpointError(`checkpoint: the file is ${bytes.length} bytes, too short for the 8-byte safetensors header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new CheckpointError(
      `checkpoint: the header length field says ${headerLength} bytes but the file has only ${bytes.length - 8} after it ` +
        `(limit ${MAX_HEADER_BYTES}); the file is truncated or not safetensors`,
    );
  }
  const N = Number(headerLength);
  if (N < 2) throw new CheckpointError(`checkpoint: the header length is ${N} bytes, too short for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    throw new CheckpointError('checkpoint: the header is not valid UTF-8; the file is not safetensors');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint: the header is not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is not safetensors`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CheckpointError('checkpoint: the header must be a JSON object');
  }
  // JSON.parse keeps the last of repeated keys: an earlier copy would never be checked.
  const repeated = duplicateJsonKey(text);
  if (repeated !== null) throw new CheckpointError(`checkpoint: the header has the key ${JSON.stringify(repeated)} twice; a file must name each tensor and field once`);

  const metadata = parseMetadata((header as Record<string, unknown>).__metadata__);
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, raw, halfPrecision));
  }

  // The tensors must tile the data section: sorted by offset, each starts where the last ended.
  const dataStart = 8 + N;
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) {
      throw new CheckpointError(`checkpoint: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the tensor before it (which ends at ${expected})`);
    }
    if (e.begin > expected) {
      throw new CheckpointError(`checkpoint: tensor '${e.name}' starts at ${e.begin}, leaving a gap after byte ${expected} of the data section`);
    }
    if (e.end > dataLength) {
      throw new CheckpointError(
        `checkpoint: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] run past the data section (${dataLength} bytes); the file is truncated`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLength) {
    throw new CheckpointError(`checkpoint: the data section is ${dataLength} bytes but the tensors cover ${expected}; the file is truncated or has trailing bytes`);
  }

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const size = DTYPE_BYTES[e.dtype];
    const data = new Float32Array((e.end - e.begin) / size);
    if (e.dtype === 'F32') {
      for (let i = 0, at = dataStart + e.begin; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    } else {
      const widen = e.dtype === 'F16' ? f16ToF32 : bf16ToF32;
      for (let i = 0, at = dataStart + e.begin; i < data.length; i++, at += 2) data[i] = widen(view.getUint16(at, true));
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CheckpointError('checkpoint: __metadata__ must be a JSON object of strings');
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new CheckpointError(`checkpoint: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, halfPrecision: boolean): HeaderEntry {
  const where = `checkpoint: tensor '${name}'`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (halfPrecision) {
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      throw new CheckpointError(`${where} has dtype ${JSON.stringify(dtype)}; only F32, F16 and BF16 are read (convert with tensor.float() before saving)`);
    }
  } else if (dtype !== 'F32') {
    throw new CheckpointError(`${where} has dtype ${JSON.stringify(dtype)}; only F32 is supported (convert with tensor.float() before saving)`);
  }
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointError(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o): o is number => Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] < offsets[0]
  ) {
    throw new CheckpointError(`${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const kind = dtype as ReadDtype; // checked above
  const bytes = DTYPE_BYTES[kind] * elementCount(shape);
  if (end - begin !== bytes) {
    throw new CheckpointError(`${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} shape ${showShape(shape)} needs ${bytes}`);
  }
  return { name, dtype: kind, shape: [...shape], begin, end };
}


/** The first key that appears twice within one object of `text` (valid JSON), or null. */
export function duplicateJsonKey(text: string): string | null {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (ch === '{') {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (ch === '[') {
      stack.push({ keys: null, expectKey: false });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return null;
}
