// train_state.wgsl (the close of every optimizer update) against its float64
// CPU reference (src/reference/train_state.ts): grad² partials; a finite loss
// and gradient advance the phase's counters and add to its stats (the norm
// reduced from more partials than the 256-wide workgroup); a non-finite loss
// or gradient halts with the step and phase and changes nothing else; once
// halted, nothing changes at all. Layouts come from constants.ts.
import { test, expect, type GpuPage } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { trainStateUpdate } from '../../reference/train_state.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS, TRAIN_STATS_FLOATS, TRAIN_STATS_STRIDE } from '../../shaders/constants.js';
import { gradSqPartialCount } from '../../shaders/index.js';
import { parseTrainReport } from './bookkeeping.js';

const D = 0;
const G = 1;

/** A running state: step 17, 41 D updates, 17 G updates; the spare words nonzero so that a stray write shows. */
function runningState(): number[] {
  const s = new Array<number>(TRAIN_STATE_WORDS).fill(0);
  s[TRAIN_STATE.step] = 17;
  s[TRAIN_STATE.updates + D] = 41;
  s[TRAIN_STATE.updates + G] = 17;
  for (let i = TRAIN_STATE.updates + 2; i < TRAIN_STATE_WORDS; i++) s[i] = 9 + i;
  return s;
}
const RUNNING_STATE = runningState();
const HALTED_STATE = (() => {
  const s = [...RUNNING_STATE];
  s[TRAIN_STATE.halted] = 1;
  s[TRAIN_STATE.haltedAtStep] = 12;
  s[TRAIN_STATE.haltedPhase] = G;
  return s;
})();
/** Sums since the last read, every float distinct. */
const STATS = Array.from({ length: TRAIN_STATS_FLOATS }, (_, i) => 0.25 * (i + 1));

/** The harness reads every output as f32: reinterpret the bits of a u32 buffer. */
const asU32 = (floats: number[]): number[] => Array.from(new Uint32Array(Float32Array.from(floats).buffer));

interface Run {
  phase: number;
  advancesStep: boolean;
  state: number[];
  lossOut: number[];
  partials: Float64Array;
}

async function runBoth(gpu: GpuPage, r: Run): Promise<{ gpu: { state: number[]; stats: number[] }; ref: { state: number[]; stats: number[] } }> {
  const out = await gpu.runKernel({
    family: 'train_state',
    entry: 'train_state_update',
    uniforms: { phase: r.phase, advances_step: r.advancesStep ? 1 : 0, partial_count: r.partials.length },
    inputs: { stats: STATS, loss_out: r.lossOut, grad_sq_partials: [...r.partials] },
    uintInputs: { state: r.state },
    outputs: { state: TRAIN_STATE_WORDS, stats: TRAIN_STATS_FLOATS },
  });
  const state = Uint32Array.from(r.state);
  const stats = f32(STATS);
  trainStateUpdate(r.phase, r.advancesStep, state, stats, f32(r.lossOut), r.partials);
  return { gpu: { state: asU32(out.state), stats: out.stats }, ref: { state: [...state], stats: [...stats] } };
}

// Sums of f32 values ≤ ~35 and a sqrt of a ≤1000-term f32 sum: a few ulp.
const STATS_TOL = { atol: 1e-6, rtol: 1e-6 };

for (const count of [1, 63, 64 * 256 + 5, 40_000]) {
  test(`grad_sq_partials_sum: the partials add up to Σ grad²: count=${count}`, async ({ gpu }) => {
    const grads = f32(randomArray(count, count, -2, 2));
    const partials = gradSqPartialCount(count);
    const out = await gpu.runKernel({ family: 'train_state', entry: 'grad_sq_partials_sum', uniforms: { count, phase: 0, advances_step: 0 }, inputs: { grads: [...grads] }, outputs: { grad_sq_partials: partials } });
    const want = grads.reduce((a, g) => a + g * g, 0);
    const got = out.grad_sq_partials.reduce((a, v) => a + v, 0);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-5);
    expect(out.grad_sq_partials.every(Number.isFinite)).toBe(true);
  });
}

for (const phase of [D, G]) {
  for (const partialCount of [1, 37, 300, 1000]) {
    const geometry = `phase=${phase === D ? 'D' : 'G'},partial_count=${partialCount}`;
    test(`train_state_update matches the CPU reference for a finite loss and gradient: ${geometry}`, async ({ gpu }) => {
      const partials = f32(randomArray(partialCount, partialCount + phase, 0, 2)); // Σ g² ≥ 0
      const r = await runBoth(gpu, { phase, advancesStep: phase === G, state: RUNNING_STATE, lossOut: [0.8125, 0.25, 0.625, 0], partials });
      expect(r.gpu.state).toEqual(r.ref.state);
      expectClose(r.gpu.stats, r.ref.stats, STATS_TOL, `stats (${geometry})`);
      // What the reference says should happen, spelled out.
      expect(r.ref.state[TRAIN_STATE.updates + phase]).toBe(RUNNING_STATE[TRAIN_STATE.updates + phase] + 1);
      expect(r.ref.state[TRAIN_STATE.step]).toBe(RUNNING_STATE[TRAIN_STATE.step] + (phase === G ? 1 : 0));
      const norm = Math.sqrt(partials.reduce((a, v) => a + v, 0));
      const at = phase * TRAIN_STATS_STRIDE;
      expect(r.gpu.stats[at + TRAIN_STATS.gradNorm] - STATS[at + TRAIN_STATS.gradNorm]).toBeCloseTo(norm, 4);
      // The other phase's stats are untouched.
      const other = (1 - phase) * TRAIN_STATS_STRIDE;
      expect(r.gpu.stats.slice(other, other + TRAIN_STATS_STRIDE)).toEqual(STATS.slice(other, other + TRAIN_STATS_STRIDE).map(Math.fround));
    });
  }
}

/** [name, loss, a partial to plant (null: none)] */
const nonFinite: [string, number, number | null][] = [
  ['loss=NaN', NaN, null],
  ['loss=Infinity', Infinity, null],
  ['loss=-Infinity', -Infinity, null],
  ['grad=Infinity', 0.5, Infinity],
  ['grad=NaN', 0.5, NaN],
];
for (const phase of [D, G]) {
  for (const [what, loss, partial] of nonFinite) {
    const geometry = `phase=${phase === D ? 'D' : 'G'},${what},partial_count=300`;
    test(`train_state_update halts on a non-finite loss or gradient: ${geometry}`, async ({ gpu }) => {
      const partials = f32(randomArray(300, 5, 0, 2));
      if (partial !== null) partials[123] = partial;
      const r = await runBoth(gpu, { phase, advancesStep: phase === G, state: RUNNING_STATE, lossOut: [loss, 0.25, 0.625, 0], partials });
      const halted = [...RUNNING_STATE];
      halted[TRAIN_STATE.halted] = 1;
      halted[TRAIN_STATE.haltedAtStep] = RUNNING_STATE[TRAIN_STATE.step];
      halted[TRAIN_STATE.haltedPhase] = phase;
      expect(r.ref.state).toEqual(halted);
      expect(r.gpu.state).toEqual(halted);
      expectClose(r.gpu.stats, STATS, { atol: 0, rtol: 0 }, `stats unchanged (${geometry})`);
    });
  }
}

for (const [what, loss] of [['finite', 0.8125], ['NaN', NaN]] as const) {
  test(`train_state_update changes nothing once halted: loss=${what},phase=each,partial_count=300`, async ({ gpu }) => {
    const partials = f32(randomArray(300, 6, 0, 2));
    for (const phase of [D, G]) {
      const r = await runBoth(gpu, { phase, advancesStep: phase === G, state: HALTED_STATE, lossOut: [loss, 0.25, 0.625, 0], partials });
      expect(r.ref.state).toEqual(HALTED_STATE);
      expect(r.gpu.state, `state (phase=${phase})`).toEqual(HALTED_STATE);
      expectClose(r.gpu.stats, STATS, { atol: 0, rtol: 0 }, `stats unchanged (phase=${phase})`);
    }
  });
}

test('bookkeeping CPU reference and report: a worked D then G update, then a halt', () => {
  const state = new Uint32Array(TRAIN_STATE_WORDS);
  const stats = new Float64Array(TRAIN_STATS_FLOATS);
  // D: loss 1.5, mean D(G(z)) = 0.25 (outA), mean D(x) = 0.75 (outB), Σ g² = 9 + 16 → norm 5.
  expect(trainStateUpdate(D, false, state, stats, [1.5, 0.25, 0.75, 0], [9, 16])).toBe(true);
  // G: loss 0.5, Σ g² = 4 → norm 2; it ends the step.
  expect(trainStateUpdate(G, true, state, stats, [0.5, 0.9, 0, 0], [1, 0, 3])).toBe(true);
  const report = parseTrainReport(Float32Array.from(stats), state, 2);
  expect(report).toEqual({
    step: 1,
    halt: null,
    phases: [
      { loss: 1.5, outA: 0.25, outB: 0.75, gradNorm: 5, count: 1 },
      { loss: 0.5, outA: Math.fround(0.9), outB: 0, gradNorm: 2, count: 1 },
    ],
  });
  expect(state[TRAIN_STATE.updates + D]).toBe(1);
  expect(state[TRAIN_STATE.updates + G]).toBe(1);
  // G again with a finite loss but an infinite gradient: halts at step 1, phase G; nothing else moves.
  const before = Float64Array.from(stats);
  expect(trainStateUpdate(G, true, state, stats, [0.5, 0, 0, 0], [Infinity])).toBe(false);
  expect(parseTrainReport(Float32Array.from(stats), state, 2).halt).toEqual({ step: 1, phase: G });
  expect(state[TRAIN_STATE.step]).toBe(1);
  expect([...stats]).toEqual([...before]);
  // A report with no updates of a phase has NaN means there.
  expect(parseTrainReport(new Float32Array(TRAIN_STATS_FLOATS), new Uint32Array(TRAIN_STATE_WORDS), 2).phases[0].loss).toBeNaN();
});
