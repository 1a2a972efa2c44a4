// Every tuning variant of the optimizer updates (adam.wgsl for Adam and AdamW,
// sgd.wgsl, rmsprop.wgsl) and of the EMA (param_ops.wgsl's ema_update):
// shaders/index.ts's `tuning` of adamKernels, sgdKernels, rmspropKernels and
// paramOpsKernels, which the tuner may pick per parameter count. Each variant
// runs the same per-parameter step, so each must give the default variant's
// bits exactly, and the float64 reference's values up to f32 rounding, at
// counts that are no multiple of any workgroup or block (1, 5, 1031, 70001 and
// 270001: a 3-parameter tail for 4 per invocation, and past 256 workgroups of
// 256 × 4, so that every variant's grid stride loops), with state that
// exercises the schedule and the bookkeeping (t > 1 read from the training
// state of its phase, the other phase's count different; weight decay, AdamW's
// decoupled decay, momentum with dampening, Nesterov at t = 1, centered,
// EMA warmup). The inputs are drawn so that every parameter's expected update
// is larger than the tolerance (checked below), so a variant that skips a
// block fails. Once training has halted every variant writes nothing.
// The optimizer modules and the EMA look their kernel up through
// kernels.kernelFor with the dispatch's uniforms (so the tuner can pick), and
// each family's bufferFloats sizes every binding its entries bind.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose, type Tolerance } from '../../../test/support/compare.js';
import { PHASE_D, PHASE_G, stateAfterUpdate } from '../../../test/support/train-state.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { reflectFamily, type KernelFamily, type KernelRegistry, type UniformValues } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { TRAIN_STATE_WORDS } from '../../shaders/constants.js';
import { ADAM_OVERRIDES, EMA_OVERRIDES, RMSPROP_OVERRIDES, SGD_OVERRIDES, adamKernels, paramOpsKernels, rmspropKernels, sgdKernels } from '../../shaders/index.js';
import { adamUpdate, type AdamHyper } from './adam.reference.js';
import { emaReference, encodeEma, type EmaOptions } from './ema.js';
import { findOptimizer } from './optimizer.js';
import { rmspropUpdate, type RmspropHyper } from './rmsprop.reference.js';
import { scheduleUniforms, type ResolvedSchedule } from './schedule.js';
import { sgdUpdate, type SgdHyper } from './sgd.reference.js';
import './index.js';

/** Each tunable entry, its family and the family's default overrides (the first variant's). */
const TUNABLE: { family: KernelFamily; entry: string; defaults: Record<string, number> }[] = [
  { family: adamKernels, entry: 'adam_update', defaults: ADAM_OVERRIDES },
  { family: sgdKernels, entry: 'sgd_update', defaults: SGD_OVERRIDES },
  { family: sgdKernels, entry: 'sgd_momentum_update', defaults: SGD_OVERRIDES },
  ...['rmsprop_update', 'rmsprop_momentum_update', 'rmsprop_centered_update', 'rmsprop_centered_momentum_update'].map((entry) => ({
    family: rmspropKernels,
    entry,
    defaults: RMSPROP_OVERRIDES,
  })),
  { family: paramOpsKernels, entry: 'ema_update', defaults: EMA_OVERRIDES },
];

const variantsOf = (family: KernelFamily, entry: string) => family.tuning!.variants[entry]!;
/** The two overrides of a family: invocations per workgroup, parameters per invocation. */
const shapeOf = (defaults: Record<string, number>) => {
  const [wg, elems] = Object.keys(defaults);
  return { wg, elems };
};

test('optimizer and EMA variants: the first is today\'s kernel (64 × 1); the others distinct shapes of 64–256 invocations × 1 or 4 parameters', () => {
  for (const { family, entry, defaults } of TUNABLE) {
    const variants = variantsOf(family, entry);
    const { wg, elems } = shapeOf(defaults);
    expect(family.overrides, family.name).toEqual(defaults);
    expect(defaults, `${family.name}: today's shape`).toEqual({ [wg]: 64, [elems]: 1 });
    expect(variants[0], entry).toEqual({ name: 'wg64.e1', entry, overrides: { ...defaults } });
    expect(variants.length, entry).toBe(6);
    expect(new Set(variants.map((v) => v.name)).size, entry).toBe(variants.length);
    expect(new Set(variants.map((v) => JSON.stringify(v.overrides))).size, `${entry}: distinct shapes`).toBe(variants.length);
    for (const v of variants) {
      const what = `${entry} ${v.name}`;
      expect(v.entry, what).toBe(entry);
      expect(Object.keys(v.overrides).sort(), what).toEqual([elems, wg].sort());
      expect(v.overrides[wg], what).toBeGreaterThanOrEqual(64);
      expect(v.overrides[wg], what).toBeLessThanOrEqual(256);
      expect([1, 4], what).toContain(v.overrides[elems]);
      expect(v.name, what).toBe(`wg${v.overrides[wg]}.e${v.overrides[elems]}`);
    }
  }
});

test('optimizer and EMA tuning: the parameter count decides, bufferFloats sizes every binding, and each variant\'s grid covers the count within 256 workgroups', () => {
  for (const { family, entry, defaults } of TUNABLE) {
    const tuning = family.tuning!;
    expect(tuning.shapeMembers, family.name).toEqual(['count']);
    const info = reflectFamily(family).get(entry)!;
    expect(info.uniform?.members.map((m) => m.name), entry).toContain('count');
    const count = 70001;
    const floats = tuning.bufferFloats({ count });
    for (const b of info.bindings.filter((b) => b.kind !== 'uniform')) {
      expect(floats[b.name], `${entry}: scratch size of ${b.name}`).toBe(b.name === 'state' ? TRAIN_STATE_WORDS : count);
    }
    const { wg, elems } = shapeOf(defaults);
    for (const v of variantsOf(family, entry)) {
      const o = { ...defaults, ...v.overrides };
      for (const n of [1, 5, 1031, 70001, 270001, 50_000_000]) {
        const [x, y, z] = family.dispatch[entry]({ count: n }, o);
        const what = `${entry} ${v.name} count=${n}: ${x}×${y}×${z}`;
        expect([y, z], what).toEqual([1, 1]);
        expect(x, what).toBeGreaterThanOrEqual(1);
        expect(x, what).toBeLessThanOrEqual(256);
        // Fewer invocations than blocks only at the cap (each then strides over the rest).
        if (x < 256) expect(x * o[wg] * o[elems], what).toBeGreaterThanOrEqual(n);
      }
    }
  }
});

// ---- Cases: one per entry form, each with its inputs' ranges, uniforms and float64 reference.

/**
 * Random draws in [0, 1) that every case maps to its inputs' ranges: 5 arrays per count and seed, drawn once
 * (Philox in JS costs ~4 µs a value, and the cases need no independence from each other).
 */
type Draws = readonly number[][];
const drawCache = new Map<string, Draws>();
function draws(count: number, seed: number): Draws {
  const key = `${count}/${seed}`;
  let d = drawCache.get(key);
  if (!d) drawCache.set(key, (d = [0, 1, 2, 3, 4].map((k) => randomArray(count, seed * 8 + k, 0, 1))));
  return d;
}
/** Draw k mapped to [low, high), rounded to f32. */
const within = (d: Draws, k: number, low: number, high: number): Float64Array => f32(d[k].map((u) => low + (high - low) * u));
/** Draw k mapped to ±[low, high), sign and size random: never near 0 (a gradient whose update shows). */
const awayFromZero = (d: Draws, k: number, low: number, high: number): Float64Array =>
  f32(d[k].map((u) => (u < 0.5 ? -1 : 1) * (low + (high - low) * Math.abs(2 * u - 1))));

type Arrays = Record<string, Float64Array>;

interface Case {
  name: string;
  family: KernelFamily;
  entry: string;
  phase: number;
  t: number;
  uniforms: (count: number) => UniformValues;
  /** Every float binding's initial values (f32), by WGSL name. */
  inputs: (d: Draws) => Arrays;
  /** The bindings written, with their tolerance against float64. */
  outputs: Record<string, Tolerance>;
  /** The binding whose every element must move by more than its tolerance (so a skipped block fails). */
  witness: string;
  /** Float64 reference: the outputs after the update, from the inputs. */
  reference: (x: Arrays) => Arrays;
}

const COSINE: ResolvedSchedule = { kind: 'cosine', steps: 10, final: Math.fround(0.1) };
const LINEAR: ResolvedSchedule = { kind: 'linear', steps: 8, final: Math.fround(0.25) };
const fr = Math.fround;
const copy = (x: Arrays, names: string[]): Arrays => Object.fromEntries(names.map((n) => [n, Float64Array.from(x[n])]));

// Against float64: m, v, ḡ a few f32 roundings of terms ≤ 0.25; params |p| ≤ 1 plus a step that carries
// f32 pow()'s error in Adam's bias corrections and WGSL's 2.5-ulp division; buffers up to ~10 (g / d).
const MOMENT_TOL = { atol: 5e-8, rtol: 1e-6 };
const PARAM_TOL = { atol: 1e-6, rtol: 1e-6 };
const BUFFER_TOL = { atol: 1e-6, rtol: 1e-6 };

function adamCase(name: string, phase: number, t: number, h: AdamHyper): Case {
  return {
    name,
    family: adamKernels,
    entry: 'adam_update',
    phase,
    t,
    uniforms: (count) => ({
      count, phase, lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weight_decay: h.weightDecay, decoupled: h.decoupled ? 1 : 0,
      ...scheduleUniforms(h.schedule!),
    }),
    // |m| ≤ 0.005 < (1 − β1)·|g|, so m's update never cancels; v small, so the step is ≥ ~1e-4.
    inputs: (d) => ({
      params: within(d, 0, -1, 1),
      grads: awayFromZero(d, 1, 0.1, 0.5),
      exp_avg: within(d, 2, -0.005, 0.005),
      exp_avg_sq: within(d, 3, 0, 1e-4),
    }),
    outputs: { params: PARAM_TOL, exp_avg: MOMENT_TOL, exp_avg_sq: MOMENT_TOL },
    witness: 'params',
    reference: (x) => {
      const r = copy(x, ['params', 'exp_avg', 'exp_avg_sq']);
      const h32 = { ...h, lr: fr(h.lr), beta1: fr(h.beta1), beta2: fr(h.beta2), eps: fr(h.eps), weightDecay: fr(h.weightDecay) };
      adamUpdate(h32, t, r.params, x.grads, r.exp_avg, r.exp_avg_sq);
      return r;
    },
  };
}

function sgdCase(name: string, phase: number, t: number, h: SgdHyper): Case {
  const momentum = h.momentum > 0;
  return {
    name,
    family: sgdKernels,
    entry: momentum ? 'sgd_momentum_update' : 'sgd_update',
    phase,
    t,
    uniforms: (count) => ({
      count, phase, lr: h.lr, momentum: h.momentum, dampening: h.dampening, weight_decay: h.weightDecay, nesterov: h.nesterov ? 1 : 0,
      ...scheduleUniforms(h.schedule!),
    }),
    // |μ·buf| ≤ 0.03 < (1 − dampening)·|g + wd·p|, so the buffer's update never cancels.
    inputs: (d) => ({
      params: within(d, 0, -1, 1),
      grads: awayFromZero(d, 1, 0.1, 0.5),
      ...(momentum ? { momentum_buffer: within(d, 2, -0.03, 0.03) } : {}),
    }),
    outputs: { params: { atol: 3e-7, rtol: 1e-6 }, ...(momentum ? { momentum_buffer: { atol: 3e-7, rtol: 1e-6 } } : {}) },
    witness: 'params',
    reference: (x) => {
      const r = copy(x, ['params', ...(momentum ? ['momentum_buffer'] : [])]);
      const h32 = { ...h, lr: fr(h.lr), momentum: fr(h.momentum), dampening: fr(h.dampening), weightDecay: fr(h.weightDecay) };
      sgdUpdate(h32, t, r.params, x.grads, r.momentum_buffer);
      return r;
    },
  };
}

function rmspropCase(name: string, phase: number, t: number, h: RmspropHyper): Case {
  const slots = ['square_avg', ...(h.momentum > 0 ? ['momentum_buffer'] : []), ...(h.centered ? ['grad_avg'] : [])];
  return {
    name,
    family: rmspropKernels,
    entry: `rmsprop${h.centered ? '_centered' : ''}${h.momentum > 0 ? '_momentum' : ''}_update`,
    phase,
    t,
    uniforms: (count) => ({
      count, phase, lr: h.lr, alpha: h.alpha, eps: h.eps, weight_decay: h.weightDecay, momentum: h.momentum,
      ...scheduleUniforms(h.schedule!),
    }),
    // v ≥ 0.01 > ḡ² (|ḡ| ≤ 0.05), as a mean of squares and a mean are; |g / d| ≥ 0.4 > |μ·buf|.
    inputs: (d) => ({
      params: within(d, 0, -1, 1),
      grads: awayFromZero(d, 1, 0.1, 0.5),
      square_avg: within(d, 2, 0.01, 0.05),
      momentum_buffer: within(d, 3, -0.1, 0.1),
      grad_avg: within(d, 4, -0.05, 0.05),
    }),
    outputs: {
      params: { atol: 3e-7, rtol: 1e-6 },
      square_avg: MOMENT_TOL,
      ...(h.momentum > 0 ? { momentum_buffer: BUFFER_TOL } : {}),
      ...(h.centered ? { grad_avg: MOMENT_TOL } : {}),
    },
    witness: 'params',
    reference: (x) => {
      const r = copy(x, ['params', ...slots]);
      const h32 = { ...h, lr: fr(h.lr), alpha: fr(h.alpha), eps: fr(h.eps), weightDecay: fr(h.weightDecay), momentum: fr(h.momentum) };
      rmspropUpdate(h32, t, r.params, x.grads, r.square_avg, r.momentum_buffer, r.grad_avg);
      return r;
    },
  };
}

function emaCase(name: string, phase: number, t: number, o: EmaOptions): Case {
  return {
    name,
    family: paramOpsKernels,
    entry: 'ema_update',
    phase,
    t,
    uniforms: (count) => ({ count, phase, warmup: o.warmup === false ? 0 : 1, decay: o.decay }),
    // |params − averaged| ≥ 0.5: every average moves.
    inputs: (d) => ({ params: within(d, 0, 0.5, 2), averaged: within(d, 1, -1, 0) }),
    // params is bound read_write but only read: read back to see that it stays as it was.
    outputs: { averaged: { atol: 1e-6, rtol: 1e-6 }, params: { atol: 0, rtol: 0 } },
    witness: 'averaged',
    reference: (x) => {
      const r = copy(x, ['averaged', 'params']);
      emaReference(r.averaged, x.params, { ...o, decay: fr(o.decay) }, t);
      return r;
    },
  };
}

const ADAM: AdamHyper = { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: false, schedule: COSINE };
const CASES: Case[] = [
  adamCase('adam, L2 decay, cosine schedule, t=3', PHASE_G, 3, ADAM),
  adamCase('adamw, decoupled decay, linear schedule, t=5', PHASE_D, 5, { ...ADAM, lr: 1e-3, beta1: 0.5, weightDecay: 0.05, decoupled: true, schedule: LINEAR }),
  sgdCase('sgd, L2 decay, linear schedule, t=4', PHASE_G, 4, { lr: 1e-2, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.05, schedule: LINEAR }),
  sgdCase('sgd, momentum with dampening, cosine schedule, t=7', PHASE_D, 7, { lr: 5e-3, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0.01, schedule: COSINE }),
  sgdCase('sgd, nesterov at t=1 (the buffer starts as g)', PHASE_G, 1, { lr: 2e-2, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0.1, schedule: LINEAR }),
  rmspropCase('rmsprop, L2 decay, linear schedule, t=6', PHASE_D, 6, { lr: 1e-3, alpha: 0.99, eps: 1e-8, weightDecay: 0.01, momentum: 0, centered: false, schedule: LINEAR }),
  rmspropCase('rmsprop, momentum, cosine schedule, t=3', PHASE_G, 3, { lr: 1e-3, alpha: 0.9, eps: 1e-6, weightDecay: 0, momentum: 0.9, centered: false, schedule: COSINE }),
  rmspropCase('rmsprop, centered, t=2', PHASE_D, 2, { lr: 2e-3, alpha: 0.99, eps: 1e-8, weightDecay: 0.1, momentum: 0, centered: true, schedule: COSINE }),
  rmspropCase('rmsprop, centered with momentum, t=9', PHASE_G, 9, { lr: 1e-3, alpha: 0.95, eps: 1e-4, weightDecay: 0.01, momentum: 0.5, centered: true, schedule: LINEAR }),
  emaCase('ema, warmup at t=7 (d = 8/17)', PHASE_G, 7, { decay: 0.9, warmup: true }),
];

/** Float32 values as base64 (a page.evaluate argument costs per element; one string does not). */
const toBase64 = (a: ArrayLike<number>): string => Buffer.from(Float32Array.from(a).buffer).toString('base64');
const fromBase64 = (b: string): Float64Array => {
  const bytes = Buffer.from(b, 'base64');
  return Float64Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
};

interface VariantRuns {
  /** The first (default) variant's outputs, base64 f32. */
  first: Record<string, string>;
  /** Per variant and output: elements that differ from the first variant's (Object.is: −0 is not 0; a NaN always differs), and the first of them. */
  differ: { variant: string; output: string; count: number; at: number; got: number; want: number }[];
  runs: number;
}

/**
 * Runs every variant of the case's entry on the test page through the harness (window.harness.runKernel),
 * from the same inputs and training state, and compares each variant's outputs there with the first's.
 */
function runVariants(gpu: GpuPage, c: Case, x: Arrays, count: number, halted: number): Promise<VariantRuns> {
  const arg = {
    family: c.family.name,
    variants: variantsOf(c.family, c.entry).map((v) => ({ name: v.name, entry: v.entry, overrides: v.overrides })),
    uniforms: c.uniforms(count),
    inputs: Object.fromEntries(Object.entries(x).map(([k, a]) => [k, toBase64(a)])),
    state: stateAfterUpdate(c.phase, c.t, halted),
    outputs: Object.fromEntries(Object.keys(c.outputs).map((k) => [k, count])),
  };
  return gpu.page.evaluate(async (a) => {
    const decode = (b: string): number[] => {
      const bin = atob(b);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return Array.from(new Float32Array(bytes.buffer));
    };
    const encode = (values: number[]): string => {
      const bytes = new Uint8Array(Float32Array.from(values).buffer);
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(bin);
    };
    const inputs = Object.fromEntries(Object.entries(a.inputs).map(([k, b]) => [k, decode(b)]));
    let first: Record<string, number[]> | null = null;
    const differ: VariantRuns['differ'] = [];
    for (const v of a.variants) {
      const got = await window.harness.runKernel({
        family: a.family, entry: v.entry, overrides: v.overrides, uniforms: a.uniforms, inputs, uintInputs: { state: a.state }, outputs: a.outputs,
      });
      if (first) {
        for (const [name, want] of Object.entries(first)) {
          const out = got[name];
          let n = 0;
          let at = -1;
          for (let i = 0; i < want.length; i++) {
            if (!Object.is(out[i], want[i]) || Number.isNaN(out[i])) {
              if (n++ === 0) at = i;
            }
          }
          if (out.length !== want.length) n = Math.max(n, 1);
          if (n) differ.push({ variant: v.name, output: name, count: n, at, got: out[at], want: want[at] });
        }
      } else first = got;
    }
    return { first: Object.fromEntries(Object.entries(first!).map(([k, o]) => [k, encode(o)])), differ, runs: a.variants.length };
  }, arg);
}

test('every tunable entry has a case below', () => {
  expect(new Set(CASES.map((c) => c.entry))).toEqual(new Set(TUNABLE.map((t) => t.entry)));
});

for (const count of [1, 5, 1031, 70001, 270001]) {
  test(`optimizer and EMA variants: every candidate gives the default variant's bits, which match the float64 reference: count=${count}`, async ({ gpu }) => {
    test.setTimeout(600_000);
    let checked = 0;
    for (const c of CASES) {
      const x = c.inputs(draws(count, 1));
      const want = c.reference(x);
      // The data makes a skipped block visible: every element of the witness moves by more than its tolerance.
      const tol = c.outputs[c.witness];
      const still = want[c.witness].findIndex((w, j) => !(Math.abs(w - x[c.witness][j]) > tol.atol + tol.rtol * Math.abs(w)));
      expect(still, `${c.name}: element ${still} of ${c.witness} barely moves`).toBe(-1);
      const r = await runVariants(gpu, c, x, count, 0);
      for (const [name, t] of Object.entries(c.outputs)) expectClose(fromBase64(r.first[name]), want[name], t, `${name} of ${c.name}, default variant, count=${count}`);
      // Against the default variant: the same per-parameter step, so the same bits.
      expect(r.differ, `${c.name}, count=${count}: variants whose outputs differ from the default's`).toEqual([]);
      checked += r.runs;
    }
    expect(checked).toBe(CASES.reduce((n, c) => n + variantsOf(c.family, c.entry).length, 0));
  });
}

test('optimizer and EMA variants: once training has halted, no candidate writes anything: count=1031', async ({ gpu }) => {
  test.setTimeout(300_000);
  const count = 1031;
  let checked = 0;
  for (const c of CASES) {
    const x = c.inputs(draws(count, 2));
    const r = await runVariants(gpu, c, x, count, 1);
    // The default variant leaves every output as it was, and every other gives its bits.
    for (const name of Object.keys(c.outputs)) expectClose(fromBase64(r.first[name]), x[name], { atol: 0, rtol: 0 }, `${name} of ${c.name}, halted`);
    expect(r.differ, `${c.name}, halted`).toEqual([]);
    checked += r.runs;
  }
  expect(checked).toBe(CASES.length * 6);
});

// ---- The optimizers' and the EMA's encode look the kernel up through kernelFor with the dispatch's uniforms.

interface Lookup {
  family: string;
  entry: string;
  uniforms: UniformValues;
}

/** A registry whose kernelFor records what it is asked, and a sequence that records what it is given. */
function recorders() {
  const lookups: Lookup[] = [];
  const added: { kernel: unknown; uniforms: UniformValues | null }[] = [];
  const fail = () => {
    throw new Error('encode must look its kernel up by kernelFor (the tuner picks a variant), not kernel()');
  };
  const kernels = {
    kernelFor: async (family: KernelFamily, entry: string, uniforms: UniformValues) => {
      lookups.push({ family: family.name, entry, uniforms });
      return { family: family.name, entry };
    },
    kernel: fail,
  } as unknown as KernelRegistry;
  const seq = { add: (kernel: unknown, _b: unknown, uniforms: UniformValues | null) => added.push({ kernel, uniforms }) } as unknown as SequenceBuilder;
  return { lookups, added, kernels, seq };
}

const fakeBuffer = (label: string) => ({ label }) as unknown as GPUBuffer;

test('optimizers and the EMA encode through kernels.kernelFor with the uniforms they dispatch (count = the parameter count)', async () => {
  const never = (m: string): never => {
    throw new Error(m);
  };
  const forms: { optimizer: string; options: Record<string, unknown>; entry: string; family: string }[] = [
    { optimizer: 'adam', options: { lr: 1e-3 }, entry: 'adam_update', family: 'adam' },
    { optimizer: 'adamw', options: { lr: 1e-3 }, entry: 'adam_update', family: 'adam' },
    { optimizer: 'sgd', options: { lr: 1e-2 }, entry: 'sgd_update', family: 'sgd' },
    { optimizer: 'sgd', options: { lr: 1e-2, momentum: 0.9 }, entry: 'sgd_momentum_update', family: 'sgd' },
    { optimizer: 'rmsprop', options: { lr: 1e-3 }, entry: 'rmsprop_update', family: 'rmsprop' },
    { optimizer: 'rmsprop', options: { lr: 1e-3, momentum: 0.5, centered: true }, entry: 'rmsprop_centered_momentum_update', family: 'rmsprop' },
  ];
  for (const f of forms) {
    const module = findOptimizer(f.optimizer)!;
    const r = module.resolve(f.options, never);
    const { lookups, added, kernels, seq } = recorders();
    const slots = module.slots(r).map(fakeBuffer);
    await module.encode(seq, kernels, { params: fakeBuffer('p'), grads: fakeBuffer('g'), slots, state: fakeBuffer('s'), count: 70001, phase: PHASE_G }, r, 'net');
    expect(lookups.map((l) => [l.family, l.entry]), f.optimizer).toEqual([[f.family, f.entry]]);
    expect(lookups[0].uniforms.count, f.optimizer).toBe(70001);
    expect(lookups[0].uniforms.phase, f.optimizer).toBe(PHASE_G);
    expect(added, f.optimizer).toEqual([{ kernel: { family: f.family, entry: f.entry }, uniforms: lookups[0].uniforms }]);
  }
  const { lookups, added, kernels, seq } = recorders();
  await encodeEma(seq, kernels, { params: fakeBuffer('p'), averaged: fakeBuffer('a'), state: fakeBuffer('s'), count: 5, phase: PHASE_D }, { decay: 0.999, warmup: false }, 'ema');
  expect(lookups).toEqual([{ family: 'param_ops', entry: 'ema_update', uniforms: { count: 5, phase: PHASE_D, warmup: 0, decay: 0.999 } }]);
  expect(added).toEqual([{ kernel: { family: 'param_ops', entry: 'ema_update' }, uniforms: lookups[0].uniforms }]);
});
