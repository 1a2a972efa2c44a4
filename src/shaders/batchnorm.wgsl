// batchnorm.wgsl — BatchNorm1d / BatchNorm2d as PyTorch's (affine, running stats), then act. Layout (N, C, L),
// L = H·W (1 for BatchNorm1d); the rows split into `groups` equal groups, each normalised by its own
// statistics (D's [fake; real] batch, as two passes would); Σ and M = (N / G)·L are per group and channel.
//   batchnorm_forward:         mean = Σ x / M, var = Σ (x − mean)² / M, invstd = 1 / √(var + eps),
//                              y = act(γ·(x − mean)·invstd + β), running ← (1 − momentum)·running
//                              + momentum·(mean, var·M / max(M − 1, 1)) (M = 1: var = 0, dx = dγ = 0)
//   batchnorm_forward_eval:    y = act(γ·(x − running_mean) / √(running_var + eps) + β)
//   batchnorm_backward_input:  dx = γ·invstd·(dz − Σ dz / M − x̂·Σ (dz·x̂) / M),  x̂ = (x − mean)·invstd
//   batchnorm_backward_weight: dγ = Σ dz·x̂, dβ = Σ dz (summed over the groups)
// dz = dy ⊙ act'(y_saved), formed on load (override ACT). Bindings:
//   x, y, y_saved, dy, dx (N, C, L)   gamma, beta, dgamma, dbeta, running_mean, running_var (C)
//   mean, invstd (G, C) written by the forward;  mean_saved, invstd_saved (G, C) read by the backward
// Dispatch: the training forward and both backward one workgroup of BATCHNORM_WORKGROUP per channel;
// the eval forward one value per invocation, BATCHNORM_EVAL_WORKGROUP per workgroup, folded 2D.
// The *_wg entries (tuning variants of the three reductions) are the same kernels with one workgroup
// of REDUCE_WORKGROUP (an override, 64–256) per channel, whose partials prelude/reduce.wgsl sums: by a
// tree, or by subgroup operations in the family's 'subgroups' source. Their forward merges the
// Welford partials (n_t, mean_t, M2_t) in two sums instead of Chan's pairwise merge:
//   mean = Σ n_t·mean_t / Σ n_t,   M2 = Σ (M2_t + n_t·(mean_t − mean)²)
// (the same quantity, exactly, with no cancellation: each term is ≥ 0).
// Why this width, the groups and M = 1: docs/performance-notes.md#batchnorm; the *_wg entries:
// docs/performance-notes.md#reductions-and-subgroups

// Activation fused after the normalization (forward) and into dz (backward).
override ACT: u32 = ACT_NONE;

struct BatchNormParams {
  batch: u32,      // N (all groups)
  groups: u32,     // G: rows split into G equal groups, each normalised by its own statistics
  channels: u32,   // C
  spatial: u32,    // L = H·W; 1 for BatchNorm1d
  eps: f32,
  momentum: f32,   // running ← (1 − momentum) · running + momentum · batch statistic
  slope: f32,      // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: BatchNormParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;                      // (N, C, L)
@group(0) @binding(2) var<storage, read> gamma: array<f32>;                  // (C)
@group(0) @binding(3) var<storage, read> beta: array<f32>;                   // (C)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;                // (N, C, L)
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;             // (G, C) batch mean per group, for the backward
@group(0) @binding(6) var<storage, read_write> invstd: array<f32>;           // (G, C) 1 / √(biased var + eps)
@group(0) @binding(7) var<storage, read_write> running_mean: array<f32>;     // (C) updated in training, read in eval
@group(0) @binding(8) var<storage, read_write> running_var: array<f32>;      // (C)
@group(0) @binding(9) var<storage, read> y_saved: array<f32>;                // (N, C, L) forward output, for act'
@group(0) @binding(10) var<storage, read> dy: array<f32>;                    // (N, C, L)
@group(0) @binding(11) var<storage, read> mean_saved: array<f32>;            // (G, C) the forward's mean
@group(0) @binding(12) var<storage, read> invstd_saved: array<f32>;          // (G, C) the forward's invstd
@group(0) @binding(13) var<storage, read_write> dx: array<f32>;              // (N, C, L)
@group(0) @binding(14) var<storage, read_write> dgamma: array<f32>;          // (C)
@group(0) @binding(15) var<storage, read_write> dbeta: array<f32>;           // (C)

// Per-invocation partials of the per-channel reductions.
var<workgroup> moments: array<vec3f, BATCHNORM_WORKGROUP>;   // forward: (count, mean, M2)
var<workgroup> grad_sums: array<vec2f, BATCHNORM_WORKGROUP>; // backward: (Σ dz, Σ dz · x̂)

// dz = dy ⊙ act'(y) at flat index i.
fn dz_at(i: u32) -> f32 {
  let g = dy[i];
  if (ACT == ACT_NONE) { return g; }
  return g * activation_grad_f32(y_saved[i], ACT, params.slope);
}

// Flat index of value m = n·L + l of channel c, i.e. of x[n, c, l].
fn flat_index(c: u32, m: u32) -> u32 {
  let L = params.spatial;
  return ((m / L) * params.channels + c) * L + m % L;
}

// Chan et al.'s merge of two (count, mean, M2) partials; empty partials are fine.
fn merge_moments(a: vec3f, b: vec3f) -> vec3f {
  let count = a.x + b.x;
  let delta = b.y - a.y;
  let wb = select(0.0, b.x / count, count > 0.0);
  return vec3f(count, a.y + delta * wb, a.z + b.z + delta * delta * a.x * wb);
}

// Values m of group g of a channel: [g·S, (g + 1)·S), S = (N / G)·L (rows are contiguous).
fn group_size() -> u32 { return (params.batch / params.groups) * params.spatial; }

// Welford's (count, mean, M2) of the values m = g·S + tid, g·S + tid + stride, … of group g of
// channel c: one invocation's share when `stride` invocations split the group.
fn group_moments(c: u32, g: u32, tid: u32, stride: u32) -> vec3f {
  let size = group_size();
  var acc = vec3f(0.0);
  for (var m = g * size + tid; m < (g + 1u) * size; m += stride) {
    let v = x[flat_index(c, m)];
    acc.x += 1.0;
    let d = v - acc.y;
    acc.y += d / acc.x;
    acc.z += d * (v - acc.y);
  }
  return acc;
}

// y over invocation tid's values of group g of channel c, from the group's mean and M2;
// invocation 0 saves mean and invstd and updates the running statistics.
fn normalize_group(c: u32, g: u32, mu: f32, m2: f32, tid: u32, stride: u32) {
  let size = group_size();
  let inv = inverseSqrt(m2 / f32(size) + params.eps);
  let scale = gamma[c] * inv;
  let shift = beta[c];
  for (var m = g * size + tid; m < (g + 1u) * size; m += stride) {
    let i = flat_index(c, m);
    y[i] = activate_f32((x[i] - mu) * scale + shift, ACT, params.slope);
  }
  if (tid == 0u) {
    mean[g * params.channels + c] = mu;
    invstd[g * params.channels + c] = inv;
    let momentum = params.momentum;
    let unbiased = m2 / f32(max(size, 2u) - 1u);
    running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mu;
    running_var[c] = (1.0 - momentum) * running_var[c] + momentum * unbiased;
  }
}

// (Σ dz, Σ dz · x̂) over invocation tid's values of group g of channel c (stride as group_moments).
fn grad_partial(c: u32, g: u32, tid: u32, stride: u32) -> vec2f {
  let size = group_size();
  let mu = mean_saved[g * params.channels + c];
  let inv = invstd_saved[g * params.channels + c];
  var acc = vec2f(0.0);
  for (var m = g * size + tid; m < (g + 1u) * size; m += stride) {
    let i = flat_index(c, m);
    let d = dz_at(i);
    acc += vec2f(d, d * (x[i] - mu) * inv);
  }
  return acc;
}

// dx over invocation tid's values of group g of channel c, from the group's (Σ dz, Σ dz · x̂).
fn backward_input_group(c: u32, g: u32, sums: vec2f, tid: u32, stride: u32) {
  let size = group_size();
  let mean_dz = sums.x / f32(size);
  let mean_dz_xhat = sums.y / f32(size);
  let mu = mean_saved[g * params.channels + c];
  let inv = invstd_saved[g * params.channels + c];
  let scale = gamma[c] * inv;
  for (var m = g * size + tid; m < (g + 1u) * size; m += stride) {
    let i = flat_index(c, m);
    let xhat = (x[i] - mu) * inv;
    dx[i] = scale * (dz_at(i) - mean_dz - xhat * mean_dz_xhat);
  }
}

// (Σ dz, Σ dz · x̂) over group g of channel c, returned to every invocation of
// the workgroup. Ends with a barrier so the caller may call it again.
fn group_grad_sums(c: u32, g: u32, tid: u32) -> vec2f {
  grad_sums[tid] = grad_partial(c, g, tid, BATCHNORM_WORKGROUP);
  workgroupBarrier();
  var total = grad_sums[0];
  for (var j = 1u; j < BATCHNORM_WORKGROUP; j++) { total += grad_sums[j]; }
  workgroupBarrier();
  return total;
}

// One workgroup per channel (dispatch C × 1 × 1), as are the two backward
// kernels; the groups are taken in order, so the running statistics see group
// 0's, then group 1's, … exactly as G separate forward passes would update them.
@compute @workgroup_size(BATCHNORM_WORKGROUP)
fn batchnorm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  for (var g = 0u; g < params.groups; g++) {
    moments[tid] = group_moments(c, g, tid, BATCHNORM_WORKGROUP);
    workgroupBarrier();
    var total = moments[0];
    for (var j = 1u; j < BATCHNORM_WORKGROUP; j++) { total = merge_moments(total, moments[j]); }
    workgroupBarrier(); // everyone has read moments before the next group writes it
    normalize_group(c, g, total.y, total.z, tid, BATCHNORM_WORKGROUP);
  }
}

// Elementwise over all N·C·L values.
@compute @workgroup_size(BATCHNORM_EVAL_WORKGROUP)
fn batchnorm_forward_eval(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * BATCHNORM_EVAL_WORKGROUP;
  if (i >= params.batch * params.channels * params.spatial) { return; }
  let c = (i / params.spatial) % params.channels;
  let scale = gamma[c] * inverseSqrt(running_var[c] + params.eps);
  y[i] = activate_f32((x[i] - running_mean[c]) * scale + beta[c], ACT, params.slope);
}

@compute @workgroup_size(BATCHNORM_WORKGROUP)
fn batchnorm_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  for (var g = 0u; g < params.groups; g++) {
    backward_input_group(c, g, group_grad_sums(c, g, tid), tid, BATCHNORM_WORKGROUP);
  }
}

// dγ and dβ sum over every group (each value normalised by its own group's statistics).
@compute @workgroup_size(BATCHNORM_WORKGROUP)
fn batchnorm_backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  var sums = vec2f(0.0);
  for (var g = 0u; g < params.groups; g++) { sums += group_grad_sums(c, g, tid); }
  if (tid == 0u) {
    dgamma[c] = sums.y;
    dbeta[c] = sums.x;
  }
}

// ---- The tuning variants of the three reductions: one workgroup of REDUCE_WORKGROUP per channel
// (dispatch C × 1 × 1), prelude/reduce.wgsl summing the partials (a tree, or subgroup operations).

@compute @workgroup_size(REDUCE_WORKGROUP)
fn batchnorm_forward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  for (var g = 0u; g < params.groups; g++) {
    let acc = group_moments(c, g, tid, REDUCE_WORKGROUP);
    // (Σ n_t, Σ n_t·mean_t), then M2 = Σ M2_t + n_t·(mean_t − mean)² (the header's merge).
    let sums = workgroup_sum2(vec2f(acc.x, acc.x * acc.y), tid);
    let mu = sums.y / sums.x;
    let d = acc.y - mu;
    let m2 = workgroup_sum(acc.z + acc.x * d * d, tid);
    normalize_group(c, g, mu, m2, tid, REDUCE_WORKGROUP);
  }
}

@compute @workgroup_size(REDUCE_WORKGROUP)
fn batchnorm_backward_input_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  for (var g = 0u; g < params.groups; g++) {
    let sums = workgroup_sum2(grad_partial(c, g, tid, REDUCE_WORKGROUP), tid);
    backward_input_group(c, g, sums, tid, REDUCE_WORKGROUP);
  }
}

// dγ and dβ: each invocation adds its partials of every group, then one workgroup sum.
@compute @workgroup_size(REDUCE_WORKGROUP)
fn batchnorm_backward_weight_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  var acc = vec2f(0.0);
  for (var g = 0u; g < params.groups; g++) { acc += grad_partial(c, g, tid, REDUCE_WORKGROUP); }
  let sums = workgroup_sum2(acc, tid);
  if (tid == 0u) {
    dgamma[c] = sums.y;
    dbeta[c] = sums.x;
  }
}
