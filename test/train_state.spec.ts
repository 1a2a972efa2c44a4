// train_state.wgsl against its float64 CPU reference (src/reference/train_state.ts):
// a finite loss advances the counters and adds to the stats (the grad norm
// reduced from more partials than the 256-wide workgroup); a non-finite loss
// halts with the step and phase and changes nothing else; once halted,
// nothing changes at all.
import { test, expect, type GpuPage } from './support/fixtures.js';
import { expectClose } from './support/compare.js';
import { f32, randomArray } from './support/data.js';
import { PHASE_D, PHASE_G, STATE_SLOT, STATS_SLOT, trainStateUpdate } from '../src/reference/train_state.js';
import { STATE, STATE_WORDS, STATS_FLOATS } from '../src/runtime/stats.js';

// Slots 6 and 7 are unused: nonzero so that a stray write shows.
const RUNNING_STATE = [0, 0, 0, 41, 17, 17, 9, 11];
const HALTED_STATE = [1, 12, 1, 41, 17, 17, 9, 11];
const STATS = [3.25, 2.5, 1.75, 0.5, 12, 30, 4, 4]; // sums since the last read

/** The harness reads every output as f32: reinterpret the bits of a u32 buffer. */
const asU32 = (floats: number[]): number[] => Array.from(new Uint32Array(Float32Array.from(floats).buffer));

interface Run {
  phase: number;
  state: number[];
  lossOut: number[];
  partials: Float64Array;
}

async function runBoth(gpu: GpuPage, r: Run): Promise<{ gpu: { state: number[]; stats: number[] }; ref: { state: number[]; stats: number[] } }> {
  const out = await gpu.runKernel({
    family: 'train_state', entry: 'train_state_update',
    uniforms: { phase: r.phase, partial_count: r.partials.length },
    inputs: { stats: STATS, loss_out: r.lossOut, grad_sq_partials: [...r.partials] },
    uintInputs: { state: r.state },
    outputs: { state: STATE_WORDS, stats: STATS_FLOATS },
  });
  const state = Uint32Array.from(r.state);
  const stats = f32(STATS);
  trainStateUpdate(r.phase, state, stats, f32(r.lossOut), r.partials);
  return { gpu: { state: asU32(out.state), stats: out.stats }, ref: { state: [...state], stats: [...stats] } };
}

// Sums of f32 values ≤ ~35 and a sqrt of a ≤1000-term f32 sum: a few ulp.
const STATS_TOL = { atol: 1e-6, rtol: 1e-6 };

for (const phase of [PHASE_D, PHASE_G]) {
  for (const partialCount of [1, 37, 300, 1000]) {
    const geometry = `phase=${phase === PHASE_D ? 'D' : 'G'},partial_count=${partialCount}`;
    test(`train_state_update matches the CPU reference for a finite loss: ${geometry}`, async ({ gpu }) => {
      const partials = f32(randomArray(partialCount, partialCount + phase, 0, 2)); // Σ g² ≥ 0
      const r = await runBoth(gpu, { phase, state: RUNNING_STATE, lossOut: [0.8125, 0.25, 0.625, 0], partials });
      expect(r.gpu.state).toEqual(r.ref.state);
      expectClose(r.gpu.stats, r.ref.stats, STATS_TOL, `stats (${geometry})`);
      // What the reference says should happen, spelled out.
      const s = STATE_SLOT;
      expect(r.ref.state[phase === PHASE_D ? s.adamStepD : s.adamStepG]).toBe(RUNNING_STATE[phase === PHASE_D ? s.adamStepD : s.adamStepG] + 1);
      expect(r.ref.state[s.step]).toBe(RUNNING_STATE[s.step] + (phase === PHASE_G ? 1 : 0));
      const norm = Math.sqrt(partials.reduce((a, v) => a + v, 0));
      const normSlot = phase === PHASE_D ? STATS_SLOT.gradNormD : STATS_SLOT.gradNormG;
      expect(r.gpu.stats[normSlot] - STATS[normSlot]).toBeCloseTo(norm, 4);
    });
  }
}

for (const phase of [PHASE_D, PHASE_G]) {
  for (const loss of [NaN, Infinity, -Infinity]) {
    const geometry = `phase=${phase === PHASE_D ? 'D' : 'G'},loss=${loss},partial_count=300`;
    test(`train_state_update halts on a non-finite loss: ${geometry}`, async ({ gpu }) => {
      const partials = f32(randomArray(300, 5, 0, 2));
      const r = await runBoth(gpu, { phase, state: RUNNING_STATE, lossOut: [loss, 0.25, 0.625, 0], partials });
      const halted = [...RUNNING_STATE];
      halted[STATE_SLOT.halted] = 1;
      halted[STATE_SLOT.haltedAtStep] = RUNNING_STATE[STATE_SLOT.step];
      halted[STATE_SLOT.haltedPhase] = phase;
      expect(r.ref.state).toEqual(halted);
      expect(r.gpu.state).toEqual(halted);
      expectClose(r.gpu.stats, STATS, { atol: 0, rtol: 0 }, `stats unchanged (${geometry})`);
    });
  }
}

for (const [what, loss] of [['finite', 0.8125], ['NaN', NaN]] as const) {
  test(`train_state_update changes nothing once halted: loss=${what},phase=each,partial_count=300`, async ({ gpu }) => {
    const partials = f32(randomArray(300, 6, 0, 2));
    for (const phase of [PHASE_D, PHASE_G]) {
      const r = await runBoth(gpu, { phase, state: HALTED_STATE, lossOut: [loss, 0.25, 0.625, 0], partials });
      expect(r.ref.state).toEqual(HALTED_STATE);
      expect(r.gpu.state, `state (phase=${phase})`).toEqual(HALTED_STATE);
      expectClose(r.gpu.stats, STATS, { atol: 0, rtol: 0 }, `stats unchanged (phase=${phase})`);
    }
  });
}

test('train_state CPU reference: slots agree with the runtime, and a worked D then G update', () => {
  expect(STATE_SLOT).toEqual(STATE);
  const state = new Uint32Array(8);
  const stats = new Float64Array(8);
  // D: loss 1.5, mean D(G(z)) = 0.25 (first rows), mean D(x) = 0.75 (rest), Σ g² = 9 + 16 → norm 5.
  trainStateUpdate(PHASE_D, state, stats, [1.5, 0.25, 0.75, 0], [9, 16]);
  // G: loss 0.5, Σ g² = 4 → norm 2.
  trainStateUpdate(PHASE_G, state, stats, [0.5, 0.9, 0, 0], [1, 0, 3]);
  expect([...state]).toEqual([0, 0, 0, 1, 1, 1, 0, 0]);
  expect([...stats]).toEqual([1.5, 0.5, 0.75, 0.25, 5, 2, 1, 1]);
  // G again with an infinite loss: halts at step 1, phase G; nothing else moves.
  trainStateUpdate(PHASE_G, state, stats, [Infinity, 0, 0, 0], [1]);
  expect([...state]).toEqual([1, 1, PHASE_G, 1, 1, 1, 0, 0]);
  expect([...stats]).toEqual([1.5, 0.5, 0.75, 0.25, 5, 2, 1, 1]);
});
