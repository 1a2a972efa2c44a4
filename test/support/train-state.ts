// The training-state words an optimizer kernel reads (constants.ts
// TRAIN_STATE), as a test sets them up: update t of one phase closed, the
// other phase's count different so that reading the wrong one shows.
import { TRAIN_STATE, TRAIN_STATE_WORDS } from '../../src/shaders/constants.js';

/** update_bookkeeping.wgsl's phases. */
export const PHASE_D = 0;
export const PHASE_G = 1;

/** The state after the close of update t of `phase` (halted = 1: training has stopped). */
export function stateAfterUpdate(phase: number, t: number, halted = 0): number[] {
  const state = new Array<number>(TRAIN_STATE_WORDS).fill(0);
  state[TRAIN_STATE.halted] = halted;
  state[TRAIN_STATE.step] = 12345;
  state[TRAIN_STATE.updates + phase] = t;
  state[TRAIN_STATE.updates + (1 - phase)] = t + 50;
  return state;
}
