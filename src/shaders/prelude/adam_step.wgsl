// adam_step.wgsl — prelude: torch.optim.Adam's update of one parameter (weight decay as L2 added
// to the gradient) or, when `decoupled` is 1, torch.optim.AdamW's (decay applied to the weight);
// for adam.wgsl and fused_mlp_gan.wgsl. No bindings. lr is the update's (prelude/lr_schedule.wgsl).
//
//   Adam:  g = grad + wd·p                     AdamW:  p ← p·(1 − lr·wd),  g = grad
//   m ← β1·m + (1 − β1)·g    v ← β2·v + (1 − β2)·g²
//   p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)

struct AdamHyper { lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, decoupled: u32 }

// The bias corrections (1 − β1^t, 1 − β2^t) of update t (t ≥ 1).
fn adam_bias_corrections(h: AdamHyper, t: f32) -> vec2f {
  return vec2f(1.0 - pow(h.beta1, t), 1.0 - pow(h.beta2, t));
}

// (p, m, v) after the update, from the parameter p, its gradient and its moments m, v.
fn adam_step(p: f32, grad: f32, m: f32, v: f32, h: AdamHyper, bias: vec2f) -> vec3f {
  let decoupled = h.decoupled != 0u;
  let p0 = select(p, p * (1.0 - h.lr * h.weight_decay), decoupled);
  let g = select(grad + h.weight_decay * p, grad, decoupled);
  let m1 = h.beta1 * m + (1.0 - h.beta1) * g;
  let v1 = h.beta2 * v + (1.0 - h.beta2) * g * g;
  return vec3f(p0 - h.lr * (m1 / bias.x) / (sqrt(v1 / bias.y) + h.eps), m1, v1);
}
