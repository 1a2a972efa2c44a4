// bce_with_logits.wgsl — binary cross-entropy on logits, loss and gradient
// in one pass (the loss ends the graph, so its backward fuses into it).
// Rows [0, first_rows) have target target_first, rows [first_rows, rows)
// have target target_rest: the discriminator step scores [fake; real] in
// one batch; the generator step scores fake rows only (first_rows = rows).
//
//   loss      = scale · Σ_i ℓ(l_i, t_i),  ℓ(l, t) = max(l, 0) − l·t + log(1 + e^−|l|)
//   dlogits_i = scale · (σ(l_i) − t_i)
//   loss_out  = [loss, mean σ(l) over the first rows, mean σ(l) over the rest, 0]
//
// ℓ and σ are prelude/bce.wgsl's stable forms: no exp of a positive number, finite at |l| = 100.
// With scale = 1/B and B fake + B real rows, loss = mean_fake + mean_real,
// PyTorch's errD_real + errD_fake.
// Bindings: logits (rows)   dlogits (rows)   loss_out (4)
// One workgroup of LOSS_WG (an override: the tuning variants' width) strides over the rows, then
// prelude/loss_reduce.wgsl's sums (loss_sum.wgsl: a tree, or subgroup operations in the 'subgroups'
// source; dlogits is per row, the same bits in every variant).

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

@compute @workgroup_size(LOSS_WG)
fn bce_with_logits_forward_backward(@builtin(local_invocation_index) tid: u32) {
  var loss = 0.0;
  var prob_first = 0.0;
  var prob_rest = 0.0;
  for (var i = tid; i < params.rows; i += LOSS_WG) {
    let l = logits[i];
    let is_first = i < params.first_rows;
    let t = select(params.target_rest, params.target_first, is_first);
    let p = sigmoid(l);
    loss += bce_loss(l, t);
    dlogits[i] = params.scale * (p - t);
    prob_first += select(0.0, p, is_first);
    prob_rest += select(p, 0.0, is_first);
  }
  reduce_loss_out(tid, loss, prob_first, prob_rest, params.rows, params.first_rows, params.scale);
}
