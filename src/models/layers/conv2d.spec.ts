// conv2d.wgsl against its float64 CPU reference, and that reference against
// finite differences. Geometries: batch 1 and 3, 5 input channels, 13×11
// (non-square) images, stride 1 and 2, padding 0 and 1, kernels 3, 4 and 5,
// with and without bias, every fused activation once; shapes at the edges of
// the kernels' tiles and stride phases; then DCGAN's discriminator layers
// (the second at batch 4). The adjoint identity with conv_transpose2d is in
// conv_transpose2d.spec.ts.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { ACTIVATIONS_WITH_SLOPE, numericGradient } from '../../../test/support/gradcheck.js';
import {
  conv2dBackwardBias,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  conv2dOutputSize,
  conv2dPreactivationGrad,
  type Conv2dShape,
} from './conv2d.reference.js';
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';

interface Case {
  shape: Conv2dShape;
  act: ActivationName;
  slope: number;
  bias: boolean;
}

const shape = (
  [batch, inChannels, inHeight, inWidth]: number[],
  [outChannels, kernelHeight, kernelWidth]: number[],
  stride: number,
  padding: number,
): Conv2dShape => ({ batch, inChannels, outChannels, inHeight, inWidth, kernelHeight, kernelWidth, stride, padding });

const CASES: Case[] = [
  { shape: shape([1, 5, 13, 11], [4, 3, 3], 1, 0), act: 'none', slope: 0, bias: true },
  { shape: shape([3, 5, 13, 11], [5, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: true },
  { shape: shape([3, 5, 13, 11], [6, 5, 5], 2, 0), act: 'tanh', slope: 0, bias: false },
  { shape: shape([1, 5, 13, 11], [4, 5, 5], 1, 1), act: 'elu', slope: 1, bias: true },
  { shape: shape([3, 5, 13, 11], [4, 3, 3], 2, 1), act: 'sigmoid', slope: 0, bias: true },
  { shape: shape([3, 5, 13, 11], [5, 4, 4], 1, 0), act: 'relu', slope: 0, bias: true },
];

// f32 sums of at most ~450 products of values ≤ 2 in magnitude (dw sums
// B·H_out·W_out terms): the reference is float64 on the same f32-rounded inputs.
const TOL = { atol: 1e-4, rtol: 1e-4 };

function conv2dUniforms(s: Conv2dShape, slope: number): Record<string, number> {
  const { outHeight, outWidth } = conv2dOutputSize(s);
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
    dx_channels: s.inChannels,
    slope,
  };
}

const geometryOf = (s: Conv2dShape): string =>
  `input=${s.batch}x${s.inChannels}x${s.inHeight}x${s.inWidth},` +
  `f=${s.outChannels}x${s.inChannels}x${s.kernelHeight}x${s.kernelWidth},s=${s.stride},p=${s.padding}`;

/** All four entry points on random data, each checked against the reference. */
async function checkAgainstReference(gpu: GpuPage, c: Case, seed: number, what: string): Promise<void> {
  const s = c.shape;
  const { outHeight, outWidth } = conv2dOutputSize(s);
  const xCount = s.batch * s.inChannels * s.inHeight * s.inWidth;
  const yCount = s.batch * s.outChannels * outHeight * outWidth;
  const wCount = s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth;
  const x = f32(randomArray(xCount, seed, -2, 2));
  const w = f32(randomArray(wCount, seed + 1, -0.5, 0.5));
  const bias = f32(randomArray(s.outChannels, seed + 2, -0.5, 0.5));
  const dy = f32(randomArray(yCount, seed + 3));
  const uniforms = conv2dUniforms(s, c.slope);
  const overrides = { ACT: ACTIVATION_CODE[c.act], HAS_BIAS: c.bias ? 1 : 0 };

  const yRef = conv2dForward(s, x, w, c.bias ? bias : null, c.act, c.slope);
  const fwd = await gpu.runKernel({
    family: 'conv2d', entry: 'conv2d_forward', overrides, uniforms,
    inputs: { x: [...x], w: [...w], bias: c.bias ? [...bias] : [0] }, outputs: { y: yCount },
  });
  expectClose(fwd.y, yRef, TOL, `y (${what})`);

  // Backward from the GPU's own y, so act'(y) sees the same saved output.
  const ySaved = f32(fwd.y);
  const dz = conv2dPreactivationGrad(ySaved, dy, c.act, c.slope);
  const common = { y_saved: [...ySaved], dy: [...dy] };
  const dx = await gpu.runKernel({
    family: 'conv2d', entry: 'conv2d_backward_input', overrides, uniforms,
    inputs: { ...common, w: [...w] }, outputs: { dx: xCount },
  });
  expectClose(dx.dx, conv2dBackwardInput(s, dz, w), TOL, `dx (${what})`);
  const dw = await gpu.runKernel({
    family: 'conv2d', entry: 'conv2d_backward_weight', overrides, uniforms,
    inputs: { ...common, x: [...x] }, outputs: { dw: wCount },
  });
  expectClose(dw.dw, conv2dBackwardWeight(s, dz, x), TOL, `dw (${what})`);
  const db = await gpu.runKernel({
    family: 'conv2d', entry: 'conv2d_backward_bias', overrides, uniforms,
    inputs: common, outputs: { dbias: s.outChannels },
  });
  expectClose(db.dbias, conv2dBackwardBias(s, dz), TOL, `dbias (${what})`);
}

CASES.forEach((c, n) => {
  const what = `${geometryOf(c.shape)},act=${c.act},bias=${c.bias}`;
  test(`conv2d forward and backward match the CPU reference: ${what}`, async ({ gpu }) => {
    await checkAgainstReference(gpu, c, 100 * n + 7, what);
  });
});

// DCGAN's first discriminator layer on MNIST: nn.Conv2d(1, 64, 4, 2, 1, bias=False) + LeakyReLU(0.2).
test('conv2d runs the DCGAN shape: input=2x1x28x28,f=64x1x4x4,s=2,p=1,act=leakyRelu,bias=false', async ({ gpu }) => {
  const c: Case = { shape: shape([2, 1, 28, 28], [64, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: false };
  expect(conv2dOutputSize(c.shape)).toEqual({ outHeight: 14, outWidth: 14 });
  await checkAgainstReference(gpu, c, 9001, 'DCGAN conv 1→64');
});

// The tiled kernels' edges (conv2d.wgsl tiles 16 positions × 16 channels,
// 16 × 16 weights in backward_weight, one dispatch per stride phase in
// backward_input): 33 output channels (the last column tile holds 1), 19×3×3
// = 171 weight columns, 32 positions (two row tiles, the second short),
// stride 3 with padding 2 (9 phases); then a 1×2 kernel narrower than the
// stride, so that some phases of backward_input get no tap at all and must
// still be written (as zeros).
const TILE_EDGE_CASES: Case[] = [
  { shape: shape([2, 19, 9, 10], [33, 3, 3], 3, 2), act: 'relu', slope: 0, bias: true },
  { shape: shape([2, 3, 5, 6], [33, 1, 2], 2, 0), act: 'leakyRelu', slope: 0.2, bias: true },
];
TILE_EDGE_CASES.forEach((c, n) => {
  const what = `${geometryOf(c.shape)},act=${c.act},bias=${c.bias}`;
  test(`conv2d matches the CPU reference at the tiles' edges: ${what}`, async ({ gpu }) => {
    await checkAgainstReference(gpu, c, 700 + n, what);
  });
});

// DCGAN's second discriminator layer at a real batch: nn.Conv2d(64, 128, 4, 2, 1, bias=False), batch norm follows.
test('conv2d runs the DCGAN shape: input=4x64x14x14,f=128x64x4x4,s=2,p=1,act=none,bias=false', async ({ gpu }) => {
  const c: Case = { shape: shape([4, 64, 14, 14], [128, 4, 4], 2, 1), act: 'none', slope: 0, bias: false };
  expect(conv2dOutputSize(c.shape)).toEqual({ outHeight: 7, outWidth: 7 });
  await checkAgainstReference(gpu, c, 9003, 'DCGAN conv 64→128');
});

const ACTS = ACTIVATIONS_WITH_SLOPE;

// Scalar L = Σ dy ⊙ y, whose gradients the backward computes; central differences, h = 1e-6.
const FD_SHAPES = [
  shape([2, 2, 5, 4], [3, 3, 3], 2, 1),
  shape([1, 2, 6, 5], [2, 4, 3], 1, 0),
];
for (const s of FD_SHAPES) {
  test(`conv2d CPU reference backward matches finite differences: ${geometryOf(s)},act=each`, () => {
    const { outHeight, outWidth } = conv2dOutputSize(s);
    const yCount = s.batch * s.outChannels * outHeight * outWidth;
    for (const [act, slope] of ACTS) {
      const x = Float64Array.from(randomArray(s.batch * s.inChannels * s.inHeight * s.inWidth, 21));
      const w = Float64Array.from(randomArray(s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth, 22));
      const b = Float64Array.from(randomArray(s.outChannels, 23));
      const dy = Float64Array.from(randomArray(yCount, 24));
      const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array): number =>
        conv2dForward(s, xx, ww, bb, act, slope).reduce((acc, v, i) => acc + v * dy[i], 0);
      const dz = conv2dPreactivationGrad(conv2dForward(s, x, w, b, act, slope), dy, act, slope);
      const analytic = { x: conv2dBackwardInput(s, dz, w), w: conv2dBackwardWeight(s, dz, x), b: conv2dBackwardBias(s, dz) };
      for (const [name, v] of [['x', x], ['w', w], ['b', b]] as const) {
        const args = (arr: Float64Array): [Float64Array, Float64Array, Float64Array] =>
          name === 'x' ? [arr, w, b] : name === 'w' ? [x, arr, b] : [x, w, arr];
        const numeric = numericGradient((arr) => loss(...args(arr)), v);
        expectClose(analytic[name], numeric, { atol: 1e-6, rtol: 1e-5 }, `d${name} (act=${act})`);
      }
    }
  });
}

// dx for the first dx_channels input channels only (the dx_channels uniform:
// a conditional D's label planes need no gradient), laid out (B, dx_channels,
// H, W), by the tiled entry and by conv2d_backward_input_narrow (the one
// net-gpu.ts runs for ≤ CONV_NARROW dx channels: one channel per dispatch z,
// blocks of 2 phase rows × 16 phase columns), against the reference's first
// dx_channels channels. Odd shapes: batch 3, 13×11, strides 1 and 2 (row
// blocks left short), 1, 3 and 4 channels; a 1×2 kernel at stride 3 (phases
// with no tap, written as zeros); 40 columns at stride 1 (3 strips, the
// last short); then the first layers of DCGAN (1→64) and of cdcganSmall's D
// (11→8, image channel only).
const DX_CASES: { c: Case; dxChannels: number }[] = [
  { c: { shape: shape([3, 5, 13, 11], [4, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: true }, dxChannels: 2 },
  { c: { shape: shape([3, 1, 13, 11], [4, 3, 3], 1, 1), act: 'tanh', slope: 0, bias: true }, dxChannels: 1 },
  { c: { shape: shape([3, 3, 13, 11], [5, 4, 4], 2, 1), act: 'none', slope: 0, bias: false }, dxChannels: 3 },
  { c: { shape: shape([3, 4, 13, 11], [6, 5, 5], 2, 0), act: 'sigmoid', slope: 0, bias: true }, dxChannels: 4 },
  { c: { shape: shape([3, 4, 13, 11], [3, 3, 3], 1, 0), act: 'elu', slope: 1, bias: true }, dxChannels: 4 },
  { c: { shape: shape([2, 4, 9, 37], [3, 1, 2], 3, 1), act: 'relu', slope: 0, bias: true }, dxChannels: 3 },
  { c: { shape: shape([2, 2, 7, 40], [3, 3, 3], 1, 1), act: 'none', slope: 0, bias: true }, dxChannels: 2 },
  { c: { shape: shape([2, 1, 28, 28], [64, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: false }, dxChannels: 1 },
  { c: { shape: shape([3, 11, 28, 28], [8, 4, 4], 2, 1), act: 'leakyRelu', slope: 0.2, bias: true }, dxChannels: 1 },
];
DX_CASES.forEach(({ c, dxChannels }, n) => {
  const s = c.shape;
  const what = `${geometryOf(s)},act=${c.act},dx_channels=${dxChannels}`;
  test(`conv2d backward_input (tiled and narrow) computes dx_channels channels: ${what}`, async ({ gpu }) => {
    const { outHeight, outWidth } = conv2dOutputSize(s);
    const yCount = s.batch * s.outChannels * outHeight * outWidth;
    const plane = s.inHeight * s.inWidth;
    const w = f32(randomArray(s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth, 300 + n, -0.5, 0.5));
    const ySaved = f32(randomArray(yCount, 310 + n, -0.9, 0.9)); // a valid output of every act (sigmoid's in (0, 1) below)
    if (c.act === 'sigmoid') ySaved.forEach((v, i) => (ySaved[i] = Math.fround(0.5 + 0.45 * v)));
    const dy = f32(randomArray(yCount, 320 + n));
    const dz = conv2dPreactivationGrad(ySaved, dy, c.act, c.slope);
    const full = conv2dBackwardInput(s, dz, w);
    const want: number[] = [];
    for (let b = 0; b < s.batch; b++) want.push(...full.slice(b * s.inChannels * plane, (b * s.inChannels + dxChannels) * plane));
    const uniforms = { ...conv2dUniforms(s, c.slope), dx_channels: dxChannels };
    const overrides = { ACT: ACTIVATION_CODE[c.act], HAS_BIAS: c.bias ? 1 : 0 };
    for (const entry of ['conv2d_backward_input', 'conv2d_backward_input_narrow']) {
      const got = await gpu.runKernel({
        family: 'conv2d', entry, overrides, uniforms,
        inputs: { y_saved: [...ySaved], dy: [...dy], w: [...w] }, outputs: { dx: want.length },
      });
      expectClose(got.dx, want, TOL, `dx (${entry}, ${what})`);
    }
  });
});
