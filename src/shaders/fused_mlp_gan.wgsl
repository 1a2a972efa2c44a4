// fused_mlp_gan.wgsl — one whole GAN optimizer phase of small MLPs (one D
// update, or one G update) in ONE dispatch of ONE workgroup: the noise and
// real draws, both nets' forwards, the BCE loss, the backward passes, Adam
// and the train_state bookkeeping. The same computation as the layered plan
// (trainer.ts; random.wgsl, linear.wgsl, activation.wgsl, bce_with_logits.wgsl,
// adam.wgsl, train_state.wgsl), with the same draws and the same formulas.
//
// Why: small MLPs (the 1-D Gaussian's 1-50-50-1 nets, batch 100) are
// dispatch-bound. The layered plan records 46 dispatches per step, and on
// SwiftShader each costs 0.3–2 ms whatever its size, while the whole step is
// ~3M multiply-adds. Here a phase is one dispatch; the price is that one
// workgroup does all the work, so trainer.ts picks this plan only for nets
// whose step is that small (fused-mlp-eligibility.ts: FUSED_MLP_MAX_MACS).
//
// The phase is a program: a list of ops (`program`, built once by
// fused-mlp-plan.ts) run in order, with a barrier after each op unless its
// `barrier` is 0 (the ops of one layer's backward are independent). Every
// tensor lives in `work`, at offsets the plan computed: both nets' weights
// (copied in by the first ops), noise, activations, their gradients, the
// parameter gradients and the loss. Op fields by kind (f = op.f0, op.f1, op.f2):
//
//   COPY_TRAINED / COPY_FROZEN  work[c + i] = trained_params[i] / frozen_params[i], i < n
//   UNIFORM     work[c + i] = f0 + (f1 − f0)·u,  u ∈ [0, 1)   i < n, Philox stream k
//   NORMAL      work[c + i] = f0 + f1·z,  z ~ N(0, 1)        i < n, Philox stream k
//   GATHER      row r < m of work[c] (m, n) = data row (philox(r, step, k).x mod b)
//   GEMM        work[c + r·c_m + j] = Σ_i A(r, i)·Bt(j, i) + bias[j],  r < m, j < n, i < k
//                 A(r, i) = work[a + r·a_m + i·a_k],  Bt(j, i) = work[b + j·b_n + i·b_k],
//                 bias[j] = work[bias + j] (0 when bias = NONE)
//   GEMV        the same for m = 1 or n = 1
//   ACT_FORWARD   work[c + i] = act(work[a + i]),  act = ACT code, f0 its slope      i < n
//   ACT_BACKWARD  work[c + i] = work[b + i] · act'(work[a + i]),  a = the saved output, i < n
//   BIAS_GRAD   work[c + j] = Σ_r work[a + r·n + j],  r < m, j < n
//   BCE         logits work[a] (m): dlogits work[c + i] = f2·(σ(l_i) − t_i), t_i = f0 for i < n else f1;
//               work[loss_at..+4] = [f2·Σ ℓ(l_i, t_i), mean σ over i < n, mean σ over the rest, 0]
//   ADAM        Adam over the trained net (gradients at work[grads_at]), then train_state_update
//
// A linear layer is a GEMM (then ACT_FORWARD); its backward products are GEMMs on the same storage:
//   forward   y (B, N):  A = x (a_m = K, a_k = 1),   Bt = w (b_n = K, b_k = 1)
//   dx (B, K):           A = dz (a_m = N, a_k = 1),  Bt = w (b_n = 1, b_k = K)
//   dw (N, K):           A = dz (a_m = 1, a_k = N),  Bt = x (b_n = 1, b_k = K)
// with dz = dy ⊙ act'(y) formed first, in place, by ACT_BACKWARD.
//
// Measured on SwiftShader (bench/fused-mlp-ops.mjs, min of interleaved runs):
// - Workgroup size: a workgroup runs on one CPU thread whatever its size,
//   and each barrier switches between all of its 4-lane SIMD groups. An op
//   and its barrier cost 206 µs at 64 invocations, 8 µs at 4; the GEMMs take
//   the same time either way. So fused_mlp_gan_update_narrow (4 invocations)
//   for CPU adapters, fused_mlp_gan_update (64) for GPUs.
// - Branching: `op` comes from a storage buffer, so SwiftShader does not know
//   it is uniform and runs both sides of every branch on it under lane masks.
//   Per-kind code therefore stays out of per-value paths: the GEMM epilogue
//   only adds the bias (activating there cost every product, dW and dx
//   included, 5–9%), and the activations use no switch.
// - GEMM tile: 16 × 16 outputs per invocation, as linear.wgsl (whose header
//   has the load costs behind it); 8 × 16 compiled in 1.5 s instead of 2.0 s
//   but ran the 1-D Gaussian step 20% slower. 1-wide products (the first and
//   last layers) take GEMV, one output per invocation.
//
// Bindings (P = the trained net's parameter count):
//   program (ops)   work (WorkLayout.size)   state (8, u32)   stats (8)
//   trained_params (P)   trained_grads (P)   trained_exp_avg (P)   trained_exp_avg_sq (P)
//   frozen_params (the other net's)   data (dataset rows, or 4 unused floats)

struct PhaseParams {
  op_first: u32,
  op_count: u32,
  phase: u32,          // 0 = D update, 1 = G update (update_bookkeeping.wgsl)
  seed: u32,
  count: u32,          // P
  grads_at: u32,       // work offset of the trained net's gradients (P)
  loss_at: u32,        // work offset of loss_out (4)
  step_slot: u32,      // state slot of this net's Adam t
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
}

struct Op {
  kind: u32,
  barrier: u32,
  m: u32,
  n: u32,
  k: u32,
  a: u32,
  a_m: u32,
  a_k: u32,
  b: u32,
  b_n: u32,
  b_k: u32,
  c: u32,
  c_m: u32,
  bias: u32,
  act: u32,
  f0: f32,
  f1: f32,
  f2: f32,
}

@group(0) @binding(0) var<uniform> phase: PhaseParams;
@group(0) @binding(1) var<storage, read> program: array<Op>;
@group(0) @binding(2) var<storage, read_write> work: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> trained_params: array<f32>;
@group(0) @binding(6) var<storage, read_write> trained_grads: array<f32>;
@group(0) @binding(7) var<storage, read_write> trained_exp_avg: array<f32>;
@group(0) @binding(8) var<storage, read_write> trained_exp_avg_sq: array<f32>;
@group(0) @binding(9) var<storage, read> frozen_params: array<f32>;
@group(0) @binding(10) var<storage, read> data: array<f32>;

const MAX_WG: u32 = 64u;
const OP_COPY_TRAINED: u32 = 0u;
const OP_COPY_FROZEN: u32 = 1u;
const OP_UNIFORM: u32 = 2u;
const OP_NORMAL: u32 = 3u;
const OP_GATHER: u32 = 4u;
const OP_GEMM: u32 = 5u;
const OP_ACT_FORWARD: u32 = 6u;
const OP_ACT_BACKWARD: u32 = 7u;
const OP_BIAS_GRAD: u32 = 8u;
const OP_BCE: u32 = 9u;
const OP_ADAM: u32 = 10u;
const OP_GEMV: u32 = 11u;
const NONE: u32 = 0xffffffffu; // no bias

const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

const TWO_PI: f32 = 6.283185307179586;
const INV_2_24: f32 = 5.9604644775390625e-8;
const STEP = vec4u(0u, 1u, 2u, 3u);

// Per-invocation partial sums, added up by invocation 0 (one barrier instead
// of a 6-level tree: barriers are what a single workgroup pays for).
var<workgroup> sum_a: array<f32, MAX_WG>;
var<workgroup> sum_b: array<f32, MAX_WG>;
var<workgroup> sum_c: array<f32, MAX_WG>;
// Invocations in the workgroup: the entry point's @workgroup_size.
var<private> WG: u32;

// Every op reads what earlier ops wrote to `work` (and state) through storage.
fn sync() {
  storageBarrier();
  workgroupBarrier();
}

// Branches on `act` are not uniform to SwiftShader (it comes from storage),
// so it runs every case: one exp serves ELU (e^min(v, 0)), tanh (e^2v) and
// sigmoid (e^−v) instead of an exp, a tanh and another exp per value.
fn activate(v: vec4f, act: u32, slope: f32) -> vec4f {
  var arg = vec4f(0.0);
  if (act == ACT_ELU) { arg = min(v, vec4f(0.0)); }
  if (act == ACT_TANH) { arg = 2.0 * clamp(v, vec4f(-15.0), vec4f(15.0)); } // ±15 already rounds to ±1
  if (act == ACT_SIGMOID) { arg = -v; }
  let e = exp(arg);
  var y = v;
  if (act == ACT_RELU) { y = max(v, vec4f(0.0)); }
  if (act == ACT_LEAKY_RELU) { y = select(slope * v, v, v > vec4f(0.0)); }
  if (act == ACT_ELU) { y = select(slope * (e - 1.0), v, v > vec4f(0.0)); }
  if (act == ACT_TANH) { y = 1.0 - 2.0 / (e + 1.0); }
  if (act == ACT_SIGMOID) { y = 1.0 / (1.0 + e); }
  return y;
}

// d act / d pre-activation from the output y (as in linear.wgsl); ifs, not a switch, as in activate.
fn activation_grad(y: vec4f, act: u32, slope: f32) -> vec4f {
  var g = vec4f(1.0);
  if (act == ACT_RELU) { g = select(vec4f(0.0), vec4f(1.0), y > vec4f(0.0)); }
  if (act == ACT_LEAKY_RELU) { g = select(vec4f(slope), vec4f(1.0), y > vec4f(0.0)); }
  if (act == ACT_ELU) { g = select(y + slope, vec4f(1.0), y > vec4f(0.0)); }
  if (act == ACT_TANH) { g = 1.0 - y * y; }
  if (act == ACT_SIGMOID) { g = y * (1.0 - y); }
  return g;
}

fn sigmoid(l: f32) -> f32 {
  let e = exp(-abs(l));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), l >= 0.0);
}

fn draw(block_index: u32, stream: u32) -> vec4u {
  return philox4x32_10(vec4u(block_index, state[STATE_STEP], stream, 0u), vec2u(phase.seed, 0u));
}

fn store4_masked(at: u32, start: u32, count: u32, v: vec4f) {
  if (start < count) { work[at + start] = v.x; }
  if (start + 1u < count) { work[at + start + 1u] = v.y; }
  if (start + 2u < count) { work[at + start + 2u] = v.z; }
  if (start + 3u < count) { work[at + start + 3u] = v.w; }
}

fn copy_params(op: Op, tid: u32) {
  if (op.kind == OP_COPY_TRAINED) {
    for (var i = tid; i < op.n; i += WG) { work[op.c + i] = trained_params[i]; }
  } else {
    for (var i = tid; i < op.n; i += WG) { work[op.c + i] = frozen_params[i]; }
  }
}

// random.wgsl's random_uniform / random_normal: block i gives outputs 4i … 4i + 3.
fn random_fill(op: Op, tid: u32) {
  for (var blk = tid; blk * 4u < op.n; blk += WG) {
    let bits = draw(blk, op.k);
    var v: vec4f;
    if (op.kind == OP_UNIFORM) {
      v = op.f0 + (op.f1 - op.f0) * (vec4f(bits >> vec4u(8u)) * INV_2_24);
    } else {
      let u1 = (vec2f(bits.xz >> vec2u(8u)) + 1.0) * INV_2_24;
      let u2 = vec2f(bits.yw >> vec2u(8u)) * INV_2_24;
      let r = sqrt(-2.0 * log(u1));
      let z = vec4f(r.x * cos(TWO_PI * u2.x), r.x * sin(TWO_PI * u2.x),
                    r.y * cos(TWO_PI * u2.y), r.y * sin(TWO_PI * u2.y));
      v = op.f0 + op.f1 * z;
    }
    store4_masked(op.c, blk * 4u, op.n, v);
  }
}

// random.wgsl's random_gather_rows.
fn gather_rows(op: Op, tid: u32) {
  for (var i = tid; i < op.m * op.n; i += WG) {
    let row = i / op.n;
    let col = i % op.n;
    let src = draw(row, op.k).x % op.b;
    work[op.c + i] = data[src * op.n + col];
  }
}

fn load4(i: vec4u) -> vec4f { return vec4f(work[i.x], work[i.y], work[i.z], work[i.w]); }

// Sixteen output columns of one tile row: qj holds columns 4j … 4j + 3.
struct TileRow { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }
// One reduction step's terms of the 16 tile columns: column c of mj holds column 4j + c's 4 terms.
struct TileCols { m0: mat4x4f, m1: mat4x4f, m2: mat4x4f, m3: mat4x4f }

// a holds one row's 4 reduction terms; a * mj is its 4 dot products with mj's columns.
fn row_step(acc: TileRow, a: vec4f, c: TileCols) -> TileRow {
  return TileRow(acc.q0 + a * c.m0, acc.q1 + a * c.m1, acc.q2 + a * c.m2, acc.q3 + a * c.m3);
}

// The terms of output columns j … j + 3 (clamped to n − 1) at reduction offsets bk.
fn b_cols(op: Op, j: u32, bk: vec4u) -> mat4x4f {
  let last = op.n - 1u;
  return mat4x4f(load4(min(j, last) * op.b_n + bk), load4(min(j + 1u, last) * op.b_n + bk),
                 load4(min(j + 2u, last) * op.b_n + bk), load4(min(j + 3u, last) * op.b_n + bk));
}

// The 4 terms of output row r (clamped), zero past the end of the reduction.
fn a_row(op: Op, r: u32, ak: vec4u, live: vec4<bool>) -> vec4f {
  return select(vec4f(0.0), load4(min(r, op.m - 1u) * op.a_m + ak), live);
}

// bias[j … j + 3] (clamped), or zeros without a bias.
fn bias4(op: Op, j: u32) -> vec4f {
  if (op.bias == NONE) { return vec4f(0.0); }
  let last = op.n - 1u;
  return vec4f(work[op.bias + min(j, last)], work[op.bias + min(j + 1u, last)],
               work[op.bias + min(j + 2u, last)], work[op.bias + min(j + 3u, last)]);
}

// Outputs j … j + 3 of row r: v + bias. The activation is an ACT_FORWARD op
// of its own: here it would run on every padded output of every product.
fn finish4(op: Op, r: u32, j: u32, v: vec4f, bias: vec4f) {
  store4_masked(op.c + r * op.c_m, j, op.n, v + bias);
}

fn store_row(op: Op, r: u32, n0: u32, v: TileRow, bias: TileRow) {
  finish4(op, r, n0, v.q0, bias.q0);
  finish4(op, r, n0 + 4u, v.q1, bias.q1);
  finish4(op, r, n0 + 8u, v.q2, bias.q2);
  finish4(op, r, n0 + 12u, v.q3, bias.q3);
}

// A GEMM with one output row (m = 1) or column (n = 1): one output per
// invocation, 2 loads per multiply-add; a 16 × 16 tile would load 16 columns
// (or rows) for one live one.
fn gemv(op: Op, tid: u32) {
  let rows = op.n == 1u;
  for (var e = tid; e < max(op.m, op.n); e += WG) {
    let r = select(0u, e, rows);
    let j = select(e, 0u, rows);
    var acc = vec4f(0.0);
    for (var i = 0u; i < op.k; i += 4u) {
      let i4 = min(i + STEP, vec4u(op.k - 1u));
      let live = i + STEP < vec4u(op.k);
      acc += a_row(op, r, op.a + i4 * op.a_k, live) * load4(op.b + j * op.b_n + i4 * op.b_k);
    }
    let v = vec4f((acc.x + acc.y) + (acc.z + acc.w), 0.0, 0.0, 0.0);
    work[op.c + r * op.c_m + j] = v.x + bias4(op, j).x;
  }
}

fn gemm(op: Op, tid: u32) {
  let tiles_n = (op.n + 15u) / 16u;
  let tiles = ((op.m + 15u) / 16u) * tiles_n;
  for (var t = tid; t < tiles; t += WG) {
    let m0 = (t / tiles_n) * 16u;
    let n0 = (t % tiles_n) * 16u;
    // Explicit zeros: this loop runs once per tile, and an uninitialised var
    // declared in a loop kept the previous tile's sums on SwiftShader.
    let zero = TileRow();
    var t0 = zero; var t1 = zero; var t2 = zero; var t3 = zero;
    var t4 = zero; var t5 = zero; var t6 = zero; var t7 = zero;
    var t8 = zero; var t9 = zero; var t10 = zero; var t11 = zero;
    var t12 = zero; var t13 = zero; var t14 = zero; var t15 = zero;
    for (var i = 0u; i < op.k; i += 4u) {
      let i4 = min(i + STEP, vec4u(op.k - 1u));
      let live = i + STEP < vec4u(op.k);
      let bk = op.b + i4 * op.b_k;
      let c = TileCols(b_cols(op, n0, bk), b_cols(op, n0 + 4u, bk), b_cols(op, n0 + 8u, bk), b_cols(op, n0 + 12u, bk));
      let ak = op.a + i4 * op.a_k;
      t0 = row_step(t0, a_row(op, m0, ak, live), c);
      t1 = row_step(t1, a_row(op, m0 + 1u, ak, live), c);
      t2 = row_step(t2, a_row(op, m0 + 2u, ak, live), c);
      t3 = row_step(t3, a_row(op, m0 + 3u, ak, live), c);
      t4 = row_step(t4, a_row(op, m0 + 4u, ak, live), c);
      t5 = row_step(t5, a_row(op, m0 + 5u, ak, live), c);
      t6 = row_step(t6, a_row(op, m0 + 6u, ak, live), c);
      t7 = row_step(t7, a_row(op, m0 + 7u, ak, live), c);
      t8 = row_step(t8, a_row(op, m0 + 8u, ak, live), c);
      t9 = row_step(t9, a_row(op, m0 + 9u, ak, live), c);
      t10 = row_step(t10, a_row(op, m0 + 10u, ak, live), c);
      t11 = row_step(t11, a_row(op, m0 + 11u, ak, live), c);
      t12 = row_step(t12, a_row(op, m0 + 12u, ak, live), c);
      t13 = row_step(t13, a_row(op, m0 + 13u, ak, live), c);
      t14 = row_step(t14, a_row(op, m0 + 14u, ak, live), c);
      t15 = row_step(t15, a_row(op, m0 + 15u, ak, live), c);
    }
    let tile = array<TileRow, 16>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
    let bias = TileRow(bias4(op, n0), bias4(op, n0 + 4u), bias4(op, n0 + 8u), bias4(op, n0 + 12u));
    for (var r = 0u; r < 16u && m0 + r < op.m; r++) {
      store_row(op, m0 + r, n0, tile[r], bias);
    }
  }
}

// Elementwise ops take 4 consecutive values per invocation and step: the
// activation's vector code then works on 4 values instead of 1.
fn act_forward(op: Op, tid: u32) {
  for (var i = tid * 4u; i < op.n; i += WG * 4u) {
    let at = min(i + STEP, vec4u(op.n - 1u));
    store4_masked(op.c, i, op.n, activate(load4(op.a + at), op.act, op.f0));
  }
}

fn act_backward(op: Op, tid: u32) {
  for (var i = tid * 4u; i < op.n; i += WG * 4u) {
    let at = min(i + STEP, vec4u(op.n - 1u));
    store4_masked(op.c, i, op.n, load4(op.b + at) * activation_grad(load4(op.a + at), op.act, op.f0));
  }
}

fn bias_grad(op: Op, tid: u32) {
  for (var j = tid; j < op.n; j += WG) {
    var sum = 0.0;
    for (var r = 0u; r < op.m; r++) { sum += work[op.a + r * op.n + j]; }
    work[op.c + j] = sum;
  }
}

// bce_with_logits.wgsl, with its sums added up by invocation 0.
fn bce(op: Op, tid: u32) {
  var loss = 0.0;
  var prob_first = 0.0;
  var prob_rest = 0.0;
  for (var i = tid; i < op.m; i += WG) {
    let l = work[op.a + i];
    let is_first = i < op.n;
    let t = select(op.f1, op.f0, is_first);
    let p = sigmoid(l);
    loss += max(l, 0.0) - l * t + log(1.0 + exp(-abs(l)));
    work[op.c + i] = op.f2 * (p - t);
    prob_first += select(0.0, p, is_first);
    prob_rest += select(p, 0.0, is_first);
  }
  sum_a[tid] = loss;
  sum_b[tid] = prob_first;
  sum_c[tid] = prob_rest;
  workgroupBarrier();
  if (tid == 0u) {
    var total = vec3f(0.0);
    for (var i = 0u; i < WG; i++) { total += vec3f(sum_a[i], sum_b[i], sum_c[i]); }
    work[phase.loss_at] = op.f2 * total.x;
    work[phase.loss_at + 1u] = select(0.0, total.y / f32(op.n), op.n > 0u);
    work[phase.loss_at + 2u] = select(0.0, total.z / f32(op.m - op.n), op.m > op.n);
    work[phase.loss_at + 3u] = 0.0;
  }
}

// adam.wgsl over the trained net, then close_update (update_bookkeeping.wgsl,
// put before this file by index.ts, as philox.wgsl is). One difference: the
// gradient norm is summed first, and the update is skipped (and training
// halts) when it is not finite as well as when the loss is not. A finite loss with non-finite gradients happens when
// hidden activations overflow; adam.wgsl cannot see that before it updates.
fn adam_and_state(tid: u32) {
  var sum_sq = 0.0;
  for (var i = tid; i < phase.count; i += WG) {
    let g = work[phase.grads_at + i];
    trained_grads[i] = g;
    sum_sq += g * g;
  }
  sum_a[tid] = sum_sq;
  sync();
  var total = 0.0;
  for (var i = 0u; i < WG; i++) { total += sum_a[i]; }
  let grad_norm = sqrt(total);
  let loss = work[phase.loss_at];
  let update = state[STATE_HALTED] == 0u && is_finite(loss) && is_finite(grad_norm);
  let t = f32(state[phase.step_slot] + 1u);
  let bias1 = 1.0 - pow(phase.beta1, t);
  let bias2 = 1.0 - pow(phase.beta2, t);
  for (var i = tid; i < phase.count && update; i += WG) {
    let g = work[phase.grads_at + i];
    let p = trained_params[i];
    let gd = g + phase.weight_decay * p;
    let m = phase.beta1 * trained_exp_avg[i] + (1.0 - phase.beta1) * gd;
    let v = phase.beta2 * trained_exp_avg_sq[i] + (1.0 - phase.beta2) * gd * gd;
    trained_exp_avg[i] = m;
    trained_exp_avg_sq[i] = v;
    trained_params[i] = p - phase.lr * (m / bias1) / (sqrt(v / bias2) + phase.eps);
  }
  sync(); // every invocation has read state before invocation 0 advances it
  if (tid == 0u && state[STATE_HALTED] == 0u) {
    let d_fake = work[phase.loss_at + 1u];
    let d_real = work[phase.loss_at + 2u];
    close_update(phase.phase, is_finite(loss) && is_finite(grad_norm), loss, d_fake, d_real, grad_norm);
  }
}

// The program, run by `invocations` invocations.
fn run_phase(tid: u32, invocations: u32) {
  WG = invocations;
  // `program` is read-only storage indexed by uniforms, so each op is uniform
  // and the barriers below are in uniform control flow.
  for (var i = 0u; i < phase.op_count; i++) {
    let op = program[phase.op_first + i];
    switch op.kind {
      case OP_COPY_TRAINED, OP_COPY_FROZEN: { copy_params(op, tid); }
      case OP_UNIFORM, OP_NORMAL: { random_fill(op, tid); }
      case OP_GATHER: { gather_rows(op, tid); }
      case OP_GEMM: { gemm(op, tid); }
      case OP_GEMV: { gemv(op, tid); }
      case OP_ACT_FORWARD: { act_forward(op, tid); }
      case OP_ACT_BACKWARD: { act_backward(op, tid); }
      case OP_BIAS_GRAD: { bias_grad(op, tid); }
      case OP_BCE: { bce(op, tid); }
      case OP_ADAM: { adam_and_state(tid); }
      default: {}
    }
    if (op.barrier != 0u) { sync(); }
  }
}

// For GPUs: 64 invocations share each op.
@compute @workgroup_size(64)
fn fused_mlp_gan_update(@builtin(local_invocation_index) tid: u32) {
  run_phase(tid, 64u);
}

// For CPU adapters (SwiftShader): one SIMD group of 4. A workgroup runs on
// one thread there whatever its size, and each barrier switches between all
// of its SIMD groups: measured (bench/fused-mlp-ops.mjs), an op with its
// barrier costs 206 µs at 64 invocations and 8 µs at 4.
@compute @workgroup_size(4)
fn fused_mlp_gan_update_narrow(@builtin(local_invocation_index) tid: u32) {
  run_phase(tid, 4u);
}
