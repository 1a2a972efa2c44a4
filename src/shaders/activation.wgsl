// activation.wgsl — elementwise activations (prelude/activation.wgsl): a lone activation (one that
// no layer before it absorbs; linear.wgsl applies the common case in its epilogue), and the dz that
// linear.wgsl's backward products read.
//
//   activation_forward:          y[i]  = act(x[i])
//   activation_backward_input:   dx[i] = dy[i] · act'(x[i]), from the saved output y_saved[i]
//   activation_backward_inplace: dz[i] = dz[i] · act'(x[i]) (dz holds dy on entry), likewise
//
// The activation is the uniform `act` (ACT_*), not an override: docs/performance-notes.md#linear
// Bindings (count = number of elements, any shape flattened):
//   x (count)   y (count)   y_saved (count, the forward's y)   dy (count)   dx (count)   dz (count)
// Dispatch: one element per invocation, ACTIVATION_WORKGROUP per workgroup, workgroups folded 2D past
// 65535 (dispatch1d): i = gid.x + gid.y · num_workgroups.x · ACTIVATION_WORKGROUP.

struct ActivationParams {
  count: u32,
  act: u32,     // ACT_*
  slope: f32,   // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: ActivationParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> y_saved: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dz: array<f32>;

@compute @workgroup_size(ACTIVATION_WORKGROUP)
fn activation_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ACTIVATION_WORKGROUP;
  if (i >= params.count) { return; }
  y[i] = activate_f32(x[i], params.act, params.slope);
}

@compute @workgroup_size(ACTIVATION_WORKGROUP)
fn activation_backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ACTIVATION_WORKGROUP;
  if (i >= params.count) { return; }
  dx[i] = dy[i] * activation_grad_f32(y_saved[i], params.act, params.slope);
}

@compute @workgroup_size(ACTIVATION_WORKGROUP)
fn activation_backward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ACTIVATION_WORKGROUP;
  if (i >= params.count) { return; }
  dz[i] = dz[i] * activation_grad_f32(y_saved[i], params.act, params.slope);
}
