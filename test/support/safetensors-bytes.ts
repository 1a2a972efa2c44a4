// Building and editing safetensors bytes in tests (Node side).
import { expect } from '@playwright/test';
import { CheckpointError, encodeSafetensors, parseSafetensors, type SafetensorsTensor } from '../../src/io/safetensors.js';

export const u64 = (n: number | bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
export const f32le = (...values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return b;
};
/** A file from a header string (unpadded) and data bytes, exactly as given. */
export const rawFile = (header: string, data: Uint8Array): Uint8Array => {
  const h = new TextEncoder().encode(header);
  return concat(u64(h.length), h, data);
};
export const headerLength = (bytes: Uint8Array): number => Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

export type Header = Record<string, Record<string, unknown>>;
/** Rewrites a file's JSON header, keeping its data section byte for byte. */
export function editHeader(bytes: Uint8Array, edit: (h: Header) => void): Uint8Array {
  const n = headerLength(bytes);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header;
  edit(header);
  return rawFile(JSON.stringify(header), bytes.subarray(8 + n));
}
/** Re-encodes a file after editing its parsed tensors and metadata. */
export function editFile(bytes: Uint8Array, edit: (t: Map<string, SafetensorsTensor>, m: Record<string, string>) => void): Uint8Array {
  const f = parseSafetensors(bytes);
  const metadata = { ...f.metadata };
  edit(f.tensors, metadata);
  return encodeSafetensors(f.tensors, metadata);
}

export function expectRejected(what: string, bytes: Uint8Array, message: RegExp): void {
  let error: unknown = null;
  try {
    parseSafetensors(bytes);
  } catch (e) {
    error = e;
  }
  expect(error, `${what}: expected a CheckpointError matching ${message}, got ${String(error)}`).toBeInstanceOf(CheckpointError);
  expect((error as Error).message, what).toMatch(message);
}

