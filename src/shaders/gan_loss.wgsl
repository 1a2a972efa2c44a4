// gan_loss.wgsl — the GAN losses besides BCE (models/losses/), loss and
// gradient in one pass over D's outputs l (the loss ends the graph). Rows
// [0, first_rows) are fakes with target y_first, the rest reals with y_rest:
//
//   squared (LSGAN):          ℓ = ½(l − y)²          dℓ/dl = l − y
//   hinge:                    ℓ = max(0, 1 − y·l)    dℓ/dl = −y where 1 − y·l > 0, else 0     (y = ±1)
//   linear (WGAN, hinge G):   ℓ = −y·l               dℓ/dl = −y
//   logOneMinusSigmoid:       ℓ = log(1 − σ(l)) = −softplus(l), stable   dℓ/dl = −σ(l)     (minimax G)
//
//   loss_out = [scale·Σℓ, mean p(l) over the first rows, mean p(l) over the rest, 0],  dlogits = scale·dℓ/dl,
//   p = σ (present = PRESENT_SIGMOID: D's output is a logit) or the identity (a critic's score).
// Bindings: logits (rows)   dlogits (rows)   loss_out (4). One workgroup of LOSS_WG (an override: the
// tuning variants' width) strides over the rows, then prelude/loss_reduce.wgsl's sums (loss_sum.wgsl:
// a tree, or subgroup operations in the 'subgroups' source; dlogits is per row, the same bits in every variant).

struct GanLossParams {
  rows: u32,
  first_rows: u32,
  kind: u32,
  present: u32,
  y_first: f32,
  y_rest: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: GanLossParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;            // (rows)
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;     // (rows)
@group(0) @binding(3) var<storage, read_write> loss_out: array<f32>;    // (4)

// (ℓ, dℓ/dl) of one output.
fn row_loss(l: f32, y: f32) -> vec2f {
  if (params.kind == LOSS_SQUARED) { return vec2f(0.5 * (l - y) * (l - y), l - y); }
  if (params.kind == LOSS_HINGE) {
    let m = 1.0 - y * l;
    return vec2f(max(m, 0.0), select(0.0, -y, m > 0.0));
  }
  if (params.kind == LOSS_LINEAR) { return vec2f(-y * l, -y); }
  // log(1 − σ(l)) = −(max(l, 0) + log(1 + e^−|l|)).
  return vec2f(-(max(l, 0.0) + log(1.0 + exp(-abs(l)))), -sigmoid(l));
}

@compute @workgroup_size(LOSS_WG)
fn gan_loss_forward_backward(@builtin(local_invocation_index) tid: u32) {
  var loss = 0.0;
  var sum_first = 0.0;
  var sum_rest = 0.0;
  for (var i = tid; i < params.rows; i += LOSS_WG) {
    let l = logits[i];
    let is_first = i < params.first_rows;
    let r = row_loss(l, select(params.y_rest, params.y_first, is_first));
    loss += r.x;
    dlogits[i] = params.scale * r.y;
    let p = select(l, sigmoid(l), params.present == PRESENT_SIGMOID);
    sum_first += select(0.0, p, is_first);
    sum_rest += select(p, 0.0, is_first);
  }
  reduce_loss_out(tid, loss, sum_first, sum_rest, params.rows, params.first_rows, params.scale);
}
