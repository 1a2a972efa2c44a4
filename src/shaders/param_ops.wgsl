// param_ops.wgsl — element-wise passes over a net's flat parameters after its
// optimizer update, each skipped once training has halted (that update was refused):
//
//   ema_update:    averaged = d · averaged + (1 − d) · params     (an EMA of the weights)
//                  d = min(decay, (1 + t) / (10 + t)) with warmup (t = the phase's update count), else decay
//   clamp_params:  params = clamp(params, −limit, limit)                  (WGAN's weight clipping)
//
// Bindings (P = parameter count): params (P)   averaged (P)   state (STATE_WORDS, u32)
// clamp_params: PARAM_OPS_WORKGROUP invocations per workgroup, each striding over the buffer (grid stride).
// ema_update: EMA_WG invocations per workgroup, each averaging blocks of EMA_ELEMS consecutive
// parameters (WGSL overrides; the defaults 64 × 1 are the kernel as it always was), at most
// PARAM_OPS_MAX_WORKGROUPS workgroups striding over the blocks. The tuner picks the pair per
// parameter count (paramOpsKernels.tuning): GPUs want fewer, fuller workgroups than SwiftShader,
// and 4 parameters per invocation amortise the per-invocation bookkeeping (the halt flag, t, the
// decay) and issue 4 independent loads of each buffer before the first store. Every value goes
// through the same ema_value whatever the variant, so all variants give the same bits
// (docs/performance-notes.md#optimizers).

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

// The new average of one value from the old one, its parameter and the decay.
fn ema_value(old: f32, p: f32, d: f32) -> f32 { return d * old + (1.0 - d) * p; }

@compute @workgroup_size(EMA_WG)
fn ema_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  let t = f32(state[STATE_UPDATES + ema.phase]);
  let d = select(ema.decay, min(ema.decay, (1.0 + t) / (10.0 + t)), ema.warmup != 0u);
  let blocks = (ema.count + EMA_ELEMS - 1u) / EMA_ELEMS;
  for (var b = gid.x; b < blocks; b += nwg.x * EMA_WG) {
    let first = b * EMA_ELEMS;
    let end = min(first + EMA_ELEMS, ema.count);
    if (EMA_ELEMS == 4u && end - first == 4u) {
      // Every load first, then the four averages and their stores.
      let a = vec4f(averaged[first], averaged[first + 1u], averaged[first + 2u], averaged[first + 3u]);
      let p = vec4f(params[first], params[first + 1u], params[first + 2u], params[first + 3u]);
      averaged[first] = ema_value(a.x, p.x, d);
      averaged[first + 1u] = ema_value(a.y, p.y, d);
      averaged[first + 2u] = ema_value(a.z, p.z, d);
      averaged[first + 3u] = ema_value(a.w, p.w, d);
    } else {
      for (var i = first; i < end; i++) { averaged[i] = ema_value(averaged[i], params[i], d); } // 1 per block, or the tail
    }
  }
}

@compute @workgroup_size(PARAM_OPS_WORKGROUP)
fn clamp_params(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (state[STATE_HALTED] != 0u) { return; }
  for (var i = gid.x; i < clamp_by.count; i += nwg.x * PARAM_OPS_WORKGROUP) {
    params[i] = clamp(params[i], -clamp_by.limit, clamp_by.limit);
  }
}
