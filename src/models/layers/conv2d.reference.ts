// CPU reference (float64) for conv2d.wgsl, written straight from the
// definition (loops over output positions and taps, bounds tested per tap),
// not from the kernels' solved tap ranges. Layouts as in the kernel (NCHW,
// nn.Conv2d's weight order): x (B, C_in, H_in, W_in), w (C_out, C_in, kH, kW),
// bias (C_out), y and dy (B, C_out, H_out, W_out).
import type { ActivationName } from '../../shaders/constants.js';
import { activate, activationGradFromOutput, type Vec } from './activation.reference.js';

export interface Conv2dShape {
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

/** H_out = ⌊(H_in + 2p − kH) / s⌋ + 1, likewise W_out (nn.Conv2d, dilation 1). */
export function conv2dOutputSize(s: Conv2dShape): { outHeight: number; outWidth: number } {
  return {
    outHeight: Math.floor((s.inHeight + 2 * s.padding - s.kernelHeight) / s.stride) + 1,
    outWidth: Math.floor((s.inWidth + 2 * s.padding - s.kernelWidth) / s.stride) + 1,
  };
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every multiply-add of the
 * convolution: x[xIndex] · w[wIndex] contributes to y[yIndex]. Forward and
 * both backward products are this one loop with the roles of the arrays
 * exchanged, so they are transposes of each other by construction.
 */
function forEachTerm(s: Conv2dShape, visit: (xi: number, wi: number, yi: number) => void): void {
  const { batch: B, inChannels: Ci, outChannels: Co, inHeight: H, inWidth: W, kernelHeight: kH, kernelWidth: kW } = s;
  const { outHeight: Ho, outWidth: Wo } = conv2dOutputSize(s);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < Co; o++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const yi = ((b * Co + o) * Ho + oy) * Wo + ox;
          for (let c = 0; c < Ci; c++) {
            for (let ky = 0; ky < kH; ky++) {
              const iy = oy * s.stride - s.padding + ky;
              if (iy < 0 || iy >= H) continue; // zero padding
              for (let kx = 0; kx < kW; kx++) {
                const ix = ox * s.stride - s.padding + kx;
                if (ix < 0 || ix >= W) continue;
                visit(((b * Ci + c) * H + iy) * W + ix, ((o * Ci + c) * kH + ky) * kW + kx, yi);
              }
            }
          }
        }
      }
    }
  }
}

/** y = act(conv(x, w) + bias); bias null for nn.Conv2d(bias=False). */
export function conv2dForward(s: Conv2dShape, x: Vec, w: Vec, bias: Vec | null, act: ActivationName, slope: number): Vec {
  const { outHeight: Ho, outWidth: Wo } = conv2dOutputSize(s);
  const plane = Ho * Wo;
  const y = new Float64Array(s.batch * s.outChannels * plane);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / plane) % s.outChannels];
  forEachTerm(s, (xi, wi, yi) => (y[yi] += x[xi] * w[wi]));
  return y.map((v) => activate(act, v, slope));
}

/** dz = dy ⊙ act'(y): the gradient at the pre-activation. */
export function conv2dPreactivationGrad(y: Vec, dy: Vec, act: ActivationName, slope: number): Vec {
  return dy.map((g, i) => g * activationGradFromOutput(act, y[i], slope));
}

// dx (B, C_in, H_in, W_in): each term's dz scattered back through its weight.
export function conv2dBackwardInput(s: Conv2dShape, dz: Vec, w: Vec): Vec {
  const dx = new Float64Array(s.batch * s.inChannels * s.inHeight * s.inWidth);
  forEachTerm(s, (xi, wi, yi) => (dx[xi] += dz[yi] * w[wi]));
  return dx;
}

// dw (C_out, C_in, kH, kW): each term's dz times the input it read.
export function conv2dBackwardWeight(s: Conv2dShape, dz: Vec, x: Vec): Vec {
  const dw = new Float64Array(s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth);
  forEachTerm(s, (xi, wi, yi) => (dw[wi] += dz[yi] * x[xi]));
  return dw;
}

// dbias (C_out) = Σ_{b, oy, ox} dz[b, o, oy, ox]
export function conv2dBackwardBias(s: Conv2dShape, dz: Vec): Vec {
  const { outHeight: Ho, outWidth: Wo } = conv2dOutputSize(s);
  const plane = Ho * Wo;
  const db = new Float64Array(s.outChannels);
  for (let i = 0; i < dz.length; i++) db[Math.floor(i / plane) % s.outChannels] += dz[i];
  return db;
}
