// CPU reference (float64) for train_state.wgsl: the bookkeeping that closes
// each optimizer phase. Same slots and rules as the kernel's header comment.
import type { Vec } from './activation.js';

/** Slots of the u32 training state (8). */
export const STATE_SLOT = { halted: 0, haltedAtStep: 1, haltedPhase: 2, adamStepD: 3, adamStepG: 4, step: 5 } as const;
/** Slots of the f32 stats (8): sums since the host last read and cleared them. */
export const STATS_SLOT = { lossD: 0, lossG: 1, dReal: 2, dFake: 3, gradNormD: 4, gradNormG: 5, countD: 6, countG: 7 } as const;

export const PHASE_D = 0;
export const PHASE_G = 1;

/**
 * Updates `state` (u32) and `stats` in place after one optimizer phase.
 * lossOut is bce_with_logits' [loss, mean σ over the first rows, mean σ over the rest, 0];
 * gradSqPartials are adam_update's per-workgroup Σ grad².
 */
export function trainStateUpdate(
  phase: number,
  state: Uint32Array,
  stats: Vec,
  lossOut: ArrayLike<number>,
  gradSqPartials: ArrayLike<number>,
): void {
  if (state[STATE_SLOT.halted] !== 0) return;
  const loss = lossOut[0];
  if (!Number.isFinite(loss)) {
    state[STATE_SLOT.halted] = 1;
    state[STATE_SLOT.haltedAtStep] = state[STATE_SLOT.step];
    state[STATE_SLOT.haltedPhase] = phase;
    return;
  }
  let sumSq = 0;
  for (let i = 0; i < gradSqPartials.length; i++) sumSq += gradSqPartials[i];
  const gradNorm = Math.sqrt(sumSq);
  if (phase === PHASE_D) {
    // The D batch is [fake; real]: lossOut[1] is mean D(G(z)), lossOut[2] mean D(x).
    state[STATE_SLOT.adamStepD] += 1;
    stats[STATS_SLOT.lossD] += loss;
    stats[STATS_SLOT.dReal] += lossOut[2];
    stats[STATS_SLOT.dFake] += lossOut[1];
    stats[STATS_SLOT.gradNormD] += gradNorm;
    stats[STATS_SLOT.countD] += 1;
  } else {
    state[STATE_SLOT.adamStepG] += 1;
    state[STATE_SLOT.step] += 1;
    stats[STATS_SLOT.lossG] += loss;
    stats[STATS_SLOT.gradNormG] += gradNorm;
    stats[STATS_SLOT.countG] += 1;
  }
}
