// activation.wgsl — elementwise activations, for an activation that no
// linear layer before it can absorb (linear.wgsl fuses the common case).
//
//   activation_forward:         y[i]  = act(x[i])
//   activation_backward_input:  dx[i] = dy[i] · act'(x[i]), written in terms of the saved output y[i]
//
// Bindings (count = number of elements, any shape flattened):
//   x (count)   y (count)   y_saved (count, the forward's y)   dy (count)   dx (count)
// Dispatch: 64 invocations per workgroup, workgroups laid out 2D when the
// count passes 65535 workgroups; i = gid.x + gid.y · (num_workgroups.x · 64).

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

override ACT: u32 = ACT_NONE;

struct ActivationParams {
  count: u32,
  slope: f32,   // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: ActivationParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> y_saved: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

fn activate(v: f32) -> f32 {
  switch ACT {
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
  switch ACT {
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
