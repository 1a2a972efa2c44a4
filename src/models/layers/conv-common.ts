// What Conv2d and ConvTranspose2d share: their options, geometry, checks,
// the kernels' uniforms and the encoders, which differ only in the kernel
// family, the entry-point names and the geometry (square kernel, the same
// stride and padding both ways, NCHW, PyTorch's weight orders).
import { floatRange } from '../../runtime/buffers.js';
import type { KernelFamily } from '../../runtime/kernel.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import { CONV_NARROW } from '../../shaders/index.js';
import { checkPositive } from './linear.js';
import {
  imageShape,
  LayerConfigError,
  maybeParam,
  param,
  showShape,
  type BackwardPass,
  type ComputeBuild,
  type ForwardPass,
  type JsonLayerForm,
  type KernelRef,
  type LayerReference,
  type SampleShape,
  type Stage,
  referenceWeight,
  weightBinding,
} from './layer.js';
import type { ActivationName } from '../../shaders/constants.js';
import { SPECTRAL_NORM_JSON_FIELD, type SpectralNormOption, type SpectralNormOptions } from './spectral-norm.js';

export interface ConvLayerOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
  /** Compute with W / σ(W) (spectral-norm.ts), as torch.nn.utils.spectral_norm; { gain: g }: with g·W / σ(W). */
  spectralNorm?: SpectralNormOption;
}

/** The spec both conv kinds share; `type` tells them apart. */
export interface ConvLayerFields {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
  spectralNorm?: true | SpectralNormOptions;
}

export interface ConvGeometry {
  inChannels: number;
  outChannels: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  kernel: number;
  stride: number;
  padding: number;
}

/** The JSON fields of both conv kinds (layer.ts JsonLayerForm). */
export const CONV_JSON_FIELDS: JsonLayerForm['fields'] = [
  ['inChannels', true, 'number'],
  ['outChannels', true, 'number'],
  ['kernel', true, 'number'],
  ['stride', false, 'number'],
  ['padding', false, 'number'],
  ['bias', false, 'boolean'],
  SPECTRAL_NORM_JSON_FIELD,
];
export const convJsonOptions = (f: Record<string, unknown>): ConvLayerOptions => ({
  stride: f.stride as number | undefined,
  padding: f.padding as number | undefined,
  bias: f.bias as boolean | undefined,
  spectralNorm: f.spectralNorm as SpectralNormOption | undefined,
});

/** The CPU references' shape record. */
export const referenceShape = (g: ConvGeometry, batch: number) => ({
  batch,
  inChannels: g.inChannels,
  outChannels: g.outChannels,
  inHeight: g.inHeight,
  inWidth: g.inWidth,
  kernelHeight: g.kernel,
  kernelWidth: g.kernel,
  stride: g.stride,
  padding: g.padding,
});

type Vec = Float64Array;
type ConvShape = ReturnType<typeof referenceShape>;

/** A conv kind's float64 functions (conv2d.reference.ts, conv-transpose2d.reference.ts). */
export interface ConvReferenceFns {
  forward(s: ConvShape, x: Vec, w: Vec, bias: Vec | null, act: ActivationName, slope: number): Vec;
  preactivationGrad(y: Vec, dy: Vec, act: ActivationName, slope: number): Vec;
  backwardInput(s: ConvShape, dz: Vec, w: Vec): Vec;
  backwardWeight(s: ConvShape, dz: Vec, x: Vec): Vec;
  backwardBias(s: ConvShape, dz: Vec): Vec;
}

/** The LayerReference of a conv kind from its float64 functions: both kinds read their tensors alike. */
export function convReference(f: ConvReferenceFns): LayerReference<ConvGeometry> {
  return {
    forward(s, x, io) {
      const b = maybeParam(s, 'bias');
      const bias = b ? io.net.params.subarray(b.offset, b.offset + b.size) : null;
      return f.forward(referenceShape(s.geometry, io.batch), x, referenceWeight(s, io), bias, s.activation, s.slope);
    },
    backward(s, x, y, dy, grads, io) {
      const shape = referenceShape(s.geometry, io.batch);
      const b = maybeParam(s, 'bias');
      const dz = f.preactivationGrad(y, dy, s.activation, s.slope);
      if (grads) {
        grads.set(f.backwardWeight(shape, dz, x), param(s, 'weight').offset);
        if (b) grads.set(f.backwardBias(shape, dz), b.offset);
      }
      return f.backwardInput(shape, dz, referenceWeight(s, io));
    },
  };
}

/** PyTorch text of the options: "1, 64, 4, stride=2, padding=1" (kept stable: checkpoints compare descriptions). */
export const describeConv = (l: ConvLayerFields): string =>
  `${l.inChannels}, ${l.outChannels}, ${l.kernel}, stride=${l.stride}, padding=${l.padding}${l.bias ? '' : ', bias=False'}`;

/**
 * Checks a conv layer against its input image and gives its geometry, output
 * and tensors. `transposed` selects ConvTranspose2d's output size and weight
 * order (in, out, k, k) and fan-in (PyTorch takes it from dim 1: out·k²).
 */
export function buildConv(l: ConvLayerFields, input: SampleShape, where: string, transposed: boolean): ComputeBuild<ConvGeometry> {
  const kind = transposed ? 'ConvTranspose2d' : 'Conv2d';
  const desc = `${where} (${kind} ${l.inChannels}→${l.outChannels}, k${l.kernel} s${l.stride} p${l.padding})`;
  checkPositive(desc, [['inChannels', l.inChannels], ['outChannels', l.outChannels], ['kernel', l.kernel], ['stride', l.stride]]);
  checkPositive(desc, [['padding', l.padding]], 0);
  if (!input.image) {
    throw new LayerConfigError(`${desc}: expects an image (C, H, W) but gets ${showShape(input)}; add Unflatten(C, H, W) before it or give an inputShape`);
  }
  const [C, H, W] = input.image;
  if (C !== l.inChannels) throw new LayerConfigError(`${desc}: expects ${l.inChannels} input channels but gets ${showShape(input)}`);
  const { kernel: k, stride: s, padding: p } = l;
  const size = (n: number) => (transposed ? (n - 1) * s - 2 * p + k : Math.floor((n + 2 * p - k) / s) + 1);
  const outHeight = size(H);
  const outWidth = size(W);
  if (outHeight < 1 || outWidth < 1) throw new LayerConfigError(`${desc}: input ${showShape(input)} gives an empty output ${outHeight}×${outWidth}`);
  if (transposed && p >= k) throw new LayerConfigError(`${desc}: padding must be < kernel`);
  return {
    geometry: { inChannels: C, outChannels: l.outChannels, inHeight: H, inWidth: W, outHeight, outWidth, kernel: k, stride: s, padding: p },
    output: imageShape(l.outChannels, outHeight, outWidth),
    params: [
      { name: 'weight', shape: transposed ? [l.inChannels, l.outChannels, k, k] : [l.outChannels, l.inChannels, k, k], init: 'fan-in-uniform' },
      ...(l.bias ? [{ name: 'bias', shape: [l.outChannels], init: 'fan-in-uniform' as const }] : []),
    ],
    fanIn: (transposed ? l.outChannels : l.inChannels) * k * k,
    fusesActivation: true,
  };
}

/** Multiply-adds per row: every product visits each (output position, input channel, tap) term once. */
export function convMacs(g: ConvGeometry, transposed: boolean) {
  const terms = (transposed ? g.inHeight * g.inWidth : g.outHeight * g.outWidth) * g.inChannels * g.outChannels * g.kernel * g.kernel;
  return { forward: terms, backwardInput: terms, backwardWeight: terms };
}

/** A conv kind's kernels: its family and the entry point of each pass. */
export interface ConvKernels {
  family: KernelFamily;
  prefix: 'conv2d' | 'conv_transpose2d';
  /** The pass of this kind with the transposed structure, which has a `_narrow` entry for ≤ CONV_NARROW channels. */
  narrowPass: 'forward' | 'backward_input';
}

type ConvPass = 'forward' | 'backward_input' | 'backward_weight' | 'backward_bias';

/** The entry point for a pass; `channels`: the narrow pass's output channels (dx channels, or a convT's outputs). */
function entry(k: ConvKernels, pass: ConvPass, channels: number): string {
  return `${k.prefix}_${pass}${pass === k.narrowPass && channels <= CONV_NARROW ? '_narrow' : ''}`;
}

const overrides = (s: Stage<ConvGeometry>) => ({ ACT: ACTIVATION_CODE[s.activation], HAS_BIAS: maybeParam(s, 'bias') ? 1 : 0 });

function uniforms(s: Stage<ConvGeometry>, batch: number, dxChannels: number, withDxChannels: boolean) {
  const g = s.geometry;
  return {
    batch,
    in_channels: g.inChannels,
    out_channels: g.outChannels,
    in_height: g.inHeight,
    in_width: g.inWidth,
    out_height: g.outHeight,
    out_width: g.outWidth,
    kernel_height: g.kernel,
    kernel_width: g.kernel,
    stride: g.stride,
    padding: g.padding,
    ...(withDxChannels ? { dx_channels: dxChannels } : {}),
    slope: s.slope,
  };
}

/** The GPU side of a conv kind. `dxChannels` only reaches conv2d's kernels (its uniform). */
export function convGpu(k: ConvKernels, withDxChannels: boolean) {
  const narrowChannels = (s: Stage<ConvGeometry>, pass: ConvPass, dxChannels: number) =>
    pass === 'forward' ? s.geometry.outChannels : pass === 'backward_input' ? dxChannels : Infinity;
  const kernelFor = (s: Stage<ConvGeometry>, pass: ConvPass, dxChannels: number): KernelRef => ({
    family: k.family,
    entry: entry(k, pass, narrowChannels(s, pass, dxChannels)),
    overrides: overrides(s),
  });
  return {
    kernels(s: Stage<ConvGeometry>, dxChannels: number): KernelRef[] {
      const passes: ConvPass[] = ['forward', 'backward_input', 'backward_weight', ...(maybeParam(s, 'bias') ? (['backward_bias'] as const) : [])];
      return passes.map((p) => kernelFor(s, p, dxChannels));
    },
    async forward({ seq, kernels, net, stage, batch, x, y, label }: ForwardPass<ConvGeometry>): Promise<void> {
      const ref = kernelFor(stage, 'forward', stage.geometry.inChannels);
      const u = uniforms(stage, batch, stage.geometry.inChannels, withDxChannels);
      const kernel = await kernels.kernelFor(ref.family, ref.entry, u, ref.overrides); // the variant tuned for this shape
      const w = param(stage, 'weight');
      const b = maybeParam(stage, 'bias');
      const bias = b ? floatRange(net.params, b.offset, b.size) : net.zeros;
      seq.add(kernel, kernel.pick({ x, w: weightBinding(net, stage), bias, y }), u, label);
    },
    async backward({ seq, kernels, net, stage, batch, x, y, dy, dx, dxChannels, weightGrads, label }: BackwardPass<ConvGeometry>): Promise<void> {
      const u = uniforms(stage, batch, dxChannels, withDxChannels);
      const w = param(stage, 'weight');
      const b = maybeParam(stage, 'bias');
      const run = async (pass: ConvPass, buffers: Record<string, GPUBuffer | GPUBufferBinding>) => {
        const ref = kernelFor(stage, pass, dxChannels);
        const kernel = await kernels.kernelFor(ref.family, ref.entry, u, ref.overrides);
        seq.add(kernel, kernel.pick(buffers), u, `${label}.${pass}`);
      };
      // dz = dy ⊙ act'(y) is formed as the kernels load dy (y_saved), so dy is left as it was.
      if (weightGrads) {
        await run('backward_weight', { x, y_saved: y, dy, dw: floatRange(net.grads, w.offset, w.size) });
        if (b) await run('backward_bias', { y_saved: y, dy, dbias: floatRange(net.grads, b.offset, b.size) });
      }
      if (dx) await run('backward_input', { w: weightBinding(net, stage), y_saved: y, dy, dx });
    },
  };
}
