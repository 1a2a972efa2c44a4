// Every tuning variant of the gradient norm's partial sums (train_state.wgsl's
// grad_sq_partials_sum; shaders/index.ts: reductionVariants) against Σ g² in float64,
// and through the close of the update (train_state_update) that consumes them:
// today's kernel (a partial per invocation, 64 a workgroup, ≤ 256 workgroups), then
// grad_sq_partials_sum_wg (a partial per workgroup of 64, 128 or 256) summing by a
// tree (prelude/reduce.wgsl) or by subgroup operations (reduce_subgroups.wgsl,
// compiled from the family's 'subgroups' source; the page's device has 'subgroups'
// wherever its adapter offers it, as SwiftShader does, so they run here). The
// variants write different numbers of partials; each must write exactly
// gradSqPartialsWritten of them (the rest of the buffer, NaN at the start, stays
// NaN), and train_state_update given that count must close the update with the
// norm √Σ g² (it would halt on a NaN it read past the count). Parameter counts 1,
// 1031 and 70001 (no multiple of any workgroup; 70001 strides the grid several
// times). The gradients are k/256 with |k| ≤ 2048, so every g² is exact in f32 and
// today's and the tree variants' partials must be the bits of an f32 emulation of
// their order of additions; the subgroup variants' (the same terms per workgroup,
// another order) agree with the tree's to rounding. A NaN gradient must give a
// NaN sum in every variant, so the close halts.
// grad_sq_close, the entry a trainer asks for: those candidates with the close
// timed alongside, then grad_sq_and_close (one workgroup sums Σ g² and closes the
// update itself), whose state must be the reference close's to the bit, its norm
// √Σ g², and which must halt on a NaN gradient or loss and change nothing once halted.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { randomArray } from '../../../test/support/data.js';
import { expectSubgroupsWhereOffered, forEachVariant, subgroupSupport, treeSumF32, variantsOf } from '../../../test/support/variants.js';
import type { KernelVariant } from '../../runtime/kernel.js';
import { trainStateUpdate } from '../../reference/train_state.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS, TRAIN_STATS_FLOATS, TRAIN_STATS_STRIDE } from '../../shaders/constants.js';
import { gradSqPartialCount, gradSqPartialsWritten, KERNEL_SIZES, REDUCE_WORKGROUPS, trainStateKernels } from '../../shaders/index.js';

const ENTRY = 'grad_sq_partials_sum';
const { GRAD_SQ_WORKGROUP, GRAD_SQ_MAX_WORKGROUPS } = KERNEL_SIZES.gradSq;

test("grad_sq_partials_sum variants: today's kernel first (no feature needed), then tree and subgroup forms at 64, 128 and 256 invocations", () => {
  const variants = variantsOf(trainStateKernels, ENTRY);
  expect(variants.map((v) => ({ name: v.name, entry: v.entry, overrides: v.overrides, requires: v.requires }))).toEqual([
    { name: 'thread.wg64', entry: ENTRY, overrides: {}, requires: undefined },
    ...REDUCE_WORKGROUPS.map((n) => ({ name: `tree.wg${n}`, entry: `${ENTRY}_wg`, overrides: { REDUCE_WORKGROUP: n }, requires: undefined })),
    ...REDUCE_WORKGROUPS.map((n) => ({ name: `subgroup.wg${n}`, entry: `${ENTRY}_wg`, overrides: { REDUCE_WORKGROUP: n }, requires: 'subgroups' })),
  ]);
  const sg = trainStateKernels.featureSources?.subgroups ?? '';
  expect(sg.startsWith('enable subgroups;')).toBe(true);
  expect(sg).toContain('subgroupAdd(');
  expect(trainStateKernels.source).not.toContain('subgroupAdd(');
  expect(trainStateKernels.tuning!.shapeMembers).toEqual(['count']);
  expect(trainStateKernels.tuning!.bufferFloats({ count: 1031 })).toEqual({
    grads: 1031, grad_sq_partials: gradSqPartialCount(1031), loss_out: 4, state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS,
  });
});

test('gradSqPartialsWritten: today a partial per invocation, the _wg form one per workgroup (≤ 256), never more than the buffer holds; it refuses what it cannot know', () => {
  for (const count of [1, 63, 64, 65, 1031, 16_384, 16_385, 70_001, 3_500_000]) {
    const size = gradSqPartialCount(count);
    expect(gradSqPartialsWritten(ENTRY, count, {})).toBe(size);
    expect(size).toBe(Math.min(Math.ceil(count / GRAD_SQ_WORKGROUP), GRAD_SQ_MAX_WORKGROUPS) * GRAD_SQ_WORKGROUP);
    for (const n of REDUCE_WORKGROUPS) {
      const w = gradSqPartialsWritten(`${ENTRY}_wg`, count, { REDUCE_WORKGROUP: n });
      expect(w, `count=${count}, n=${n}`).toBe(Math.min(Math.ceil(count / n), GRAD_SQ_MAX_WORKGROUPS));
      expect(w).toBeLessThanOrEqual(size);
      // The dispatch is that many workgroups: one partial each.
      expect(trainStateKernels.dispatch[`${ENTRY}_wg`]({ count }, { REDUCE_WORKGROUP: n })).toEqual([w, 1, 1]);
    }
  }
  expect(() => gradSqPartialsWritten(`${ENTRY}_wg`, 10, {})).toThrow('grad_sq_partials_sum_wg: compile it with REDUCE_WORKGROUP');
  expect(() => gradSqPartialsWritten('train_state_update', 10, {})).toThrow("'train_state_update' is no grad_sq_partials_sum variant");
});

/** Gradients k/256, |k| ≤ 2048 (so g² has ≤ 22 significant bits: exact in f32), seeded by the count. */
function gradients(count: number): number[] {
  return randomArray(count, 4000 + count, -2048, 2048).map((x) => Math.round(x) / 256);
}

/**
 * What a variant writes, emulated in f32: today's S = gradSqPartialCount(count) partials, partial i the
 * sum of g_j² over j = i, i + S, … in order; a _wg variant of n invocations W workgroups' partials, each
 * the tree (treeSumF32) of its invocations' sums over j = w·n + t, w·n + t + W·n, ….
 */
function emulatePartials(v: KernelVariant, g: number[]): Float32Array {
  const count = g.length;
  const invocationSums = (invocations: number): Float32Array => {
    const s = new Float32Array(invocations);
    for (let j = 0; j < count; j++) s[j % invocations] += g[j] * g[j];
    return s;
  };
  if (v.entry === ENTRY) return invocationSums(gradSqPartialCount(count));
  const n = v.overrides.REDUCE_WORKGROUP;
  const w = gradSqPartialsWritten(v.entry, count, v.overrides);
  const s = invocationSums(w * n);
  return Float32Array.from({ length: w }, (_, k) => treeSumF32(s.subarray(k * n, (k + 1) * n)));
}

const PHASE = 1;
/** A running state: step 5, 9 and 5 updates, so that a change shows. */
const STATE = (() => {
  const s = new Array<number>(TRAIN_STATE_WORDS).fill(0);
  s[TRAIN_STATE.step] = 5;
  s[TRAIN_STATE.updates] = 9;
  s[TRAIN_STATE.updates + 1] = 5;
  return s;
})();
const STATS = Array.from({ length: TRAIN_STATS_FLOATS }, (_, i) => 0.5 * (i + 1));
const LOSS_OUT = [0.75, 0.25, 0.5, 0];
const asU32 = (floats: number[]): number[] => Array.from(new Uint32Array(Float32Array.from(floats).buffer));

/**
 * A finite close on the GPU (its state and stats outputs) against the float64 reference's close of
 * STATE / STATS on `partials`: the state to the bit, the stats to `tol`, and the recorded norm √Σ g².
 */
function expectClosedLikeReference(close: Record<string, number[]>, partials: Float64Array, sumSq: number, tol: number, at: string): void {
  const state = Uint32Array.from(STATE);
  const stats = Float64Array.from(STATS);
  expect(trainStateUpdate(PHASE, true, state, stats, LOSS_OUT, partials)).toBe(true);
  expect(asU32(close.state), `state, ${at}`).toEqual([...state]);
  expectClose(close.stats, stats, { atol: tol, rtol: tol }, `stats, ${at}`);
  const norm = close.stats[PHASE * TRAIN_STATS_STRIDE + TRAIN_STATS.gradNorm] - STATS[PHASE * TRAIN_STATS_STRIDE + TRAIN_STATS.gradNorm];
  expectClose([norm], [Math.sqrt(sumSq)], { atol: 1e-5, rtol: 1e-5 }, `the norm the update recorded, ${at}`);
}

for (const count of [1, 1031, 70_001]) {
  test(`grad_sq_partials_sum variants write their partials and no more, Σ = Σ g², and the close of the update sums exactly those: count=${count}`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const g = gradients(count);
    const sumSq = g.reduce((a, x) => a + x * x, 0); // float64
    expect(sumSq).toBeGreaterThan(0);
    const size = gradSqPartialCount(count);
    const tree: Record<number, Float32Array> = {}; // the tree variants' emulated partials, by width (they run first)
    await forEachVariant(gpu, trainStateKernels, ENTRY, async (v) => {
      const at = `count=${count}, variant ${v.name}`;
      const written = gradSqPartialsWritten(v.entry, count, v.overrides);
      const out = await gpu.runKernel({
        family: 'train_state', entry: v.entry, overrides: v.overrides, feature: v.requires, uniforms: { count, phase: PHASE, advances_step: 1 },
        inputs: { grads: g }, outputs: { grad_sq_partials: size },
      });
      const partials = out.grad_sq_partials;
      expect(partials.slice(0, written).every(Number.isFinite), `the ${written} partials written are finite, ${at}`).toBe(true);
      expect(partials.slice(written).every(Number.isNaN), `nothing past partial ${written} is written, ${at}`).toBe(true);
      const got = partials.slice(0, written);
      expectClose([got.reduce((a, x) => a + x, 0)], [sumSq], { atol: 0, rtol: 1e-5 }, `Σ partials, ${at}`);
      const want = emulatePartials(v, g);
      if (!v.requires) {
        // Today's and the tree's order of additions: the bits of the f32 emulation.
        expect(got, `partials against their f32 emulation, ${at}`).toEqual([...want]);
        if (v.entry !== ENTRY) tree[v.overrides.REDUCE_WORKGROUP] = want;
      } else {
        // The same terms per workgroup as the tree of the same width, summed in another order.
        expectClose(got, tree[v.overrides.REDUCE_WORKGROUP], { atol: 0, rtol: 1e-5 }, `partials against the tree's, ${at}`);
      }
      // The close of the update, given the buffer as the variant left it and the count it wrote.
      const close = await gpu.runKernel({
        family: 'train_state', entry: 'train_state_update',
        uniforms: { phase: PHASE, advances_step: 1, partial_count: written },
        inputs: { stats: STATS, loss_out: LOSS_OUT, grad_sq_partials: partials },
        uintInputs: { state: STATE },
        outputs: { state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS },
      });
      expectClosedLikeReference(close, Float64Array.from(got), sumSq, 1e-6, at);
    });
  });
}

test('a NaN gradient gives a NaN sum in every grad_sq_partials_sum variant, and the close halts: count=1031, NaN at 517', async ({ gpu }) => {
  test.setTimeout(300_000);
  const count = 1031;
  const g = gradients(count);
  g[517] = NaN; // Playwright carries NaN both ways
  const size = gradSqPartialCount(count);
  await forEachVariant(gpu, trainStateKernels, ENTRY, async (v) => {
    const at = `variant ${v.name}`;
    const written = gradSqPartialsWritten(v.entry, count, v.overrides);
    const out = await gpu.runKernel({
      family: 'train_state', entry: v.entry, overrides: v.overrides, feature: v.requires, uniforms: { count, phase: PHASE, advances_step: 1 },
      inputs: { grads: g }, outputs: { grad_sq_partials: size },
    });
    const got = out.grad_sq_partials.slice(0, written);
    // Exactly one partial holds the NaN's term (each gradient is in one partial); the others are finite.
    expect(got.filter(Number.isNaN).length, `NaN partials, ${at}`).toBe(1);
    expect(got.filter(Number.isFinite).length, `finite partials, ${at}`).toBe(written - 1);
    const close = await gpu.runKernel({
      family: 'train_state', entry: 'train_state_update',
      uniforms: { phase: PHASE, advances_step: 1, partial_count: written },
      inputs: { stats: STATS, loss_out: LOSS_OUT, grad_sq_partials: out.grad_sq_partials },
      uintInputs: { state: STATE },
      outputs: { state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS },
    });
    const state = Uint32Array.from(STATE);
    const stats = Float64Array.from(STATS);
    expect(trainStateUpdate(PHASE, true, state, stats, LOSS_OUT, Float64Array.from(got))).toBe(false);
    expect(state[TRAIN_STATE.halted]).toBe(1);
    expect(asU32(close.state), `state (halted), ${at}`).toEqual([...state]);
    expect(close.stats, `stats unchanged, ${at}`).toEqual(STATS);
  });
});

// grad_sq_close, the logical entry a trainer closes each update with (models/optim/bookkeeping.ts):
// grad_sq_partials_sum's candidates, each timed with the train_state_update the trainer records
// after it, then the fused grad_sq_and_close forms, which close the update in one dispatch.
const CLOSE_ENTRY = 'grad_sq_close';

test('grad_sq_close variants: the partial-sum candidates with their close alongside (on the partials each writes), then one-dispatch closes by tree and subgroups', () => {
  const variants = variantsOf(trainStateKernels, CLOSE_ENTRY);
  const partials = variantsOf(trainStateKernels, ENTRY);
  expect(variants.slice(0, partials.length)).toEqual(partials.map((v) => ({ ...v, alongside: ['train_state_update'] })));
  expect(variants.slice(partials.length).map((v) => ({ name: v.name, entry: v.entry, overrides: v.overrides, requires: v.requires, alongside: v.alongside }))).toEqual([
    ...REDUCE_WORKGROUPS.map((n) => ({ name: `close.tree.wg${n}`, entry: 'grad_sq_and_close', overrides: { REDUCE_WORKGROUP: n }, requires: undefined, alongside: undefined })),
    ...REDUCE_WORKGROUPS.map((n) => ({ name: `close.subgroup.wg${n}`, entry: 'grad_sq_and_close', overrides: { REDUCE_WORKGROUP: n }, requires: 'subgroups', alongside: undefined })),
  ]);
  expect(trainStateKernels.dispatch.grad_sq_and_close({ count: 70_001, phase: 0, advances_step: 0 }, { REDUCE_WORKGROUP: 64 })).toEqual([1, 1, 1]);
  // The close the tuner times after a candidate sums what that candidate writes.
  const u = { count: 1031, phase: 1, advances_step: 1 };
  const after = (entry: string, constants: Record<string, number>) => trainStateKernels.tuning!.alongsideUniforms!('train_state_update', u, { info: { entry }, constants });
  expect(after(ENTRY, {})).toEqual({ phase: 1, advances_step: 1, partial_count: gradSqPartialCount(1031) });
  expect(after(`${ENTRY}_wg`, { REDUCE_WORKGROUP: 128 })).toEqual({ phase: 1, advances_step: 1, partial_count: 9 });
});

const closeVariants = (support: boolean) => variantsOf(trainStateKernels, CLOSE_ENTRY).filter((v) => v.entry === 'grad_sq_and_close' && (!v.requires || support));

for (const count of [1, 1031, 70_001]) {
  test(`grad_sq_and_close closes the update as train_state_update does on Σ g² (state to the bit, the norm √Σ g²), every width, tree and subgroups: count=${count}`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const g = gradients(count);
    const sumSq = g.reduce((a, x) => a + x * x, 0); // float64
    await forEachVariant(gpu, trainStateKernels, CLOSE_ENTRY, async (v) => {
      if (v.entry !== 'grad_sq_and_close') return; // the partial-sum candidates: the tests above
      const at = `count=${count}, variant ${v.name}`;
      const close = await gpu.runKernel({
        family: 'train_state', entry: v.entry, overrides: v.overrides, feature: v.requires,
        uniforms: { count, phase: PHASE, advances_step: 1 },
        inputs: { grads: g, stats: STATS, loss_out: LOSS_OUT },
        uintInputs: { state: STATE },
        outputs: { state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS },
      });
      // Σ g² in one workgroup's order: the reference closes on the float64 sum.
      expectClosedLikeReference(close, Float64Array.of(sumSq), sumSq, 1e-5, at);
    });
  });
}

test('grad_sq_and_close halts on a NaN gradient and on a non-finite loss, and changes nothing once halted: count=1031', async ({ gpu }) => {
  test.setTimeout(300_000);
  const count = 1031;
  const support = await subgroupSupport(gpu);
  expectSubgroupsWhereOffered(support);
  const variants = closeVariants(support.device);
  expect(variants.length).toBe(support.device ? 6 : 3);
  const halted = Uint32Array.from(STATE);
  halted[TRAIN_STATE.halted] = 1;
  for (const v of variants) {
    for (const [what, g, lossOut, state0] of [
      ['NaN gradient at 517', gradients(count).map((x, i) => (i === 517 ? NaN : x)), LOSS_OUT, STATE],
      ['infinite loss', gradients(count), [Infinity, 0.25, 0.5, 0], STATE],
      ['already halted', gradients(count), LOSS_OUT, [...halted]],
    ] as const) {
      const at = `${what}, variant ${v.name}`;
      const close = await gpu.runKernel({
        family: 'train_state', entry: v.entry, overrides: v.overrides, feature: v.requires,
        uniforms: { count, phase: PHASE, advances_step: 1 },
        inputs: { grads: [...g], stats: STATS, loss_out: [...lossOut] },
        uintInputs: { state: [...state0] },
        outputs: { state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS },
      });
      const state = Uint32Array.from(state0);
      const stats = Float64Array.from(STATS);
      const sumSq = g.reduce((a, x) => a + x * x, 0);
      expect(trainStateUpdate(PHASE, true, state, stats, [...lossOut], Float64Array.of(sumSq))).toBe(false);
      expect(state[TRAIN_STATE.halted]).toBe(1);
      expect(asU32(close.state), `state (halted), ${at}`).toEqual([...state]);
      expect(close.stats, `stats unchanged, ${at}`).toEqual(STATS);
    }
  }
});
