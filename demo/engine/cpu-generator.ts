// G on noise that we choose (a grid in noise space, fixed noise for an image
// grid, an interpolation path). sample() draws its own noise on the GPU, so
// this reads G's current weights from the GPU (readParameters) and runs them
// through the library's float64 CPU reference forward (src/reference/gan.ts,
// the one the parity tests hold the GPU to). With a trainer API such as
// `generate(noise: Float32Array)` this would run on the GPU instead.
import type { GanTrainer } from '../../src/index.js';
import { referenceForward } from '../../src/reference/gan.js';

export const CPU_GENERATOR_NOTE =
  "G's current weights, read from the GPU, evaluated on noise we choose by the library's CPU reference forward";

export async function generateOnCpu(trainer: GanTrainer, noise: Float64Array): Promise<Float64Array> {
  const g = trainer.config.generator;
  const n = noise.length / g.inputSize;
  const params = Float64Array.from(await trainer.readParameters('generator'));
  const outs = referenceForward(g, params, noise, n);
  return outs[outs.length - 1];
}

/** Deterministic noise rows from the run's noise distribution (mulberry32 + Box–Muller), for fixed-noise views. */
export function fixedNoise(trainer: GanTrainer, rows: number, salt: number): Float64Array {
  const z = trainer.config.generator.inputSize;
  const spec = trainer.config.noise;
  let a = (trainer.config.seed ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(rows * z);
  for (let i = 0; i < out.length; i++) {
    if (spec.distribution === 'uniform') out[i] = spec.low + (spec.high - spec.low) * rand();
    else out[i] = spec.mean + spec.std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}
