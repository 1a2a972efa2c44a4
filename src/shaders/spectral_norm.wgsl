// spectral_norm.wgsl — spectral normalisation of a layer's weight (Miyato et al. 2018), as
// torch.nn.utils.spectral_norm does it, with W viewed as the (rows, cols) matrix PyTorch reshapes it to,
// and a gain g (the layer's Lipschitz bound; 1 is PyTorch's):
//
//   spectral_norm_power_iteration:  v = normalize(Wᵀu),  u = normalize(W v)   (skipped once training has halted)
//   spectral_norm_weight:           σ = uᵀ W v,  w_sn = g · W / σ
//   spectral_norm_backward:         dW = (g / σ) · (dw_sn − ⟨dw_sn, w_sn⟩ / g · u vᵀ), in place   (u, v constant, as PyTorch)
//   normalize(a) = a / max(‖a‖, SPECTRAL_NORM_EPS)
//
// The power iteration does not see g, and sigma holds σ itself. g multiplies 1 / σ rather than dividing
// into it, so that g = 1 gives the bits of the kernels without a gain.
//
// Element (r, c) of the matrix is w[r·row_stride + (c / block)·block_stride + c % block]: Linear's (out, in)
// and Conv2d's (out, in, k, k) are row-major; ConvTranspose2d's (in, out, k, k) is read as (out, in·k·k).
// Bindings: w, w_sn, dw (rows·cols, storage order)   u (rows)   v (cols)   sigma (1)   state (STATE_WORDS, u32)
// One workgroup of SPECTRAL_NORM_WORKGROUP invocations, striding over rows, columns or elements: the
// normalisations need whole-vector norms, and the products are small next to the layer's own.

struct SpectralNormParams {
  rows: u32,
  cols: u32,
  row_stride: u32,
  block: u32,
  block_stride: u32,
  gain: f32,  // g > 0
}

@group(0) @binding(0) var<uniform> sn: SpectralNormParams;
@group(0) @binding(1) var<storage, read> w: array<f32>;              // (rows·cols) the trained weight (weight_orig)
@group(0) @binding(2) var<storage, read_write> u: array<f32>;        // (rows) weight_u
@group(0) @binding(3) var<storage, read_write> v: array<f32>;        // (cols) weight_v
@group(0) @binding(4) var<storage, read_write> w_sn: array<f32>;     // (rows·cols) g · W / σ, what the layer computes with
@group(0) @binding(5) var<storage, read_write> sigma: array<f32>;    // (1) σ = uᵀ W v of the last forward (without g)
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;       // (rows·cols) ∂L/∂w_sn in, ∂L/∂W out
@group(0) @binding(7) var<storage, read> state: array<u32>;          // (STATE_WORDS)

const SPECTRAL_NORM_EPS: f32 = 1e-12;
const_assert (SPECTRAL_NORM_WORKGROUP & (SPECTRAL_NORM_WORKGROUP - 1u)) == 0u; // workgroup_sum halves it

var<workgroup> partial: array<f32, SPECTRAL_NORM_WORKGROUP>;
var<workgroup> halted: u32;

fn at(r: u32, c: u32) -> u32 {
  return r * sn.row_stride + (c / sn.block) * sn.block_stride + c % sn.block;
}

// The sum of every invocation's x, returned to each of them.
fn workgroup_sum(lid: u32, x: f32) -> f32 {
  partial[lid] = x;
  workgroupBarrier();
  for (var s = SPECTRAL_NORM_WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier(); // every invocation has read the total before partial is written again
  return total;
}

@compute @workgroup_size(SPECTRAL_NORM_WORKGROUP)
fn spectral_norm_power_iteration(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { halted = state[STATE_HALTED]; }
  if (workgroupUniformLoad(&halted) != 0u) { return; }
  var sq = 0.0;
  for (var c = lid; c < sn.cols; c += SPECTRAL_NORM_WORKGROUP) {
    var acc = 0.0;
    for (var r = 0u; r < sn.rows; r++) { acc += w[at(r, c)] * u[r]; }
    v[c] = acc;
    sq += acc * acc;
  }
  let v_scale = 1.0 / max(sqrt(workgroup_sum(lid, sq)), SPECTRAL_NORM_EPS);
  for (var c = lid; c < sn.cols; c += SPECTRAL_NORM_WORKGROUP) { v[c] *= v_scale; }
  storageBarrier(); // v is whole, and every read of the old u is done, before u is rewritten
  sq = 0.0;
  for (var r = lid; r < sn.rows; r += SPECTRAL_NORM_WORKGROUP) {
    var acc = 0.0;
    for (var c = 0u; c < sn.cols; c++) { acc += w[at(r, c)] * v[c]; }
    u[r] = acc;
    sq += acc * acc;
  }
  let u_scale = 1.0 / max(sqrt(workgroup_sum(lid, sq)), SPECTRAL_NORM_EPS);
  for (var r = lid; r < sn.rows; r += SPECTRAL_NORM_WORKGROUP) { u[r] *= u_scale; }
}

@compute @workgroup_size(SPECTRAL_NORM_WORKGROUP)
fn spectral_norm_weight(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var r = lid; r < sn.rows; r += SPECTRAL_NORM_WORKGROUP) {
    var wv = 0.0;
    for (var c = 0u; c < sn.cols; c++) { wv += w[at(r, c)] * v[c]; }
    acc += u[r] * wv;
  }
  let s = workgroup_sum(lid, acc);
  if (lid == 0u) { sigma[0] = s; }
  let scale = (1.0 / s) * sn.gain; // σ = 0 gives non-finite outputs, and the halting rule stops training
  for (var i = lid; i < sn.rows * sn.cols; i += SPECTRAL_NORM_WORKGROUP) { w_sn[i] = w[i] * scale; }
}

@compute @workgroup_size(SPECTRAL_NORM_WORKGROUP)
fn spectral_norm_backward(@builtin(local_invocation_index) lid: u32) {
  let n = sn.rows * sn.cols;
  var acc = 0.0;
  for (var i = lid; i < n; i += SPECTRAL_NORM_WORKGROUP) { acc += dw[i] * w_sn[i]; }
  let along = workgroup_sum(lid, acc) / sn.gain; // ⟨dw_sn, w_sn⟩ / g
  storageBarrier(); // every read of dw above is done before any invocation rewrites it
  let scale = (1.0 / sigma[0]) * sn.gain;
  for (var i = lid; i < n; i += SPECTRAL_NORM_WORKGROUP) {
    let r = i / sn.cols;
    let c = i % sn.cols;
    let k = at(r, c);
    dw[k] = (dw[k] - along * u[r] * v[c]) * scale;
  }
}
