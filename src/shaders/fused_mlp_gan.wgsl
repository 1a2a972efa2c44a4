// fused_mlp_gan.wgsl — one whole GAN optimizer phase of small MLPs (one D update, or one G update) in
// ONE dispatch of ONE workgroup: the noise and real draws, both nets' forwards, the BCE loss, the
// backward passes, the update's bookkeeping (prelude/update_bookkeeping.wgsl) and Adam. The same
// computation as the layered plan (random, linear, activation, bce_with_logits, train_state and adam
// .wgsl), with the same draws and the same formulas.
//
// The phase is a program: the ops program[op_first ..] (built by fused-mlp-plan.ts; kinds and fields at
// struct Op) run in order, with a barrier after each unless its `barrier` is 0. Every tensor lives in
// `work`, at offsets the plan computed. Bindings (P = the trained net's parameter count):
//   program (ops)   work (WorkLayout.size)   state (STATE_WORDS, u32)   stats (STATS_STRIDE · phases)
//   trained_params, trained_grads, trained_exp_avg, trained_exp_avg_sq (P)
//   frozen_params (the other net's)   data (dataset rows, or 4 unused floats)
// Dispatch: one workgroup, of FUSED_WORKGROUP invocations (fused_mlp_gan_update, for GPUs) or
// FUSED_WORKGROUP_NARROW (fused_mlp_gan_update_narrow, for CPU adapters).
// Why one workgroup, its widths and branch-free activations: docs/performance-notes.md#fused_mlp_gan

struct PhaseParams {
  op_first: u32,
  op_count: u32,
  phase: u32,          // 0 = D update, 1 = G update (update_bookkeeping.wgsl)
  seed: u32,
  count: u32,          // P
  grads_at: u32,       // work offset of the trained net's gradients (P)
  loss_at: u32,        // work offset of loss_out (4)
  advances_step: u32,  // 1 for the phase that ends a training step (update_bookkeeping.wgsl)
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  decoupled: u32,      // 1: AdamW's decay on the weight (prelude/adam_step.wgsl)
  schedule_kind: u32,  // the learning-rate schedule (prelude/lr_schedule.wgsl)
  schedule_steps: u32,
  schedule_final: f32,
}

// One op; fields by kind (OP_*, f = f0, f1, f2):
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
//   UPDATE      close the update (train_state.wgsl's rule), then Adam/AdamW over the trained net unless halted
// A linear layer is a GEMM (then ACT_FORWARD); its backward products are GEMMs on the same storage:
//   forward   y (B, N):  A = x (a_m = K, a_k = 1),   Bt = w (b_n = K, b_k = 1)
//   dx (B, K):           A = dz (a_m = N, a_k = 1),  Bt = w (b_n = 1, b_k = K)
//   dw (N, K):           A = dz (a_m = 1, a_k = N),  Bt = x (b_n = 1, b_k = K)
// with dz = dy ⊙ act'(y) formed first, in place, by ACT_BACKWARD.
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

// Invocations of the two entry points (the partial sums below have room for the wider).
const FUSED_WORKGROUP: u32 = 64u;
const FUSED_WORKGROUP_NARROW: u32 = 4u;
const_assert FUSED_WORKGROUP_NARROW <= FUSED_WORKGROUP;
const NONE: u32 = 0xffffffffu; // no bias

// Per-invocation partial sums, added up by invocation 0 (one barrier instead
// of a 6-level tree: barriers are what a single workgroup pays for).
var<workgroup> sum_a: array<f32, FUSED_WORKGROUP>;
var<workgroup> sum_b: array<f32, FUSED_WORKGROUP>;
var<workgroup> sum_c: array<f32, FUSED_WORKGROUP>;
// Invocations in the workgroup: the entry point's @workgroup_size.
var<private> WG: u32;

// Every op reads what earlier ops wrote to `work` (and state) through storage.
fn sync() {
  storageBarrier();
  workgroupBarrier();
}

fn draw(block_index: u32, stream: u32) -> vec4u {
  return philox_block(block_index, state[STATE_STEP], stream, phase.seed);
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
      v = op.f0 + (op.f1 - op.f0) * philox_uniform(bits);
    } else {
      v = op.f0 + op.f1 * philox_normal(bits);
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
// invocation, 2 loads per multiply-add; a TILE × TILE tile would load TILE columns
// (or rows) for one live one.
fn gemv(op: Op, tid: u32) {
  let rows = op.n == 1u;
  for (var e = tid; e < max(op.m, op.n); e += WG) {
    let r = select(0u, e, rows);
    let j = select(e, 0u, rows);
    var acc = vec4f(0.0);
    for (var i = 0u; i < op.k; i += 4u) {
      let i4 = step_indices(i, op.k);
      let live = step_live(i, op.k);
      acc += a_row(op, r, op.a + i4 * op.a_k, live) * load4(op.b + j * op.b_n + i4 * op.b_k);
    }
    let v = vec4f((acc.x + acc.y) + (acc.z + acc.w), 0.0, 0.0, 0.0);
    work[op.c + r * op.c_m + j] = v.x + bias4(op, j).x;
  }
}

fn gemm(op: Op, tid: u32) {
  let tiles_n = (op.n + TILE - 1u) / TILE;
  let tiles = ((op.m + TILE - 1u) / TILE) * tiles_n;
  for (var t = tid; t < tiles; t += WG) {
    let m0 = (t / tiles_n) * TILE;
    let n0 = (t % tiles_n) * TILE;
    // Explicit zeros: this loop runs once per tile, and an uninitialised var
    // declared in a loop kept the previous tile's sums on SwiftShader.
    let zero = TileRow();
    var t0 = zero; var t1 = zero; var t2 = zero; var t3 = zero;
    var t4 = zero; var t5 = zero; var t6 = zero; var t7 = zero;
    var t8 = zero; var t9 = zero; var t10 = zero; var t11 = zero;
    var t12 = zero; var t13 = zero; var t14 = zero; var t15 = zero;
    for (var i = 0u; i < op.k; i += 4u) {
      let i4 = step_indices(i, op.k);
      let live = step_live(i, op.k);
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
    let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
    let bias = TileRow(bias4(op, n0), bias4(op, n0 + 4u), bias4(op, n0 + 8u), bias4(op, n0 + 12u));
    for (var r = 0u; r < TILE && m0 + r < op.m; r++) {
      store_row(op, m0 + r, n0, tile[r], bias);
    }
  }
}

// Elementwise ops take 4 consecutive values per invocation and step: the
// activation's vector code then works on 4 values instead of 1.
fn act_forward(op: Op, tid: u32) {
  for (var i = tid * 4u; i < op.n; i += WG * 4u) {
    let at = step_indices(i, op.n);
    store4_masked(op.c, i, op.n, activate(load4(op.a + at), op.act, op.f0));
  }
}

fn act_backward(op: Op, tid: u32) {
  for (var i = tid * 4u; i < op.n; i += WG * 4u) {
    let at = step_indices(i, op.n);
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
    loss += bce_loss(l, t);
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

// train_state.wgsl's close, then adam.wgsl over the trained net: the gradient
// norm is summed first, invocation 0 closes the update (update_bookkeeping.wgsl:
// halts on a non-finite loss or norm), and the update runs unless halted.
fn update_and_state(tid: u32) {
  var sum_sq = 0.0;
  for (var i = tid; i < phase.count; i += WG) {
    let g = work[phase.grads_at + i];
    trained_grads[i] = g;
    sum_sq += g * g;
  }
  sum_a[tid] = sum_sq;
  sync();
  if (tid == 0u && state[STATE_HALTED] == 0u) {
    var total = 0.0;
    for (var i = 0u; i < WG; i++) { total += sum_a[i]; }
    let grad_norm = sqrt(total);
    let loss = work[phase.loss_at + LOSS_OUT_LOSS];
    close_update(phase.phase, phase.advances_step != 0u, is_finite(loss) && is_finite(grad_norm), loss,
                 work[phase.loss_at + LOSS_OUT_OUT_A], work[phase.loss_at + LOSS_OUT_OUT_B], grad_norm);
  }
  sync(); // every invocation sees the close before reading state
  let live = state[STATE_HALTED] == 0u;
  let t = state[STATE_UPDATES + phase.phase];
  let lr = scheduled_lr(phase.lr, LrSchedule(phase.schedule_kind, phase.schedule_steps, phase.schedule_final), t);
  let h = AdamHyper(lr, phase.beta1, phase.beta2, phase.eps, phase.weight_decay, phase.decoupled);
  let bias = adam_bias_corrections(h, f32(t));
  for (var i = tid; i < phase.count && live; i += WG) {
    let s = adam_step(trained_params[i], work[phase.grads_at + i], trained_exp_avg[i], trained_exp_avg_sq[i], h, bias);
    trained_params[i] = s.x;
    trained_exp_avg[i] = s.y;
    trained_exp_avg_sq[i] = s.z;
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
      case OP_UPDATE: { update_and_state(tid); }
      default: {}
    }
    if (op.barrier != 0u) { sync(); }
  }
}

// For GPUs: FUSED_WORKGROUP invocations share each op.
@compute @workgroup_size(FUSED_WORKGROUP)
fn fused_mlp_gan_update(@builtin(local_invocation_index) tid: u32) {
  run_phase(tid, FUSED_WORKGROUP);
}

// For CPU adapters (SwiftShader): one SIMD group of 4. A workgroup runs on one
// thread there whatever its size, and each barrier switches between all of its
// SIMD groups, so the narrow workgroup pays far less per op.
@compute @workgroup_size(FUSED_WORKGROUP_NARROW)
fn fused_mlp_gan_update_narrow(@builtin(local_invocation_index) tid: u32) {
  run_phase(tid, FUSED_WORKGROUP_NARROW);
}
