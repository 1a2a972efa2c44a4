// Central finite differences, for checking the CPU references' backwards.
import type { ActivationName } from '../../src/shaders/constants.js';

/** ∂loss/∂v[i] ≈ (loss(v + h·eᵢ) − loss(v − h·eᵢ)) / 2h for every i, in float64. */
export function numericGradient(loss: (v: Float64Array) => number, at: Float64Array, h = 1e-6): Float64Array {
  return at.map((_, i) => {
    const plus = Float64Array.from(at);
    const minus = Float64Array.from(at);
    plus[i] += h;
    minus[i] -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}

/** Every activation the kernels fuse, with the slope/alpha each test uses. */
export const ACTIVATIONS_WITH_SLOPE: readonly [ActivationName, number][] = [
  ['none', 0],
  ['relu', 0],
  ['leakyRelu', 0.2],
  ['elu', 1],
  ['tanh', 0],
  ['sigmoid', 0],
];
