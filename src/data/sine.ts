// Seed 001's "painting" data as sine curves: y_i = a · sin(x_i) at 16 points
// x_i evenly spaced over [−π, π], amplitude a ~ U(1, 2), drawn from Philox.
import { philox4x32_10 } from '../runtime/philox.js';

export const SINE_POINTS = 16;

/**
 * Seed 001's "painting" GAN, as sine curves: each real sample is
 * y_i = a · sin(x_i) at 16 points x_i evenly spaced over [−π, π], with the
 * amplitude a ~ U(1, 2) (no phase or offset). 4096 curves are drawn once
 * from Philox keyed by the seed and uploaded; batches are drawn on the GPU.
 */
export function sineCurves(count: number, seed: number): Float32Array {
  const values = new Float32Array(count * SINE_POINTS);
  for (let r = 0; r < count; r++) {
    const a = 1 + (philox4x32_10([r, 0, 0x5113, 0], [seed >>> 0, 0])[0] >>> 8) * 2 ** -24;
    for (let i = 0; i < SINE_POINTS; i++) {
      const x = -Math.PI + (2 * Math.PI * i) / (SINE_POINTS - 1);
      values[r * SINE_POINTS + i] = a * Math.sin(x);
    }
  }
  return values;
}

