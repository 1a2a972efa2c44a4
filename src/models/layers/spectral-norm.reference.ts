// Float64 reference of spectral normalisation (spectral_norm.wgsl), with W
// read as the (rows, cols) matrix of a WeightMatrix and g the layer's gain:
//
//   power iteration   v = normalize(Wᵀu), u = normalize(W v)     normalize(a) = a / max(‖a‖, 1e-12)
//   weight            σ = uᵀ W v, W_sn = g · W / σ
//   backward          dW = (g / σ) · (dW_sn − ⟨dW_sn, W_sn⟩ / g · u vᵀ)   (u and v held constant, as PyTorch does)
//
// The backward: ∂σ/∂W = u vᵀ, so dW = (g / σ) dW_sn − (g / σ²) ⟨dW_sn, W⟩ u vᵀ, and ⟨dW_sn, W⟩ = (σ / g) ⟨dW_sn, W_sn⟩.
// g = 1 gives the bits of the formulas without it (g multiplies first, and x · 1 = x).
import type { WeightMatrix } from './layer.js';

const EPS = 1e-12;

/** Index in the weight's storage of matrix element (r, c). */
export const matrixIndex = (m: WeightMatrix, r: number, c: number): number => r * m.rowStride + Math.floor(c / m.block) * m.blockStride + (c % m.block);

function normalizeInPlace(a: Float64Array): void {
  let sq = 0;
  for (const x of a) sq += x * x;
  const scale = 1 / Math.max(Math.sqrt(sq), EPS);
  for (let i = 0; i < a.length; i++) a[i] *= scale;
}

/** One power iteration: v (cols) then u (rows), in place. */
export function powerIteration(m: WeightMatrix, w: ArrayLike<number>, u: Float64Array, v: Float64Array): void {
  for (let c = 0; c < m.cols; c++) {
    let acc = 0;
    for (let r = 0; r < m.rows; r++) acc += w[matrixIndex(m, r, c)] * u[r];
    v[c] = acc;
  }
  normalizeInPlace(v);
  for (let r = 0; r < m.rows; r++) {
    let acc = 0;
    for (let c = 0; c < m.cols; c++) acc += w[matrixIndex(m, r, c)] * v[c];
    u[r] = acc;
  }
  normalizeInPlace(u);
}

/** σ = uᵀ W v (without the gain) and g · W / σ, in W's storage order. */
export function normalizedWeight(m: WeightMatrix, w: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, gain: number): { weight: Float64Array; sigma: number } {
  let sigma = 0;
  for (let r = 0; r < m.rows; r++) {
    let wv = 0;
    for (let c = 0; c < m.cols; c++) wv += w[matrixIndex(m, r, c)] * v[c];
    sigma += u[r] * wv;
  }
  const weight = Float64Array.from({ length: m.rows * m.cols }, (_, i) => (gain * w[i]) / sigma);
  return { weight, sigma };
}

/** ∂L/∂W from ∂L/∂W_sn (both in W's storage order), through W_sn = g · W / σ(W). */
export function spectralNormBackward(
  m: WeightMatrix,
  dwSn: ArrayLike<number>,
  wSn: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  sigma: number,
  gain: number,
): Float64Array {
  let dot = 0;
  for (let i = 0; i < m.rows * m.cols; i++) dot += dwSn[i] * wSn[i];
  const along = dot / gain;
  const dw = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const k = matrixIndex(m, r, c);
      dw[k] = (gain * (dwSn[k] - along * u[r] * v[c])) / sigma;
    }
  }
  return dw;
}
