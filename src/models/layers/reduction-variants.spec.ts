// Every tuning variant of the reduction kernels (shaders/index.ts: reductionVariants) —
// BatchNorm's forward, backward_input and backward_weight, and the bias gradients of
// linear, conv2d and conv_transpose2d — against the float64 CPU references, subgroup
// variants included: today's kernel, the one-workgroup-per-channel form at 64, 128 and
// 256 invocations summing by a tree (prelude/reduce.wgsl), and the same on subgroup
// operations (prelude/reduce_subgroups.wgsl, compiled from the family's 'subgroups'
// source). The tuner may pick any of them, so each must give the reference's outputs.
// Shapes are no multiple of any workgroup or subgroup size: BatchNorm with 1 and 2
// groups, 5 to 315 values per group and channel (fewer than a workgroup, and several
// strides of 256); bias gradients with 67 to 130 channels (more than one workgroup of
// today's kernels) and 1 to 300 values each. Outputs start as NaN, so an output a grid
// misses fails. The test page's device must have 'subgroups' wherever its adapter
// offers it, so the subgroup variants really run here (SwiftShader offers it, with
// 4-wide subgroups) rather than being filtered out.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { batchnormBackwardInput, batchnormBackwardWeight, batchnormForward, batchnormPreactivationGrad, type BatchNormShape } from './batchnorm.reference.js';
import { linearBackwardBias } from './linear.reference.js';
import { conv2dBackwardBias, conv2dOutputSize, conv2dPreactivationGrad, type Conv2dShape } from './conv2d.reference.js';
import { convTranspose2dBackwardBias, convTranspose2dOutputSize } from './conv-transpose2d.reference.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import { batchnormKernels, conv2dKernels, convTranspose2dKernels, linearKernels, REDUCE_WORKGROUPS } from '../../shaders/index.js';
import type { KernelFamily, KernelVariant } from '../../runtime/kernel.js';

const REDUCTIONS: [KernelFamily, string][] = [
  [batchnormKernels, 'batchnorm_forward'],
  [batchnormKernels, 'batchnorm_backward_input'],
  [batchnormKernels, 'batchnorm_backward_weight'],
  [linearKernels, 'linear_backward_bias'],
  [conv2dKernels, 'conv2d_backward_bias'],
  [convTranspose2dKernels, 'conv_transpose2d_backward_bias'],
];
const variantsOf = (family: KernelFamily, entry: string): KernelVariant[] => family.tuning!.variants[entry]!;

test('reduction variants: today\'s kernel first (no feature needed), then tree and subgroup forms at 64, 128 and 256 invocations', () => {
  for (const [family, entry] of REDUCTIONS) {
    const variants = variantsOf(family, entry);
    expect(variants[0].entry, entry).toBe(entry);
    expect(variants[0].overrides, entry).toEqual({});
    expect(variants[0].requires, entry).toBeUndefined();
    expect(new Set(variants.map((v) => v.name)).size, entry).toBe(variants.length);
    const rest = variants.slice(1).map((v) => ({ name: v.name, entry: v.entry, overrides: v.overrides, requires: v.requires }));
    expect(rest, entry).toEqual([
      ...REDUCE_WORKGROUPS.map((n) => ({ name: `tree.wg${n}`, entry: `${entry}_wg`, overrides: { REDUCE_WORKGROUP: n }, requires: undefined })),
      ...REDUCE_WORKGROUPS.map((n) => ({ name: `subgroup.wg${n}`, entry: `${entry}_wg`, overrides: { REDUCE_WORKGROUP: n }, requires: 'subgroups' })),
    ]);
    // The subgroup source: `enable subgroups;` first, the subgroup prelude in place of the tree's.
    const sg = family.featureSources?.subgroups ?? '';
    expect(sg.startsWith('enable subgroups;'), family.name).toBe(true);
    expect(sg).toContain('subgroupAdd(');
    expect(family.source).not.toContain('subgroupAdd(');
    expect(family.source).not.toMatch(/^\s*enable /m);
  }
});

/** Whether the page's adapter offers 'subgroups', whether its device has it, and the adapter's name. */
async function subgroupSupport(gpu: GpuPage): Promise<{ adapter: boolean; device: boolean; name: string }> {
  return gpu.page.evaluate(async () => {
    // The harness's context asks for a high-performance adapter too (createGpuContext's default).
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    return { adapter: !!adapter?.features.has('subgroups'), device: window.harness.ctx.features.has('subgroups'), name: window.harness.adapterName };
  });
}

test('the test device has subgroups wherever its adapter offers them (SwiftShader does), so the subgroup variants run here', async ({ gpu }) => {
  const got = await subgroupSupport(gpu);
  expect(got.device, `adapter ${got.name} offers subgroups: ${got.adapter}`).toBe(got.adapter);
  // CI's adapter: if a Chromium update stopped offering subgroups there, this spec would no longer
  // test the subgroup variants; that should be a decision, not a silent change.
  if (/swiftshader/i.test(got.name)) expect(got.adapter, 'SwiftShader offers subgroups').toBe(true);
});

/**
 * Runs `run` for every variant of family.entry this device can run (each variant's overrides over
 * the caller's, from the family's feature source where it requires one), and checks that every
 * variant ran where the adapter offers subgroups. Returns how many ran.
 */
async function forEachVariant(
  gpu: GpuPage,
  family: KernelFamily,
  entry: string,
  run: (v: KernelVariant) => Promise<void>,
): Promise<number> {
  const support = await subgroupSupport(gpu);
  let ran = 0;
  for (const v of variantsOf(family, entry)) {
    if (v.requires === 'subgroups' && !support.device) continue; // the adapter lacks it: the test above checks that
    await run(v);
    ran++;
  }
  if (support.adapter) expect(ran, `${entry}: every variant, subgroup ones included`).toBe(variantsOf(family, entry).length);
  expect(ran).toBeGreaterThanOrEqual(1 + REDUCE_WORKGROUPS.length);
  return ran;
}

// ---- BatchNorm

const EPS = 1e-5;
const MOMENTUM = 0.1;
const ACT = 'leakyRelu';
const SLOPE = 0.2;
// As batchnorm.spec.ts: per-value outputs (y, dx), per-channel statistics, dγ / dβ sums.
const VALUE_TOL = { atol: 5e-6, rtol: 2e-5 };
const STAT_TOL = { atol: 2e-6, rtol: 2e-6 };
const SUM_TOL = { atol: 1e-5, rtol: 1e-5 };

interface BnCase {
  shape: BatchNormShape;
  groups: number;
}
// Values per group and channel M = (N / G)·L: 111, 315 (more than one stride of 256), 5 (fewer than
// any workgroup; BatchNorm1d), 3·37 with 67 channels.
const BN_CASES: BnCase[] = [
  { shape: { batch: 6, channels: 5, spatial: 37 }, groups: 2 },
  { shape: { batch: 7, channels: 3, spatial: 45 }, groups: 1 },
  { shape: { batch: 10, channels: 67, spatial: 1 }, groups: 2 },
  { shape: { batch: 3, channels: 67, spatial: 37 }, groups: 1 },
];

for (const [k, c] of BN_CASES.entries()) {
  const s = c.shape;
  const what = `N=${s.batch},C=${s.channels},L=${s.spatial},groups=${c.groups}`;
  test(`batchnorm reduction variants (forward, backward_input, backward_weight) match the CPU reference: ${what}`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const C = s.channels;
    const count = s.batch * C * s.spatial;
    const seed = 7000 + 31 * k;
    // Mean ≈ 4, so the variance is no E[x²]; the second group's statistics differ from the first's.
    const x = f32(randomArray(count, seed, 2, 6));
    const per = count / c.groups;
    for (let i = per; i < count; i++) x[i] = Math.fround(x[i] * 2 - 3);
    const gamma = f32(randomArray(C, seed + 1, 0.5, 1.5));
    const beta = f32(randomArray(C, seed + 2, -0.5, 0.5));
    const runningMean = f32(randomArray(C, seed + 3, -1, 1));
    const runningVar = f32(randomArray(C, seed + 4, 0.5, 2));
    const dy = f32(randomArray(count, seed + 5));
    const o = { eps: Math.fround(EPS), momentum: Math.fround(MOMENTUM), act: ACT, slope: Math.fround(SLOPE) } as const;

    // The reference: each group a separate pass, in order (the running statistics see group 0 first).
    const half: BatchNormShape = { ...s, batch: s.batch / c.groups };
    let rm = runningMean;
    let rv = runningVar;
    const fwd = { y: [] as number[], mean: [] as number[], invstd: [] as number[] };
    for (let g = 0; g < c.groups; g++) {
      const r = batchnormForward(half, x.subarray(g * per, (g + 1) * per), gamma, beta, rm, rv, o);
      fwd.y.push(...r.y);
      fwd.mean.push(...r.mean);
      fwd.invstd.push(...r.invstd);
      rm = r.runningMean;
      rv = r.runningVar;
    }
    // The backward's inputs: the reference forward's outputs as f32, the same for every variant.
    const saved = { y: f32(fwd.y), mean: f32(fwd.mean), invstd: f32(fwd.invstd) };
    const dz = batchnormPreactivationGrad(saved.y, dy, ACT, o.slope);
    const dxRef: number[] = [];
    const dgammaRef = new Float64Array(C);
    const dbetaRef = new Float64Array(C);
    for (let g = 0; g < c.groups; g++) {
      const [xg, dzg] = [x.subarray(g * per, (g + 1) * per), dz.subarray(g * per, (g + 1) * per)];
      const [mg, ig] = [saved.mean.subarray(g * C, (g + 1) * C), saved.invstd.subarray(g * C, (g + 1) * C)];
      dxRef.push(...batchnormBackwardInput(half, xg, mg, ig, gamma, dzg));
      const w = batchnormBackwardWeight(half, xg, mg, ig, dzg);
      w.dgamma.forEach((v, i) => (dgammaRef[i] += v));
      w.dbeta.forEach((v, i) => (dbetaRef[i] += v));
    }

    const uniforms = { batch: s.batch, groups: c.groups, channels: C, spatial: s.spatial, eps: EPS, momentum: MOMENTUM, slope: SLOPE };
    const layer = { ACT: ACTIVATION_CODE[ACT] };
    const runVariant = (v: KernelVariant, inputs: Record<string, number[]>, outputs: Record<string, number>) =>
      gpu.runKernel({ family: 'batchnorm', entry: v.entry, overrides: { ...layer, ...v.overrides }, feature: v.requires, uniforms, inputs, outputs });

    await forEachVariant(gpu, batchnormKernels, 'batchnorm_forward', async (v) => {
      const got = await runVariant(
        v,
        { x: [...x], gamma: [...gamma], beta: [...beta], running_mean: [...runningMean], running_var: [...runningVar] },
        { y: count, mean: c.groups * C, invstd: c.groups * C, running_mean: C, running_var: C },
      );
      const at = `batchnorm_forward variant ${v.name} (${what})`;
      expectClose(got.mean, fwd.mean, STAT_TOL, `mean per group, ${at}`);
      expectClose(got.invstd, fwd.invstd, STAT_TOL, `invstd per group, ${at}`);
      expectClose(got.running_mean, rm, STAT_TOL, `running_mean, ${at}`);
      expectClose(got.running_var, rv, STAT_TOL, `running_var, ${at}`);
      expectClose(got.y, fwd.y, VALUE_TOL, `y, ${at}`);
    });
    const backInputs = { x: [...x], y_saved: [...saved.y], dy: [...dy], mean_saved: [...saved.mean], invstd_saved: [...saved.invstd] };
    await forEachVariant(gpu, batchnormKernels, 'batchnorm_backward_input', async (v) => {
      const got = await runVariant(v, { ...backInputs, gamma: [...gamma] }, { dx: count });
      expectClose(got.dx, dxRef, VALUE_TOL, `dx, batchnorm_backward_input variant ${v.name} (${what})`);
    });
    await forEachVariant(gpu, batchnormKernels, 'batchnorm_backward_weight', async (v) => {
      const got = await runVariant(v, backInputs, { dgamma: C, dbeta: C });
      expectClose(got.dgamma, dgammaRef, SUM_TOL, `dgamma, batchnorm_backward_weight variant ${v.name} (${what})`);
      expectClose(got.dbeta, dbetaRef, SUM_TOL, `dbeta, batchnorm_backward_weight variant ${v.name} (${what})`);
    });
  });
}

// ---- Bias gradients

const BIAS_TOL = { atol: 1e-5, rtol: 1e-5 };

// Rows per feature: 37, 300 (more than one stride of 256), 1; 67 and 130 features need several
// workgroups of today's kernel (64 per workgroup).
for (const [batch, outFeatures] of [[37, 67], [300, 5], [1, 130]]) {
  const what = `batch=${batch},out=${outFeatures}`;
  test(`linear_backward_bias variants match the CPU reference: ${what}`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const dz = f32(randomArray(batch * outFeatures, batch * 131 + outFeatures));
    const expected = linearBackwardBias({ batch, inFeatures: 3, outFeatures }, dz);
    const uniforms = { batch, in_features: 3, out_features: outFeatures, act: ACTIVATION_CODE.none, slope: 0 };
    await forEachVariant(gpu, linearKernels, 'linear_backward_bias', async (v) => {
      const got = await gpu.runKernel({
        family: 'linear', entry: v.entry, overrides: v.overrides, feature: v.requires, uniforms,
        inputs: { dz: [...dz] }, outputs: { dbias: outFeatures },
      });
      expectClose(got.dbias, expected, BIAS_TOL, `dbias, linear_backward_bias variant ${v.name} (${what})`);
    });
  });
}

const convShape = ([batch, inChannels, inHeight, inWidth]: number[], [outChannels, kernel]: number[], stride: number, padding: number): Conv2dShape => ({
  batch, inChannels, outChannels, inHeight, inWidth, kernelHeight: kernel, kernelWidth: kernel, stride, padding,
});
// Values per channel B·H_out·W_out: 3·5·4 = 60 (fewer than a workgroup) with 67 channels; 5·11·9 = 495;
// 2·8·10 = 160 with 70 channels (convT).
/** What each conv kind brings to the case: its family, output size, float64 bias gradient and extra uniforms. */
const CONV_KINDS = {
  conv2d: { family: conv2dKernels, outputSize: conv2dOutputSize, backwardBias: conv2dBackwardBias, uniforms: (s: Conv2dShape) => ({ dx_channels: s.inChannels }) },
  conv_transpose2d: { family: convTranspose2dKernels, outputSize: convTranspose2dOutputSize, backwardBias: convTranspose2dBackwardBias, uniforms: () => ({}) },
};
const CONV_CASES = [
  { kind: 'conv2d', shape: convShape([3, 2, 9, 7], [67, 3], 2, 1) },
  { kind: 'conv2d', shape: convShape([5, 2, 13, 11], [3, 3], 1, 0) },
  { kind: 'conv_transpose2d', shape: convShape([2, 3, 4, 5], [70, 4], 2, 1) },
] as const;

for (const c of CONV_CASES) {
  const s = c.shape;
  const k = CONV_KINDS[c.kind];
  const { outHeight, outWidth } = k.outputSize(s);
  const what = `${c.kind} batch=${s.batch},out=${s.outChannels}×${outHeight}×${outWidth}`;
  test(`${c.kind}_backward_bias variants match the CPU reference (dz formed on load through act'): ${what}`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const count = s.batch * s.outChannels * outHeight * outWidth;
    const seed = count + s.outChannels;
    // y_saved of both signs, so LeakyReLU's act' takes both branches.
    const ySaved = f32(randomArray(count, seed, -1, 1));
    const dy = f32(randomArray(count, seed + 1));
    const dz = conv2dPreactivationGrad(ySaved, dy, 'leakyRelu', Math.fround(0.2));
    const expected = k.backwardBias(s, dz);
    const uniforms = {
      batch: s.batch, in_channels: s.inChannels, out_channels: s.outChannels, in_height: s.inHeight, in_width: s.inWidth,
      out_height: outHeight, out_width: outWidth, kernel_height: s.kernelHeight, kernel_width: s.kernelWidth,
      stride: s.stride, padding: s.padding, ...k.uniforms(s), slope: 0.2,
    };
    const layer = { ACT: ACTIVATION_CODE.leakyRelu, HAS_BIAS: 1 };
    const entry = `${c.kind}_backward_bias`;
    await forEachVariant(gpu, k.family, entry, async (v) => {
      const got = await gpu.runKernel({
        family: c.kind, entry: v.entry, overrides: { ...layer, ...v.overrides }, feature: v.requires, uniforms,
        inputs: { y_saved: [...ySaved], dy: [...dy] }, outputs: { dbias: s.outChannels },
      });
      expectClose(got.dbias, expected, BIAS_TOL, `dbias, ${entry} variant ${v.name} (${what})`);
    });
  });
}
