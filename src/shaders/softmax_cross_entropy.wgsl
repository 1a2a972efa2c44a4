// softmax_cross_entropy.wgsl — multi-class cross-entropy on logits, loss and gradient in one pass
// (the loss ends the graph, so its backward fuses into it, as in bce_with_logits.wgsl). For a
// classifier, or an AC-GAN's auxiliary head.
//   p_n       = softmax(logits_n),  y_n = the class index in labels[n]
//   loss      = scale · Σ_n −log p_n[y_n] = scale · Σ_n (lse_n − logits[n, y_n])
//   dlogits   = scale · (p_n − onehot(y_n))
//   loss_out  = [loss, fraction of rows with argmax_k logits[n, k] == y_n, 0, 0]
// lse_n = m_n + log Σ_k exp(logits[n, k] − m_n) with m_n = max_k logits[n, k]: every exp is of a
// number ≤ 0, finite at |logit| = 100. Argmax ties go to the lowest index. Labels are class indices
// stored as floats (as the datasets are on the GPU); y_n = clamp(floor(labels[n]), 0, K − 1).
// Bindings (N = rows, K = classes): logits (N, K)   labels (N)   dlogits (N, K)   loss_out (4)
// One workgroup of WG invocations, one row per invocation at a time (N is a batch, a few hundred
// at most; K ≤ 16 or so), then a tree reduction.

struct SoftmaxCrossEntropyParams {
  rows: u32,     // N
  classes: u32,  // K
  scale: f32,    // e.g. 1/N for the mean
}

@group(0) @binding(0) var<uniform> params: SoftmaxCrossEntropyParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;            // (N, K)
@group(0) @binding(2) var<storage, read> labels: array<f32>;            // (N)
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;     // (N, K)
@group(0) @binding(4) var<storage, read_write> loss_out: array<f32>;    // (4)

const WG: u32 = 256u;
var<workgroup> partial_loss: array<f32, WG>;
var<workgroup> partial_correct: array<f32, WG>;

@compute @workgroup_size(WG)
fn softmax_cross_entropy_forward_backward(@builtin(local_invocation_index) tid: u32) {
  let k_count = params.classes;
  var loss = 0.0;
  var correct = 0.0;
  for (var n = tid; n < params.rows; n += WG) {
    let row = n * k_count;
    let y = u32(clamp(floor(labels[n]), 0.0, f32(k_count - 1u)));
    // Max and argmax (strict >: ties keep the lowest index).
    var m = logits[row];
    var arg = 0u;
    for (var k = 1u; k < k_count; k++) {
      let l = logits[row + k];
      if (l > m) { m = l; arg = k; }
    }
    var sum = 0.0;
    for (var k = 0u; k < k_count; k++) { sum += exp(logits[row + k] - m); }
    let log_sum = log(sum);
    for (var k = 0u; k < k_count; k++) {
      let p = exp(logits[row + k] - m - log_sum);
      dlogits[row + k] = params.scale * (p - select(0.0, 1.0, k == y));
    }
    loss += (m - logits[row + y]) + log_sum; // m − l_y first: exact when y is the argmax, so log_sum ≈ 0 is kept
    correct += select(0.0, 1.0, arg == y);
  }
  partial_loss[tid] = loss;
  partial_correct[tid] = correct;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (tid < stride) {
      partial_loss[tid] += partial_loss[tid + stride];
      partial_correct[tid] += partial_correct[tid + stride];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    loss_out[0] = params.scale * partial_loss[0];
    loss_out[1] = select(0.0, partial_correct[0] / f32(params.rows), params.rows > 0u);
    loss_out[2] = 0.0;
    loss_out[3] = 0.0;
  }
}
