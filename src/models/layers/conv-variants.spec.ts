// Every tuning variant of conv2d.wgsl's and conv_transpose2d.wgsl's tiled
// products (shaders/index.ts: conv2dKernels.tuning, convTranspose2dKernels.tuning)
// against the float64 CPU references, on shapes that are no multiple of any
// variant's block, workgroup or split tile (batch 3, 5→7 and 13→6 channels,
// 9×11 and 7×5 images, stride 2 and 1, padding 1 and 0), with and without bias,
// with an activation; and against the default variant: the tuner may pick any
// of them, so each must give the same outputs up to float rounding. Each run
// merges the variant's overrides with the layer's own (ACT, HAS_BIAS), as
// KernelRegistry.kernelFor does. Outputs start as NaN, so a grid that misses a
// block (dispatch math that ignores a variant's overrides) fails too.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward, conv2dOutputSize, conv2dPreactivationGrad, type Conv2dShape } from './conv2d.reference.js';
import {
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  convTranspose2dForward,
  convTranspose2dOutputSize,
} from './conv-transpose2d.reference.js';
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';
import { CONV_OVERRIDES, CONV_SPLIT, conv2dKernels, convTranspose2dKernels } from '../../shaders/index.js';
import type { KernelFamily } from '../../runtime/kernel.js';

interface Case {
  shape: Conv2dShape;
  act: ActivationName;
  slope: number;
  bias: boolean;
}
const shape = (
  [batch, inChannels, inHeight, inWidth]: number[],
  [outChannels, kernel]: number[],
  stride: number,
  padding: number,
): Conv2dShape => ({ batch, inChannels, outChannels, inHeight, inWidth, kernelHeight: kernel, kernelWidth: kernel, stride, padding });

// The second case has 13·16 = 208 weight columns (13 split tiles): several
// workgroups on x for every CONV_SPLIT_TILES, the last one partly past the end.
const CASES: Case[] = [
  { shape: shape([3, 5, 9, 11], [7, 3], 2, 1), act: 'leakyRelu', slope: 0.2, bias: true },
  { shape: shape([3, 13, 7, 5], [6, 4], 1, 0), act: 'tanh', slope: 0, bias: false },
];

const TOL = { atol: 1e-4, rtol: 1e-4 };
/** Against the default variant: the same sums in the same order, so only contraction differences are allowed. */
const SAME = { atol: 1e-6, rtol: 1e-6 };

const KINDS = [
  { kind: 'conv2d', family: conv2dKernels, entries: ['conv2d_forward', 'conv2d_backward_input', 'conv2d_backward_weight'] },
  {
    kind: 'conv_transpose2d',
    family: convTranspose2dKernels,
    entries: ['conv_transpose2d_forward', 'conv_transpose2d_backward_input', 'conv_transpose2d_backward_weight'],
  },
] as const;

const variantsOf = (family: KernelFamily, entry: string) => family.tuning!.variants[entry]!;

test('conv variants: the first candidate is today\'s shape; the others are GPU shapes of 64–256 invocations with distinct names', () => {
  for (const { family, entries } of KINDS) {
    for (const entry of entries) {
      const variants = variantsOf(family, entry);
      const split = entry.endsWith('backward_weight');
      expect(variants.length, entry).toBeGreaterThanOrEqual(4);
      expect(variants[0].entry).toBe(entry);
      // Today's configuration: the family's override defaults (4 × 4 invocations; one split tile).
      for (const [k, v] of Object.entries(variants[0].overrides)) expect(v, `${entry} ${k}`).toBe(CONV_OVERRIDES[k as keyof typeof CONV_OVERRIDES]);
      expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
      for (const v of variants.slice(1)) {
        const o = { ...CONV_OVERRIDES, ...v.overrides };
        const invocations = split ? CONV_SPLIT * o.CONV_SPLIT_TILES : o.CONV_WG_X * o.CONV_WG_Y;
        expect(invocations, `${entry} ${v.name}`).toBeGreaterThanOrEqual(64);
        expect(invocations, `${entry} ${v.name}`).toBeLessThanOrEqual(256);
        expect(v.entry.startsWith(entry), `${v.name} runs ${v.entry}`).toBe(true);
      }
    }
  }
});

/** The kernels' uniforms; conv2d's carry dx_channels (every input channel here). */
function uniformsOf(kind: string, s: Conv2dShape, outHeight: number, outWidth: number, slope: number): Record<string, number> {
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
    ...(kind === 'conv2d' ? { dx_channels: s.inChannels } : {}),
    slope,
  };
}

for (const { kind, family, entries } of KINDS) {
  CASES.forEach((c, n) => {
    const s = c.shape;
    const geometry = `input=${s.batch}x${s.inChannels}x${s.inHeight}x${s.inWidth},out=${s.outChannels},k=${s.kernelHeight},s=${s.stride},p=${s.padding},act=${c.act},bias=${c.bias}`;
    test(`conv variants: every ${kind} candidate of forward, backward_input and backward_weight matches the CPU reference: ${geometry}`, async ({ gpu }) => {
      test.setTimeout(300_000);
      const transposed = kind === 'conv_transpose2d';
      const { outHeight, outWidth } = transposed ? convTranspose2dOutputSize(s) : conv2dOutputSize(s);
      const xCount = s.batch * s.inChannels * s.inHeight * s.inWidth;
      const yCount = s.batch * s.outChannels * outHeight * outWidth;
      const wCount = s.outChannels * s.inChannels * s.kernelHeight * s.kernelWidth;
      const seed = 1000 * n + (transposed ? 500 : 0) + 11;
      const x = f32(randomArray(xCount, seed, -2, 2));
      const w = f32(randomArray(wCount, seed + 1, -0.5, 0.5));
      const bias = f32(randomArray(s.outChannels, seed + 2, -0.5, 0.5));
      const dy = f32(randomArray(yCount, seed + 3));
      const uniforms = uniformsOf(kind, s, outHeight, outWidth, c.slope);
      const layer = { ACT: ACTIVATION_CODE[c.act], HAS_BIAS: c.bias ? 1 : 0 };
      const run = (entry: string, overrides: Record<string, number>, inputs: Record<string, number[]>, out: string, count: number) =>
        gpu.runKernel({ family: kind, entry, overrides: { ...layer, ...overrides }, uniforms, inputs, outputs: { [out]: count } }).then((r) => r[out]);

      // The backward products read dz = dy ⊙ act'(y_saved) from the default forward's own y.
      const [forward, backwardInput, backwardWeight] = entries;
      const ySaved = f32(await run(forward, {}, { x: [...x], w: [...w], bias: c.bias ? [...bias] : [0] }, 'y', yCount));
      const dz = conv2dPreactivationGrad(ySaved, dy, c.act, c.slope);
      const cases: Record<string, { inputs: Record<string, number[]>; out: string; expected: ArrayLike<number> }> = {
        [forward]: {
          inputs: { x: [...x], w: [...w], bias: c.bias ? [...bias] : [0] },
          out: 'y',
          expected: transposed ? convTranspose2dForward(s, x, w, c.bias ? bias : null, c.act, c.slope) : conv2dForward(s, x, w, c.bias ? bias : null, c.act, c.slope),
        },
        [backwardInput]: {
          inputs: { w: [...w], y_saved: [...ySaved], dy: [...dy] },
          out: 'dx',
          expected: transposed ? convTranspose2dBackwardInput(s, dz, w) : conv2dBackwardInput(s, dz, w),
        },
        [backwardWeight]: {
          inputs: { x: [...x], y_saved: [...ySaved], dy: [...dy] },
          out: 'dw',
          expected: transposed ? convTranspose2dBackwardWeight(s, dz, x) : conv2dBackwardWeight(s, dz, x),
        },
      };
      let checked = 0;
      for (const entry of entries) {
        const e = cases[entry];
        let first: number[] | null = null;
        for (const v of variantsOf(family, entry)) {
          const got = await run(v.entry, v.overrides, e.inputs, e.out, e.expected.length);
          const what = `${e.out} of ${entry} variant ${v.name} (${v.entry}, ${JSON.stringify(v.overrides)}; ${geometry})`;
          expectClose(got, e.expected, TOL, what);
          if (first) expectClose(got, first, SAME, `${what} against the default variant`);
          else first = got;
          checked++;
        }
      }
      expect(checked).toBe(entries.reduce((k, entry) => k + variantsOf(family, entry).length, 0));
    });
  });
}
