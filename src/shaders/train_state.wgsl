// train_state.wgsl — closes an optimizer update of the layered plan, before
// the optimizer runs (preludes: update_bookkeeping.wgsl; reduce.wgsl for the tuning variants):
//
//   grad_sq_partials:   partials[i] = Σ grads[j]² over j ≡ i (mod S)         S = its invocations (index.ts gradSqPartialCount)
//   train_state_update: grad_norm = √(Σ_{i < partial_count} partials[i]);  finite = loss and grad_norm finite
//                       close_update(phase, advances_step, finite, loss_out[0], loss_out[1], loss_out[2], grad_norm)
//
// Bindings (P = the trained net's parameter count):
//   grads (P)   grad_sq_partials (S)   loss_out (4)   state (STATE_WORDS, u32)   stats (STATS_STRIDE · phases)
// grad_sq_partials: GRAD_SQ_WORKGROUP invocations per workgroup, each striding over the buffer
// (a grid stride, no barriers); train_state_update: one workgroup of WG.
//
// grad_sq_partials_sum_wg (its tuning variants): W ≤ GRAD_SQ_MAX_WORKGROUPS workgroups of
// REDUCE_WORKGROUP (an override) striding over the buffer as one grid, each workgroup's partials summed
// by prelude/reduce.wgsl (a tree, or subgroup operations in the family's 'subgroups' source):
//   partials[w] = Σ grads[j]² over the j its invocations visit,   w < W
// so it writes W partials, not S: the caller passes train_state_update partial_count = W
// (index.ts gradSqPartialsWritten; W ≤ S, so the buffer fits every variant). The sum over the partials,
// Σ_j grads[j]², is the same in every variant up to the order of the f32 additions.
//
// grad_sq_and_close (the fused candidates of the logical entry grad_sq_close, index.ts): both
// steps in one dispatch of one workgroup of REDUCE_WORKGROUP, which strides over all P gradients:
//   grad_norm = √(workgroup_sum over t of Σ grads[j]², j ≡ t (mod REDUCE_WORKGROUP));  then close_update
// One workgroup reads all of `grads`, so it pays only where P is small enough that a launch and
// the barrier between two dispatches cost more than the serial part: the tuner times it against
// the pair it replaces (KernelVariant.alongside).
// Why: docs/performance-notes.md#reductions-and-subgroups

// phase and advances_step: for grad_sq_and_close, which closes the update itself (the other
// entries read count only).
struct GradSqParams {
  count: u32,
  phase: u32,
  advances_step: u32,
}

struct TrainStateParams {
  phase: u32,
  advances_step: u32,
  partial_count: u32,
}

@group(0) @binding(0) var<uniform> grad_sq: GradSqParams;
@group(0) @binding(1) var<uniform> params: TrainStateParams;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_sq_partials: array<f32>;
@group(0) @binding(4) var<storage, read> loss_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<u32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(GRAD_SQ_WORKGROUP)
fn grad_sq_partials_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let stride = nwg.x * GRAD_SQ_WORKGROUP;
  var sum = 0.0;
  for (var i = gid.x; i < grad_sq.count; i += stride) {
    let g = grads[i];
    sum += g * g;
  }
  grad_sq_partials[gid.x] = sum;
}

// The tuning variants' entry: one partial per workgroup (the header).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn grad_sq_partials_sum_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let stride = nwg.x * REDUCE_WORKGROUP;
  var sum = 0.0;
  for (var i = wid.x * REDUCE_WORKGROUP + tid; i < grad_sq.count; i += stride) {
    let g = grads[i];
    sum += g * g;
  }
  let total = workgroup_sum(sum, tid);
  if (tid == 0u) { grad_sq_partials[wid.x] = total; }
}

// The fused candidates' entry: Σ g² and the close of the update in one workgroup (the header).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn grad_sq_and_close(@builtin(local_invocation_index) tid: u32) {
  var sum = 0.0;
  for (var i = tid; i < grad_sq.count; i += REDUCE_WORKGROUP) {
    let g = grads[i];
    sum += g * g;
  }
  let total = workgroup_sum(sum, tid);
  if (tid == 0u && state[STATE_HALTED] == 0u) {
    let loss = loss_out[LOSS_OUT_LOSS];
    let grad_norm = sqrt(total);
    close_update(grad_sq.phase, grad_sq.advances_step != 0u, is_finite(loss) && is_finite(grad_norm), loss,
                 loss_out[LOSS_OUT_OUT_A], loss_out[LOSS_OUT_OUT_B], grad_norm);
  }
}

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
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
    let loss = loss_out[LOSS_OUT_LOSS];
    let grad_norm = sqrt(partial[0]);
    close_update(params.phase, params.advances_step != 0u, is_finite(loss) && is_finite(grad_norm), loss,
                 loss_out[LOSS_OUT_OUT_A], loss_out[LOSS_OUT_OUT_B], grad_norm);
  }
}
