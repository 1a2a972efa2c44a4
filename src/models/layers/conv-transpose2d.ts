// ConvTranspose2d: nn.ConvTranspose2d (no output_padding; NCHW, weight
// (in, out, k, k)) on conv_transpose2d.wgsl, the adjoint of Conv2d's
// structure, with the activation after it fused:
//
//   y[b, o, iy·s − p + ky, ix·s − p + kx] += x[b, c, iy, ix] · w[c, o, ky, kx]   (then bias, act)
//   H_out = (H_in − 1)·s − 2p + k
import { convTranspose2dKernels } from '../../shaders/index.js';
import { buildConv, CONV_JSON_FIELDS, convGpu, convJsonOptions, convMacs, convReference, describeConv, type ConvGeometry, type ConvLayerFields, type ConvLayerOptions } from './conv-common.js';
import { spectralNormField } from './spectral-norm.js';
import {
  convTranspose2dBackwardBias,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  convTranspose2dForward,
  convTranspose2dPreactivationGrad,
} from './conv-transpose2d.reference.js';
import { registerLayer } from './layer.js';

declare module './layer.js' {
  interface LayerSpecs {
    convTranspose2d: ConvTranspose2dLayer;
  }
}

export interface ConvTranspose2dLayer extends ConvLayerFields {
  type: 'convTranspose2d';
}

export function ConvTranspose2d(inChannels: number, outChannels: number, kernel: number, options: ConvLayerOptions = {}): ConvTranspose2dLayer {
  return { type: 'convTranspose2d', inChannels, outChannels, kernel, stride: options.stride ?? 1, padding: options.padding ?? 0, bias: options.bias ?? true, ...spectralNormField(options.spectralNorm) };
}

export const convTranspose2dModule = registerLayer<ConvTranspose2dLayer, ConvGeometry>({
  type: 'convTranspose2d',
  json: { ConvTranspose2d: { fields: CONV_JSON_FIELDS, make: (f) => ConvTranspose2d(f.inChannels as number, f.outChannels as number, f.kernel as number, convJsonOptions(f)) } },
  describe: (l) => `ConvTranspose2d(${describeConv(l)})`,
  build: (l, input, where) => buildConv(l, input, where, true),
  // PyTorch normalises ConvTranspose2d's weight (in, out, k, k) along dim 1: the matrix (out, in·k·k).
  bilinear: true,
  weightMatrix: (g) => ({ rows: g.outChannels, cols: g.inChannels * g.kernel * g.kernel, rowStride: g.kernel * g.kernel, block: g.kernel * g.kernel, blockStride: g.outChannels * g.kernel * g.kernel }),
  macs: (s) => convMacs(s.geometry, true),
  gpu: convGpu({ family: convTranspose2dKernels, prefix: 'conv_transpose2d', narrowPass: 'forward' }, false),
  reference: convReference({
    forward: convTranspose2dForward,
    preactivationGrad: convTranspose2dPreactivationGrad,
    backwardInput: convTranspose2dBackwardInput,
    backwardWeight: convTranspose2dBackwardWeight,
    backwardBias: convTranspose2dBackwardBias,
  }),
});
