// conv_transpose2d.wgsl against its float64 CPU reference, that reference
// against finite differences, and the adjoint identity
//   ⟨convT(x; w), y⟩ = ⟨x, conv(y; w)⟩
// for the CPU references (written independently) and for the GPU kernels.
// Geometries: batch 1 and 3, 5 input channels, 13×11 (non-square) inputs,
// stride 1 and 2, padding 0 and 1, kernels 3, 4 and 5, with and without bias,
// every fused activation once; shapes at the edges of the kernels' tiles and
// stride phases (one output channel among them); then DCGAN's first generator
// convolution at batch 2 and 4.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { ACTIVATIONS_WITH_SLOPE, numericGradient } from '../../../test/support/gradcheck.js';
import {
  convTranspose2dBackwardBias,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  convTranspose2dForward,
  convTranspose2dOutputSize,
  convTranspose2dPreactivationGrad,
  type ConvTranspose2dShape,
} from './conv-transpose2d.reference.js';
import { conv2dForward, conv2dOutputSize, type Conv2dShape } from './conv2d.reference.js';
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';

interface Case {
  shape: ConvTranspose2dShape;
  act: ActivationName;
  slope: number;
  bias: boolean;
}

// Weight (C_in, C_out, kH, kW), as nn.ConvTranspose2d.
const shape = (
  [batch, inChannels, inHeight, inWidth]: number[],
  [outChannels, kernelHeight, kernelWidth]: number[],
  stride: number,
  padding: number,
): ConvTranspose2dShape => ({ batch, inChannels, outChannels, inHeight, inWidth, kernelHeight, kernelWidth, stride, padding });

const CASES: Case[] = [
  { shape: shape([1, 5, 13, 11], [4, 3, 3], 1, 0), act: 'none', slope: 0, bias: true },
  { shape: shape([3, 5, 13, 11], [4, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: true },
  { shape: shape([3, 5, 13, 11], [6, 5, 5], 2, 0), act: 'tanh', slope: 0, bias: false },
  { shape: shape([1, 5, 13, 11], [4, 5, 5], 1, 1), act: 'elu', slope: 1, bias: true },
  { shape: shape([3, 5, 13, 11], [4, 3, 3], 2, 1), act: 'sigmoid', slope: 0, bias: true },
  { shape: shape([3, 5, 13, 11], [5, 4, 4], 1, 0), act: 'relu', slope: 0, bias: true },
];

// f32 sums of at most ~450 products of values ≤ 2 in magnitude (dw sums
// B·H_in·W_in terms): the reference is float64 on the same f32-rounded inputs.
const TOL = { atol: 1e-4, rtol: 1e-4 };

/** The Params struct of either family (same members): the shape plus its output size. */
function uniformsOf(s: ConvTranspose2dShape | Conv2dShape, outHeight: number, outWidth: number, slope: number): Record<string, number> {
  return {
    batch: s.batch,
    in_channels: s.inChannels,
    out_channels: s.outChannels,
    in_height: s.inHeight,
    in_width: s.inWidth,
    out_height: outHeight,
    out_width: outWidth,
    kernel_height: s.kernelHeight,
    kernel_width: s.kernelWidth,
    stride: s.stride,
    padding: s.padding,
    slope,
  };
}

function convTranspose2dUniforms(s: ConvTranspose2dShape, slope: number): Record<string, number> {
  const { outHeight, outWidth } = convTranspose2dOutputSize(s);
  return uniformsOf(s, outHeight, outWidth, slope);
}

/** The convolution whose adjoint this layer is: same weight array, input and output swapped. */
function adjointConv(s: ConvTranspose2dShape): Conv2dShape {
  const { outHeight, outWidth } = convTranspose2dOutputSize(s);
  return { ...s, inChannels: s.outChannels, outChannels: s.inChannels, inHeight: outHeight, inWidth: outWidth };
}

const geometryOf = (s: ConvTranspose2dShape): string =>
  `input=${s.batch}x${s.inChannels}x${s.inHeight}x${s.inWidth},` +
  `f=${s.inChannels}x${s.outChannels}x${s.kernelHeight}x${s.kernelWidth},s=${s.stride},p=${s.padding}`;

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};
const absDot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] * b[i]);
  return sum;
};

/** All four entry points on random data, each checked against the reference. */
async function checkAgainstReference(gpu: GpuPage, c: Case, seed: number, what: string): Promise<void> {
  const s = c.shape;
  const { outHeight, outWidth } = convTranspose2dOutputSize(s);
  const xCount = s.batch * s.inChannels * s.inHeight * s.inWidth;
  const yCount = s.batch * s.outChannels * outHeight * outWidth;
  const wCount = s.inChannels * s.outChannels * s.kernelHeight * s.kernelWidth;
  const x = f32(randomArray(xCount, seed, -2, 2));
  const w = f32(randomArray(wCount, seed + 1, -0.5, 0.5));
  const bias = f32(randomArray(s.outChannels, seed + 2, -0.5, 0.5));
  const dy = f32(randomArray(yCount, seed + 3));
  const uniforms = convTranspose2dUniforms(s, c.slope);
  const overrides = { ACT: ACTIVATION_CODE[c.act], HAS_BIAS: c.bias ? 1 : 0 };
  const family = 'conv_transpose2d';

  const yRef = convTranspose2dForward(s, x, w, c.bias ? bias : null, c.act, c.slope);
  const fwd = await gpu.runKernel({
    family, entry: 'conv_transpose2d_forward', overrides, uniforms,
    inputs: { x: [...x], w: [...w], bias: c.bias ? [...bias] : [0] }, outputs: { y: yCount },
  });
  expectClose(fwd.y, yRef, TOL, `y (${what})`);

  // Backward from the GPU's own y, so act'(y) sees the same saved output.
  const ySaved = f32(fwd.y);
  const dz = convTranspose2dPreactivationGrad(ySaved, dy, c.act, c.slope);
  const common = { y_saved: [...ySaved], dy: [...dy] };
  const dx = await gpu.runKernel({
    family, entry: 'conv_transpose2d_backward_input', overrides, uniforms,
    inputs: { ...common, w: [...w] }, outputs: { dx: xCount },
  });
  expectClose(dx.dx, convTranspose2dBackwardInput(s, dz, w), TOL, `dx (${what})`);
  const dw = await gpu.runKernel({
    family, entry: 'conv_transpose2d_backward_weight', overrides, uniforms,
    inputs: { ...common, x: [...x] }, outputs: { dw: wCount },
  });
  expectClose(dw.dw, convTranspose2dBackwardWeight(s, dz, x), TOL, `dw (${what})`);
  const db = await gpu.runKernel({
    family, entry: 'conv_transpose2d_backward_bias', overrides, uniforms,
    inputs: common, outputs: { dbias: s.outChannels },
  });
  expectClose(db.dbias, convTranspose2dBackwardBias(s, dz), TOL, `dbias (${what})`);
}

CASES.forEach((c, n) => {
  const what = `${geometryOf(c.shape)},act=${c.act},bias=${c.bias}`;
  test(`conv_transpose2d forward and backward match the CPU reference: ${what}`, async ({ gpu }) => {
    await checkAgainstReference(gpu, c, 100 * n + 13, what);
  });
});

// DCGAN's generator, 7×7 → 14×14: nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False) (batch norm and ReLU follow).
test('conv_transpose2d runs the DCGAN shape: input=2x128x7x7,f=128x64x4x4,s=2,p=1,act=none,bias=false', async ({ gpu }) => {
  const c: Case = { shape: shape([2, 128, 7, 7], [64, 4, 4], 2, 1), act: 'none', slope: 0, bias: false };
  expect(convTranspose2dOutputSize(c.shape)).toEqual({ outHeight: 14, outWidth: 14 });
  await checkAgainstReference(gpu, c, 9002, 'DCGAN convT 128→64');
});

// The tiled kernels' edges (conv_transpose2d.wgsl tiles 16 positions × 16
// channels, one dispatch per stride phase in the forward, 16 × 16 weights in
// backward_weight): 33 output channels (the last column tile holds 1),
// 33×3×3 weight columns, stride 3 with padding 2 (9 phases of 2·8·5 outputs);
// a 1×2 kernel narrower than the stride, so that some output phases get no
// tap (bias and act only); and DCGAN's image layer, one output channel.
const TILE_EDGE_CASES: Case[] = [
  { shape: shape([2, 19, 4, 3], [33, 3, 3], 3, 2), act: 'relu', slope: 0, bias: true },
  { shape: shape([2, 3, 3, 4], [33, 1, 2], 2, 0), act: 'sigmoid', slope: 0, bias: true },
  { shape: shape([3, 64, 7, 6], [1, 4, 4], 2, 1), act: 'tanh', slope: 0, bias: true },
];
TILE_EDGE_CASES.forEach((c, n) => {
  const what = `${geometryOf(c.shape)},act=${c.act},bias=${c.bias}`;
  test(`conv_transpose2d matches the CPU reference at the tiles' edges: ${what}`, async ({ gpu }) => {
    await checkAgainstReference(gpu, c, 800 + n, what);
  });
});

// DCGAN's generator layer at a real batch: nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), 7×7 → 14×14.
test('conv_transpose2d runs the DCGAN shape: input=4x128x7x7,f=128x64x4x4,s=2,p=1,act=none,bias=false', async ({ gpu }) => {
  const c: Case = { shape: shape([4, 128, 7, 7], [64, 4, 4], 2, 1), act: 'none', slope: 0, bias: false };
  expect(convTranspose2dOutputSize(c.shape)).toEqual({ outHeight: 14, outWidth: 14 });
  await checkAgainstReference(gpu, c, 9004, 'DCGAN convT 128→64 batch 4');
});

const ACTS = ACTIVATIONS_WITH_SLOPE;

// Scalar L = Σ dy ⊙ y, whose gradients the backward computes; central differences, h = 1e-6.
const FD_SHAPES = [
  shape([2, 2, 3, 4], [3, 3, 3], 2, 1),
  shape([1, 2, 4, 3], [2, 4, 3], 1, 0),
];
for (const s of FD_SHAPES) {
  test(`conv_transpose2d CPU reference backward matches finite differences: ${geometryOf(s)},act=each`, () => {
    const { outHeight, outWidth } = convTranspose2dOutputSize(s);
    const yCount = s.batch * s.outChannels * outHeight * outWidth;
    for (const [act, slope] of ACTS) {
      const x = Float64Array.from(randomArray(s.batch * s.inChannels * s.inHeight * s.inWidth, 31));
      const w = Float64Array.from(randomArray(s.inChannels * s.outChannels * s.kernelHeight * s.kernelWidth, 32));
      const b = Float64Array.from(randomArray(s.outChannels, 33));
      const dy = Float64Array.from(randomArray(yCount, 34));
      const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array): number =>
        convTranspose2dForward(s, xx, ww, bb, act, slope).reduce((acc, v, i) => acc + v * dy[i], 0);
      const dz = convTranspose2dPreactivationGrad(convTranspose2dForward(s, x, w, b, act, slope), dy, act, slope);
      const analytic = {
        x: convTranspose2dBackwardInput(s, dz, w),
        w: convTranspose2dBackwardWeight(s, dz, x),
        b: convTranspose2dBackwardBias(s, dz),
      };
      for (const [name, v] of [['x', x], ['w', w], ['b', b]] as const) {
        const args = (arr: Float64Array): [Float64Array, Float64Array, Float64Array] =>
          name === 'x' ? [arr, w, b] : name === 'w' ? [x, arr, b] : [x, w, arr];
        const numeric = numericGradient((arr) => loss(...args(arr)), v);
        expectClose(analytic[name], numeric, { atol: 1e-6, rtol: 1e-5 }, `d${name} (act=${act})`);
      }
    }
  });
}

// The adjoint pairs: a convT (C_in → C_out, H_in × W_in → H_out × W_out) and
// the conv (C_out → C_in, H_out × W_out → H_in × W_in) with the same weight array.
const ADJOINT_SHAPES = [
  shape([3, 5, 13, 11], [4, 4, 4], 2, 1),
  shape([1, 5, 13, 11], [4, 3, 3], 1, 0),
  shape([3, 5, 13, 11], [6, 5, 5], 2, 0),
  shape([2, 5, 13, 11], [3, 3, 3], 2, 1),
  shape([1, 5, 13, 11], [4, 5, 5], 1, 1),
];

function adjointData(s: ConvTranspose2dShape, seed: number) {
  const { outHeight, outWidth } = convTranspose2dOutputSize(s);
  return {
    x: f32(randomArray(s.batch * s.inChannels * s.inHeight * s.inWidth, seed)),
    y: f32(randomArray(s.batch * s.outChannels * outHeight * outWidth, seed + 1)),
    w: f32(randomArray(s.inChannels * s.outChannels * s.kernelHeight * s.kernelWidth, seed + 2)),
  };
}

test('conv_transpose2d and conv2d CPU references are adjoint: ⟨convT(x), y⟩ = ⟨x, conv(y)⟩ on each geometry', () => {
  ADJOINT_SHAPES.forEach((s, n) => {
    const conv = adjointConv(s);
    expect(conv2dOutputSize(conv), geometryOf(s)).toEqual({ outHeight: s.inHeight, outWidth: s.inWidth });
    const { x, y, w } = adjointData(s, 50 + n);
    const u = convTranspose2dForward(s, x, w, null, 'none', 0);
    const v = conv2dForward(conv, y, w, null, 'none', 0);
    const scale = absDot(u, y) + absDot(x, v);
    // float64 round-off only: any index error would be O(scale).
    expect(Math.abs(dot(u, y) - dot(x, v)), geometryOf(s)).toBeLessThanOrEqual(1e-12 * scale);
  });
});

for (const s of ADJOINT_SHAPES.slice(0, 3)) {
  test(`conv_transpose2d and conv2d kernels are adjoint on the GPU: ${geometryOf(s)}`, async ({ gpu }) => {
    const conv = adjointConv(s);
    const { x, y, w } = adjointData(s, 70);
    const overrides = { ACT: ACTIVATION_CODE.none, HAS_BIAS: 0 };
    const tUniforms = convTranspose2dUniforms(s, 0);
    const { outHeight, outWidth } = conv2dOutputSize(conv);
    const cUniforms = { ...uniformsOf(conv, outHeight, outWidth, 0), dx_channels: conv.inChannels };
    const u = (await gpu.runKernel({
      family: 'conv_transpose2d', entry: 'conv_transpose2d_forward', overrides, uniforms: tUniforms,
      inputs: { x: [...x], w: [...w], bias: [0] }, outputs: { y: y.length },
    })).y;
    const v = (await gpu.runKernel({
      family: 'conv2d', entry: 'conv2d_forward', overrides, uniforms: cUniforms,
      inputs: { x: [...y], w: [...w], bias: [0] }, outputs: { y: x.length },
    })).y;
    // f32 sums of ≤ 100 products per element, then float64 inner products.
    const scale = absDot(u, y) + absDot(x, v);
    expect(Math.abs(dot(u, y) - dot(x, v))).toBeLessThanOrEqual(1e-5 * scale);

    // Each layer's backward_input is the other's forward (the same linear map).
    const convBack = await gpu.runKernel({
      family: 'conv2d', entry: 'conv2d_backward_input', overrides, uniforms: cUniforms,
      inputs: { dy: [...x], y_saved: [0], w: [...w] }, outputs: { dx: y.length },
    });
    expectClose(convBack.dx, u, TOL, 'conv2d_backward_input vs conv_transpose2d_forward');
    const convTBack = await gpu.runKernel({
      family: 'conv_transpose2d', entry: 'conv_transpose2d_backward_input', overrides, uniforms: tUniforms,
      inputs: { dy: [...y], y_saved: [0], w: [...w] }, outputs: { dx: x.length },
    });
    expectClose(convTBack.dx, v, TOL, 'conv_transpose2d_backward_input vs conv2d_forward');
  });
}

// conv_transpose2d_forward_narrow (what net-gpu.ts runs for ≤ CONV_NARROW
// output channels: one channel per dispatch z, blocks of 2 phase rows × 16
// phase columns) against the reference and against the tiled forward, and
// conv2d_backward_input_narrow as its adjoint's backward (the same linear
// map). Odd shapes: batch 3, 13×11 inputs, strides 1 and 2, 1, 3 and 4
// output channels, with and without bias, each act; a 1×2 kernel at stride 3
// (phases with no tap: bias only); 40 input columns at stride 1 (3 strips);
// then DCGAN's image layer (64→1) and cdcganSmall's (8→1).
const NARROW_CASES: Case[] = [
  { shape: shape([3, 5, 13, 11], [1, 4, 4], 2, 1), act: 'tanh', slope: 0, bias: true },
  { shape: shape([3, 5, 13, 11], [3, 3, 3], 1, 1), act: 'leakyRelu', slope: 0.2, bias: false },
  { shape: shape([3, 2, 13, 11], [4, 5, 5], 2, 0), act: 'sigmoid', slope: 0, bias: true },
  { shape: shape([3, 3, 13, 11], [4, 3, 3], 1, 0), act: 'elu', slope: 1, bias: true },
  { shape: shape([2, 3, 5, 13], [2, 1, 2], 3, 1), act: 'relu', slope: 0, bias: true },
  { shape: shape([2, 2, 5, 40], [1, 3, 3], 1, 1), act: 'none', slope: 0, bias: true },
  { shape: shape([2, 64, 14, 14], [1, 4, 4], 2, 1), act: 'tanh', slope: 0, bias: true },
  { shape: shape([3, 8, 14, 14], [1, 4, 4], 2, 1), act: 'tanh', slope: 0, bias: true },
];
NARROW_CASES.forEach((c, n) => {
  const s = c.shape;
  const what = `${geometryOf(s)},act=${c.act},bias=${c.bias}`;
  test(`conv_transpose2d_forward_narrow matches the CPU reference and the tiled forward: ${what}`, async ({ gpu }) => {
    const { outHeight, outWidth } = convTranspose2dOutputSize(s);
    const yCount = s.batch * s.outChannels * outHeight * outWidth;
    const x = f32(randomArray(s.batch * s.inChannels * s.inHeight * s.inWidth, 400 + n, -2, 2));
    const w = f32(randomArray(s.inChannels * s.outChannels * s.kernelHeight * s.kernelWidth, 410 + n, -0.5, 0.5));
    const bias = f32(randomArray(s.outChannels, 420 + n, -0.5, 0.5));
    const uniforms = convTranspose2dUniforms(s, c.slope);
    const overrides = { ACT: ACTIVATION_CODE[c.act], HAS_BIAS: c.bias ? 1 : 0 };
    const inputs = { x: [...x], w: [...w], bias: c.bias ? [...bias] : [0] };
    const yRef = convTranspose2dForward(s, x, w, c.bias ? bias : null, c.act, c.slope);
    const narrow = await gpu.runKernel({
      family: 'conv_transpose2d', entry: 'conv_transpose2d_forward_narrow', overrides, uniforms, inputs, outputs: { y: yCount },
    });
    expectClose(narrow.y, yRef, TOL, `y (narrow, ${what})`);
    const tiled = await gpu.runKernel({
      family: 'conv_transpose2d', entry: 'conv_transpose2d_forward', overrides, uniforms, inputs, outputs: { y: yCount },
    });
    expectClose(narrow.y, tiled.y, TOL, `y (narrow vs tiled, ${what})`);
    // The adjoint conv's backward_input, no act: the same map without bias.
    const conv = adjointConv(s);
    const cUniforms = { ...uniformsOf(conv, s.inHeight, s.inWidth, 0), dx_channels: conv.inChannels };
    const none = { ACT: ACTIVATION_CODE.none, HAS_BIAS: 0 };
    const plain = await gpu.runKernel({
      family: 'conv_transpose2d', entry: 'conv_transpose2d_forward_narrow', overrides: none, uniforms, inputs: { x: [...x], w: [...w], bias: [0] }, outputs: { y: yCount },
    });
    const back = await gpu.runKernel({
      family: 'conv2d', entry: 'conv2d_backward_input_narrow', overrides: none, uniforms: cUniforms,
      inputs: { dy: [...x], y_saved: [0], w: [...w] }, outputs: { dx: yCount },
    });
    expectClose(back.dx, plain.y, TOL, `conv2d_backward_input_narrow vs conv_transpose2d_forward_narrow (${what})`);
  });
});
