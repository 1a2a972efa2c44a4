// linear.wgsl — fully connected layer in PyTorch's layout (weight is (out, in)).
//
//   linear_forward:          y[b, n]  = act(Σ_k x[b, k] · w[n, k] + bias[n])
//   linear_backward_input:   dx[b, k] = Σ_n dz[b, n] · w[n, k]
//   linear_backward_weight:  dw[n, k] = Σ_b dz[b, n] · x[b, k]
//   linear_backward_bias:    dbias[n] = Σ_b dz[b, n]
//
// where dz = dy ⊙ act'(y) is formed as it is loaded: every activation we
// support has a derivative that is a function of its output y, so the
// backward needs only the saved output, never the pre-activation.
//
// Bindings (B = batch, K = in_features, N = out_features):
//   x     (B, K)   y  (B, N)   dy (B, N)   dx (B, K)
//   w     (N, K)   bias (N)   dw (N, K)   dbias (N)
//
// Tiling: a 4×4 workgroup, each invocation owning a TILE_ROWS × TILE_COLS
// block of the output held in registers. Measured on SwiftShader (the CI
// adapter), 4×4 invocations with 8×16 register tiles beat shared-memory
// tiling: the workgroup runs as CPU SIMD lanes, so what pays is register
// reuse (24 loads per 128 FMAs), not cooperative loads. Out-of-range rows
// and columns are clamped on load (always valid addresses, no branches in
// the inner loop) and masked on store, so any shape works.

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

// Activation fused into the epilogue (forward) and prologue (backward).
override ACT: u32 = ACT_NONE;

const TILE_ROWS: u32 = 8u;
const TILE_COLS: u32 = 16u;

struct LinearParams {
  batch: u32,         // B
  in_features: u32,   // K
  out_features: u32,  // N
  slope: f32,         // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: LinearParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, K)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (N, K)
@group(0) @binding(3) var<storage, read> bias: array<f32>;          // (N)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;       // (B, N)
@group(0) @binding(5) var<storage, read> y_saved: array<f32>;       // (B, N) forward output, for act'
@group(0) @binding(6) var<storage, read> dy: array<f32>;            // (B, N)
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;      // (B, K)
@group(0) @binding(8) var<storage, read_write> dw: array<f32>;      // (N, K)
@group(0) @binding(9) var<storage, read_write> dbias: array<f32>;   // (N)

fn activate(v: f32) -> f32 {
  switch ACT {
    case ACT_RELU: { return max(v, 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > 0.0); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > 0.0); }
    case ACT_TANH: { return tanh(v); }
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// d act / d pre-activation, written in terms of the output.
// LeakyReLU needs slope > 0 so that sign(out) = sign(in); ELU: out + alpha = alpha·e^in.
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

fn dz_at(b: u32, n: u32) -> f32 {
  let i = b * params.out_features + n;
  return dy[i] * activation_grad(y_saved[i]);
}

@compute @workgroup_size(4, 4)
fn linear_forward(@builtin(global_invocation_id) gid: vec3u) {
  let B = params.batch;
  let K = params.in_features;
  let N = params.out_features;
  let b0 = gid.y * TILE_ROWS;
  let n0 = gid.x * TILE_COLS;
  if (b0 >= B || n0 >= N) { return; }

  var acc: array<array<f32, TILE_COLS>, TILE_ROWS>;
  var xs: array<f32, TILE_ROWS>;
  var ws: array<f32, TILE_COLS>;
  for (var k = 0u; k < K; k++) {
    for (var r = 0u; r < TILE_ROWS; r++) { xs[r] = x[min(b0 + r, B - 1u) * K + k]; }
    for (var c = 0u; c < TILE_COLS; c++) { ws[c] = w[min(n0 + c, N - 1u) * K + k]; }
    for (var r = 0u; r < TILE_ROWS; r++) {
      for (var c = 0u; c < TILE_COLS; c++) { acc[r][c] = fma(xs[r], ws[c], acc[r][c]); }
    }
  }
  for (var r = 0u; r < TILE_ROWS; r++) {
    let b = b0 + r;
    if (b >= B) { break; }
    for (var c = 0u; c < TILE_COLS; c++) {
      let n = n0 + c;
      if (n >= N) { break; }
      y[b * N + n] = activate(acc[r][c] + bias[n]);
    }
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

  var acc: array<array<f32, TILE_COLS>, TILE_ROWS>;
  var dzs: array<f32, TILE_ROWS>;
  var ws: array<f32, TILE_COLS>;
  for (var n = 0u; n < N; n++) {
    for (var r = 0u; r < TILE_ROWS; r++) { dzs[r] = dz_at(min(b0 + r, B - 1u), n); }
    for (var c = 0u; c < TILE_COLS; c++) { ws[c] = w[n * K + min(k0 + c, K - 1u)]; }
    for (var r = 0u; r < TILE_ROWS; r++) {
      for (var c = 0u; c < TILE_COLS; c++) { acc[r][c] = fma(dzs[r], ws[c], acc[r][c]); }
    }
  }
  for (var r = 0u; r < TILE_ROWS; r++) {
    let b = b0 + r;
    if (b >= B) { break; }
    for (var c = 0u; c < TILE_COLS; c++) {
      let k = k0 + c;
      if (k >= K) { break; }
      dx[b * K + k] = acc[r][c];
    }
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

  var acc: array<array<f32, TILE_COLS>, TILE_ROWS>;
  var dzs: array<f32, TILE_ROWS>;
  var xs: array<f32, TILE_COLS>;
  for (var b = 0u; b < B; b++) {
    for (var r = 0u; r < TILE_ROWS; r++) { dzs[r] = dz_at(b, min(n0 + r, N - 1u)); }
    for (var c = 0u; c < TILE_COLS; c++) { xs[c] = x[b * K + min(k0 + c, K - 1u)]; }
    for (var r = 0u; r < TILE_ROWS; r++) {
      for (var c = 0u; c < TILE_COLS; c++) { acc[r][c] = fma(dzs[r], xs[c], acc[r][c]); }
    }
  }
  for (var r = 0u; r < TILE_ROWS; r++) {
    let n = n0 + r;
    if (n >= N) { break; }
    for (var c = 0u; c < TILE_COLS; c++) {
      let k = k0 + c;
      if (k >= K) { break; }
      dw[n * K + k] = acc[r][c];
    }
  }
}

// dbias (N): one invocation per output feature, summing its column of dz.
@compute @workgroup_size(64)
fn linear_backward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= params.out_features) { return; }
  var sum = 0.0;
  for (var b = 0u; b < params.batch; b++) { sum += dz_at(b, n); }
  dbias[n] = sum;
}
