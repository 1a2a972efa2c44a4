// Layer specs: plain data, so that a net can be described, validated, saved
// and rebuilt without touching the GPU.
import type { ActivationName } from '../shaders/activation-codes.js';

export interface LinearLayer {
  type: 'linear';
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

export interface ActivationLayer {
  type: 'activation';
  activation: Exclude<ActivationName, 'none'>;
  /** LeakyReLU negative slope or ELU alpha; 0 for the others. */
  slope: number;
}

export type Layer = LinearLayer | ActivationLayer;

export function Linear(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}): LinearLayer {
  return { type: 'linear', inFeatures, outFeatures, bias: options.bias ?? true };
}
export const ReLU = (): ActivationLayer => ({ type: 'activation', activation: 'relu', slope: 0 });
export const LeakyReLU = (negativeSlope = 0.01): ActivationLayer => ({
  type: 'activation',
  activation: 'leakyRelu',
  slope: negativeSlope,
});
export const ELU = (alpha = 1): ActivationLayer => ({ type: 'activation', activation: 'elu', slope: alpha });
export const Tanh = (): ActivationLayer => ({ type: 'activation', activation: 'tanh', slope: 0 });
export const Sigmoid = (): ActivationLayer => ({ type: 'activation', activation: 'sigmoid', slope: 0 });

export const ACTIVATIONS = ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid'] as const;
