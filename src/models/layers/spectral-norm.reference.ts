// Float64 reference of spectral normalisation (spectral_norm.wgsl), with W
// read as the (rows, cols) matrix of a WeightMatrix:
//
//   power iteration   v = normalize(Wᵀu), u = normalize(W v)     normalize(a) = a / max(‖a‖, 1e-12)
//   weight            σ = uᵀ W v, W_sn = W / σ
//   backward          dW = (dW_sn − ⟨dW_sn, W_sn⟩ · u vᵀ) / σ   (u and v held constant, as PyTorch does)
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

/** σ = uᵀ W v and W / σ, in W's storage order. */
export function normalizedWeight(m: WeightMatrix, w: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>): { weight: Float64Array; sigma: number } {
  let sigma = 0;
  for (let r = 0; r < m.rows; r++) {
    let wv = 0;
    for (let c = 0; c < m.cols; c++) wv += w[matrixIndex(m, r, c)] * v[c];
    sigma += u[r] * wv;
  }
  const weight = Float64Array.from({ length: m.rows * m.cols }, (_, i) => w[i] / sigma);
  return { weight, sigma };
}

/** ∂L/∂W from ∂L/∂W_sn (both in W's storage order), through W_sn = W / σ(W). */
export function spectralNormBackward(
  m: WeightMatrix,
  dwSn: ArrayLike<number>,
  wSn: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  sigma: number,
): Float64Array {
  let g = 0;
  for (let i = 0; i < m.rows * m.cols; i++) g += dwSn[i] * wSn[i];
  const dw = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const k = matrixIndex(m, r, c);
      dw[k] = (dwSn[k] - g * u[r] * v[c]) / sigma;
    }
  }
  return dw;
}
