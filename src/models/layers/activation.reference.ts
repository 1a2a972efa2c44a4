// CPU reference (float64) for activation.wgsl and the activations fused into linear.wgsl.
import type { ActivationName } from '../../shaders/constants.js';

export type Vec = Float64Array;

export function activate(act: ActivationName, v: number, slope: number): number {
  switch (act) {
    case 'relu': return Math.max(v, 0);
    case 'leakyRelu': return v > 0 ? v : slope * v;
    case 'elu': return v > 0 ? v : slope * Math.expm1(v);
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'none': return v;
  }
}

/** d act(x) / dx written in terms of the output y = act(x), as the kernels compute it. */
export function activationGradFromOutput(act: ActivationName, y: number, slope: number): number {
  switch (act) {
    case 'relu': return y > 0 ? 1 : 0;
    case 'leakyRelu': return y > 0 ? 1 : slope;
    case 'elu': return y > 0 ? 1 : y + slope;
    case 'tanh': return 1 - y * y;
    case 'sigmoid': return y * (1 - y);
    case 'none': return 1;
  }
}

/** d² act(x) / dx² in terms of the output y (a gradient penalty's double backward); 0 where act is piecewise linear. */
export function activationSecondFromOutput(act: ActivationName, y: number, slope: number): number {
  switch (act) {
    case 'elu': return y > 0 ? 0 : y + slope;
    case 'tanh': return -2 * y * (1 - y * y);
    case 'sigmoid': return y * (1 - y) * (1 - 2 * y);
    default: return 0;
  }
}

// x, y, dy, dx: (count)
export function activationForward(act: ActivationName, x: Vec, slope: number): Vec {
  return x.map((v) => activate(act, v, slope));
}

export function activationBackwardInput(act: ActivationName, y: Vec, dy: Vec, slope: number): Vec {
  return dy.map((g, i) => g * activationGradFromOutput(act, y[i], slope));
}
