// Deterministic test inputs (Philox, so any failure reproduces exactly).
import { philox4x32_10 } from '../../src/runtime/philox.js';

/** `count` values uniform in [low, high), keyed by `seed`. */
export function randomArray(count: number, seed: number, low = -1, high = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bits = philox4x32_10([Math.floor(i / 4), 0, 0x7e57, 0], [seed, 0]);
    out.push(low + (high - low) * (bits[i % 4] / 2 ** 32));
  }
  return out;
}

/** Rounds to float32, what the GPU will see. */
export const f32 = (values: number[]): Float64Array => Float64Array.from(Float32Array.from(values));
