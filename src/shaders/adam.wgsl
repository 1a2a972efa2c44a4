// adam.wgsl — one fused Adam or AdamW update over a net's flat parameter buffer (torch.optim.Adam:
// weight decay as L2 added to the gradient; decoupled = 1, torch.optim.AdamW: decay on the weight):
//
//   lr_t = the schedule's lr at t (prelude/lr_schedule.wgsl)
//   Adam: g = grad + wd·p        AdamW: p ← p·(1 − lr_t·wd), g = grad
//   m = β1·m + (1 − β1)·g        v = β2·v + (1 − β2)·g²
//   p -= lr_t · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
//
// (the step itself: prelude/adam_step.wgsl). t = state[STATE_UPDATES + phase], already advanced by train_state_update;
// nothing is written once STATE_HALTED is set (that update was refused).
// Bindings (P = parameter count): params, grads, exp_avg, exp_avg_sq (P)   state (STATE_WORDS, u32)
// ADAM_WORKGROUP invocations per workgroup, each striding over the buffer (grid stride).

struct AdamParams {
  count: u32,
  phase: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  decoupled: u32,
  schedule_kind: u32,
  schedule_steps: u32,
  schedule_final: f32,
}

@group(0) @binding(0) var<uniform> hp: AdamParams;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(5) var<storage, read> state: array<u32>;

@compute @workgroup_size(ADAM_WORKGROUP)
fn adam_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let stride = nwg.x * ADAM_WORKGROUP;
  let t = state[STATE_UPDATES + hp.phase];
  let lr = scheduled_lr(hp.lr, LrSchedule(hp.schedule_kind, hp.schedule_steps, hp.schedule_final), t);
  let h = AdamHyper(lr, hp.beta1, hp.beta2, hp.eps, hp.weight_decay, hp.decoupled);
  let bias = adam_bias_corrections(h, f32(t));
  for (var i = gid.x; i < hp.count; i += stride) {
    let s = adam_step(params[i], grads[i], exp_avg[i], exp_avg_sq[i], h, bias);
    params[i] = s.x;
    exp_avg[i] = s.y;
    exp_avg_sq[i] = s.z;
  }
}
