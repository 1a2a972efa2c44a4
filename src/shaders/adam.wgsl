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
//
// Dispatch (index.ts): ADAM_WG invocations per workgroup, each updating blocks of ADAM_ELEMS
// consecutive parameters (WGSL overrides; the defaults 64 × 1 are the kernel as it always was),
// at most ADAM_MAX_WORKGROUPS workgroups striding over the blocks (grid stride). The tuner picks
// the pair per parameter count (adamKernels.tuning): GPUs want fewer, fuller workgroups than
// SwiftShader, and 4 parameters per invocation amortise the per-invocation bookkeeping (the halt
// flag, t, the schedule's lr, the bias corrections) and issue 4 independent loads of each buffer
// before the first store. Every parameter goes through the same adam_step whatever the variant,
// so all variants give the same bits (docs/performance-notes.md#optimizers).

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

// Parameter at: its update, in place.
fn adam_update_one(at: u32, h: AdamHyper, bias: vec2f) {
  let s = adam_step(params[at], grads[at], exp_avg[at], exp_avg_sq[at], h, bias);
  params[at] = s.x;
  exp_avg[at] = s.y;
  exp_avg_sq[at] = s.z;
}

// Parameters at..at+3 (all < count): every load first, then the four steps, then the stores.
fn adam_update_four(at: u32, h: AdamHyper, bias: vec2f) {
  let p = vec4f(params[at], params[at + 1u], params[at + 2u], params[at + 3u]);
  let g = vec4f(grads[at], grads[at + 1u], grads[at + 2u], grads[at + 3u]);
  let m = vec4f(exp_avg[at], exp_avg[at + 1u], exp_avg[at + 2u], exp_avg[at + 3u]);
  let v = vec4f(exp_avg_sq[at], exp_avg_sq[at + 1u], exp_avg_sq[at + 2u], exp_avg_sq[at + 3u]);
  let s0 = adam_step(p.x, g.x, m.x, v.x, h, bias);
  let s1 = adam_step(p.y, g.y, m.y, v.y, h, bias);
  let s2 = adam_step(p.z, g.z, m.z, v.z, h, bias);
  let s3 = adam_step(p.w, g.w, m.w, v.w, h, bias);
  params[at] = s0.x;
  params[at + 1u] = s1.x;
  params[at + 2u] = s2.x;
  params[at + 3u] = s3.x;
  exp_avg[at] = s0.y;
  exp_avg[at + 1u] = s1.y;
  exp_avg[at + 2u] = s2.y;
  exp_avg[at + 3u] = s3.y;
  exp_avg_sq[at] = s0.z;
  exp_avg_sq[at + 1u] = s1.z;
  exp_avg_sq[at + 2u] = s2.z;
  exp_avg_sq[at + 3u] = s3.z;
}

@compute @workgroup_size(ADAM_WG)
fn adam_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let stride = nwg.x * ADAM_WG;
  let t = state[STATE_UPDATES + hp.phase];
  let lr = scheduled_lr(hp.lr, LrSchedule(hp.schedule_kind, hp.schedule_steps, hp.schedule_final), t);
  let h = AdamHyper(lr, hp.beta1, hp.beta2, hp.eps, hp.weight_decay, hp.decoupled);
  let bias = adam_bias_corrections(h, f32(t));
  let blocks = (hp.count + ADAM_ELEMS - 1u) / ADAM_ELEMS;
  for (var b = gid.x; b < blocks; b += stride) {
    let first = b * ADAM_ELEMS;
    let end = min(first + ADAM_ELEMS, hp.count);
    if (ADAM_ELEMS == 4u && end - first == 4u) {
      adam_update_four(first, h, bias);
    } else {
      for (var i = first; i < end; i++) { adam_update_one(i, h, bias); } // 1 per block, or the tail
    }
  }
}
