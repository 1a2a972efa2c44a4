// bce_with_logits.wgsl — binary cross-entropy on logits, loss and gradient
// in one pass (the loss ends the graph, so its backward fuses into it).
//
// Rows [0, first_rows) have target target_first, rows [first_rows, rows)
// have target target_rest: the discriminator step scores [fake; real] in
// one batch; the generator step scores fake rows only (first_rows = rows).
//
//   loss      = scale · Σ_i ℓ(l_i, t_i),  ℓ(l, t) = max(l, 0) − l·t + log(1 + e^−|l|)
//   dlogits_i = scale · (σ(l_i) − t_i)
//   loss_out  = [loss, mean σ(l) over the first rows, mean σ(l) over the rest, 0]
//
// ℓ is the stable form: no exp of a positive number, finite at |l| = 100.
// With scale = 1/B and B fake + B real rows, loss = mean_fake + mean_real,
// PyTorch's errD_real + errD_fake.
//
// Bindings: logits (rows)   dlogits (rows)   loss_out (4)
// One workgroup of 256 invocations strides over the rows, then a tree reduction.

struct BceParams {
  rows: u32,
  first_rows: u32,
  target_first: f32,
  target_rest: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: BceParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;            // (rows)
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;     // (rows)
@group(0) @binding(3) var<storage, read_write> loss_out: array<f32>;    // (4)

const WG: u32 = 256u;
var<workgroup> partial_loss: array<f32, WG>;
var<workgroup> partial_prob_first: array<f32, WG>;
var<workgroup> partial_prob_rest: array<f32, WG>;

fn sigmoid(l: f32) -> f32 {
  let e = exp(-abs(l));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), l >= 0.0);
}

@compute @workgroup_size(256)
fn bce_with_logits_forward_backward(@builtin(local_invocation_index) tid: u32) {
  var loss = 0.0;
  var prob_first = 0.0;
  var prob_rest = 0.0;
  for (var i = tid; i < params.rows; i += WG) {
    let l = logits[i];
    let is_first = i < params.first_rows;
    let t = select(params.target_rest, params.target_first, is_first);
    let p = sigmoid(l);
    loss += max(l, 0.0) - l * t + log(1.0 + exp(-abs(l)));
    dlogits[i] = params.scale * (p - t);
    prob_first += select(0.0, p, is_first);
    prob_rest += select(p, 0.0, is_first);
  }
  partial_loss[tid] = loss;
  partial_prob_first[tid] = prob_first;
  partial_prob_rest[tid] = prob_rest;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (tid < stride) {
      partial_loss[tid] += partial_loss[tid + stride];
      partial_prob_first[tid] += partial_prob_first[tid + stride];
      partial_prob_rest[tid] += partial_prob_rest[tid + stride];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    let first = f32(params.first_rows);
    let rest = f32(params.rows - params.first_rows);
    loss_out[0] = params.scale * partial_loss[0];
    loss_out[1] = select(0.0, partial_prob_first[0] / first, params.first_rows > 0u);
    loss_out[2] = select(0.0, partial_prob_rest[0] / rest, params.rows > params.first_rows);
    loss_out[3] = 0.0;
  }
}
