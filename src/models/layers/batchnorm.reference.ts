// CPU reference (float64) for batchnorm.wgsl: PyTorch's BatchNorm1d / 2d with
// an activation fused after it. Layout (N, C, L) as in the kernel: x, y, dy,
// dz, dx are (N, C, L) with L = H·W (1 for BatchNorm1d); per-channel vectors
// are (C). Two-pass statistics (mean, then Σ (x − mean)²), in float64.
import type { ActivationName } from '../../shaders/constants.js';
import { activate, activationBackwardInput, type Vec } from './activation.reference.js';

export interface BatchNormShape {
  batch: number;
  channels: number;
  /** H·W for BatchNorm2d, 1 for BatchNorm1d. */
  spatial: number;
}

export interface BatchNormOptions {
  eps: number;
  momentum: number;
  act: ActivationName;
  slope: number;
}

export interface BatchNormForwardResult {
  y: Vec;
  /** Batch mean per channel, saved for the backward. */
  mean: Vec;
  /** 1 / √(biased variance + eps) per channel, saved for the backward. */
  invstd: Vec;
  runningMean: Vec;
  runningVar: Vec;
}

/** Calls f(i) for the flat index i of every value of channel c. */
function forChannel(s: BatchNormShape, c: number, f: (i: number) => void): void {
  const { batch: N, channels: C, spatial: L } = s;
  for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) f((n * C + c) * L + l);
}

/**
 * Training-mode forward: batch statistics, running statistics updated with
 * the unbiased variance. With one value per channel (N·L = 1) the unbiased
 * variance is taken as 0, as in the kernel (PyTorch raises instead).
 */
export function batchnormForward(
  s: BatchNormShape,
  x: Vec,
  gamma: Vec,
  beta: Vec,
  runningMean: Vec,
  runningVar: Vec,
  o: BatchNormOptions,
): BatchNormForwardResult {
  const { channels: C } = s;
  const M = s.batch * s.spatial;
  const y = new Float64Array(x.length);
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  const rm = new Float64Array(C);
  const rv = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let sum = 0;
    forChannel(s, c, (i) => (sum += x[i]));
    const mu = sum / M;
    let m2 = 0;
    forChannel(s, c, (i) => (m2 += (x[i] - mu) ** 2));
    const inv = 1 / Math.sqrt(m2 / M + o.eps);
    forChannel(s, c, (i) => (y[i] = activate(o.act, gamma[c] * (x[i] - mu) * inv + beta[c], o.slope)));
    mean[c] = mu;
    invstd[c] = inv;
    rm[c] = (1 - o.momentum) * runningMean[c] + o.momentum * mu;
    rv[c] = (1 - o.momentum) * runningVar[c] + o.momentum * (m2 / Math.max(M - 1, 1));
  }
  return { y, mean, invstd, runningMean: rm, runningVar: rv };
}

/** Eval-mode forward: normalizes with the running statistics. */
export function batchnormForwardEval(
  s: BatchNormShape,
  x: Vec,
  gamma: Vec,
  beta: Vec,
  runningMean: Vec,
  runningVar: Vec,
  o: Pick<BatchNormOptions, 'eps' | 'act' | 'slope'>,
): Vec {
  const y = new Float64Array(x.length);
  for (let c = 0; c < s.channels; c++) {
    const inv = 1 / Math.sqrt(runningVar[c] + o.eps);
    forChannel(s, c, (i) => (y[i] = activate(o.act, gamma[c] * (x[i] - runningMean[c]) * inv + beta[c], o.slope)));
  }
  return y;
}

/** dz = dy ⊙ act'(y): the gradient at the normalization's output, from the saved y. */
export function batchnormPreactivationGrad(y: Vec, dy: Vec, act: ActivationName, slope: number): Vec {
  return activationBackwardInput(act, y, dy, slope);
}

/**
 * Training-mode dx through the batch statistics:
 * dx = γ · invstd · (dz − mean(dz) − x̂ · mean(dz · x̂)), x̂ = (x − mean) · invstd.
 */
export function batchnormBackwardInput(s: BatchNormShape, x: Vec, mean: Vec, invstd: Vec, gamma: Vec, dz: Vec): Vec {
  const M = s.batch * s.spatial;
  const dx = new Float64Array(x.length);
  for (let c = 0; c < s.channels; c++) {
    const xhat = (i: number) => (x[i] - mean[c]) * invstd[c];
    let sumDz = 0;
    let sumDzXhat = 0;
    forChannel(s, c, (i) => {
      sumDz += dz[i];
      sumDzXhat += dz[i] * xhat(i);
    });
    forChannel(s, c, (i) => (dx[i] = gamma[c] * invstd[c] * (dz[i] - sumDz / M - xhat(i) * (sumDzXhat / M))));
  }
  return dx;
}

/** dγ = Σ dz · x̂ and dβ = Σ dz per channel. */
export function batchnormBackwardWeight(
  s: BatchNormShape,
  x: Vec,
  mean: Vec,
  invstd: Vec,
  dz: Vec,
): { dgamma: Vec; dbeta: Vec } {
  const dgamma = new Float64Array(s.channels);
  const dbeta = new Float64Array(s.channels);
  for (let c = 0; c < s.channels; c++) {
    forChannel(s, c, (i) => {
      dgamma[c] += dz[i] * (x[i] - mean[c]) * invstd[c];
      dbeta[c] += dz[i];
    });
  }
  return { dgamma, dbeta };
}
