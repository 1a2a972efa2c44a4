// adam.wgsl — one fused Adam update over a net's flat parameter buffer
// (PyTorch's torch.optim.Adam semantics, weight decay as L2 added to the gradient).
//
//   g = grad + weight_decay · p
//   m = β1·m + (1 − β1)·g          v = β2·v + (1 − β2)·g²
//   p -= lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + eps)
//
// t = state[step_slot] + 1: the step counter lives on the GPU and is advanced
// by train_state_update after this dispatch, so a recorded step never needs
// a uniform rewritten. The update is skipped whole when training has halted
// or this phase's loss (loss_out[0]) is not finite, which keeps the last good
// weights.
//
// Each invocation walks the buffer with a grid stride (i = id, id + S, …,
// S = total invocations) and writes its own Σ grad² to grad_sq_partials[id];
// train_state_update sums those into the gradient norm. No workgroup
// barriers: on SwiftShader a 256-wide tree reduction per workgroup made the
// update of the 1.9M-parameter MNIST generator take 6.1 s; the dispatch is
// capped at 256 workgroups of 64 (index.ts), so S ≤ 16384.
//
// Bindings (P = parameter count, S = invocations):
//   params (P)   grads (P)   exp_avg (P)   exp_avg_sq (P)
//   state (8, u32: see train_state.wgsl)   loss_out (4)   grad_sq_partials (S)

struct AdamParams {
  count: u32,
  step_slot: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<uniform> hp: AdamParams;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(5) var<storage, read> state: array<u32>;
@group(0) @binding(6) var<storage, read> loss_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_sq_partials: array<f32>;

const WG: u32 = 64u;
const STATE_HALTED: u32 = 0u;

fn is_finite(v: f32) -> bool {
  // Exponent bits all ones means inf or NaN; a bit test cannot be folded away
  // by a compiler that assumes no NaNs, unlike v == v.
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(64)
fn adam_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x;
  let stride = nwg.x * WG;
  let update = state[STATE_HALTED] == 0u && is_finite(loss_out[0]);
  let t = f32(state[hp.step_slot] + 1u);
  let bias1 = 1.0 - pow(hp.beta1, t);
  let bias2 = 1.0 - pow(hp.beta2, t);
  var sum_sq = 0.0;
  for (var i = id; i < hp.count; i += stride) {
    let g = grads[i];
    sum_sq += g * g;
    if (update) {
      let p = params[i];
      let gd = g + hp.weight_decay * p;
      let m = hp.beta1 * exp_avg[i] + (1.0 - hp.beta1) * gd;
      let v = hp.beta2 * exp_avg_sq[i] + (1.0 - hp.beta2) * gd * gd;
      exp_avg[i] = m;
      exp_avg_sq[i] = v;
      params[i] = p - hp.lr * (m / bias1) / (sqrt(v / bias2) + hp.eps);
    }
  }
  grad_sq_partials[id] = sum_sq;
}
