// train_state.wgsl — the bookkeeping that closes each optimizer phase, on the
// GPU so that a recorded training step needs no readback and no uniform writes.
//
// state (8, u32):
//   [0] halted          1 once a non-finite loss was seen; every later Adam update is skipped
//   [1] halted_at_step  the training step whose loss was not finite
//   [2] halted_phase    0 = discriminator, 1 = generator
//   [3] adam_step_d     Adam's t for the discriminator
//   [4] adam_step_g     Adam's t for the generator
//   [5] step            completed training steps (one G update each); keys the noise
// stats (8, f32), sums since the host last read and cleared them:
//   [0] loss_d  [1] loss_g  [2] d_real  [3] d_fake  [4] grad_norm_d  [5] grad_norm_g
//   [6] count_d [7] count_g
//
// train_state_update (phase = 0 after a D update, 1 after a G update):
//   grad norm = sqrt(Σ grad_sq_partials); if the phase's loss is not finite,
//   halt; else advance that Adam's t (and the step, after a G update) and add
//   the loss, D's mean outputs and the grad norm to stats.
// Bindings: state (8)   stats (8)   loss_out (4)   grad_sq_partials (partial_count)
// One workgroup of 256 invocations.

struct TrainStateParams {
  phase: u32,
  partial_count: u32,
}

@group(0) @binding(0) var<uniform> params: TrainStateParams;
@group(0) @binding(1) var<storage, read_write> state: array<u32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read> loss_out: array<f32>;
@group(0) @binding(4) var<storage, read> grad_sq_partials: array<f32>;

const WG: u32 = 256u;
const PHASE_D: u32 = 0u;
var<workgroup> partial: array<f32, WG>;

fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn train_state_update(@builtin(local_invocation_index) tid: u32) {
  var sum = 0.0;
  for (var i = tid; i < params.partial_count; i += WG) { sum += grad_sq_partials[i]; }
  partial[tid] = sum;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (tid < stride) { partial[tid] += partial[tid + stride]; }
    workgroupBarrier();
  }
  if (tid != 0u || state[0] != 0u) { return; }

  let loss = loss_out[0];
  if (!is_finite(loss)) {
    state[0] = 1u;
    state[1] = state[5];
    state[2] = params.phase;
    return;
  }
  let grad_norm = sqrt(partial[0]);
  if (params.phase == PHASE_D) {
    // The D batch is [fake; real]: loss_out[1] is mean D(G(z)), loss_out[2] mean D(x).
    state[3] += 1u;
    stats[0] += loss;
    stats[2] += loss_out[2];
    stats[3] += loss_out[1];
    stats[4] += grad_norm;
    stats[6] += 1.0;
  } else {
    state[4] += 1u;
    state[5] += 1u;
    stats[1] += loss;
    stats[5] += grad_norm;
    stats[7] += 1.0;
  }
}
