// update_bookkeeping.wgsl — how an optimizer update is closed on the GPU, so
// that a recorded training step needs no readback and no uniform writes: a
// library of functions with no bindings of its own. index.ts puts it before
// train_state.wgsl and fused_mlp_gan.wgsl, which both declare
//
// state (8, u32, read_write):
//   [0] halted          1 once a non-finite loss was seen; every later Adam update is skipped
//   [1] halted_at_step  the training step whose loss was not finite
//   [2] halted_phase    0 = discriminator, 1 = generator
//   [3] adam_step_d     Adam's t for the discriminator
//   [4] adam_step_g     Adam's t for the generator
//   [5] step            completed training steps (one G update each); keys the noise
// stats (8, f32, read_write), sums since the host last read and cleared them:
//   [0] loss_d  [1] loss_g  [2] d_real  [3] d_fake  [4] grad_norm_d  [5] grad_norm_g
//   [6] count_d [7] count_g

const PHASE_D: u32 = 0u;
const STATE_HALTED: u32 = 0u;
const STATE_STEP: u32 = 5u;

fn is_finite(v: f32) -> bool {
  // Exponent bits all ones means inf or NaN; a bit test cannot be folded away
  // by a compiler that assumes no NaNs, unlike v == v.
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// Closes one update of `phase` (0 = D, 1 = G), by one invocation, while not
// halted: when `finite` is false, halt at this step; else advance that net's
// Adam t (and the step, after a G update) and add the loss, D's mean outputs
// on the [fake; real] batch (D updates) and the gradient norm to stats.
fn close_update(phase: u32, finite: bool, loss: f32, d_fake: f32, d_real: f32, grad_norm: f32) {
  if (!finite) {
    state[STATE_HALTED] = 1u;
    state[1] = state[STATE_STEP];
    state[2] = phase;
  } else if (phase == PHASE_D) {
    state[3] += 1u;
    stats[0] += loss;
    stats[2] += d_real;
    stats[3] += d_fake;
    stats[4] += grad_norm;
    stats[6] += 1.0;
  } else {
    state[4] += 1u;
    state[STATE_STEP] += 1u;
    stats[1] += loss;
    stats[5] += grad_norm;
    stats[7] += 1.0;
  }
}
