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
// linear_backward_bias one invocation per output feature, LINEAR_BIAS_WORKGROUP per workgroup.
// The *_r8 and *_r4 entries are the same products with an 8 × 8 or 4 × 4 block per invocation:
// tuning variants for GPUs, where 64–256 invocations and fewer registers each fill the machine.
// Every entry sums each output over its reduction in the same order (4 indices per step, a
// 4-term dot product added to the accumulator), so the variants agree to the bit barring
// the compiler's contractions.
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
@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let n0 = gid.y * TILE;
  let k0 = gid.x * TILE;
  if (n0 >= N || k0 >= K) { return; }

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
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
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
  let B = params.batch;
  let N = params.out_features;
  let n = gid.x;
  if (n >= N) { return; }
  var sum = vec4f(0.0);
  for (var b = 0u; b < B; b += 4u) {
    sum += select(vec4f(0.0), dz4(step_indices(b, B) * N + n), step_live(b, B));
  }
  dbias[n] = (sum.x + sum.y) + (sum.z + sum.w);
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

@compute @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y)
fn linear_backward_weight_r4(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.y * R4;
  let k0 = gid.x * R4;
  let B = params.batch;
  if (n0 >= params.out_features || k0 >= params.in_features) { return; }
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var b = 0u; b < B; b += 4u) {
    let b4 = step_indices(b, B);
    let live = step_live(b, B);
    let c = bw_cols(k0, b4);
    t0 += bw_row(n0, b4, live) * c;
    t1 += bw_row(n0 + 1u, b4, live) * c;
    t2 += bw_row(n0 + 2u, b4, live) * c;
    t3 += bw_row(n0 + 3u, b4, live) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && n0 + r < params.out_features; r++) { store_dw(n0 + r, k0, tile[r]); }
}
