// CPU reference (float64) for conv_transpose2d.wgsl, written straight from
// nn.ConvTranspose2d's definition (every input value scattered through every
// tap, outputs outside the image dropped), independently of conv2d.ts so that
// the adjoint identity between the two is a real check. Layouts as in the
// kernel (NCHW, nn.ConvTranspose2d's weight order): x (B, C_in, H_in, W_in),
// w (C_in, C_out, kH, kW), bias (C_out), y and dy (B, C_out, H_out, W_out).
import type { ActivationName } from '../../shaders/constants.js';
import { activate, activationGradFromOutput, type Vec } from './activation.reference.js';

/** Same fields as Conv2dShape; in/out are this layer's own input and output. */
export interface ConvTranspose2dShape {
  batch: number;
  inChannels: number;
  outChannels: number;
  inHeight: number;
  inWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  padding: number;
}

/** H_out = (H_in − 1)·s − 2p + kH, likewise W_out (no output_padding, dilation 1). */
export function convTranspose2dOutputSize(s: ConvTranspose2dShape): { outHeight: number; outWidth: number } {
  return {
    outHeight: (s.inHeight - 1) * s.stride - 2 * s.padding + s.kernelHeight,
    outWidth: (s.inWidth - 1) * s.stride - 2 * s.padding + s.kernelWidth,
  };
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every multiply-add of the layer:
 * x[xIndex] · w[wIndex] contributes to y[yIndex]. Forward and both backward
 * products are this one loop with the roles of the arrays exchanged.
 */
function forEachTerm(s: ConvTranspose2dShape, visit: (xi: number, wi: number, yi: number) => void): void {
  const { batch: B, inChannels: Ci, outChannels: Co, inHeight: H, inWidth: W, kernelHeight: kH, kernelWidth: kW } = s;
  const { outHeight: Ho, outWidth: Wo } = convTranspose2dOutputSize(s);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < Ci; c++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          const xi = ((b * Ci + c) * H + iy) * W + ix;
          for (let o = 0; o < Co; o++) {
            for (let ky = 0; ky < kH; ky++) {
              const oy = iy * s.stride - s.padding + ky;
              if (oy < 0 || oy >= Ho) continue; // cropped by the padding
              for (let kx = 0; kx < kW; kx++) {
                const ox = ix * s.stride - s.padding + kx;
                if (ox < 0 || ox >= Wo) continue;
                visit(xi, ((c * Co + o) * kH + ky) * kW + kx, ((b * Co + o) * Ho + oy) * Wo + ox);
              }
            }
          }
        }
      }
    }
  }
}

/** y = act(convT(x, w) + bias); bias null for bias=False. */
export function convTranspose2dForward(
  s: ConvTranspose2dShape,
  x: Vec,
  w: Vec,
  bias: Vec | null,
  act: ActivationName,
  slope: number,
): Vec {
  const { outHeight: Ho, outWidth: Wo } = convTranspose2dOutputSize(s);
  const plane = Ho * Wo;
  const y = new Float64Array(s.batch * s.outChannels * plane);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / plane) % s.outChannels];
  forEachTerm(s, (xi, wi, yi) => (y[yi] += x[xi] * w[wi]));
  return y.map((v) => activate(act, v, slope));
}

/** dz = dy ⊙ act'(y): the gradient at the pre-activation. */
export function convTranspose2dPreactivationGrad(y: Vec, dy: Vec, act: ActivationName, slope: number): Vec {
  return dy.map((g, i) => g * activationGradFromOutput(act, y[i], slope));
}

// dx (B, C_in, H_in, W_in): each term's dz gathered back through its weight.
export function convTranspose2dBackwardInput(s: ConvTranspose2dShape, dz: Vec, w: Vec): Vec {
  const dx = new Float64Array(s.batch * s.inChannels * s.inHeight * s.inWidth);
  forEachTerm(s, (xi, wi, yi) => (dx[xi] += dz[yi] * w[wi]));
  return dx;
}

// dw (C_in, C_out, kH, kW): each term's dz times the input that wrote it.
export function convTranspose2dBackwardWeight(s: ConvTranspose2dShape, dz: Vec, x: Vec): Vec {
  const dw = new Float64Array(s.inChannels * s.outChannels * s.kernelHeight * s.kernelWidth);
  forEachTerm(s, (xi, wi, yi) => (dw[wi] += dz[yi] * x[xi]));
  return dw;
}

// dbias (C_out) = Σ_{b, oy, ox} dz[b, o, oy, ox]
export function convTranspose2dBackwardBias(s: ConvTranspose2dShape, dz: Vec): Vec {
  const { outHeight: Ho, outWidth: Wo } = convTranspose2dOutputSize(s);
  const plane = Ho * Wo;
  const db = new Float64Array(s.outChannels);
  for (let i = 0; i < dz.length; i++) db[Math.floor(i / plane) % s.outChannels] += dz[i];
  return db;
}
