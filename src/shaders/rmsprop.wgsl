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
//
// Dispatch (index.ts): RMSPROP_WG invocations per workgroup, each updating blocks of RMSPROP_ELEMS
// consecutive parameters (WGSL overrides; the defaults 64 × 1 are the kernel as it always was),
// at most RMSPROP_MAX_WORKGROUPS workgroups striding over the blocks (grid stride). The tuner picks
// the pair per entry and parameter count (rmspropKernels.tuning): GPUs want fewer, fuller
// workgroups than SwiftShader, and 4 parameters per invocation amortise the per-invocation
// bookkeeping (the halt flag, t, the schedule's lr) and issue 4 independent loads of each buffer
// before the first store. Every parameter goes through the same rmsprop_*_step whatever the
// variant, so all variants give the same bits (docs/performance-notes.md#optimizers).

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

// Blocks of RMSPROP_ELEMS parameters covering count.
fn rmsprop_blocks() -> u32 { return (hp.count + RMSPROP_ELEMS - 1u) / RMSPROP_ELEMS; }
// Whether the block from `first` to `end` takes the 4-wide path.
fn rmsprop_four(first: u32, end: u32) -> bool { return RMSPROP_ELEMS == 4u && end - first == 4u; }

// g = grad + wd·p, and the new v from the old one.
fn rmsprop_grad(p: f32, grad: f32) -> f32 { return grad + hp.weight_decay * p; }
fn rmsprop_square(v: f32, g: f32) -> f32 { return hp.alpha * v + (1.0 - hp.alpha) * g * g; }
// The new ḡ from the old one (centered).
fn rmsprop_mean(m: f32, g: f32) -> f32 { return hp.alpha * m + (1.0 - hp.alpha) * g; }

// One parameter's update from its old values, per form: (p, v), (p, v, buf), (p, v, ḡ), (p, v, ḡ, buf).
fn rmsprop_plain_step(p: f32, grad: f32, v0: f32, lr: f32) -> vec2f {
  let g = rmsprop_grad(p, grad);
  let v = rmsprop_square(v0, g);
  return vec2f(p - lr * (g / (sqrt(v) + hp.eps)), v);
}
fn rmsprop_momentum_step(p: f32, grad: f32, v0: f32, buf0: f32, lr: f32) -> vec3f {
  let g = rmsprop_grad(p, grad);
  let v = rmsprop_square(v0, g);
  let buf = hp.momentum * buf0 + g / (sqrt(v) + hp.eps);
  return vec3f(p - lr * buf, v, buf);
}
fn rmsprop_centered_step(p: f32, grad: f32, v0: f32, m0: f32, lr: f32) -> vec3f {
  let g = rmsprop_grad(p, grad);
  let v = rmsprop_square(v0, g);
  let m = rmsprop_mean(m0, g);
  return vec3f(p - lr * (g / (sqrt(max(v - m * m, 0.0)) + hp.eps)), v, m);
}
fn rmsprop_centered_momentum_step(p: f32, grad: f32, v0: f32, m0: f32, buf0: f32, lr: f32) -> vec4f {
  let g = rmsprop_grad(p, grad);
  let v = rmsprop_square(v0, g);
  let m = rmsprop_mean(m0, g);
  let buf = hp.momentum * buf0 + g / (sqrt(max(v - m * m, 0.0)) + hp.eps);
  return vec4f(p - lr * buf, v, m, buf);
}

// Four consecutive values of each buffer, loaded before any store of the 4-wide path.
fn rmsprop_params4(at: u32) -> vec4f { return vec4f(params[at], params[at + 1u], params[at + 2u], params[at + 3u]); }
fn rmsprop_grads4(at: u32) -> vec4f { return vec4f(grads[at], grads[at + 1u], grads[at + 2u], grads[at + 3u]); }
fn rmsprop_square4(at: u32) -> vec4f { return vec4f(square_avg[at], square_avg[at + 1u], square_avg[at + 2u], square_avg[at + 3u]); }
fn rmsprop_momentum4(at: u32) -> vec4f {
  return vec4f(momentum_buffer[at], momentum_buffer[at + 1u], momentum_buffer[at + 2u], momentum_buffer[at + 3u]);
}
fn rmsprop_mean4(at: u32) -> vec4f { return vec4f(grad_avg[at], grad_avg[at + 1u], grad_avg[at + 2u], grad_avg[at + 3u]); }
// And their stores.
fn rmsprop_store_params4(at: u32, x: vec4f) { params[at] = x.x; params[at + 1u] = x.y; params[at + 2u] = x.z; params[at + 3u] = x.w; }
fn rmsprop_store_square4(at: u32, x: vec4f) { square_avg[at] = x.x; square_avg[at + 1u] = x.y; square_avg[at + 2u] = x.z; square_avg[at + 3u] = x.w; }
fn rmsprop_store_momentum4(at: u32, x: vec4f) {
  momentum_buffer[at] = x.x; momentum_buffer[at + 1u] = x.y; momentum_buffer[at + 2u] = x.z; momentum_buffer[at + 3u] = x.w;
}
fn rmsprop_store_mean4(at: u32, x: vec4f) { grad_avg[at] = x.x; grad_avg[at + 1u] = x.y; grad_avg[at + 2u] = x.z; grad_avg[at + 3u] = x.w; }

@compute @workgroup_size(RMSPROP_WG)
fn rmsprop_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  let blocks = rmsprop_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * RMSPROP_WG) {
    let first = b * RMSPROP_ELEMS;
    let end = min(first + RMSPROP_ELEMS, hp.count);
    if (rmsprop_four(first, end)) {
      let p = rmsprop_params4(first);
      let g = rmsprop_grads4(first);
      let v = rmsprop_square4(first);
      let s0 = rmsprop_plain_step(p.x, g.x, v.x, lr);
      let s1 = rmsprop_plain_step(p.y, g.y, v.y, lr);
      let s2 = rmsprop_plain_step(p.z, g.z, v.z, lr);
      let s3 = rmsprop_plain_step(p.w, g.w, v.w, lr);
      rmsprop_store_params4(first, vec4f(s0.x, s1.x, s2.x, s3.x));
      rmsprop_store_square4(first, vec4f(s0.y, s1.y, s2.y, s3.y));
    } else {
      for (var i = first; i < end; i++) { // 1 per block, or the tail
        let s = rmsprop_plain_step(params[i], grads[i], square_avg[i], lr);
        params[i] = s.x;
        square_avg[i] = s.y;
      }
    }
  }
}

@compute @workgroup_size(RMSPROP_WG)
fn rmsprop_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  let blocks = rmsprop_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * RMSPROP_WG) {
    let first = b * RMSPROP_ELEMS;
    let end = min(first + RMSPROP_ELEMS, hp.count);
    if (rmsprop_four(first, end)) {
      let p = rmsprop_params4(first);
      let g = rmsprop_grads4(first);
      let v = rmsprop_square4(first);
      let u = rmsprop_momentum4(first);
      let s0 = rmsprop_momentum_step(p.x, g.x, v.x, u.x, lr);
      let s1 = rmsprop_momentum_step(p.y, g.y, v.y, u.y, lr);
      let s2 = rmsprop_momentum_step(p.z, g.z, v.z, u.z, lr);
      let s3 = rmsprop_momentum_step(p.w, g.w, v.w, u.w, lr);
      rmsprop_store_params4(first, vec4f(s0.x, s1.x, s2.x, s3.x));
      rmsprop_store_square4(first, vec4f(s0.y, s1.y, s2.y, s3.y));
      rmsprop_store_momentum4(first, vec4f(s0.z, s1.z, s2.z, s3.z));
    } else {
      for (var i = first; i < end; i++) { // 1 per block, or the tail
        let s = rmsprop_momentum_step(params[i], grads[i], square_avg[i], momentum_buffer[i], lr);
        params[i] = s.x;
        square_avg[i] = s.y;
        momentum_buffer[i] = s.z;
      }
    }
  }
}

@compute @workgroup_size(RMSPROP_WG)
fn rmsprop_centered_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  let blocks = rmsprop_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * RMSPROP_WG) {
    let first = b * RMSPROP_ELEMS;
    let end = min(first + RMSPROP_ELEMS, hp.count);
    if (rmsprop_four(first, end)) {
      let p = rmsprop_params4(first);
      let g = rmsprop_grads4(first);
      let v = rmsprop_square4(first);
      let m = rmsprop_mean4(first);
      let s0 = rmsprop_centered_step(p.x, g.x, v.x, m.x, lr);
      let s1 = rmsprop_centered_step(p.y, g.y, v.y, m.y, lr);
      let s2 = rmsprop_centered_step(p.z, g.z, v.z, m.z, lr);
      let s3 = rmsprop_centered_step(p.w, g.w, v.w, m.w, lr);
      rmsprop_store_params4(first, vec4f(s0.x, s1.x, s2.x, s3.x));
      rmsprop_store_square4(first, vec4f(s0.y, s1.y, s2.y, s3.y));
      rmsprop_store_mean4(first, vec4f(s0.z, s1.z, s2.z, s3.z));
    } else {
      for (var i = first; i < end; i++) { // 1 per block, or the tail
        let s = rmsprop_centered_step(params[i], grads[i], square_avg[i], grad_avg[i], lr);
        params[i] = s.x;
        square_avg[i] = s.y;
        grad_avg[i] = s.z;
      }
    }
  }
}

@compute @workgroup_size(RMSPROP_WG)
fn rmsprop_centered_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = rmsprop_lr();
  let blocks = rmsprop_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * RMSPROP_WG) {
    let first = b * RMSPROP_ELEMS;
    let end = min(first + RMSPROP_ELEMS, hp.count);
    if (rmsprop_four(first, end)) {
      let p = rmsprop_params4(first);
      let g = rmsprop_grads4(first);
      let v = rmsprop_square4(first);
      let m = rmsprop_mean4(first);
      let u = rmsprop_momentum4(first);
      let s0 = rmsprop_centered_momentum_step(p.x, g.x, v.x, m.x, u.x, lr);
      let s1 = rmsprop_centered_momentum_step(p.y, g.y, v.y, m.y, u.y, lr);
      let s2 = rmsprop_centered_momentum_step(p.z, g.z, v.z, m.z, u.z, lr);
      let s3 = rmsprop_centered_momentum_step(p.w, g.w, v.w, m.w, u.w, lr);
      rmsprop_store_params4(first, vec4f(s0.x, s1.x, s2.x, s3.x));
      rmsprop_store_square4(first, vec4f(s0.y, s1.y, s2.y, s3.y));
      rmsprop_store_mean4(first, vec4f(s0.z, s1.z, s2.z, s3.z));
      rmsprop_store_momentum4(first, vec4f(s0.w, s1.w, s2.w, s3.w));
    } else {
      for (var i = first; i < end; i++) { // 1 per block, or the tail
        let s = rmsprop_centered_momentum_step(params[i], grads[i], square_avg[i], grad_avg[i], momentum_buffer[i], lr);
        params[i] = s.x;
        square_avg[i] = s.y;
        grad_avg[i] = s.z;
        momentum_buffer[i] = s.w;
      }
    }
  }
}
