// CPU reference (float64) for train_state.wgsl: the gradient norm from the
// grad² partials, then the close of one optimizer update
// (prelude/update_bookkeeping.wgsl) on the layouts of constants.ts.
import { TRAIN_STATE, TRAIN_STATS, TRAIN_STATS_STRIDE } from '../shaders/constants.js';

/**
 * Updates `state` (u32) and `stats` in place after one optimizer update of
 * `phase`. lossOut is a loss kernel's [loss, outA, outB, 0]; the gradient
 * norm is √Σ gradSqPartials. Returns whether the update may be applied.
 */
export function trainStateUpdate(
  phase: number,
  advancesStep: boolean,
  state: Uint32Array,
  stats: Float64Array | Float32Array,
  lossOut: ArrayLike<number>,
  gradSqPartials: ArrayLike<number>,
): boolean {
  if (state[TRAIN_STATE.halted] !== 0) return false;
  let sumSq = 0;
  for (let i = 0; i < gradSqPartials.length; i++) sumSq += gradSqPartials[i];
  const gradNorm = Math.sqrt(sumSq);
  const loss = lossOut[0];
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
    state[TRAIN_STATE.halted] = 1;
    state[TRAIN_STATE.haltedAtStep] = state[TRAIN_STATE.step];
    state[TRAIN_STATE.haltedPhase] = phase;
    return false;
  }
  state[TRAIN_STATE.updates + phase] += 1;
  if (advancesStep) state[TRAIN_STATE.step] += 1;
  const at = phase * TRAIN_STATS_STRIDE;
  stats[at + TRAIN_STATS.loss] += loss;
  stats[at + TRAIN_STATS.outA] += lossOut[1];
  stats[at + TRAIN_STATS.outB] += lossOut[2];
  stats[at + TRAIN_STATS.gradNorm] += gradNorm;
  stats[at + TRAIN_STATS.count] += 1;
  return true;
}
