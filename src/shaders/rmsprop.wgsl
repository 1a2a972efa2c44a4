// rmsprop.wgsl — torch.optim.RMSprop over a net's flat parameter buffer (weight decay as L2):
//
//   lr_t = the schedule's lr at t (prelude/lr_schedule.wgsl)      g = grad + wd·p      v ← α·v + (1 − α)·g²
//   d = √v + eps;  centered: ḡ ← α·ḡ + (1 − α)·g,  d = √max(v − ḡ², 0) + eps
//   no momentum: p ← p − lr_t·g / d        momentum μ: buf ← μ·buf + g / d,  p ← p − lr_t·buf
//
// One entry per form: rmsprop_update, rmsprop_momentum_update, rmsprop_centered_update,
// rmsprop_centered_momentum_update. t = state[STATE_UPDATES + phase], already advanced by
// train_state_update; nothing is written once STATE_HALTED is set (that update was refused).
// Bindings (P = parameter count): params, grads, square_avg (P)   momentum_buffer (P; momentum entries)
//   grad_avg (P; centered entries)   state (STATE_WORDS, u32)
// RMSPROP_WORKGROUP invocations per workgroup, each striding over the buffer (grid stride).

struct RmspropParams {
  count: u32,
  phase: u32,
  lr: f32,
  alpha: f32,
  eps: f32,
  weight_decay: f32,
  momentum: f32,
  schedule_kind: u32,
  schedule_steps: u32,
  schedule_final: f32,
}

@group(0) @binding(0) var<uniform> hp: RmspropParams;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> square_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> momentum_buffer: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_avg: array<f32>;
@group(0) @binding(6) var<storage, read> state: array<u32>;

// This update's learning rate.
fn rmsprop_lr() -> f32 {
  return scheduled_lr(hp.lr, LrSchedule(hp.schedule_kind, hp.schedule_steps, hp.schedule_final), state[STATE_UPDATES + hp.phase]);
}

// g = grad + wd·p, and the new v from the old one.
fn rmsprop_grad(p: f32, grad: f32) -> f32 { return grad + hp.weight_decay * p; }
fn rmsprop_square(v: f32, g: f32) -> f32 { return hp.alpha * v + (1.0 - hp.alpha) * g * g; }
// The new ḡ from the old one (centered).
fn rmsprop_mean(m: f32, g: f32) -> f32 { return hp.alpha * m + (1.0 - hp.alpha) * g; }

@compute @workgroup_size(RMSPROP_WORKGROUP)
fn rmsprop_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  for (var i = gid.x; i < hp.count; i += nwg.x * RMSPROP_WORKGROUP) {
    let p = params[i];
    let g = rmsprop_grad(p, grads[i]);
    let v = rmsprop_square(square_avg[i], g);
    square_avg[i] = v;
    params[i] = p - lr * (g / (sqrt(v) + hp.eps));
  }
}

@compute @workgroup_size(RMSPROP_WORKGROUP)
fn rmsprop_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  for (var i = gid.x; i < hp.count; i += nwg.x * RMSPROP_WORKGROUP) {
    let p = params[i];
    let g = rmsprop_grad(p, grads[i]);
    let v = rmsprop_square(square_avg[i], g);
    let buf = hp.momentum * momentum_buffer[i] + g / (sqrt(v) + hp.eps);
    square_avg[i] = v;
    momentum_buffer[i] = buf;
    params[i] = p - lr * buf;
  }
}

@compute @workgroup_size(RMSPROP_WORKGROUP)
fn rmsprop_centered_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  for (var i = gid.x; i < hp.count; i += nwg.x * RMSPROP_WORKGROUP) {
    let p = params[i];
    let g = rmsprop_grad(p, grads[i]);
    let v = rmsprop_square(square_avg[i], g);
    let m = rmsprop_mean(grad_avg[i], g);
    square_avg[i] = v;
    grad_avg[i] = m;
    params[i] = p - lr * (g / (sqrt(max(v - m * m, 0.0)) + hp.eps));
  }
}

@compute @workgroup_size(RMSPROP_WORKGROUP)
fn rmsprop_centered_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  for (var i = gid.x; i < hp.count; i += nwg.x * RMSPROP_WORKGROUP) {
    let p = params[i];
    let g = rmsprop_grad(p, grads[i]);
    let v = rmsprop_square(square_avg[i], g);
    let m = rmsprop_mean(grad_avg[i], g);
    let buf = hp.momentum * momentum_buffer[i] + g / (sqrt(max(v - m * m, 0.0)) + hp.eps);
    square_avg[i] = v;
    grad_avg[i] = m;
    momentum_buffer[i] = buf;
    params[i] = p - lr * buf;
  }
}
