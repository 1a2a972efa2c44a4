// update_bookkeeping.wgsl — prelude: how an optimizer update is closed on the
// GPU, so that a recorded step needs no readback. The including kernel binds
// `state` (STATE_WORDS u32, read_write) and `stats` (f32, read_write); their
// layouts are TRAIN_STATE / TRAIN_STATS in constants.ts. Needs finite.wgsl.
//
// The halting rule (models/gan/step.ts): an update is applied only while
// training has not halted and its loss and gradient norm are both finite;
// otherwise training halts at this step and keeps the last good weights.
// close_update runs before the optimizer, which then reads STATE_HALTED and
// its t = state[STATE_UPDATES + phase].

// By one invocation, while not halted. Halts when `finite` is false; else
// advances the phase's update count (and the step when `advances_step`) and
// adds the loss, the two output means and the gradient norm to its stats.
fn close_update(phase_id: u32, advances_step: bool, finite: bool, loss: f32, out_a: f32, out_b: f32, grad_norm: f32) {
  if (!finite) {
    state[STATE_HALTED] = 1u;
    state[STATE_HALTED_AT_STEP] = state[STATE_STEP];
    state[STATE_HALTED_PHASE] = phase_id;
    return;
  }
  state[STATE_UPDATES + phase_id] += 1u;
  if (advances_step) { state[STATE_STEP] += 1u; }
  let at = phase_id * STATS_STRIDE;
  stats[at + STATS_LOSS] += loss;
  stats[at + STATS_OUT_A] += out_a;
  stats[at + STATS_OUT_B] += out_b;
  stats[at + STATS_GRAD_NORM] += grad_norm;
  stats[at + STATS_COUNT] += 1.0;
}
