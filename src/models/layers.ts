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

export interface ConvLayerOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

/** nn.Conv2d (square kernel, same stride/padding both ways): weight (outC, inC, k, k). */
export interface Conv2dLayer {
  type: 'conv2d';
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
}

/** nn.ConvTranspose2d (no output_padding): weight (inC, outC, k, k). */
export interface ConvTranspose2dLayer {
  type: 'convTranspose2d';
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
}

/**
 * nn.BatchNorm1d / BatchNorm2d in training mode (batch statistics), affine
 * γ/β as parameters "<i>.weight" / "<i>.bias". On a flat (N, C) input it is
 * BatchNorm1d, on an image (N, C, H, W) BatchNorm2d.
 */
export interface BatchNormLayer {
  type: 'batchnorm';
  channels: number;
  eps: number;
  momentum: number;
}

/** nn.Unflatten(1, (C, H, W)): a view, no copy. */
export interface UnflattenLayer {
  type: 'unflatten';
  channels: number;
  height: number;
  width: number;
}

/** nn.Flatten(): a view, no copy. */
export interface FlattenLayer {
  type: 'flatten';
}

export type Layer =
  | LinearLayer
  | ActivationLayer
  | Conv2dLayer
  | ConvTranspose2dLayer
  | BatchNormLayer
  | UnflattenLayer
  | FlattenLayer;

export function Linear(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}): LinearLayer {
  return { type: 'linear', inFeatures, outFeatures, bias: options.bias ?? true };
}
export function Conv2d(inChannels: number, outChannels: number, kernel: number, options: ConvLayerOptions = {}): Conv2dLayer {
  return { type: 'conv2d', inChannels, outChannels, kernel, stride: options.stride ?? 1, padding: options.padding ?? 0, bias: options.bias ?? true };
}
export function ConvTranspose2d(
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: ConvLayerOptions = {},
): ConvTranspose2dLayer {
  return {
    type: 'convTranspose2d',
    inChannels,
    outChannels,
    kernel,
    stride: options.stride ?? 1,
    padding: options.padding ?? 0,
    bias: options.bias ?? true,
  };
}
export function BatchNorm(channels: number, options: { eps?: number; momentum?: number } = {}): BatchNormLayer {
  return { type: 'batchnorm', channels, eps: options.eps ?? 1e-5, momentum: options.momentum ?? 0.1 };
}
export const Unflatten = (channels: number, height: number, width: number): UnflattenLayer => ({ type: 'unflatten', channels, height, width });
export const Flatten = (): FlattenLayer => ({ type: 'flatten' });

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
