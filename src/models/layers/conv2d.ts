// Conv2d: nn.Conv2d (cross-correlation, NCHW, weight (out, in, k, k)) on
// conv2d.wgsl as implicit GEMMs, with the activation after it fused:
//
//   y[b, o, oy, ox] = act(bias[o] + Σ_{c, ky, kx} x[b, c, oy·s − p + ky, ox·s − p + kx] · w[o, c, ky, kx])
//   dz = dy ⊙ act'(y) (on load);  dx, dw, dbias: the adjoint sums (conv2d.wgsl)
//
// The backward can compute dx for the leading channels only (a conditional
// D's image, not its label planes: the kernel's dx_channels).
import { conv2dKernels } from '../../shaders/index.js';
import { buildConv, CONV_JSON_FIELDS, convGpu, convJsonOptions, convMacs, convReference, describeConv, type ConvGeometry, type ConvLayerFields, type ConvLayerOptions } from './conv-common.js';
import { spectralNormField } from './spectral-norm.js';
import { conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight, conv2dForward, conv2dPreactivationGrad } from './conv2d.reference.js';
import { registerLayer } from './layer.js';

declare module './layer.js' {
  interface LayerSpecs {
    conv2d: Conv2dLayer;
  }
}

export interface Conv2dLayer extends ConvLayerFields {
  type: 'conv2d';
}

export function Conv2d(inChannels: number, outChannels: number, kernel: number, options: ConvLayerOptions = {}): Conv2dLayer {
  return { type: 'conv2d', inChannels, outChannels, kernel, stride: options.stride ?? 1, padding: options.padding ?? 0, bias: options.bias ?? true, ...spectralNormField(options.spectralNorm) };
}

export const conv2dModule = registerLayer<Conv2dLayer, ConvGeometry>({
  type: 'conv2d',
  json: { Conv2d: { fields: CONV_JSON_FIELDS, make: (f) => Conv2d(f.inChannels as number, f.outChannels as number, f.kernel as number, convJsonOptions(f)) } },
  describe: (l) => `Conv2d(${describeConv(l)})`,
  build: (l, input, where) => buildConv(l, input, where, false),
  partialInputGrad: true,
  bilinear: true,
  weightMatrix: (g) => ({ rows: g.outChannels, cols: g.inChannels * g.kernel * g.kernel, rowStride: g.inChannels * g.kernel * g.kernel, block: 1, blockStride: 1 }),
  macs: (s) => convMacs(s.geometry, false),
  gpu: convGpu({ family: conv2dKernels, prefix: 'conv2d', narrowPass: 'backward_input' }, true),
  reference: convReference({
    forward: conv2dForward,
    preactivationGrad: conv2dPreactivationGrad,
    backwardInput: conv2dBackwardInput,
    backwardWeight: conv2dBackwardWeight,
    backwardBias: conv2dBackwardBias,
  }),
});
