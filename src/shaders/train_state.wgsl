// train_state.wgsl — the bookkeeping that closes each optimizer phase of the
// layered plan. The state and stats layouts, is_finite and close_update come
// from update_bookkeeping.wgsl, which index.ts puts before this file.
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
var<workgroup> partial: array<f32, WG>;

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
  if (tid == 0u && state[STATE_HALTED] == 0u) {
    // The D batch is [fake; real]: loss_out[1] is mean D(G(z)), loss_out[2] mean D(x).
    let loss = loss_out[0];
    close_update(params.phase, is_finite(loss), loss, loss_out[1], loss_out[2], sqrt(partial[0]));
  }
}
