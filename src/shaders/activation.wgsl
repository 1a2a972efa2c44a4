// activation.wgsl — elementwise activations: a lone activation (one that no
// layer before it absorbs; linear.wgsl applies the common case in its
// epilogue), and the dz that linear.wgsl's backward products read.
//
//   activation_forward:          y[i]  = act(x[i])
//   activation_backward_input:   dx[i] = dy[i] · act'(x[i]), written in terms of the saved output y[i]
//   activation_backward_inplace: dz[i] = dz[i] · act'(x[i]) (dz holds dy on entry), as above
//
// The activation is a uniform (`act`), not a pipeline constant: linear.wgsl's
// header has the compile-time measurements behind that.
//
// Bindings (count = number of elements, any shape flattened):
//   x (count)   y (count)   y_saved (count, the forward's y)   dy (count)   dx (count)   dz (count)
// Dispatch: 64 invocations per workgroup, workgroups laid out 2D when the
// count passes 65535 workgroups; i = gid.x + gid.y · (num_workgroups.x · 64).

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

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

fn activate(v: f32) -> f32 {
  switch params.act {
    case ACT_RELU: { return max(v, 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > 0.0); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > 0.0); }
    // Clamped: tanh(±100) is NaN on SwiftShader (e^2v overflows); |v| ≥ 15 is ±1 in f32 anyway.
    case ACT_TANH: { return tanh(clamp(v, -15.0, 15.0)); }
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// Same derivative-from-output rules as linear.wgsl.
fn activation_grad(out: f32) -> f32 {
  switch params.act {
    case ACT_RELU: { return select(0.0, 1.0, out > 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope, 1.0, out > 0.0); }
    case ACT_ELU: { return select(out + params.slope, 1.0, out > 0.0); }
    case ACT_TANH: { return 1.0 - out * out; }
    case ACT_SIGMOID: { return out * (1.0 - out); }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(64)
fn activation_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.count) { return; }
  y[i] = activate(x[i]);
}

@compute @workgroup_size(64)
fn activation_backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.count) { return; }
  dx[i] = dy[i] * activation_grad(y_saved[i]);
}

@compute @workgroup_size(64)
fn activation_backward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.count) { return; }
  dz[i] = dz[i] * activation_grad(y_saved[i]);
}
