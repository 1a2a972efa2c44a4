// activation.wgsl — prelude: the activations by code (ACT_*, constants.ts)
// and their derivatives. No bindings: the code and the slope (LeakyReLU's
// negative slope, ELU's alpha) are arguments, from a uniform, an override or
// storage. The derivative takes the OUTPUT y: every activation here has one
// that is a function of y, so a backward needs only the saved output.
//
//   code        y = act(v)                     act'(v) from y
//   none        v                              1
//   relu        max(v, 0)                      y > 0 ? 1 : 0
//   leakyRelu   v > 0 ? v : slope·v            y > 0 ? 1 : slope
//   elu         v > 0 ? v : slope·(e^v − 1)    y > 0 ? 1 : y + slope
//   tanh        tanh(v)                        1 − y²
//   sigmoid     1 / (1 + e^−v)                 y·(1 − y)
// Why ifs and one exp rather than a switch: docs/performance-notes.md#activations

// One exp serves ELU (e^min(v, 0)), tanh (e^2v: 1 − 2 / (e^2v + 1)) and
// sigmoid (e^−v). tanh's argument is clamped to ±15 (already ±1 in f32): e^2v
// overflowing to inf would still give ±1 here, but SwiftShader's own tanh
// turns NaN past ~44, and the clamp keeps the two forms interchangeable.
fn activate(v: vec4f, act: u32, slope: f32) -> vec4f {
  var arg = vec4f(0.0);
  if (act == ACT_ELU) { arg = min(v, vec4f(0.0)); }
  if (act == ACT_TANH) { arg = 2.0 * clamp(v, vec4f(-15.0), vec4f(15.0)); }
  if (act == ACT_SIGMOID) { arg = -v; }
  let e = exp(arg);
  var fx = v;
  if (act == ACT_RELU) { fx = max(v, vec4f(0.0)); }
  if (act == ACT_LEAKY_RELU) { fx = select(slope * v, v, v > vec4f(0.0)); }
  if (act == ACT_ELU) { fx = select(slope * (e - 1.0), v, v > vec4f(0.0)); }
  if (act == ACT_TANH) { fx = 1.0 - 2.0 / (e + 1.0); }
  if (act == ACT_SIGMOID) { fx = 1.0 / (1.0 + e); }
  return fx;
}

// d act / d pre-activation at the output fx = act(v) (named fx, not y: the
// kernels that include this bind a `y`).
fn activation_grad(fx: vec4f, act: u32, slope: f32) -> vec4f {
  var g = vec4f(1.0);
  if (act == ACT_RELU) { g = select(vec4f(0.0), vec4f(1.0), fx > vec4f(0.0)); }
  if (act == ACT_LEAKY_RELU) { g = select(vec4f(slope), vec4f(1.0), fx > vec4f(0.0)); }
  if (act == ACT_ELU) { g = select(fx + slope, vec4f(1.0), fx > vec4f(0.0)); }
  if (act == ACT_TANH) { g = 1.0 - fx * fx; }
  if (act == ACT_SIGMOID) { g = fx * (1.0 - fx); }
  return g;
}

// The same for one value (activation.wgsl, batchnorm.wgsl). Not activate(vec4f(v)).x:
// SwiftShader computes all four lanes of that vec4 (activation_forward took 1.5×).
fn activate_f32(v: f32, act: u32, slope: f32) -> f32 {
  var arg = 0.0;
  if (act == ACT_ELU) { arg = min(v, 0.0); }
  if (act == ACT_TANH) { arg = 2.0 * clamp(v, -15.0, 15.0); }
  if (act == ACT_SIGMOID) { arg = -v; }
  let e = exp(arg);
  var fx = v;
  if (act == ACT_RELU) { fx = max(v, 0.0); }
  if (act == ACT_LEAKY_RELU) { fx = select(slope * v, v, v > 0.0); }
  if (act == ACT_ELU) { fx = select(slope * (e - 1.0), v, v > 0.0); }
  if (act == ACT_TANH) { fx = 1.0 - 2.0 / (e + 1.0); }
  if (act == ACT_SIGMOID) { fx = 1.0 / (1.0 + e); }
  return fx;
}

fn activation_grad_f32(fx: f32, act: u32, slope: f32) -> f32 {
  var g = 1.0;
  if (act == ACT_RELU) { g = select(0.0, 1.0, fx > 0.0); }
  if (act == ACT_LEAKY_RELU) { g = select(slope, 1.0, fx > 0.0); }
  if (act == ACT_ELU) { g = select(fx + slope, 1.0, fx > 0.0); }
  if (act == ACT_TANH) { g = 1.0 - fx * fx; }
  if (act == ACT_SIGMOID) { g = fx * (1.0 - fx); }
  return g;
}
