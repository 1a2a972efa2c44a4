// CPU reference (float64) for linear.wgsl. Layouts as in the kernel:
// x (B, K), w (N, K), bias (N), y (B, N), dy (B, N).
import type { ActivationName } from '../../shaders/constants.js';
import { activate, activationGradFromOutput, type Vec } from './activation.reference.js';

export interface LinearShape {
  batch: number;
  inFeatures: number;
  outFeatures: number;
}

export function linearForward(s: LinearShape, x: Vec, w: Vec, bias: Vec, act: ActivationName, slope: number): Vec {
  const { batch: B, inFeatures: K, outFeatures: N } = s;
  const y = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      let sum = bias[n];
      for (let k = 0; k < K; k++) sum += x[b * K + k] * w[n * K + k];
      y[b * N + n] = activate(act, sum, slope);
    }
  }
  return y;
}

/** dz = dy ⊙ act'(y): the gradient at the pre-activation. */
export function linearPreactivationGrad(y: Vec, dy: Vec, act: ActivationName, slope: number): Vec {
  return dy.map((g, i) => g * activationGradFromOutput(act, y[i], slope));
}

// dx (B, K) = dz (B, N) · w (N, K)
export function linearBackwardInput(s: LinearShape, dz: Vec, w: Vec): Vec {
  const { batch: B, inFeatures: K, outFeatures: N } = s;
  const dx = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const g = dz[b * N + n];
      for (let k = 0; k < K; k++) dx[b * K + k] += g * w[n * K + k];
    }
  }
  return dx;
}

// dw (N, K) = dzᵀ (N, B) · x (B, K)
export function linearBackwardWeight(s: LinearShape, dz: Vec, x: Vec): Vec {
  const { batch: B, inFeatures: K, outFeatures: N } = s;
  const dw = new Float64Array(N * K);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const g = dz[b * N + n];
      for (let k = 0; k < K; k++) dw[n * K + k] += g * x[b * K + k];
    }
  }
  return dw;
}

// dbias (N) = Σ_b dz[b, :]
export function linearBackwardBias(s: LinearShape, dz: Vec): Vec {
  const { batch: B, outFeatures: N } = s;
  const db = new Float64Array(N);
  for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) db[n] += dz[b * N + n];
  return db;
}
