// Philox4x32-10 (Salmon et al. 2011) on the CPU, with BigInt products (an
// independent route from prelude/philox.wgsl's 16-bit-halves mulhi), and the
// same mappings to uniform and normal draws as random.wgsl. The GPU draws
// training's noise and batches; the CPU uses the same Philox draws where one
// must be reproducible without a device (initial weights, toy data sets, the
// digits' split) and in the float64 reference trainer.

const M0 = 0xd2511f53n;
const M1 = 0xcd9e8d57n;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const MASK = 0xffffffffn;

export type U32x4 = [number, number, number, number];

export function philox4x32_10(counter: U32x4, key: [number, number]): U32x4 {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const p0 = M0 * BigInt(c0);
    const p1 = M1 * BigInt(c2);
    const hi0 = Number(p0 >> 32n);
    const lo0 = Number(p0 & MASK);
    const hi1 = Number(p1 >> 32n);
    const lo1 = Number(p1 & MASK);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

export interface DrawKey {
  seed: number;
  step: number;
  stream: number;
}

/** The 4 u32 of Philox block `block` under key k (random.wgsl's draw). */
export function philoxBlock(k: DrawKey, block: number): U32x4 {
  return philox4x32_10([block, k.step, k.stream, 0], [k.seed, 0]);
}

const INV_2_24 = 2 ** -24;

/** low + (high − low)·u, u = (x >> 8)·2^-24, four values per Philox block. */
export function randomUniform(k: DrawKey, count: number, low: number, high: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = (philoxBlock(k, Math.floor(i / 4))[i % 4] >>> 8) * INV_2_24;
    out[i] = low + (high - low) * u;
  }
  return out;
}

/** Box–Muller on the pairs (x0, x1), (x2, x3) of each block. */
export function randomNormal(k: DrawKey, count: number, mean: number, std: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const bits = philoxBlock(k, Math.floor(i / 4));
    const pair = (i % 4) >> 1;
    const u1 = ((bits[2 * pair] >>> 8) + 1) * INV_2_24;
    const u2 = (bits[2 * pair + 1] >>> 8) * INV_2_24;
    const r = Math.sqrt(-2 * Math.log(u1));
    const z = i % 2 === 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
    out[i] = mean + std * z;
  }
  return out;
}
