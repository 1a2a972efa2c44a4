// param_ops.wgsl — element-wise passes over a net's flat parameters after its
// optimizer update, each skipped once training has halted (that update was refused):
//
//   ema_update:    averaged = d · averaged + (1 − d) · params     (an EMA of the weights)
//                  d = min(decay, (1 + t) / (10 + t)) with warmup (t = the phase's update count), else decay
//   clamp_params:  params = clamp(params, −limit, limit)                  (WGAN's weight clipping)
//
// Bindings (P = parameter count): params (P)   averaged (P)   state (STATE_WORDS, u32)
// PARAM_OPS_WORKGROUP invocations per workgroup, each striding over the buffer (grid stride).

struct EmaParams {
  count: u32,
  phase: u32,
  warmup: u32,
  decay: f32,
}

struct ClampParams {
  count: u32,
  limit: f32,
}

@group(0) @binding(0) var<uniform> ema: EmaParams;
@group(0) @binding(1) var<uniform> clamp_by: ClampParams;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> averaged: array<f32>;
@group(0) @binding(4) var<storage, read> state: array<u32>;

@compute @workgroup_size(PARAM_OPS_WORKGROUP)
fn ema_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let t = f32(state[STATE_UPDATES + ema.phase]);
  let d = select(ema.decay, min(ema.decay, (1.0 + t) / (10.0 + t)), ema.warmup != 0u);
  for (var i = gid.x; i < ema.count; i += nwg.x * PARAM_OPS_WORKGROUP) {
    averaged[i] = d * averaged[i] + (1.0 - d) * params[i];
  }
}

@compute @workgroup_size(PARAM_OPS_WORKGROUP)
fn clamp_params(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  for (var i = gid.x; i < clamp_by.count; i += nwg.x * PARAM_OPS_WORKGROUP) {
    params[i] = clamp(params[i], -clamp_by.limit, clamp_by.limit);
  }
}
