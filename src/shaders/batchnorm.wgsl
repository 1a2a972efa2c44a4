// batchnorm.wgsl — batch normalization as PyTorch's BatchNorm1d / BatchNorm2d
// (affine, track_running_stats, momentum as a number), with an optional
// activation fused after it.
//
// Layout (N, C, L): NCHW with L = H·W for BatchNorm2d, L = 1 for BatchNorm1d
// on a linear layer's (N, C) output. Channel c's statistics run over its
// M = N·L values x[n, c, l]:
//
//   batchnorm_forward (training):
//     mean[c]   = Σ x / M,   var = Σ (x − mean)² / M (biased),   invstd[c] = 1 / √(var + eps)
//     y         = act(γ[c] · (x − mean[c]) · invstd[c] + β[c])
//     running_mean[c] ← (1 − momentum) · running_mean[c] + momentum · mean[c]
//     running_var[c]  ← (1 − momentum) · running_var[c]  + momentum · var · M / (M − 1)   (unbiased)
//   batchnorm_forward_eval:
//     y = act(γ[c] · (x − running_mean[c]) / √(running_var[c] + eps) + β[c])
//   batchnorm_backward_input (training mode, through the batch statistics;
//   x̂ = (x − mean) · invstd from the saved mean and invstd):
//     dx = γ[c] · invstd[c] · (dz − Σ dz / M − x̂ · Σ (dz · x̂) / M)
//   batchnorm_backward_weight:
//     dγ[c] = Σ dz · x̂,   dβ[c] = Σ dz
//
// where dz = dy ⊙ act'(y) is formed on load from the saved output y_saved, as
// in linear.wgsl (every supported activation's derivative is a function of its
// output). Sums Σ run over the channel's M values.
//
// Groups: the N rows may be split into G equal groups (uniform `groups`),
// each normalised by its own statistics, saved per group as mean, invstd
// (G, C). The GAN trainer's D sees [fake; real] in one pass with G = 2, which
// equals two separate passes (as PyTorch DCGAN runs D on the real and the fake
// batch): mixed statistics would let D tell the halves apart by batch
// statistics alone, and G (whose update shows D fakes only) would learn
// nothing useful. Sums Σ and M below are per group.
//
// M = 1 (one value per channel, e.g. BatchNorm1d at batch 1; PyTorch refuses
// to train there): var = 0, so y = act(β), dx = 0 and dγ = 0; the unbiased
// variance is taken as M2 / max(M − 1, 1) = 0, so running_var decays by
// (1 − momentum) instead of turning NaN. Callers should reject M = 1.
//
// Bindings (N = batch, C = channels, L = spatial):
//   x, y, y_saved, dy, dx   (N, C, L)
//   gamma, beta, dgamma, dbeta, running_mean, running_var   (C)
//   mean, invstd   (C) written by the forward;  mean_saved, invstd_saved   (C) read by the backward
//
// Scheme: the training forward and both backward kernels run one 16-wide
// workgroup per channel. Each invocation strides over the channel's values
// (value m = n·L + l at m = tid, tid + 16, …), accumulates, writes its
// partial to workgroup memory, and after one barrier every invocation
// combines the 16 partials itself (no tree, no broadcast barrier); a second
// strided pass writes y or dx. The forward accumulates (count, mean, M2) with
// Welford's update and merges partials with Chan et al.'s formula: one read
// of x, and no E[x²] − E[x]² cancellation when the mean is large next to the
// spread. The eval forward is elementwise, 64 invocations per workgroup,
// folded into 2D past 65535 workgroups.
//
// Why, measured on SwiftShader (the CI adapter; Node `webgpu`, Subzero) with
// a throwaway harness timing each entry point over many dispatches: CPU ms
// per forward dispatch, median of 5, (N, C, L) as shown, by workgroup width.
// The machine was shared (2 cores, load 5–12): repeat runs differed by up to
// 1.6×, so only the trends mean anything.
//
//                          256    128     64     32     16      8      4
//   (128, 512, 1)  1d     1015    334     85     30     15    8.5    5.8
//   (8, 64, 64)    8×8     163     35     13    6.6    3.1    5.7    2.4
//   (16, 16, 1024) 32×32    47     25     19     18     14     16     13
//   (64, 64, 196)  14×14     –      –     72      –     56     48     47
//
// - Time grows with the workgroup's width, not with its barrier rounds: at
//   64 wide, a 6-round tree (7 barriers) and a single barrier were within
//   noise of each other. That fits SwiftShader running a workgroup that has
//   a barrier as one coroutine per 4-lane group: a per-workgroup cost that
//   grows with the width and dominates whenever M is small (1d at batch
//   128: 5.7× from 64 to 16 wide).
// - 16 wide, not 4 or 8: 4 and 8 are faster still on SwiftShader at small M,
//   but leave most of a 32-wide SIMD group idle on real GPUs (not measured
//   here; no GPU). On a real GPU with large M (say N·H·W ≥ 16k) several
//   workgroups per channel would pay; left for when it is measured.
// - Indexing by m / L and m % L per value against a carried (n, l) cursor
//   stepped without division: within noise, so the plain division.
// - The backward kernels follow the same trends. backward_input reads x, dy
//   and y_saved twice: it recomputes the two sums that backward_weight also
//   computes, so that each kernel stands alone.

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

// Activation fused after the normalization (forward) and into dz (backward).
override ACT: u32 = ACT_NONE;

const WG: u32 = 16u; // invocations per channel: must match @workgroup_size(16) below

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
var<workgroup> moments: array<vec3f, WG>;   // forward: (count, mean, M2)
var<workgroup> grad_sums: array<vec2f, WG>; // backward: (Σ dz, Σ dz · x̂)

fn activate(v: f32) -> f32 {
  switch ACT {
    case ACT_RELU: { return max(v, 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > 0.0); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > 0.0); }
    // Clamped: tanh(±100) is NaN on SwiftShader (e^2v overflows); |v| ≥ 15 is ±1 in f32 anyway.
    case ACT_TANH: { return tanh(clamp(v, -15.0, 15.0)); }
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// Same derivative-from-output rules as linear.wgsl.
fn activation_grad(out: f32) -> f32 {
  switch ACT {
    case ACT_RELU: { return select(0.0, 1.0, out > 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope, 1.0, out > 0.0); }
    case ACT_ELU: { return select(out + params.slope, 1.0, out > 0.0); }
    case ACT_TANH: { return 1.0 - out * out; }
    case ACT_SIGMOID: { return out * (1.0 - out); }
    default: { return 1.0; }
  }
}

// dz = dy ⊙ act'(y) at flat index i.
fn dz_at(i: u32) -> f32 {
  let g = dy[i];
  if (ACT == ACT_NONE) { return g; }
  return g * activation_grad(y_saved[i]);
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

// (Σ dz, Σ dz · x̂) over group g of channel c, returned to every invocation of
// the workgroup. Ends with a barrier so the caller may call it again.
fn group_grad_sums(c: u32, g: u32, tid: u32) -> vec2f {
  let size = group_size();
  let mu = mean_saved[g * params.channels + c];
  let inv = invstd_saved[g * params.channels + c];
  var acc = vec2f(0.0);
  for (var m = g * size + tid; m < (g + 1u) * size; m += WG) {
    let i = flat_index(c, m);
    let d = dz_at(i);
    acc += vec2f(d, d * (x[i] - mu) * inv);
  }
  grad_sums[tid] = acc;
  workgroupBarrier();
  var total = grad_sums[0];
  for (var j = 1u; j < WG; j++) { total += grad_sums[j]; }
  workgroupBarrier();
  return total;
}

// One workgroup per channel (dispatch C × 1 × 1), as are the two backward
// kernels; the groups are taken in order, so the running statistics see group
// 0's, then group 1's, … exactly as G separate forward passes would update them.
@compute @workgroup_size(16)
fn batchnorm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  let size = group_size();
  for (var g = 0u; g < params.groups; g++) {
    var acc = vec3f(0.0); // Welford: (count, mean, M2) of this invocation's values
    for (var m = g * size + tid; m < (g + 1u) * size; m += WG) {
      let v = x[flat_index(c, m)];
      acc.x += 1.0;
      let d = v - acc.y;
      acc.y += d / acc.x;
      acc.z += d * (v - acc.y);
    }
    moments[tid] = acc;
    workgroupBarrier();
    var total = moments[0];
    for (var j = 1u; j < WG; j++) { total = merge_moments(total, moments[j]); }
    workgroupBarrier(); // everyone has read moments before the next group writes it

    let mu = total.y;
    let inv = inverseSqrt(total.z / f32(size) + params.eps);
    let scale = gamma[c] * inv;
    let shift = beta[c];
    for (var m = g * size + tid; m < (g + 1u) * size; m += WG) {
      let i = flat_index(c, m);
      y[i] = activate((x[i] - mu) * scale + shift);
    }
    if (tid == 0u) {
      mean[g * params.channels + c] = mu;
      invstd[g * params.channels + c] = inv;
      let momentum = params.momentum;
      let unbiased = total.z / f32(max(size, 2u) - 1u);
      running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mu;
      running_var[c] = (1.0 - momentum) * running_var[c] + momentum * unbiased;
    }
  }
}

// Elementwise over all N·C·L values, 64 per workgroup.
@compute @workgroup_size(64)
fn batchnorm_forward_eval(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.batch * params.channels * params.spatial) { return; }
  let c = (i / params.spatial) % params.channels;
  let scale = gamma[c] * inverseSqrt(running_var[c] + params.eps);
  y[i] = activate((x[i] - running_mean[c]) * scale + beta[c]);
}

@compute @workgroup_size(16)
fn batchnorm_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  let size = group_size();
  for (var g = 0u; g < params.groups; g++) {
    let sums = group_grad_sums(c, g, tid);
    let mean_dz = sums.x / f32(size);
    let mean_dz_xhat = sums.y / f32(size);
    let mu = mean_saved[g * params.channels + c];
    let inv = invstd_saved[g * params.channels + c];
    let scale = gamma[c] * inv;
    for (var m = g * size + tid; m < (g + 1u) * size; m += WG) {
      let i = flat_index(c, m);
      let xhat = (x[i] - mu) * inv;
      dx[i] = scale * (dz_at(i) - mean_dz - xhat * mean_dz_xhat);
    }
  }
}

// dγ and dβ sum over every group (each value normalised by its own group's statistics).
@compute @workgroup_size(16)
fn batchnorm_backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let c = wid.x;
  var sums = vec2f(0.0);
  for (var g = 0u; g < params.groups; g++) { sums += group_grad_sums(c, g, tid); }
  if (tid == 0u) {
    dgamma[c] = sums.y;
    dbeta[c] = sums.x;
  }
}
