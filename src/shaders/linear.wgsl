// linear.wgsl — fully connected layer in PyTorch's layout (weight is (out, in)).
//
//   linear_forward:          y[b, n]  = act(Σ_k x[b, k] · w[n, k] + bias[n])
//   linear_backward_input:   dx[b, k] = Σ_n dz[b, n] · w[n, k]
//   linear_backward_weight:  dw[n, k] = Σ_b dz[b, n] · x[b, k]
//   linear_backward_bias:    dbias[n] = Σ_b dz[b, n]
//
// dz = dy ⊙ act'(y) is formed before the backward products, in place, by
// activation.wgsl's activation_backward_inplace (skipped for ACT none):
// every activation we support has a derivative that is a function of its
// output y, so the backward needs only the saved output.
//
// The activation is a uniform (`act`, codes in activation-codes.ts), not a
// pipeline constant. Measured in headless Chromium on SwiftShader: a linear
// pipeline takes ~0.7–1.1 s to compile, and with one pipeline per
// (entry, activation) mnistMlp needed 16 of them, 12.4 s of trainer creation
// before the first step. The switch runs once per output (the epilogue), not
// in the reduction loop, and the backward products no longer form dz in
// their loop at all (it cost two loads, dy and y, per value).
//
// Bindings (B = batch, K = in_features, N = out_features):
//   x     (B, K)   y  (B, N)   dz (B, N)   dx (B, K)
//   w     (N, K)   bias (N)   dw (N, K)   dbias (N)
//
// Tiling: the three products share one scheme. A 4×4 workgroup; each
// invocation owns a TILE_ROWS × TILE_COLS = 16 × 16 block of its output, held
// as 16 TileRow values of four vec4f accumulators (no arrays in the loop).
// The reduction advances 4 indices per step: the 16 tile columns' 4 terms are
// gathered into the columns of four mat4x4f (TileCols), each tile row's 4
// terms into a vec4f, and row_step adds the row's 16 dot products. Rows and
// columns past the end are clamped on load (always valid addresses, no
// branches in the loop), reduction terms past the end are zeroed on the row
// side, and stores are masked, so any shape works.
//
// Why, measured on SwiftShader (the CI adapter: Subzero JIT, which does not
// unroll and keeps most values in memory) with bench/linear-kernels.mjs:
// - Every load from an array at a computed index is an emulated 4-lane gather
//   (four guarded scalar loads, ~70 cycles), whatever the addresses: no
//   layout, vec4 grouping or workgroup-memory staging makes a load cheaper,
//   so what pays is reuse. An R × C tile loads R + C values per reduction
//   index for R·C multiply-adds: 8 at 16 × 16, 5.3 at the old 8 × 16.
// - Accumulators must be plain values: the old arrays indexed by loop
//   variables made each accumulator access a gather too (~0.1 GFLOP/s).
// - Dot products over 4 reduction indices touch each accumulator once per 4
//   multiply-adds; one index at a time (outer product) was 1.3–2× slower.
// - 16 × 32 tiles were 0–40% faster on the large layers, up to 2× slower on
//   100 × 50 × 50, and doubled pipeline compile time (Subzero, per pipeline:
//   ~1 s at 16 × 16, 2–3 s at 16 × 32). For the same reason the epilogue
//   loops over the tile rows instead of being unrolled (that cost seconds of
//   compile time and saved nothing at run time).
// - The backward products took 1.3–1.7× the forward's time while they formed
//   dz in the loop (two loads, dy and y_saved, per value); dz is now one load.
// - dbias stays a separate small kernel, 4 batch rows per step: ≤ 1% of the
//   backward on large layers, ~15% at 100 × 50 × 50. Fusing it into
//   linear_backward_weight, which already loads dz, would need dbias bound
//   to that entry point.

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

const TILE_ROWS: u32 = 16u;
const TILE_COLS: u32 = 16u;
const STEP = vec4u(0u, 1u, 2u, 3u); // the 4 reduction indices one step covers

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

fn activate(v: vec4f) -> vec4f {
  switch params.act {
    case ACT_RELU: { return max(v, vec4f(0.0)); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > vec4f(0.0)); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > vec4f(0.0)); }
    case ACT_TANH: { return tanh(clamp(v, vec4f(-15.0), vec4f(15.0))); } // SwiftShader tanh overflows to NaN past ~44; ±15 already rounds to ±1
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// Four values at flat indices i (all valid).
fn x4(i: vec4u) -> vec4f { return vec4f(x[i.x], x[i.y], x[i.z], x[i.w]); }
fn w4(i: vec4u) -> vec4f { return vec4f(w[i.x], w[i.y], w[i.z], w[i.w]); }

// dz at four flat indices i into (B, N).
fn dz4(i: vec4u) -> vec4f { return vec4f(dz[i.x], dz[i.y], dz[i.z], dz[i.w]); }

// Sixteen accumulators of one tile row: qj holds tile columns 4j .. 4j+3.
struct TileRow { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// One reduction step's terms for the 16 tile columns: column c of mj holds
// the 4 terms of tile column 4j + c.
struct TileCols { m0: mat4x4f, m1: mat4x4f, m2: mat4x4f, m3: mat4x4f }

// A tile row after one reduction step: a holds the row's 4 terms; a * mj is
// the 4 dot products with the columns of mj.
fn row_step(acc: TileRow, a: vec4f, c: TileCols) -> TileRow {
  return TileRow(acc.q0 + a * c.m0, acc.q1 + a * c.m1, acc.q2 + a * c.m2, acc.q3 + a * c.m3);
}

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

// The 4 reduction indices from i, clamped to count - 1, and which are real.
fn step_indices(i: u32, count: u32) -> vec4u { return min(i + STEP, vec4u(count - 1u)); }
fn step_live(i: u32, count: u32) -> vec4<bool> { return i + STEP < vec4u(count); }

// Masked stores of 4 consecutive output columns from column j of row r.
fn store_y(r: u32, j: u32, v: vec4f) {
  let N = params.out_features;
  let last = N - 1u;
  let z = activate(v + vec4f(bias[min(j, last)], bias[min(j + 1u, last)], bias[min(j + 2u, last)], bias[min(j + 3u, last)]));
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
@compute @workgroup_size(4, 4)
fn linear_forward(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let b0 = gid.y * TILE_ROWS;
  let n0 = gid.x * TILE_COLS;
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
  let tile = array<TileRow, TILE_ROWS>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE_ROWS && b0 + r < B; r++) {
    let t = tile[r];
    store_y(b0 + r, n0, t.q0);
    store_y(b0 + r, n0 + 4u, t.q1);
    store_y(b0 + r, n0 + 8u, t.q2);
    store_y(b0 + r, n0 + 12u, t.q3);
  }
}

// dx (B, K): rows b, columns k, reduction over n.
@compute @workgroup_size(4, 4)
fn linear_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let b0 = gid.y * TILE_ROWS;
  let k0 = gid.x * TILE_COLS;
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
  let tile = array<TileRow, TILE_ROWS>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE_ROWS && b0 + r < B; r++) {
    let t = tile[r];
    store_dx(b0 + r, k0, t.q0);
    store_dx(b0 + r, k0 + 4u, t.q1);
    store_dx(b0 + r, k0 + 8u, t.q2);
    store_dx(b0 + r, k0 + 12u, t.q3);
  }
}

// dw (N, K): rows n, columns k, reduction over the batch.
@compute @workgroup_size(4, 4)
fn linear_backward_weight(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let n0 = gid.y * TILE_ROWS;
  let k0 = gid.x * TILE_COLS;
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
  let tile = array<TileRow, TILE_ROWS>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE_ROWS && n0 + r < N; r++) {
    let t = tile[r];
    store_dw(n0 + r, k0, t.q0);
    store_dw(n0 + r, k0 + 4u, t.q1);
    store_dw(n0 + r, k0 + 8u, t.q2);
    store_dw(n0 + r, k0 + 12u, t.q3);
  }
}

// dbias (N): one invocation per output feature, summing its column of dz 4 rows at a time.
@compute @workgroup_size(64)
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
