// gradient_penalty.wgsl — the elementwise and per-row parts of a gradient penalty's double backward
// (models/losses/gradient-penalty.ts says how they chain; the products run on the layers' own kernels):
//
//   penalty_interpolate:   x̂[b, c] = ε_b · real[b, c] + (1 − ε_b) · fake[b, c]   for the sample's columns c < image_cols
//                          x̂[b, c] = real[b, c]                                  for a conditional critic's label planes
//                          (R1: ε = 1, the reals)
//   penalty_act_grad:      out = a ⊙ φ'(y)                (δ = e ⊙ φ'(y), ē = δ̄ ⊙ φ'(y))
//   penalty_act_grad_add:  out += a ⊙ φ'(y)               (Z̃ = z̄ + ã ⊙ φ'(y))
//   penalty_act_second:    out = a ⊙ b ⊙ φ''(y)           (z̄ = δ̄ ⊙ e ⊙ φ''(y))
//   penalty_rows:          n_b = ‖g_b‖ over the sample's columns (c < image_cols: a conditional critic's
//                          label planes are held, not differentiated);
//                                         'wgan-gp': P = λ/B · Σ_b (n_b − 1)²,  ḡ_b = 2λ/B · (n_b − 1) · g_b / n_b
//                                         'r1':     P = γ/(2B) · Σ_b n_b²,      ḡ_b = γ/B · g_b
//                                         ḡ = 0 on the label planes
//                          loss_out[0] += P, so the halting rule and the statistics see the penalised loss
//   penalty_accumulate:    out += a
// φ' and φ'' at the saved output y = φ(z): ELU φ'' = y + α for y ≤ 0 (else 0); tanh −2y(1 − y²);
// sigmoid y(1 − y)(1 − 2y); ReLU, LeakyReLU and none 0.
// Bindings (B rows, n features): samples (2B, n) [fake; real]   x_hat, grad_x, grad_x_bar (B, n)   eps (B)   a, b, y, out (count)   loss_out (4)
// Elementwise entries: one element per invocation, PENALTY_WORKGROUP per workgroup; penalty_rows: one workgroup.

struct InterpolateParams {
  rows: u32,
  cols: u32,
  image_cols: u32,  // the sample's columns; the rest of a row are label planes (= cols unconditionally)
}

struct ActParams {
  count: u32,
  act: u32,
  slope: f32,
}

struct RowParams {
  rows: u32,
  cols: u32,
  image_cols: u32,
  kind: u32,    // PENALTY_* (constants.ts)
  weight: f32,  // λ or γ
}

struct CountParams {
  count: u32,
}

@group(0) @binding(0) var<uniform> interp: InterpolateParams;
@group(0) @binding(1) var<uniform> ew: ActParams;
@group(0) @binding(2) var<uniform> rp: RowParams;
@group(0) @binding(3) var<uniform> cp: CountParams;
@group(0) @binding(4) var<storage, read> samples: array<f32>;         // (2B, n) [fake; real]
@group(0) @binding(6) var<storage, read> eps: array<f32>;             // (B)
@group(0) @binding(7) var<storage, read_write> x_hat: array<f32>;     // (B, n)
@group(0) @binding(8) var<storage, read> a: array<f32>;               // (count)
@group(0) @binding(9) var<storage, read> b: array<f32>;               // (count)
@group(0) @binding(10) var<storage, read> y: array<f32>;              // (count) saved activation output
@group(0) @binding(11) var<storage, read_write> out: array<f32>;      // (count)
@group(0) @binding(12) var<storage, read> grad_x: array<f32>;         // (B, n) g = ∇ₓD at x̂
@group(0) @binding(13) var<storage, read_write> grad_x_bar: array<f32>; // (B, n) ḡ = ∂P/∂g
@group(0) @binding(14) var<storage, read_write> loss_out: array<f32>; // (4) [loss, outA, outB, 0]

var<workgroup> partial: array<f32, PENALTY_WORKGROUP>;

// d²φ/dz² at the output fx = φ(z).
fn activation_second_f32(fx: f32, act: u32, slope: f32) -> f32 {
  if (act == ACT_ELU) { return select(fx + slope, 0.0, fx > 0.0); }
  if (act == ACT_TANH) { return -2.0 * fx * (1.0 - fx * fx); }
  if (act == ACT_SIGMOID) { return fx * (1.0 - fx) * (1.0 - 2.0 * fx); }
  return 0.0;
}

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * PENALTY_WORKGROUP;
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_interpolate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= interp.rows * interp.cols) { return; }
  let e = select(1.0, eps[i / interp.cols], i % interp.cols < interp.image_cols);
  x_hat[i] = e * samples[interp.rows * interp.cols + i] + (1.0 - e) * samples[i];
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_act_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= ew.count) { return; }
  out[i] = a[i] * activation_grad_f32(y[i], ew.act, ew.slope);
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_act_grad_add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= ew.count) { return; }
  out[i] += a[i] * activation_grad_f32(y[i], ew.act, ew.slope);
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_act_second(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= ew.count) { return; }
  out[i] = a[i] * b[i] * activation_second_f32(y[i], ew.act, ew.slope);
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_accumulate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= cp.count) { return; }
  out[i] += a[i];
}

@compute @workgroup_size(PENALTY_WORKGROUP)
fn penalty_rows(@builtin(local_invocation_index) lid: u32) {
  let scale = rp.weight / f32(rp.rows);
  var p = 0.0;
  for (var r = lid; r < rp.rows; r += PENALTY_WORKGROUP) {
    var sq = 0.0;
    for (var c = 0u; c < rp.image_cols; c++) { let v = grad_x[r * rp.cols + c]; sq += v * v; }
    let n = sqrt(sq);
    var coef = scale; // R1: ḡ = γ/B · g
    if (rp.kind == PENALTY_WGAN_GP) {
      p += (n - 1.0) * (n - 1.0);
      coef = 2.0 * scale * (n - 1.0) / max(n, 1e-12);
    } else {
      p += 0.5 * sq;
    }
    for (var c = 0u; c < rp.cols; c++) { grad_x_bar[r * rp.cols + c] = select(0.0, coef * grad_x[r * rp.cols + c], c < rp.image_cols); }
  }
  partial[lid] = p;
  workgroupBarrier();
  for (var s = PENALTY_WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss_out[0] += scale * partial[0]; }
}
