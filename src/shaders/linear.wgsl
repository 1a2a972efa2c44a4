// linear.wgsl — fully connected layer in PyTorch's layout (weight is (out, in)).
//
//   linear_forward:          y[b, n]  = act(Σ_k x[b, k] · w[n, k] + bias[n])
//   linear_backward_input:   dx[b, k] = Σ_n dz[b, n] · w[n, k]
//   linear_backward_weight:  dw[n, k] = Σ_b dz[b, n] · x[b, k]
//   linear_backward_bias:    dbias[n] = Σ_b dz[b, n]
// dz = dy ⊙ act'(y) is formed before the backward products, in place, by activation.wgsl's
// activation_backward_inplace. The activation is the uniform `act` (ACT_*), not an override.
// Bindings (B = batch, K = in_features, N = out_features):
//   x (B, K)   w, dw (N, K)   bias, dbias (N)   y, dz (B, N)   dx (B, K)
// Dispatch (index.ts): the products LINEAR_WG_X × LINEAR_WG_Y invocations per workgroup (override
// constants, 4 × 4 unless a tuning variant sets them), each a TILE × TILE block of its output
// (prelude/tile.wgsl; columns on x, rows on y; loads clamped, stores masked, any shape);
// linear_backward_bias one invocation per output feature, LINEAR_BIAS_WORKGROUP per workgroup; its tuning
// variants (linear_backward_bias_wg) one workgroup of REDUCE_WORKGROUP per feature, the partials summed by
// prelude/reduce.wgsl (a tree, or subgroup operations): docs/performance-notes.md#reductions-and-subgroups
// The *_r8 and *_r4 entries are the same products with an 8 × 8 or 4 × 4 block per invocation:
// tuning variants for GPUs, where 64–256 invocations and fewer registers each fill the machine.
// The *_smem / *_smem4 entries stage tiles of both operands in workgroup memory (a 4 × 4 block per
// invocation, R4·LINEAR_WG_X × R4·LINEAR_WG_Y outputs per workgroup; scalar or vec4f slabs), and
// linear_backward_weight_split splits the batch sum of a 4 × 4 block over LINEAR_WG_Y invocations
// (split-K) with a tree reduction in workgroup memory; their sections below say how.
// The *_bias entries (linear_backward_weight_bias, _r4_bias, _smem_bias, _smem4_bias) are those
// forms of linear_backward_weight that also write dbias (dw and dbias in one dispatch: candidates
// of the logical entry linear_backward_weight_bias, for a layer with a bias); the last section.
// Every entry but *_split sums each output over its reduction in the same order (4 indices per
// step, a 4-term dot product added to the accumulator), so the variants agree to the bit barring
// the compiler's contractions; *_split sums in another order (float rounding of a B-term sum).
// Why this tiling, and why a uniform: docs/performance-notes.md#linear

struct LinearParams {
  batch: u32,         // B
  in_features: u32,   // K
  out_features: u32,  // N
  act: u32,           // forward's activation (ACT_*)
  slope: f32,         // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: LinearParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, K)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (N, K)
@group(0) @binding(3) var<storage, read> bias: array<f32>;          // (N)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;       // (B, N)
@group(0) @binding(5) var<storage, read> dz: array<f32>;            // (B, N) dy ⊙ act'(y)
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;      // (B, K)
@group(0) @binding(7) var<storage, read_write> dw: array<f32>;      // (N, K)
@group(0) @binding(8) var<storage, read_write> dbias: array<f32>;   // (N)

// Four values at flat indices i (all valid).
fn x4(i: vec4u) -> vec4f { return vec4f(x[i.x], x[i.y], x[i.z], x[i.w]); }
fn w4(i: vec4u) -> vec4f { return vec4f(w[i.x], w[i.y], w[i.z], w[i.w]); }

// dz at four flat indices i into (B, N).
fn dz4(i: vec4u) -> vec4f { return vec4f(dz[i.x], dz[i.y], dz[i.z], dz[i.w]); }

// Terms of 4 consecutive tile columns from w or x: column j (clamped to
// count - 1) starts at j * stride, and its 4 terms sit at offsets.
fn w_cols(j: u32, count: u32, stride: u32, offsets: vec4u) -> mat4x4f {
  let last = count - 1u;
  return mat4x4f(w4(min(j, last) * stride + offsets), w4(min(j + 1u, last) * stride + offsets),
                 w4(min(j + 2u, last) * stride + offsets), w4(min(j + 3u, last) * stride + offsets));
}
fn x_cols(j: u32, count: u32, stride: u32, offsets: vec4u) -> mat4x4f {
  let last = count - 1u;
  return mat4x4f(x4(min(j, last) * stride + offsets), x4(min(j + 1u, last) * stride + offsets),
                 x4(min(j + 2u, last) * stride + offsets), x4(min(j + 3u, last) * stride + offsets));
}

// Masked stores of 4 consecutive output columns from column j of row r.
fn store_y(r: u32, j: u32, v: vec4f) {
  let N = params.out_features;
  let last = N - 1u;
  let b = vec4f(bias[min(j, last)], bias[min(j + 1u, last)], bias[min(j + 2u, last)], bias[min(j + 3u, last)]);
  let z = activate(v + b, params.act, params.slope);
  if (j < N) { y[r * N + j] = z.x; }
  if (j + 1u < N) { y[r * N + j + 1u] = z.y; }
  if (j + 2u < N) { y[r * N + j + 2u] = z.z; }
  if (j + 3u < N) { y[r * N + j + 3u] = z.w; }
}
fn store_dx(r: u32, j: u32, v: vec4f) {
  let K = params.in_features;
  if (j < K) { dx[r * K + j] = v.x; }
  if (j + 1u < K) { dx[r * K + j + 1u] = v.y; }
  if (j + 2u < K) { dx[r * K + j + 2u] = v.z; }
  if (j + 3u < K) { dx[r * K + j + 3u] = v.w; }
}
fn store_dw(r: u32, j: u32, v: vec4f) {
  let K = params.in_features;
  if (j < K) { dw[r * K + j] = v.x; }
  if (j + 1u < K) { dw[r * K + j + 1u] = v.y; }
  if (j + 2u < K) { dw[r * K + j + 2u] = v.z; }
  if (j + 3u < K) { dw[r * K + j + 3u] = v.w; }
}

// y (B, N): rows b, columns n, reduction over k.
@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_forward(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let b0 = gid.y * TILE;
  let n0 = gid.x * TILE;
  if (b0 >= B || n0 >= N) { return; }

  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let k4 = step_indices(k, K);
    let live = step_live(k, K);
    let c = TileCols(w_cols(n0, N, K, k4), w_cols(n0 + 4u, N, K, k4), w_cols(n0 + 8u, N, K, k4), w_cols(n0 + 12u, N, K, k4));
    let zero = vec4f(0.0);
    t0 = row_step(t0, select(zero, x4(min(b0, B - 1u) * K + k4), live), c);
    t1 = row_step(t1, select(zero, x4(min(b0 + 1u, B - 1u) * K + k4), live), c);
    t2 = row_step(t2, select(zero, x4(min(b0 + 2u, B - 1u) * K + k4), live), c);
    t3 = row_step(t3, select(zero, x4(min(b0 + 3u, B - 1u) * K + k4), live), c);
    t4 = row_step(t4, select(zero, x4(min(b0 + 4u, B - 1u) * K + k4), live), c);
    t5 = row_step(t5, select(zero, x4(min(b0 + 5u, B - 1u) * K + k4), live), c);
    t6 = row_step(t6, select(zero, x4(min(b0 + 6u, B - 1u) * K + k4), live), c);
    t7 = row_step(t7, select(zero, x4(min(b0 + 7u, B - 1u) * K + k4), live), c);
    t8 = row_step(t8, select(zero, x4(min(b0 + 8u, B - 1u) * K + k4), live), c);
    t9 = row_step(t9, select(zero, x4(min(b0 + 9u, B - 1u) * K + k4), live), c);
    t10 = row_step(t10, select(zero, x4(min(b0 + 10u, B - 1u) * K + k4), live), c);
    t11 = row_step(t11, select(zero, x4(min(b0 + 11u, B - 1u) * K + k4), live), c);
    t12 = row_step(t12, select(zero, x4(min(b0 + 12u, B - 1u) * K + k4), live), c);
    t13 = row_step(t13, select(zero, x4(min(b0 + 13u, B - 1u) * K + k4), live), c);
    t14 = row_step(t14, select(zero, x4(min(b0 + 14u, B - 1u) * K + k4), live), c);
    t15 = row_step(t15, select(zero, x4(min(b0 + 15u, B - 1u) * K + k4), live), c);
  }
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE && b0 + r < B; r++) {
    let t = tile[r];
    store_y(b0 + r, n0, t.q0);
    store_y(b0 + r, n0 + 4u, t.q1);
    store_y(b0 + r, n0 + 8u, t.q2);
    store_y(b0 + r, n0 + 12u, t.q3);
  }
}

// dx (B, K): rows b, columns k, reduction over n.
@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let b0 = gid.y * TILE;
  let k0 = gid.x * TILE;
  if (b0 >= B || k0 >= K) { return; }

  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var n = 0u; n < N; n += 4u) {
    let n4 = step_indices(n, N);
    let live = step_live(n, N);
    let wn = n4 * K;
    let c = TileCols(w_cols(k0, K, 1u, wn), w_cols(k0 + 4u, K, 1u, wn), w_cols(k0 + 8u, K, 1u, wn), w_cols(k0 + 12u, K, 1u, wn));
    let zero = vec4f(0.0);
    t0 = row_step(t0, select(zero, dz4(min(b0, B - 1u) * N + n4), live), c);
    t1 = row_step(t1, select(zero, dz4(min(b0 + 1u, B - 1u) * N + n4), live), c);
    t2 = row_step(t2, select(zero, dz4(min(b0 + 2u, B - 1u) * N + n4), live), c);
    t3 = row_step(t3, select(zero, dz4(min(b0 + 3u, B - 1u) * N + n4), live), c);
    t4 = row_step(t4, select(zero, dz4(min(b0 + 4u, B - 1u) * N + n4), live), c);
    t5 = row_step(t5, select(zero, dz4(min(b0 + 5u, B - 1u) * N + n4), live), c);
    t6 = row_step(t6, select(zero, dz4(min(b0 + 6u, B - 1u) * N + n4), live), c);
    t7 = row_step(t7, select(zero, dz4(min(b0 + 7u, B - 1u) * N + n4), live), c);
    t8 = row_step(t8, select(zero, dz4(min(b0 + 8u, B - 1u) * N + n4), live), c);
    t9 = row_step(t9, select(zero, dz4(min(b0 + 9u, B - 1u) * N + n4), live), c);
    t10 = row_step(t10, select(zero, dz4(min(b0 + 10u, B - 1u) * N + n4), live), c);
    t11 = row_step(t11, select(zero, dz4(min(b0 + 11u, B - 1u) * N + n4), live), c);
    t12 = row_step(t12, select(zero, dz4(min(b0 + 12u, B - 1u) * N + n4), live), c);
    t13 = row_step(t13, select(zero, dz4(min(b0 + 13u, B - 1u) * N + n4), live), c);
    t14 = row_step(t14, select(zero, dz4(min(b0 + 14u, B - 1u) * N + n4), live), c);
    t15 = row_step(t15, select(zero, dz4(min(b0 + 15u, B - 1u) * N + n4), live), c);
  }
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE && b0 + r < B; r++) {
    let t = tile[r];
    store_dx(b0 + r, k0, t.q0);
    store_dx(b0 + r, k0 + 4u, t.q1);
    store_dx(b0 + r, k0 + 8u, t.q2);
    store_dx(b0 + r, k0 + 12u, t.q3);
  }
}

// dw (N, K): rows n, columns k, reduction over the batch.
// dw's 16 × 16 block at rows n0 …, columns k0 … (the batch walked 4 rows at a time): the
// product of linear_backward_weight and of its fused twin linear_backward_weight_bias.
fn weight_block16(n0: u32, k0: u32) -> array<TileRow, TILE> {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var b = 0u; b < B; b += 4u) {
    let b4 = step_indices(b, B);
    let live = step_live(b, B);
    let xb = b4 * K;
    let zb = b4 * N;
    let c = TileCols(x_cols(k0, K, 1u, xb), x_cols(k0 + 4u, K, 1u, xb), x_cols(k0 + 8u, K, 1u, xb), x_cols(k0 + 12u, K, 1u, xb));
    let zero = vec4f(0.0);
    t0 = row_step(t0, select(zero, dz4(min(n0, N - 1u) + zb), live), c);
    t1 = row_step(t1, select(zero, dz4(min(n0 + 1u, N - 1u) + zb), live), c);
    t2 = row_step(t2, select(zero, dz4(min(n0 + 2u, N - 1u) + zb), live), c);
    t3 = row_step(t3, select(zero, dz4(min(n0 + 3u, N - 1u) + zb), live), c);
    t4 = row_step(t4, select(zero, dz4(min(n0 + 4u, N - 1u) + zb), live), c);
    t5 = row_step(t5, select(zero, dz4(min(n0 + 5u, N - 1u) + zb), live), c);
    t6 = row_step(t6, select(zero, dz4(min(n0 + 6u, N - 1u) + zb), live), c);
    t7 = row_step(t7, select(zero, dz4(min(n0 + 7u, N - 1u) + zb), live), c);
    t8 = row_step(t8, select(zero, dz4(min(n0 + 8u, N - 1u) + zb), live), c);
    t9 = row_step(t9, select(zero, dz4(min(n0 + 9u, N - 1u) + zb), live), c);
    t10 = row_step(t10, select(zero, dz4(min(n0 + 10u, N - 1u) + zb), live), c);
    t11 = row_step(t11, select(zero, dz4(min(n0 + 11u, N - 1u) + zb), live), c);
    t12 = row_step(t12, select(zero, dz4(min(n0 + 12u, N - 1u) + zb), live), c);
    t13 = row_step(t13, select(zero, dz4(min(n0 + 13u, N - 1u) + zb), live), c);
    t14 = row_step(t14, select(zero, dz4(min(n0 + 14u, N - 1u) + zb), live), c);
    t15 = row_step(t15, select(zero, dz4(min(n0 + 15u, N - 1u) + zb), live), c);
  }
  return array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight(@builtin(global_invocation_id) gid: vec3u) {
  let K = params.in_features;
  let N = params.out_features;
  let n0 = gid.y * TILE;
  let k0 = gid.x * TILE;
  if (n0 >= N || k0 >= K) { return; }
  let tile = weight_block16(n0, k0);
  for (var r = 0u; r < TILE && n0 + r < N; r++) {
    let t = tile[r];
    store_dw(n0 + r, k0, t.q0);
    store_dw(n0 + r, k0 + 4u, t.q1);
    store_dw(n0 + r, k0 + 8u, t.q2);
    store_dw(n0 + r, k0 + 12u, t.q3);
  }
}

// dbias (N): one invocation per output feature, summing its column of dz 4 rows at a time.
@compute @workgroup_size(LINEAR_BIAS_WORKGROUP)
fn linear_backward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= params.out_features) { return; }
  dbias[n] = bias_total(dz_column(n));
}

// Σ_b dz[b, n] as 4 partial sums: lane j holds the batch rows b ≡ j (mod 4), added 4 rows per step
// from b = 0 up (rows past B add 0). bias_total folds them into dbias[n]. The fused *_bias entries
// below add the same vec4f terms in the same order and fold them the same way, so their dbias
// equals linear_backward_bias's (thread.wg64) to the bit.
fn dz_column(n: u32) -> vec4f {
  let B = params.batch;
  var sum = vec4f(0.0);
  for (var b = 0u; b < B; b += 4u) {
    sum += select(vec4f(0.0), dz4(step_indices(b, B) * params.out_features + n), step_live(b, B));
  }
  return sum;
}
fn bias_total(sum: vec4f) -> f32 { return (sum.x + sum.y) + (sum.z + sum.w); }

// dbias (N), one workgroup of REDUCE_WORKGROUP per output feature (tuning variants of
// linear_backward_bias; x + y·65535 folded): invocation t sums rows t, t + REDUCE_WORKGROUP, …
// of its column of dz, and prelude/reduce.wgsl adds the partials (a tree, or subgroup operations
// in the family's 'subgroups' source). Pays where B is large next to N (a D's 1-output head).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn linear_backward_bias_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                           @builtin(local_invocation_index) tid: u32) {
  let B = params.batch;
  let N = params.out_features;
  let n = wid.x + wid.y * nwg.x;
  if (n >= N) { return; } // the same for the whole workgroup
  var sum = 0.0;
  for (var b = tid; b < B; b += REDUCE_WORKGROUP) { sum += dz[b * N + n]; }
  let total = workgroup_sum(sum, tid);
  if (tid == 0u) { dbias[n] = total; }
}

// ---- Smaller register blocks (tuning variants). Per entry, the 4 terms of one block row at a
// reduction step (`*_row`) and of 4 consecutive block columns (`*_cols`), as the 16 × 16 entries
// load them; `blk` is the invocation's block size (R8 or R4).
const R8 = 8u;
const R4 = 4u;

fn fwd_row(b: u32, k4: vec4u, live: vec4<bool>) -> vec4f {
  return select(vec4f(0.0), x4(min(b, params.batch - 1u) * params.in_features + k4), live);
}
fn fwd_cols(n: u32, k4: vec4u) -> mat4x4f { return w_cols(n, params.out_features, params.in_features, k4); }
fn bin_row(b: u32, n4: vec4u, live: vec4<bool>) -> vec4f {
  return select(vec4f(0.0), dz4(min(b, params.batch - 1u) * params.out_features + n4), live);
}
fn bin_cols(k: u32, n4: vec4u) -> mat4x4f { return w_cols(k, params.in_features, 1u, n4 * params.in_features); }
fn bw_row(n: u32, b4: vec4u, live: vec4<bool>) -> vec4f {
  return select(vec4f(0.0), dz4(min(n, params.out_features - 1u) + b4 * params.out_features), live);
}
fn bw_cols(k: u32, b4: vec4u) -> mat4x4f { return x_cols(k, params.in_features, 1u, b4 * params.in_features); }

// An 8 × 8 block: rows r0 .. r0+7, columns c0 .. c0+7 as two groups of 4 (a and b).
struct Block8 {
  a0: vec4f, b0: vec4f, a1: vec4f, b1: vec4f, a2: vec4f, b2: vec4f, a3: vec4f, b3: vec4f,
  a4: vec4f, b4: vec4f, a5: vec4f, b5: vec4f, a6: vec4f, b6: vec4f, a7: vec4f, b7: vec4f,
}
fn block8_row(t: Block8, r: u32) -> array<vec4f, 2> {
  let rows = array<vec4f, 16>(t.a0, t.b0, t.a1, t.b1, t.a2, t.b2, t.a3, t.b3, t.a4, t.b4, t.a5, t.b5, t.a6, t.b6, t.a7, t.b7);
  return array<vec4f, 2>(rows[2u * r], rows[2u * r + 1u]);
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_forward_r8(@builtin(global_invocation_id) gid: vec3u) {
  let b0 = gid.y * R8;
  let n0 = gid.x * R8;
  let K = params.in_features;
  if (b0 >= params.batch || n0 >= params.out_features) { return; }
  var t: Block8;
  for (var k = 0u; k < K; k += 4u) {
    let k4 = step_indices(k, K);
    let live = step_live(k, K);
    let ca = fwd_cols(n0, k4);
    let cb = fwd_cols(n0 + 4u, k4);
    var a = fwd_row(b0, k4, live); t.a0 += a * ca; t.b0 += a * cb;
    a = fwd_row(b0 + 1u, k4, live); t.a1 += a * ca; t.b1 += a * cb;
    a = fwd_row(b0 + 2u, k4, live); t.a2 += a * ca; t.b2 += a * cb;
    a = fwd_row(b0 + 3u, k4, live); t.a3 += a * ca; t.b3 += a * cb;
    a = fwd_row(b0 + 4u, k4, live); t.a4 += a * ca; t.b4 += a * cb;
    a = fwd_row(b0 + 5u, k4, live); t.a5 += a * ca; t.b5 += a * cb;
    a = fwd_row(b0 + 6u, k4, live); t.a6 += a * ca; t.b6 += a * cb;
    a = fwd_row(b0 + 7u, k4, live); t.a7 += a * ca; t.b7 += a * cb;
  }
  for (var r = 0u; r < R8 && b0 + r < params.batch; r++) {
    let q = block8_row(t, r);
    store_y(b0 + r, n0, q[0]);
    store_y(b0 + r, n0 + 4u, q[1]);
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_input_r8(@builtin(global_invocation_id) gid: vec3u) {
  let b0 = gid.y * R8;
  let k0 = gid.x * R8;
  let N = params.out_features;
  if (b0 >= params.batch || k0 >= params.in_features) { return; }
  var t: Block8;
  for (var n = 0u; n < N; n += 4u) {
    let n4 = step_indices(n, N);
    let live = step_live(n, N);
    let ca = bin_cols(k0, n4);
    let cb = bin_cols(k0 + 4u, n4);
    var a = bin_row(b0, n4, live); t.a0 += a * ca; t.b0 += a * cb;
    a = bin_row(b0 + 1u, n4, live); t.a1 += a * ca; t.b1 += a * cb;
    a = bin_row(b0 + 2u, n4, live); t.a2 += a * ca; t.b2 += a * cb;
    a = bin_row(b0 + 3u, n4, live); t.a3 += a * ca; t.b3 += a * cb;
    a = bin_row(b0 + 4u, n4, live); t.a4 += a * ca; t.b4 += a * cb;
    a = bin_row(b0 + 5u, n4, live); t.a5 += a * ca; t.b5 += a * cb;
    a = bin_row(b0 + 6u, n4, live); t.a6 += a * ca; t.b6 += a * cb;
    a = bin_row(b0 + 7u, n4, live); t.a7 += a * ca; t.b7 += a * cb;
  }
  for (var r = 0u; r < R8 && b0 + r < params.batch; r++) {
    let q = block8_row(t, r);
    store_dx(b0 + r, k0, q[0]);
    store_dx(b0 + r, k0 + 4u, q[1]);
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_r8(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.y * R8;
  let k0 = gid.x * R8;
  let B = params.batch;
  if (n0 >= params.out_features || k0 >= params.in_features) { return; }
  var t: Block8;
  for (var b = 0u; b < B; b += 4u) {
    let b4 = step_indices(b, B);
    let live = step_live(b, B);
    let ca = bw_cols(k0, b4);
    let cb = bw_cols(k0 + 4u, b4);
    var a = bw_row(n0, b4, live); t.a0 += a * ca; t.b0 += a * cb;
    a = bw_row(n0 + 1u, b4, live); t.a1 += a * ca; t.b1 += a * cb;
    a = bw_row(n0 + 2u, b4, live); t.a2 += a * ca; t.b2 += a * cb;
    a = bw_row(n0 + 3u, b4, live); t.a3 += a * ca; t.b3 += a * cb;
    a = bw_row(n0 + 4u, b4, live); t.a4 += a * ca; t.b4 += a * cb;
    a = bw_row(n0 + 5u, b4, live); t.a5 += a * ca; t.b5 += a * cb;
    a = bw_row(n0 + 6u, b4, live); t.a6 += a * ca; t.b6 += a * cb;
    a = bw_row(n0 + 7u, b4, live); t.a7 += a * ca; t.b7 += a * cb;
  }
  for (var r = 0u; r < R8 && n0 + r < params.out_features; r++) {
    let q = block8_row(t, r);
    store_dw(n0 + r, k0, q[0]);
    store_dw(n0 + r, k0 + 4u, q[1]);
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_forward_r4(@builtin(global_invocation_id) gid: vec3u) {
  let b0 = gid.y * R4;
  let n0 = gid.x * R4;
  let K = params.in_features;
  if (b0 >= params.batch || n0 >= params.out_features) { return; }
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var k = 0u; k < K; k += 4u) {
    let k4 = step_indices(k, K);
    let live = step_live(k, K);
    let c = fwd_cols(n0, k4);
    t0 += fwd_row(b0, k4, live) * c;
    t1 += fwd_row(b0 + 1u, k4, live) * c;
    t2 += fwd_row(b0 + 2u, k4, live) * c;
    t3 += fwd_row(b0 + 3u, k4, live) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && b0 + r < params.batch; r++) { store_y(b0 + r, n0, tile[r]); }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_input_r4(@builtin(global_invocation_id) gid: vec3u) {
  let b0 = gid.y * R4;
  let k0 = gid.x * R4;
  let N = params.out_features;
  if (b0 >= params.batch || k0 >= params.in_features) { return; }
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var n = 0u; n < N; n += 4u) {
    let n4 = step_indices(n, N);
    let live = step_live(n, N);
    let c = bin_cols(k0, n4);
    t0 += bin_row(b0, n4, live) * c;
    t1 += bin_row(b0 + 1u, n4, live) * c;
    t2 += bin_row(b0 + 2u, n4, live) * c;
    t3 += bin_row(b0 + 3u, n4, live) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && b0 + r < params.batch; r++) { store_dx(b0 + r, k0, tile[r]); }
}

// dw's 4 × 4 block at rows n0 …, columns k0 …, and with `with_bias` its rows' dz_column sums from
// the terms the product loads (bw_row): linear_backward_weight_r4 and its fused twin.
struct WeightBlock4 { dw: array<vec4f, 4>, dz_sums: array<vec4f, 4> }
fn weight_block_r4(n0: u32, k0: u32, with_bias: bool) -> WeightBlock4 {
  let B = params.batch;
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  var s0: vec4f; var s1: vec4f; var s2: vec4f; var s3: vec4f;
  for (var b = 0u; b < B; b += 4u) {
    let b4 = step_indices(b, B);
    let live = step_live(b, B);
    let c = bw_cols(k0, b4);
    let a0 = bw_row(n0, b4, live); t0 += a0 * c;
    let a1 = bw_row(n0 + 1u, b4, live); t1 += a1 * c;
    let a2 = bw_row(n0 + 2u, b4, live); t2 += a2 * c;
    let a3 = bw_row(n0 + 3u, b4, live); t3 += a3 * c;
    if (with_bias) { s0 += a0; s1 += a1; s2 += a2; s3 += a3; }
  }
  return WeightBlock4(array<vec4f, 4>(t0, t1, t2, t3), array<vec4f, 4>(s0, s1, s2, s3));
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_r4(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.y * R4;
  let k0 = gid.x * R4;
  if (n0 >= params.out_features || k0 >= params.in_features) { return; }
  let computed = weight_block_r4(n0, k0, false);
  for (var r = 0u; r < R4 && n0 + r < params.out_features; r++) { store_dw(n0 + r, k0, computed.dw[r]); }
}

// ---- Workgroup-memory GEMM (tuning variants *_smem and *_smem4): the classic shared-memory
// tiling. Each product is C = A·Bᵀ over a reduction index i:
//
//   product                  C (rows, cols)   A (rows, i)        B (cols, i)        i
//   linear_forward           y  (B, N)        x  (B, K)          w  (N, K)          k
//   linear_backward_input    dx (B, K)        dz (B, N)          wᵀ (K, N)          n
//   linear_backward_weight   dw (N, K)        dzᵀ (N, B)         xᵀ (K, B)          b
//
// A workgroup of LINEAR_WG_X × LINEAR_WG_Y invocations owns a tile of SM_ROWS = R4·LINEAR_WG_Y
// rows × SM_COLS = R4·LINEAR_WG_X columns of C (64 × 64 at 16 × 16 invocations). It walks the
// reduction SMEM_K indices per pass: every invocation helps stage the pass's (SM_ROWS, SMEM_K)
// slab of A and (SM_COLS, SMEM_K) slab of B in workgroup memory (4 consecutive i per load, zero
// past the end of any dimension, so any shape works), a barrier, then each invocation adds its
// R4 × R4 block from workgroup memory only, a barrier before the next pass overwrites the slabs.
// Global memory is read once per workgroup instead of once per invocation row/column: the
// 16 × 16-tile entries above load each x and w value once per 16 outputs, these once per
// SM_COLS / SM_ROWS outputs (64 at 16 × 16), which is what pays on GPUs with many invocations.
//
// Invocation (tx, ty) owns rows ty + LINEAR_WG_Y·r and columns tx + LINEAR_WG_X·c (r, c < 4),
// not 4 consecutive ones: neighbouring invocations then read neighbouring slab rows (no
// workgroup-memory bank conflicts) and store to neighbouring addresses, at the price of scalar
// stores (store_*_at) instead of store_*'s runs of 4.
//
// Same sums as the entries above: each output adds, for i = 0, 4, 8, … ascending, the 4-term dot
// product of its A row and B column at i .. i+3 (a · mat4x4f, as row_step), so they agree with
// the default variant to float rounding of contractions. Zero-filled terms add exactly 0; a pass
// runs only the steps that hold a live index (min(SMEM_K, count − i0) / 4, rounded up).
//
// Two layouts of the slabs, one entry each:
//   *_smem   scalars, [i][row] with rows padded to SM_ROWS + 1: a step gathers each row's and
//            column's 4 terms from 4 scalars (32 workgroup loads per 4 × 4 block step).
//   *_smem4  vec4f, [row][i / 4] with SMEM_Q + 1 vec4f per row (the pad spreads consecutive rows
//            over banks): a step loads each row's and column's 4 terms as one vec4f (8 loads).
// Workgroup memory (WebGPU guarantees 16 KiB): *_smem 4·SMEM_K·(SM_ROWS + SM_COLS + 2) bytes,
// *_smem4 16·(SMEM_Q + 1)·(SM_ROWS + SM_COLS) bytes: 8.1 KiB and 10 KiB at 16 × 16 invocations;
// the variants in index.ts stay within it (a shape past the device's limit fails to compile, and
// the tuner drops it).

const SMEM_K = 16u;            // reduction indices staged per pass
const SMEM_Q = SMEM_K / 4u;    // 4-index steps per pass

var<workgroup> sm_a: array<f32, SMEM_K * (R4 * LINEAR_WG_Y + 1u)>;   // A slab, [i][row]
var<workgroup> sm_b: array<f32, SMEM_K * (R4 * LINEAR_WG_X + 1u)>;   // B slab, [i][col]
var<workgroup> sm_a4: array<vec4f, (SMEM_Q + 1u) * R4 * LINEAR_WG_Y>; // A slab, [row][i / 4]
var<workgroup> sm_b4: array<vec4f, (SMEM_Q + 1u) * R4 * LINEAR_WG_X>; // B slab, [col][i / 4]

// A R4 × R4 block: row r's 4 columns in qr.
struct Block4 { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// A and B of each product at (row or column, reduction indices i .. i+3), zero outside the
// operand (the row / column past its count, or an index past the reduction's end).
fn fwd_a(r: u32, i: u32) -> vec4f {
  if (r >= params.batch) { return vec4f(0.0); }
  let K = params.in_features;
  return select(vec4f(0.0), x4(r * K + step_indices(i, K)), step_live(i, K));
}
fn fwd_b(c: u32, i: u32) -> vec4f {
  if (c >= params.out_features) { return vec4f(0.0); }
  let K = params.in_features;
  return select(vec4f(0.0), w4(c * K + step_indices(i, K)), step_live(i, K));
}
fn bin_a(r: u32, i: u32) -> vec4f {
  if (r >= params.batch) { return vec4f(0.0); }
  let N = params.out_features;
  return select(vec4f(0.0), dz4(r * N + step_indices(i, N)), step_live(i, N));
}
fn bin_b(c: u32, i: u32) -> vec4f {
  if (c >= params.in_features) { return vec4f(0.0); }
  let N = params.out_features;
  return select(vec4f(0.0), w4(step_indices(i, N) * params.in_features + c), step_live(i, N));
}
fn bw_a(r: u32, i: u32) -> vec4f {
  if (r >= params.out_features) { return vec4f(0.0); }
  let B = params.batch;
  return select(vec4f(0.0), dz4(step_indices(i, B) * params.out_features + r), step_live(i, B));
}
fn bw_b(c: u32, i: u32) -> vec4f {
  if (c >= params.in_features) { return vec4f(0.0); }
  let B = params.batch;
  return select(vec4f(0.0), x4(step_indices(i, B) * params.in_features + c), step_live(i, B));
}

// Staging: slot e (one load of 4 consecutive i) of a slab of `lines` rows is (line, step).
// Where the operand's i is contiguous in memory (x and w in forward, dz in backward_input)
// consecutive slots walk i, else the line, so that neighbouring invocations load neighbouring
// addresses either way.
fn stage_slot(e: u32, lines: u32, i_contiguous: bool) -> vec2u {
  if (i_contiguous) { return vec2u(e / SMEM_Q, e % SMEM_Q); }
  return vec2u(e % lines, e / lines);
}
fn sm_rows() -> u32 { return R4 * LINEAR_WG_Y; }
fn sm_cols() -> u32 { return R4 * LINEAR_WG_X; }
fn sm_invocations() -> u32 { return LINEAR_WG_X * LINEAR_WG_Y; }

// The 4 terms at step s in the scalar slabs, and their stores.
fn put_a(p: vec2u, v: vec4f) {
  let at = 4u * p.y * (sm_rows() + 1u) + p.x;
  sm_a[at] = v.x; sm_a[at + sm_rows() + 1u] = v.y; sm_a[at + 2u * (sm_rows() + 1u)] = v.z; sm_a[at + 3u * (sm_rows() + 1u)] = v.w;
}
fn put_b(p: vec2u, v: vec4f) {
  let at = 4u * p.y * (sm_cols() + 1u) + p.x;
  sm_b[at] = v.x; sm_b[at + sm_cols() + 1u] = v.y; sm_b[at + 2u * (sm_cols() + 1u)] = v.z; sm_b[at + 3u * (sm_cols() + 1u)] = v.w;
}
fn get_a(r: u32, s: u32) -> vec4f {
  let at = 4u * s * (sm_rows() + 1u) + r;
  return vec4f(sm_a[at], sm_a[at + sm_rows() + 1u], sm_a[at + 2u * (sm_rows() + 1u)], sm_a[at + 3u * (sm_rows() + 1u)]);
}
fn get_b(c: u32, s: u32) -> vec4f {
  let at = 4u * s * (sm_cols() + 1u) + c;
  return vec4f(sm_b[at], sm_b[at + sm_cols() + 1u], sm_b[at + 2u * (sm_cols() + 1u)], sm_b[at + 3u * (sm_cols() + 1u)]);
}
// The same in the vec4f slabs.
fn put_a4(p: vec2u, v: vec4f) { sm_a4[p.x * (SMEM_Q + 1u) + p.y] = v; }
fn put_b4(p: vec2u, v: vec4f) { sm_b4[p.x * (SMEM_Q + 1u) + p.y] = v; }

// Invocation (tx, ty)'s block after the pass's first `live` reduction indices (row_step's sums).
fn smem_pass(t: Block4, tx: u32, ty: u32, live: u32) -> Block4 {
  var o = t;
  for (var s = 0u; 4u * s < live; s++) {
    let c = mat4x4f(get_b(tx, s), get_b(tx + LINEAR_WG_X, s), get_b(tx + 2u * LINEAR_WG_X, s), get_b(tx + 3u * LINEAR_WG_X, s));
    o = Block4(o.q0 + get_a(ty, s) * c, o.q1 + get_a(ty + LINEAR_WG_Y, s) * c,
               o.q2 + get_a(ty + 2u * LINEAR_WG_Y, s) * c, o.q3 + get_a(ty + 3u * LINEAR_WG_Y, s) * c);
  }
  return o;
}
fn smem4_pass(t: Block4, tx: u32, ty: u32, live: u32) -> Block4 {
  var o = t;
  let q = SMEM_Q + 1u;
  for (var s = 0u; 4u * s < live; s++) {
    let c = mat4x4f(sm_b4[tx * q + s], sm_b4[(tx + LINEAR_WG_X) * q + s], sm_b4[(tx + 2u * LINEAR_WG_X) * q + s], sm_b4[(tx + 3u * LINEAR_WG_X) * q + s]);
    o = Block4(o.q0 + sm_a4[ty * q + s] * c, o.q1 + sm_a4[(ty + LINEAR_WG_Y) * q + s] * c,
               o.q2 + sm_a4[(ty + 2u * LINEAR_WG_Y) * q + s] * c, o.q3 + sm_a4[(ty + 3u * LINEAR_WG_Y) * q + s] * c);
  }
  return o;
}

// Masked stores of one output; forward's with store_y's epilogue (bias, then the activation).
fn store_y_at(r: u32, c: u32, v: f32) {
  if (r < params.batch && c < params.out_features) { y[r * params.out_features + c] = activate_f32(v + bias[c], params.act, params.slope); }
}
fn store_dx_at(r: u32, c: u32, v: f32) {
  if (r < params.batch && c < params.in_features) { dx[r * params.in_features + c] = v; }
}
fn store_dw_at(r: u32, c: u32, v: f32) {
  if (r < params.out_features && c < params.in_features) { dw[r * params.in_features + c] = v; }
}

// Invocation (tx, ty)'s output (row r, column c) of the block, as owned above: (ty + LINEAR_WG_Y·r, tx + LINEAR_WG_X·c).
fn block_at(t: Block4, r: u32, c: u32) -> f32 {
  let rows = array<vec4f, 4>(t.q0, t.q1, t.q2, t.q3);
  return rows[r][c];
}

// The six entries: stage, barrier, pass, barrier, per SMEM_K reduction indices; no early return
// (every invocation reaches the barriers; a tile's rows or columns past the end load zeros and
// store nothing). The loop bound is a uniform, so the barriers are in uniform control flow.
// They are written out per product and slab layout rather than as one function switching on
// the product: an entry's bind-group layout is what it statically uses (runtime/kernel.ts
// reflects it), and a shared function would make every entry use every product's operands
// (forward would need dz bound), and both slab pairs (more than 16 KiB of workgroup memory).
@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_forward_smem(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let K = params.in_features;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  var t: Block4;
  for (var i0 = 0u; i0 < K; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), true); put_a(p, fwd_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), true); put_b(p, fwd_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem_pass(t, lid.x, lid.y, min(SMEM_K, K - i0));
    workgroupBarrier();
  }
  for (var r = 0u; r < R4; r++) {
    for (var c = 0u; c < R4; c++) { store_y_at(m0 + lid.y + r * LINEAR_WG_Y, n0 + lid.x + c * LINEAR_WG_X, block_at(t, r, c)); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_forward_smem4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let K = params.in_features;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  var t: Block4;
  for (var i0 = 0u; i0 < K; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), true); put_a4(p, fwd_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), true); put_b4(p, fwd_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem4_pass(t, lid.x, lid.y, min(SMEM_K, K - i0));
    workgroupBarrier();
  }
  for (var r = 0u; r < R4; r++) {
    for (var c = 0u; c < R4; c++) { store_y_at(m0 + lid.y + r * LINEAR_WG_Y, n0 + lid.x + c * LINEAR_WG_X, block_at(t, r, c)); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_input_smem(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = params.out_features;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  var t: Block4;
  for (var i0 = 0u; i0 < N; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), true); put_a(p, bin_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), false); put_b(p, bin_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem_pass(t, lid.x, lid.y, min(SMEM_K, N - i0));
    workgroupBarrier();
  }
  for (var r = 0u; r < R4; r++) {
    for (var c = 0u; c < R4; c++) { store_dx_at(m0 + lid.y + r * LINEAR_WG_Y, n0 + lid.x + c * LINEAR_WG_X, block_at(t, r, c)); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_input_smem4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = params.out_features;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  var t: Block4;
  for (var i0 = 0u; i0 < N; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), true); put_a4(p, bin_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), false); put_b4(p, bin_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem4_pass(t, lid.x, lid.y, min(SMEM_K, N - i0));
    workgroupBarrier();
  }
  for (var r = 0u; r < R4; r++) {
    for (var c = 0u; c < R4; c++) { store_dx_at(m0 + lid.y + r * LINEAR_WG_Y, n0 + lid.x + c * LINEAR_WG_X, block_at(t, r, c)); }
  }
}

// dw's tile of workgroup wid (smem slabs) and, with `with_bias` in column block 0 (uniform over the
// workgroup), its rows' dz_column sums from the staged slabs of A = dzᵀ: the plain entry and its fused twin.
fn weight_tile_smem(wid: vec3u, lid: vec3u, li: u32, with_bias: bool) -> array<Block4, 2> {
  let B = params.batch;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  let sums_bias = with_bias && wid.x == 0u;
  var t: Block4;
  var sums: Block4;
  for (var i0 = 0u; i0 < B; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), false); put_a(p, bw_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), false); put_b(p, bw_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem_pass(t, lid.x, lid.y, min(SMEM_K, B - i0));
    if (sums_bias) { sums = smem_bias_pass(sums, li, min(SMEM_K, B - i0)); }
    workgroupBarrier();
  }
  return array<Block4, 2>(t, sums);
}
fn store_dw_tile(wid: vec3u, lid: vec3u, t: Block4) {
  for (var r = 0u; r < R4; r++) {
    for (var c = 0u; c < R4; c++) { store_dw_at(wid.y * sm_rows() + lid.y + r * LINEAR_WG_Y, wid.x * sm_cols() + lid.x + c * LINEAR_WG_X, block_at(t, r, c)); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_smem(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tile = weight_tile_smem(wid, lid, li, false);
  store_dw_tile(wid, lid, tile[0]);
}

// dw's tile of workgroup wid (smem4 slabs) and, with `with_bias` in column block 0 (uniform over the
// workgroup), its rows' dz_column sums from the staged slabs of A = dzᵀ: the plain entry and its fused twin.
fn weight_tile_smem4(wid: vec3u, lid: vec3u, li: u32, with_bias: bool) -> array<Block4, 2> {
  let B = params.batch;
  let m0 = wid.y * sm_rows();
  let n0 = wid.x * sm_cols();
  let sums_bias = with_bias && wid.x == 0u;
  var t: Block4;
  var sums: Block4;
  for (var i0 = 0u; i0 < B; i0 += SMEM_K) {
    for (var e = li; e < SMEM_Q * sm_rows(); e += sm_invocations()) { let p = stage_slot(e, sm_rows(), false); put_a4(p, bw_a(m0 + p.x, i0 + 4u * p.y)); }
    for (var e = li; e < SMEM_Q * sm_cols(); e += sm_invocations()) { let p = stage_slot(e, sm_cols(), false); put_b4(p, bw_b(n0 + p.x, i0 + 4u * p.y)); }
    workgroupBarrier();
    t = smem4_pass(t, lid.x, lid.y, min(SMEM_K, B - i0));
    if (sums_bias) { sums = smem4_bias_pass(sums, li, min(SMEM_K, B - i0)); }
    workgroupBarrier();
  }
  return array<Block4, 2>(t, sums);
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_smem4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tile = weight_tile_smem4(wid, lid, li, false);
  store_dw_tile(wid, lid, tile[0]);
}

// ---- One output per workgroup (tuning variants reduce.tree.wg* and reduce.subgroup.wg* of
// linear_forward and linear_backward_input): REDUCE_WORKGROUP invocations stride over the
// reduction of one output element and prelude/reduce.wgsl adds their partials: a tree in
// workgroup memory, or subgroup operations in the family's 'subgroups' source (the subgroup
// matmul candidate). For products with few outputs and a long reduction, which the tiles give a
// handful of invocations each walking all of it: a critic's 1-wide head (N = 1, K = 256 … 784),
// a batch of 1. Output e is folded from the 2-D grid (x + y·65535), the same for the whole
// workgroup, so the early return keeps the reduction's barriers in uniform control flow.
//   linear_forward_wg:         y[b, n]  = act(Σ_k x[b, k] · w[n, k] + bias[n]),  e = b·N + n
//   linear_backward_input_wg:  dx[b, k] = Σ_n dz[b, n] · w[n, k],               e = b·K + k
// They sum in another order than the tiles (per invocation, then across), so they agree with the
// default variant to float rounding (index.ts: LINEAR_REORDERING_VARIANTS).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn linear_forward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                     @builtin(local_invocation_index) tid: u32) {
  let K = params.in_features;
  let N = params.out_features;
  let e = wid.x + wid.y * nwg.x;
  if (e >= params.batch * N) { return; }
  let b = e / N;
  let n = e % N;
  var sum = 0.0;
  for (var k = tid; k < K; k += REDUCE_WORKGROUP) { sum += x[b * K + k] * w[n * K + k]; }
  let total = workgroup_sum(sum, tid);
  if (tid == 0u) { y[e] = activate_f32(total + bias[n], params.act, params.slope); }
}

@compute @workgroup_size(REDUCE_WORKGROUP)
fn linear_backward_input_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                            @builtin(local_invocation_index) tid: u32) {
  let K = params.in_features;
  let N = params.out_features;
  let e = wid.x + wid.y * nwg.x;
  if (e >= params.batch * K) { return; }
  let b = e / K;
  let k = e % K;
  var sum = 0.0;
  for (var n = tid; n < N; n += REDUCE_WORKGROUP) { sum += dz[b * N + n] * w[n * K + k]; }
  let total = workgroup_sum(sum, tid);
  if (tid == 0u) { dx[e] = total; }
}

// ---- linear_backward_weight_split (tuning variants split*): split-K inside one workgroup, for
// the tall-skinny dw of a layer with few weights and a batch to sum over (the discriminator's
// last layer, 256 → 1: dw is (1, 256), its reduction B long). The tiles above give such a dw a
// handful of invocations, each walking all of B; here each R4 × R4 block of dw gets
// LINEAR_WG_Y invocations (slices), and the blocks' partial sums meet in workgroup memory.
//
//   dw (N, K) = Σ_b dzᵀ (N, B) · x (B, K)
//   workgroup: LINEAR_WG_X blocks of R4 × R4 (local x: consecutive column blocks, rows
//              n0 .. n0+3 shared) × LINEAR_WG_Y slices of the batch (local y)
//   slice s sums the 4-row steps b = 4s, 4s + 4·LINEAR_WG_Y, … (bw_row / bw_cols, as *_r4),
//   then a tree: while n slices remain, the top ⌊n/2⌋ write their blocks to split_part and
//   the bottom ⌊n/2⌋ add them (slice j gets slice j + ⌈n/2⌉), until slice 0 holds the sum and
//   stores it (any LINEAR_WG_Y, not only powers of two).
// The order of the sums differs from the other entries (a slice's steps, then the tree), so
// this agrees with the default variant to float rounding of a B-term sum (within the tests'
// tolerance against the float64 reference), not to the bit.
// Workgroup memory: 16·R4·LINEAR_WG_X·⌈LINEAR_WG_Y / 2⌉ bytes, 8 KiB at 256 invocations.
var<workgroup> split_part: array<vec4f, R4 * LINEAR_WG_X * ((LINEAR_WG_Y + 1u) / 2u)>;

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_split(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let B = params.batch;
  let n0 = wid.y * R4;
  let k0 = (wid.x * LINEAR_WG_X + lid.x) * R4;
  let slice = lid.y;
  // No early return (the tree's barriers): a block past the end skips its sums and stores nothing.
  let count = select(0u, B, n0 < params.out_features && k0 < params.in_features);
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var b = 4u * slice; b < count; b += 4u * LINEAR_WG_Y) {
    let b4 = step_indices(b, B);
    let live = step_live(b, B);
    let c = bw_cols(k0, b4);
    t0 += bw_row(n0, b4, live) * c;
    t1 += bw_row(n0 + 1u, b4, live) * c;
    t2 += bw_row(n0 + 2u, b4, live) * c;
    t3 += bw_row(n0 + 3u, b4, live) * c;
  }
  var n = LINEAR_WG_Y;
  while (n > 1u) {
    let h = n / 2u;
    let top = n - h;  // slices top .. n−1 hand over to 0 .. h−1
    if (slice >= top && slice < n) {
      let at = ((slice - top) * LINEAR_WG_X + lid.x) * R4;
      split_part[at] = t0; split_part[at + 1u] = t1; split_part[at + 2u] = t2; split_part[at + 3u] = t3;
    }
    workgroupBarrier();
    if (slice < h) {
      let at = (slice * LINEAR_WG_X + lid.x) * R4;
      t0 += split_part[at]; t1 += split_part[at + 1u]; t2 += split_part[at + 2u]; t3 += split_part[at + 3u];
    }
    workgroupBarrier();
    n = top;
  }
  if (slice == 0u) {
    let tile = array<vec4f, 4>(t0, t1, t2, t3);
    for (var r = 0u; r < R4 && n0 + r < params.out_features; r++) { store_dw(n0 + r, k0, tile[r]); }
  }
}

// ---- dw and dbias in one dispatch: the *_bias entries, candidates of the logical entry
// linear_backward_weight_bias (index.ts) that a layer with a bias asks for instead of
// linear_backward_weight + linear_backward_bias.
//
//   dw[n, k] = Σ_b dz[b, n] · x[b, k]        dbias[n] = Σ_b dz[b, n]
//
// Both reduce dz's column n over the batch, which the dw entries already walk. Here the
// invocations (the workgroups, in the smem forms) of column block 0, whose columns start at
// k = 0, also sum their rows of dz and write dbias; the rest compute their dw block as the plain
// twin does. Column block 0 always exists (K ≥ 1) and spans every row, so each dbias[n] is
// written once, for any N, K, B. The row sums add the terms dz_column adds (4 batch rows per
// step, zero past B) in its order and fold with bias_total, so dbias equals linear_backward_bias's
// (thread.wg64) to the bit, and dw equals the plain entry's.
// Where each form gets the row sums:
//   linear_backward_weight_bias        after its product, dz_column per row: the 16 × 16 block's
//     (16 × 16, the default's twin)    256 accumulators leave no room for 16 more vec4f in the
//                                      loop, and the column was just streamed (cache-warm).
//   linear_backward_weight_r4_bias     in the loop: the 4 rows' terms loaded for the product
//                                      (bw_row) also go into 4 vec4f sums; every invocation adds
//                                      them (no branch in the loop), column block 0 stores them.
//   linear_backward_weight_smem_bias,  in each pass, from the staged slab of A = dzᵀ: no extra
//   linear_backward_weight_smem4_bias  global loads; in column block 0's workgroups (wid.x == 0,
//                                      uniform) invocation li sums the slab rows li + j·I
//                                      (I invocations, j < 4: SM_ROWS = 4·LINEAR_WG_Y ≤ 4·I).
// Why: the separate linear_backward_bias is a dispatch of its own that reads dz again. Whether
// the fused one pays is the tuner's to measure (index.ts: on what terms), and the layer records
// the bias dispatch only when the chosen kernel is not one of these (models/layers/linear.ts).

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_bias(@builtin(global_invocation_id) gid: vec3u) {
  let K = params.in_features;
  let N = params.out_features;
  let n0 = gid.y * TILE;
  let k0 = gid.x * TILE;
  if (n0 >= N || k0 >= K) { return; }
  let tile = weight_block16(n0, k0);
  for (var r = 0u; r < TILE && n0 + r < N; r++) {
    let t = tile[r];
    store_dw(n0 + r, k0, t.q0);
    store_dw(n0 + r, k0 + 4u, t.q1);
    store_dw(n0 + r, k0 + 8u, t.q2);
    store_dw(n0 + r, k0 + 12u, t.q3);
  }
  if (k0 == 0u) {
    for (var r = 0u; r < TILE && n0 + r < N; r++) { dbias[n0 + r] = bias_total(dz_column(n0 + r)); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_r4_bias(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.y * R4;
  let k0 = gid.x * R4;
  if (n0 >= params.out_features || k0 >= params.in_features) { return; }
  let computed = weight_block_r4(n0, k0, true);
  for (var r = 0u; r < R4 && n0 + r < params.out_features; r++) { store_dw(n0 + r, k0, computed.dw[r]); }
  if (k0 == 0u) {
    for (var r = 0u; r < R4 && n0 + r < params.out_features; r++) { dbias[n0 + r] = bias_total(computed.dz_sums[r]); }
  }
}

// The slab rows' dz_column sums of a pass in the smem forms: invocation li's slot j is tile row
// li + j·I (I invocations), if the tile has it; its 4 terms at step s are the A slab's (zero past
// B and past N). Called by column block 0's workgroups only, after the product's pass, before the
// barrier that frees the slabs.
fn smem_bias_pass(sums: Block4, li: u32, live: u32) -> Block4 {
  var o = sums;
  let I = sm_invocations();
  let rows = sm_rows();
  for (var s = 0u; 4u * s < live; s++) {
    if (li < rows) { o.q0 += get_a(li, s); }
    if (li + I < rows) { o.q1 += get_a(li + I, s); }
    if (li + 2u * I < rows) { o.q2 += get_a(li + 2u * I, s); }
    if (li + 3u * I < rows) { o.q3 += get_a(li + 3u * I, s); }
  }
  return o;
}
fn smem4_bias_pass(sums: Block4, li: u32, live: u32) -> Block4 {
  var o = sums;
  let I = sm_invocations();
  let rows = sm_rows();
  let q = SMEM_Q + 1u;
  for (var s = 0u; 4u * s < live; s++) {
    if (li < rows) { o.q0 += sm_a4[li * q + s]; }
    if (li + I < rows) { o.q1 += sm_a4[(li + I) * q + s]; }
    if (li + 2u * I < rows) { o.q2 += sm_a4[(li + 2u * I) * q + s]; }
    if (li + 3u * I < rows) { o.q3 += sm_a4[(li + 3u * I) * q + s]; }
  }
  return o;
}
// Stores column block 0's sums: slot j of invocation li is dw row m0 + li + j·I.
fn store_bias_sums(m0: u32, li: u32, sums: Block4) {
  let I = sm_invocations();
  let rows = array<vec4f, 4>(sums.q0, sums.q1, sums.q2, sums.q3);
  for (var j = 0u; j < 4u; j++) {
    let r = li + j * I;
    if (r < sm_rows() && m0 + r < params.out_features) { dbias[m0 + r] = bias_total(rows[j]); }
  }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_smem_bias(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tile = weight_tile_smem(wid, lid, li, true);
  store_dw_tile(wid, lid, tile[0]);
  if (wid.x == 0u) { store_bias_sums(wid.y * sm_rows(), li, tile[1]); }
}

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_smem4_bias(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tile = weight_tile_smem4(wid, lid, li, true);
  store_dw_tile(wid, lid, tile[0]);
  if (wid.x == 0u) { store_bias_sums(wid.y * sm_rows(), li, tile[1]); }
}
