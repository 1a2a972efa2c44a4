// sgd.wgsl — torch.optim.SGD over a net's flat parameter buffer (weight decay as L2):
//
//   lr_t = the schedule's lr at t (prelude/lr_schedule.wgsl)      g = grad + wd·p
//   sgd_update (μ = 0):     p ← p − lr_t·g
//   sgd_momentum_update:    buf ← g at t = 1, else μ·buf + (1 − dampening)·g
//                           p ← p − lr_t·(g + μ·buf if nesterov, else buf)
//
// t = state[STATE_UPDATES + phase], already advanced by train_state_update; nothing is written once
// STATE_HALTED is set (that update was refused).
// Bindings (P = parameter count): params, grads (P)   momentum_buffer (P; sgd_momentum_update only)
//   state (STATE_WORDS, u32)
//
// Dispatch (index.ts): SGD_WG invocations per workgroup, each updating blocks of SGD_ELEMS
// consecutive parameters (WGSL overrides; the defaults 64 × 1 are the kernel as it always was),
// at most SGD_MAX_WORKGROUPS workgroups striding over the blocks (grid stride). The tuner picks the
// pair per parameter count (sgdKernels.tuning): GPUs want fewer, fuller workgroups than
// SwiftShader, and 4 parameters per invocation amortise the per-invocation bookkeeping (the halt
// flag, t, the schedule's lr) and issue 4 independent loads of each buffer before the first store.
// Every parameter goes through the same sgd_*_step whatever the variant, so all variants give the
// same bits (docs/performance-notes.md#optimizers).

struct SgdParams {
  count: u32,
  phase: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weight_decay: f32,
  nesterov: u32,
  schedule_kind: u32,
  schedule_steps: u32,
  schedule_final: f32,
}

@group(0) @binding(0) var<uniform> hp: SgdParams;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> momentum_buffer: array<f32>;
@group(0) @binding(4) var<storage, read> state: array<u32>;

// This update's t and learning rate.
fn sgd_t() -> u32 { return state[STATE_UPDATES + hp.phase]; }
fn sgd_lr() -> f32 { return scheduled_lr(hp.lr, LrSchedule(hp.schedule_kind, hp.schedule_steps, hp.schedule_final), sgd_t()); }

// Blocks of SGD_ELEMS parameters covering count.
fn sgd_blocks() -> u32 { return (hp.count + SGD_ELEMS - 1u) / SGD_ELEMS; }

// The new parameter from p and its gradient (no momentum).
fn sgd_plain_step(p: f32, grad: f32, lr: f32) -> f32 { return p - lr * (grad + hp.weight_decay * p); }

// (the new parameter, the new buffer) from p, its gradient and the old buffer (`first`: t = 1).
fn sgd_momentum_step(p: f32, grad: f32, old: f32, lr: f32, first: bool, nesterov: bool) -> vec2f {
  let g = grad + hp.weight_decay * p;
  let buf = select(hp.momentum * old + (1.0 - hp.dampening) * g, g, first);
  return vec2f(p - lr * select(buf, g + hp.momentum * buf, nesterov), buf);
}

@compute @workgroup_size(SGD_WG)
fn sgd_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = sgd_lr();
  let blocks = sgd_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * SGD_WG) {
    let first = b * SGD_ELEMS;
    let end = min(first + SGD_ELEMS, hp.count);
    if (SGD_ELEMS == 4u && end - first == 4u) {
      // Every load first, then the four steps and the stores.
      let p = vec4f(params[first], params[first + 1u], params[first + 2u], params[first + 3u]);
      let g = vec4f(grads[first], grads[first + 1u], grads[first + 2u], grads[first + 3u]);
      params[first] = sgd_plain_step(p.x, g.x, lr);
      params[first + 1u] = sgd_plain_step(p.y, g.y, lr);
      params[first + 2u] = sgd_plain_step(p.z, g.z, lr);
      params[first + 3u] = sgd_plain_step(p.w, g.w, lr);
    } else {
      for (var i = first; i < end; i++) { params[i] = sgd_plain_step(params[i], grads[i], lr); } // 1 per block, or the tail
    }
  }
}

@compute @workgroup_size(SGD_WG)
fn sgd_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = sgd_lr();
  let t1 = sgd_t() <= 1u;
  let nesterov = hp.nesterov != 0u;
  let blocks = sgd_blocks();
  for (var b = gid.x; b < blocks; b += nwg.x * SGD_WG) {
    let first = b * SGD_ELEMS;
    let end = min(first + SGD_ELEMS, hp.count);
    if (SGD_ELEMS == 4u && end - first == 4u) {
      // Every load first, then the four steps, then the stores.
      let p = vec4f(params[first], params[first + 1u], params[first + 2u], params[first + 3u]);
      let g = vec4f(grads[first], grads[first + 1u], grads[first + 2u], grads[first + 3u]);
      let m = vec4f(momentum_buffer[first], momentum_buffer[first + 1u], momentum_buffer[first + 2u], momentum_buffer[first + 3u]);
      let s0 = sgd_momentum_step(p.x, g.x, m.x, lr, t1, nesterov);
      let s1 = sgd_momentum_step(p.y, g.y, m.y, lr, t1, nesterov);
      let s2 = sgd_momentum_step(p.z, g.z, m.z, lr, t1, nesterov);
      let s3 = sgd_momentum_step(p.w, g.w, m.w, lr, t1, nesterov);
      params[first] = s0.x;
      params[first + 1u] = s1.x;
      params[first + 2u] = s2.x;
      params[first + 3u] = s3.x;
      momentum_buffer[first] = s0.y;
      momentum_buffer[first + 1u] = s1.y;
      momentum_buffer[first + 2u] = s2.y;
      momentum_buffer[first + 3u] = s3.y;
    } else {
      for (var i = first; i < end; i++) { // 1 per block, or the tail
        let s = sgd_momentum_step(params[i], grads[i], momentum_buffer[i], lr, t1, nesterov);
        params[i] = s.x;
        momentum_buffer[i] = s.y;
      }
    }
  }
}
