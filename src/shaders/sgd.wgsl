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
// SGD_WORKGROUP invocations per workgroup, each striding over the buffer (grid stride).

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

@compute @workgroup_size(SGD_WORKGROUP)
fn sgd_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = sgd_lr();
  for (var i = gid.x; i < hp.count; i += nwg.x * SGD_WORKGROUP) {
    let p = params[i];
    params[i] = p - lr * (grads[i] + hp.weight_decay * p);
  }
}

@compute @workgroup_size(SGD_WORKGROUP)
fn sgd_momentum_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let lr = sgd_lr();
  let first = sgd_t() <= 1u;
  let nesterov = hp.nesterov != 0u;
  for (var i = gid.x; i < hp.count; i += nwg.x * SGD_WORKGROUP) {
    let p = params[i];
    let g = grads[i] + hp.weight_decay * p;
    let buf = select(hp.momentum * momentum_buffer[i] + (1.0 - hp.dampening) * g, g, first);
    momentum_buffer[i] = buf;
    params[i] = p - lr * select(buf, g + hp.momentum * buf, nesterov);
  }
}
