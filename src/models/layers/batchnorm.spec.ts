// batchnorm.wgsl against its float64 CPU reference (training forward with the
// saved statistics and running-stat update, eval forward, both backward
// kernels), the reference's backward against central finite differences
// through the batch statistics, and a hand-worked two-value example written
// out from PyTorch's formulas. The per-channel kernels stride 16 invocations
// over M = N·L values: geometries cover L = 143 (13×11, not a multiple of 16),
// L = 15 < 16 (strides cross batch rows), L = 64, L = 1 (BatchNorm1d) with
// M = N below 16 and above it, not a multiple, and N = 1 in 2d. Training mode
// needs N·L ≥ 2; N·L = 1 has its own test.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { numericGradient } from '../../../test/support/gradcheck.js';
import {
  batchnormBackwardInput,
  batchnormBackwardWeight,
  batchnormForward,
  batchnormForwardEval,
  batchnormPreactivationGrad,
  type BatchNormOptions,
  type BatchNormShape,
} from './batchnorm.reference.js';
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';

interface Case {
  shape: BatchNormShape;
  /** [H, W] for BatchNorm2d; absent for BatchNorm1d (L = 1). */
  hw?: [number, number];
  act: ActivationName;
  slope: number;
}

const case2d = (N: number, C: number, H: number, W: number, act: ActivationName, slope = 0): Case => ({
  shape: { batch: N, channels: C, spatial: H * W },
  hw: [H, W],
  act,
  slope,
});
const case1d = (N: number, C: number, act: ActivationName, slope = 0): Case => ({
  shape: { batch: N, channels: C, spatial: 1 },
  act,
  slope,
});
const geometry = (c: Case): string =>
  c.hw
    ? `batchnorm2d N=${c.shape.batch},C=${c.shape.channels},H=${c.hw[0]},W=${c.hw[1]},act=${c.act}`
    : `batchnorm1d N=${c.shape.batch},C=${c.shape.channels},act=${c.act}`;

const TRAIN_CASES: Case[] = [
  case2d(3, 5, 13, 11, 'none'), // L = 143: not a multiple of 16
  case2d(3, 5, 13, 11, 'relu'),
  case1d(7, 37, 'none'), // M = 7 < 16: most invocations idle
  case1d(100, 3, 'leakyRelu', 0.2), // M = 100 at L = 1: 6 or 7 values per invocation
  case2d(16, 3, 3, 5, 'tanh'), // L = 15 < 16: each stride crosses a batch row
  case2d(1, 4, 5, 7, 'elu', 1), // N = 1 in 2d: M = L = 35
  case2d(2, 2, 8, 8, 'sigmoid'), // L = 64: M a multiple of 16
];

const EPS = 1e-5;
const MOMENTUM = 0.1;

// Tolerances about 10× the largest errors seen (SwiftShader, these shapes):
// per-value outputs (y, dx) of size O(1): |Δ| ≤ 6e-7.
const VALUE_TOL = { atol: 5e-6, rtol: 2e-5 };
// Per-channel statistics (mean ≈ 4, invstd ≈ 1, running stats): |Δ| ≤ 7e-7.
const STAT_TOL = { atol: 2e-6, rtol: 2e-6 };
// dγ, dβ: f32 sums of up to 429 terms of size ≤ ~2: |Δ| < 1e-6.
const SUM_TOL = { atol: 1e-5, rtol: 1e-5 };

interface Inputs {
  x: Float64Array;
  gamma: Float64Array;
  beta: Float64Array;
  runningMean: Float64Array;
  runningVar: Float64Array;
  dy: Float64Array;
}

function inputsFor(s: BatchNormShape, seed: number): Inputs {
  const count = s.batch * s.channels * s.spatial;
  return {
    // Offset from 0 (mean ≈ 4, spread ≈ 1.2), so the variance is not E[x²].
    x: f32(randomArray(count, seed, 2, 6)),
    gamma: f32(randomArray(s.channels, seed + 1, 0.5, 1.5)),
    beta: f32(randomArray(s.channels, seed + 2, -0.5, 0.5)),
    runningMean: f32(randomArray(s.channels, seed + 3, -1, 1)),
    runningVar: f32(randomArray(s.channels, seed + 4, 0.5, 2)),
    dy: f32(randomArray(count, seed + 5)),
  };
}

const uniformsFor = (s: BatchNormShape, slope: number, groups = 1) => ({
  batch: s.batch,
  groups,
  channels: s.channels,
  spatial: s.spatial,
  eps: EPS,
  momentum: MOMENTUM,
  slope,
});

// The reference sees the f32 values the GPU gets.
const optionsFor = (act: ActivationName, slope: number): BatchNormOptions => ({
  eps: Math.fround(EPS),
  momentum: Math.fround(MOMENTUM),
  act,
  slope: Math.fround(slope),
});

async function gpuForward(gpu: GpuPage, s: BatchNormShape, act: ActivationName, slope: number, inp: Inputs) {
  const C = s.channels;
  return gpu.runKernel({
    family: 'batchnorm', entry: 'batchnorm_forward',
    overrides: { ACT: ACTIVATION_CODE[act] }, uniforms: uniformsFor(s, slope),
    inputs: {
      x: [...inp.x], gamma: [...inp.gamma], beta: [...inp.beta],
      running_mean: [...inp.runningMean], running_var: [...inp.runningVar],
    },
    outputs: { y: inp.x.length, mean: C, invstd: C, running_mean: C, running_var: C },
  });
}

/** dx, dγ, dβ on the GPU from the forward's saved y, mean and invstd. */
async function gpuBackward(
  gpu: GpuPage, s: BatchNormShape, act: ActivationName, slope: number, inp: Inputs,
  saved: { y: number[]; mean: number[]; invstd: number[] },
) {
  const common = {
    overrides: { ACT: ACTIVATION_CODE[act] }, uniforms: uniformsFor(s, slope),
  };
  const inputs = {
    x: [...inp.x], y_saved: saved.y, dy: [...inp.dy], mean_saved: saved.mean, invstd_saved: saved.invstd,
  };
  const bi = await gpu.runKernel({
    family: 'batchnorm', entry: 'batchnorm_backward_input', ...common,
    inputs: { ...inputs, gamma: [...inp.gamma] }, outputs: { dx: inp.x.length },
  });
  const bw = await gpu.runKernel({
    family: 'batchnorm', entry: 'batchnorm_backward_weight', ...common,
    inputs, outputs: { dgamma: s.channels, dbeta: s.channels },
  });
  return { dx: bi.dx, dgamma: bw.dgamma, dbeta: bw.dbeta };
}

for (const [k, c] of TRAIN_CASES.entries()) {
  const g = geometry(c);
  test(`batchnorm training forward and backward match the CPU reference: ${g}`, async ({ gpu }) => {
    const s = c.shape;
    const inp = inputsFor(s, 100 * k + 7);
    const o = optionsFor(c.act, c.slope);
    const ref = batchnormForward(s, inp.x, inp.gamma, inp.beta, inp.runningMean, inp.runningVar, o);
    const fwd = await gpuForward(gpu, s, c.act, c.slope, inp);
    expectClose(fwd.mean, ref.mean, STAT_TOL, `mean (${g})`);
    expectClose(fwd.invstd, ref.invstd, STAT_TOL, `invstd (${g})`);
    expectClose(fwd.running_mean, ref.runningMean, STAT_TOL, `running_mean (${g})`);
    expectClose(fwd.running_var, ref.runningVar, STAT_TOL, `running_var (${g})`);
    expectClose(fwd.y, ref.y, VALUE_TOL, `y (${g})`);

    // Backward from the GPU's own saved y, mean and invstd, as training will run it.
    const saved = { y: f32(fwd.y), mean: f32(fwd.mean), invstd: f32(fwd.invstd) };
    const dz = batchnormPreactivationGrad(saved.y, inp.dy, c.act, o.slope);
    const back = await gpuBackward(gpu, s, c.act, c.slope, inp, { y: fwd.y, mean: fwd.mean, invstd: fwd.invstd });
    expectClose(back.dx, batchnormBackwardInput(s, inp.x, saved.mean, saved.invstd, inp.gamma, dz), VALUE_TOL, `dx (${g})`);
    const w = batchnormBackwardWeight(s, inp.x, saved.mean, saved.invstd, dz);
    expectClose(back.dgamma, w.dgamma, SUM_TOL, `dgamma (${g})`);
    expectClose(back.dbeta, w.dbeta, SUM_TOL, `dbeta (${g})`);
  });
}

// groups = 2: the GAN's D batch [fake; real], each half normalised by its own
// statistics; the reference runs the halves as two passes, in order.
for (const c of [case2d(6, 5, 13, 11, 'leakyRelu', 0.2), case1d(14, 9, 'relu')]) {
  const g = `${geometry(c)},groups=2`;
  test(`batchnorm with 2 groups equals two separate passes (running stats updated twice, in order): ${g}`, async ({ gpu }) => {
    const s = c.shape;
    const half: BatchNormShape = { ...s, batch: s.batch / 2 };
    const per = half.batch * s.channels * s.spatial;
    const inp = inputsFor(s, 901);
    // Make the halves' statistics differ, so mixing them would show.
    for (let i = per; i < inp.x.length; i++) inp.x[i] = Math.fround(inp.x[i] * 2 - 3);
    const o = optionsFor(c.act, c.slope);
    const C = s.channels;
    const gpuRun = await gpu.runKernel({
      family: 'batchnorm', entry: 'batchnorm_forward',
      overrides: { ACT: ACTIVATION_CODE[c.act] }, uniforms: uniformsFor(s, c.slope, 2),
      inputs: { x: [...inp.x], gamma: [...inp.gamma], beta: [...inp.beta], running_mean: [...inp.runningMean], running_var: [...inp.runningVar] },
      outputs: { y: inp.x.length, mean: 2 * C, invstd: 2 * C, running_mean: C, running_var: C },
    });
    const first = batchnormForward(half, inp.x.subarray(0, per), inp.gamma, inp.beta, inp.runningMean, inp.runningVar, o);
    const second = batchnormForward(half, inp.x.subarray(per), inp.gamma, inp.beta, first.runningMean, first.runningVar, o);
    expectClose(gpuRun.y, [...first.y, ...second.y], VALUE_TOL, `y (${g})`);
    expectClose(gpuRun.mean, [...first.mean, ...second.mean], STAT_TOL, `mean per group (${g})`);
    expectClose(gpuRun.invstd, [...first.invstd, ...second.invstd], STAT_TOL, `invstd per group (${g})`);
    expectClose(gpuRun.running_mean, second.runningMean, STAT_TOL, `running_mean (${g})`);
    expectClose(gpuRun.running_var, second.runningVar, STAT_TOL, `running_var (${g})`);

    const common = { overrides: { ACT: ACTIVATION_CODE[c.act] }, uniforms: uniformsFor(s, c.slope, 2) };
    const inputs = { x: [...inp.x], y_saved: gpuRun.y, dy: [...inp.dy], mean_saved: gpuRun.mean, invstd_saved: gpuRun.invstd };
    const bi = await gpu.runKernel({ family: 'batchnorm', entry: 'batchnorm_backward_input', ...common, inputs: { ...inputs, gamma: [...inp.gamma] }, outputs: { dx: inp.x.length } });
    const bw = await gpu.runKernel({ family: 'batchnorm', entry: 'batchnorm_backward_weight', ...common, inputs, outputs: { dgamma: C, dbeta: C } });
    const dz = batchnormPreactivationGrad(f32(gpuRun.y), inp.dy, c.act, o.slope);
    const dx: number[] = [];
    const dgamma = new Float64Array(C);
    const dbeta = new Float64Array(C);
    for (const h of [0, 1]) {
      const mean = f32(gpuRun.mean.slice(h * C, (h + 1) * C));
      const invstd = f32(gpuRun.invstd.slice(h * C, (h + 1) * C));
      const xs = inp.x.subarray(h * per, (h + 1) * per);
      const dzs = dz.subarray(h * per, (h + 1) * per);
      dx.push(...batchnormBackwardInput(half, xs, mean, invstd, inp.gamma, dzs));
      const w = batchnormBackwardWeight(half, xs, mean, invstd, dzs);
      w.dgamma.forEach((v, i) => (dgamma[i] += v));
      w.dbeta.forEach((v, i) => (dbeta[i] += v));
    }
    expectClose(bi.dx, dx, VALUE_TOL, `dx (${g})`);
    expectClose(bw.dgamma, dgamma, SUM_TOL, `dgamma (${g})`);
    expectClose(bw.dbeta, dbeta, SUM_TOL, `dbeta (${g})`);
  });
}

const EVAL_CASES: Case[] = [case2d(3, 5, 13, 11, 'sigmoid'), case1d(7, 37, 'none'), case2d(2, 3, 3, 5, 'leakyRelu', 0.2)];
for (const [k, c] of EVAL_CASES.entries()) {
  const g = geometry(c);
  test(`batchnorm eval forward matches the CPU reference: ${g}`, async ({ gpu }) => {
    const s = c.shape;
    const inp = inputsFor(s, 100 * k + 55);
    const ref = batchnormForwardEval(s, inp.x, inp.gamma, inp.beta, inp.runningMean, inp.runningVar, optionsFor(c.act, c.slope));
    const out = await gpu.runKernel({
      family: 'batchnorm', entry: 'batchnorm_forward_eval',
      overrides: { ACT: ACTIVATION_CODE[c.act] }, uniforms: uniformsFor(s, c.slope),
      inputs: {
        x: [...inp.x], gamma: [...inp.gamma], beta: [...inp.beta],
        running_mean: [...inp.runningMean], running_var: [...inp.runningVar],
      },
      outputs: { y: inp.x.length, running_mean: s.channels, running_var: s.channels },
    });
    expectClose(out.y, ref, VALUE_TOL, `y (${g})`);
    // Eval leaves the running statistics alone.
    expectClose(out.running_mean, inp.runningMean, { atol: 0, rtol: 0 }, 'running_mean');
    expectClose(out.running_var, inp.runningVar, { atol: 0, rtol: 0 }, 'running_var');
  });
}

test('batchnorm running statistics after two forward calls: batchnorm2d N=2,C=3,H=4,W=5,act=none,momentum=0.1', async ({ gpu }) => {
  const s = { batch: 2, channels: 3, spatial: 20 };
  const o = optionsFor('none', 0);
  const first = inputsFor(s, 901);
  const second = { ...inputsFor(s, 902), runningMean: first.runningMean, runningVar: first.runningVar };
  // Float64 chain on the CPU; the GPU's second call starts from its own first update.
  const r1 = batchnormForward(s, first.x, first.gamma, first.beta, first.runningMean, first.runningVar, o);
  const r2 = batchnormForward(s, second.x, second.gamma, second.beta, r1.runningMean, r1.runningVar, o);
  const g1 = await gpuForward(gpu, s, 'none', 0, first);
  const g2 = await gpuForward(gpu, s, 'none', 0, { ...second, runningMean: f32(g1.running_mean), runningVar: f32(g1.running_var) });
  expectClose(g1.running_mean, r1.runningMean, STAT_TOL, 'running_mean after call 1');
  expectClose(g1.running_var, r1.runningVar, STAT_TOL, 'running_var after call 1');
  expectClose(g2.running_mean, r2.runningMean, STAT_TOL, 'running_mean after call 2');
  expectClose(g2.running_var, r2.runningVar, STAT_TOL, 'running_var after call 2');
  expectClose(g2.y, r2.y, VALUE_TOL, 'y of call 2');
  // Written out: r2 = 0.9² · r0 + 0.9 · 0.1 · stat1 + 0.1 · stat2, with the unbiased variance (M = 40).
  const M = 40;
  for (let c = 0; c < 3; c++) {
    const var1 = (1 / r1.invstd[c] ** 2 - o.eps) * (M / (M - 1));
    const var2 = (1 / r2.invstd[c] ** 2 - o.eps) * (M / (M - 1));
    const m = o.momentum;
    expect(r2.runningMean[c]).toBeCloseTo((1 - m) ** 2 * first.runningMean[c] + (1 - m) * m * r1.mean[c] + m * r2.mean[c], 12);
    expect(r2.runningVar[c]).toBeCloseTo((1 - m) ** 2 * first.runningVar[c] + (1 - m) * m * var1 + m * var2, 12);
  }
});

test('batchnorm hand-worked example: batchnorm1d N=2,C=1,x=[1,3],gamma=2,beta=0.5,dy=[1,0]', async ({ gpu }) => {
  // PyTorch's formulas written out. mean = 2, biased var = 1, unbiased var = 2,
  // s = invstd = 1/√(1 + eps), x̂ = [−s, s].
  //   y      = γ x̂ + β                      = [0.5 − 2s, 0.5 + 2s]
  //   running_mean = 0.9 · 0 + 0.1 · 2      = 0.2
  //   running_var  = 0.9 · 1 + 0.1 · 2      = 1.1
  //   dβ     = Σ dy                         = 1
  //   dγ     = Σ dy · x̂                     = −s
  //   dx     = (γ s / M) (M dy − Σ dy − x̂ Σ dy·x̂) = s ([2, 0] − 1 − [−s, s]·(−s)) = s (1 − s²) [1, −1]
  // With two values per channel y is ±γ·(almost 1) + β whatever x is, so dx is
  // only eps-sized: s (1 − s²) ≈ 1e-5.
  const sInv = 1 / Math.sqrt(1 + EPS);
  const want = {
    y: [0.5 - 2 * sInv, 0.5 + 2 * sInv],
    mean: [2], invstd: [sInv], runningMean: [0.2], runningVar: [1.1],
    dgamma: [-sInv], dbeta: [1],
    dx: [sInv * (1 - sInv * sInv), -sInv * (1 - sInv * sInv)],
  };
  const shape = { batch: 2, channels: 1, spatial: 1 };
  const inp: Inputs = {
    x: Float64Array.from([1, 3]), gamma: Float64Array.from([2]), beta: Float64Array.from([0.5]),
    runningMean: Float64Array.from([0]), runningVar: Float64Array.from([1]), dy: Float64Array.from([1, 0]),
  };
  // CPU reference in float64 (eps and momentum exact here).
  const o = { eps: EPS, momentum: MOMENTUM, act: 'none' as const, slope: 0 };
  const ref = batchnormForward(shape, inp.x, inp.gamma, inp.beta, inp.runningMean, inp.runningVar, o);
  const exact = { atol: 1e-15, rtol: 1e-13 };
  expectClose(ref.y, want.y, exact, 'reference y');
  expectClose(ref.mean, want.mean, exact, 'reference mean');
  expectClose(ref.invstd, want.invstd, exact, 'reference invstd');
  expectClose(ref.runningMean, want.runningMean, exact, 'reference running_mean');
  expectClose(ref.runningVar, want.runningVar, exact, 'reference running_var');
  const w = batchnormBackwardWeight(shape, inp.x, ref.mean, ref.invstd, inp.dy);
  expectClose(w.dgamma, want.dgamma, exact, 'reference dgamma');
  expectClose(w.dbeta, want.dbeta, exact, 'reference dbeta');
  expectClose(batchnormBackwardInput(shape, inp.x, ref.mean, ref.invstd, inp.gamma, inp.dy), want.dx, { atol: 1e-18, rtol: 1e-9 }, 'reference dx');

  // GPU, f32. dx is a difference of O(1) terms cancelling to 1e-5: absolute error ~1e-7.
  const fwd = await gpuForward(gpu, shape, 'none', 0, inp);
  const f = { atol: 1e-6, rtol: 1e-6 };
  expectClose(fwd.y, want.y, f, 'y');
  expectClose(fwd.mean, want.mean, f, 'mean');
  expectClose(fwd.invstd, want.invstd, f, 'invstd');
  expectClose(fwd.running_mean, want.runningMean, f, 'running_mean');
  expectClose(fwd.running_var, want.runningVar, f, 'running_var');
  const back = await gpuBackward(gpu, shape, 'none', 0, inp, { y: fwd.y, mean: fwd.mean, invstd: fwd.invstd });
  expectClose(back.dgamma, want.dgamma, f, 'dgamma');
  expectClose(back.dbeta, want.dbeta, f, 'dbeta');
  expectClose(back.dx, want.dx, { atol: 3e-7, rtol: 0 }, 'dx');
});

test('batchnorm with one value per channel (N·L = 1, PyTorch refuses to train): batchnorm1d N=1,C=4,act=none', async ({ gpu }) => {
  // Documented behaviour: var = 0, so y = β, mean = x, invstd = 1/√eps; the
  // unbiased variance is taken as 0, so running_var decays to (1 − momentum)·running_var;
  // dx = 0 and dγ = 0 exactly, dβ = dy. Everything finite.
  const s = { batch: 1, channels: 4, spatial: 1 };
  const inp = inputsFor(s, 77);
  const ref = batchnormForward(s, inp.x, inp.gamma, inp.beta, inp.runningMean, inp.runningVar, optionsFor('none', 0));
  const fwd = await gpuForward(gpu, s, 'none', 0, inp);
  expectClose(fwd.y, inp.beta, { atol: 0, rtol: 0 }, 'y = beta');
  expectClose(ref.y, inp.beta, { atol: 0, rtol: 0 }, 'reference y = beta');
  expectClose(fwd.mean, inp.x, { atol: 0, rtol: 0 }, 'mean = x');
  expectClose(fwd.invstd, Array(4).fill(1 / Math.sqrt(Math.fround(EPS))), { atol: 0, rtol: 1e-5 }, 'invstd = 1/sqrt(eps)');
  expectClose(fwd.running_mean, ref.runningMean, STAT_TOL, 'running_mean');
  expectClose(fwd.running_var, inp.runningVar.map((v) => (1 - MOMENTUM) * v), STAT_TOL, 'running_var decays');
  expectClose(ref.runningVar, inp.runningVar.map((v) => (1 - Math.fround(MOMENTUM)) * v), { atol: 1e-15, rtol: 0 }, 'reference running_var');
  const back = await gpuBackward(gpu, s, 'none', 0, inp, { y: fwd.y, mean: fwd.mean, invstd: fwd.invstd });
  expectClose(back.dx, [0, 0, 0, 0], { atol: 0, rtol: 0 }, 'dx = 0');
  expectClose(back.dgamma, [0, 0, 0, 0], { atol: 0, rtol: 0 }, 'dgamma = 0');
  expectClose(back.dbeta, inp.dy, { atol: 0, rtol: 0 }, 'dbeta = dy');
});

const FD_ACTS: [ActivationName, number][] = [
  ['none', 0],
  ['relu', 0],
  ['leakyRelu', 0.2],
  ['elu', 1],
  ['tanh', 0],
  ['sigmoid', 0],
];

for (const c of [case2d(2, 3, 2, 3, 'none'), case1d(5, 2, 'none')]) {
  const g = geometry(c).replace(/,act=none$/, ',act=each');
  test(`batchnorm CPU reference backward matches finite differences through the batch statistics: ${g}`, () => {
    const s = c.shape;
    for (const [act, slope] of FD_ACTS) {
      const inp = inputsFor(s, 300 + ACTIVATION_CODE[act]);
      const o = { eps: EPS, momentum: MOMENTUM, act, slope };
      // Scalar loss = Σ dy ⊙ y with y from the training forward, so x's
      // gradient includes the paths through the batch mean and variance.
      const loss = (x: Float64Array, gamma: Float64Array, beta: Float64Array) =>
        batchnormForward(s, x, gamma, beta, inp.runningMean, inp.runningVar, o).y.reduce((acc, v, i) => acc + v * inp.dy[i], 0);
      const fwd = batchnormForward(s, inp.x, inp.gamma, inp.beta, inp.runningMean, inp.runningVar, o);
      const dz = batchnormPreactivationGrad(fwd.y, inp.dy, act, slope);
      const w = batchnormBackwardWeight(s, inp.x, fwd.mean, fwd.invstd, dz);
      const analytic = {
        x: batchnormBackwardInput(s, inp.x, fwd.mean, fwd.invstd, inp.gamma, dz),
        gamma: w.dgamma,
        beta: w.dbeta,
      };
      for (const name of ['x', 'gamma', 'beta'] as const) {
        const at = (arr: Float64Array): number =>
          name === 'x' ? loss(arr, inp.gamma, inp.beta) : name === 'gamma' ? loss(inp.x, arr, inp.beta) : loss(inp.x, inp.gamma, arr);
        const numeric = numericGradient(at, inp[name]);
        expectClose(analytic[name], numeric, { atol: 1e-6, rtol: 1e-5 }, `d${name} (act=${act})`);
      }
      // The x gradient is not the naive γ·invstd·dz: the statistics' paths matter.
      const naive = dz.map((d, i) => inp.gamma[Math.floor(i / s.spatial) % s.channels] * fwd.invstd[Math.floor(i / s.spatial) % s.channels] * d);
      expect(Math.max(...analytic.x.map((v, i) => Math.abs(v - naive[i])))).toBeGreaterThan(1e-3);
    }
  });
}
