// conv_transpose2d.wgsl — 2-D transposed convolution (as nn.ConvTranspose2d
// without output_padding, groups or dilation), NCHW.
//
// Input position (iy, ix) scatters through tap (ky, kx) into output position
// (iy·s − p + ky, ix·s − p + kx): the adjoint of conv2d.wgsl's index map, so
// conv_transpose2d_forward computes what conv2d_backward_input does, and
// conv_transpose2d_backward_input what conv2d_forward does (same weight array).
//
//   conv_transpose2d_forward:          y[b, o, oy, ox]  = act(bias[o] + Σ_{c, ky, kx : oy = iy·s − p + ky, ox = ix·s − p + kx} x[b, c, iy, ix] · w[c, o, ky, kx])
//   conv_transpose2d_backward_input:   dx[b, c, iy, ix] = Σ_{o, ky, kx} dz[b, o, iy·s − p + ky, ix·s − p + kx] · w[c, o, ky, kx]
//   conv_transpose2d_backward_weight:  dw[c, o, ky, kx] = Σ_{b, iy, ix} x[b, c, iy, ix] · dz[b, o, iy·s − p + ky, ix·s − p + kx]
//   conv_transpose2d_backward_bias:    dbias[o]         = Σ_{b, oy, ox} dz[b, o, oy, ox]
//
// s = stride, p = padding (output positions outside [0, H_out) × [0, W_out)
// are dropped). dz = dy ⊙ act'(y) is formed as it is loaded, as in
// linear.wgsl. HAS_BIAS = false drops the bias (DCGAN's generator layers
// before batch norm): `bias` must still be bound but is never read.
//
// Bindings (B = batch, C_in/C_out = channels, H_in × W_in → H_out × W_out,
// kH × kW kernel; H_out = (H_in − 1)·s − 2p + kH, likewise W_out, given as
// uniforms by the host):
//   x  (B, C_in, H_in, W_in)      y, y_saved, dy  (B, C_out, H_out, W_out)
//   dx (B, C_in, H_in, W_in)      w, dw  (C_in, C_out, kH, kW)   bias, dbias (C_out)
//
// Layout: NCHW and PyTorch's weight order for this layer, (C_in, C_out, kH,
// kW) — note in before out, the transpose of nn.Conv2d's — so a checkpoint
// maps 1:1 onto an nn.ConvTranspose2d state_dict, and the array a conv2d
// with C_out = this layer's C_in uses is the same array in the same order.
//
// Tiling: none yet, as conv2d.wgsl (whose header has the reasons and what
// would make it faster): a direct gather, one invocation per output element
// (64 per workgroup, flat index folded 2D past 65535 workgroups). The
// forward gathers only taps k ≡ oy + p (mod s) that come from a real input
// position, solved once per invocation, so stride 2 skips dead taps; a
// faster version would split the output by phase (oy mod s, ox mod s) into
// s² dense sub-convolutions and tile each over channels and positions.
// conv_transpose2d_backward_bias is one workgroup per output channel with a
// tree reduction in workgroup memory. Measured on SwiftShader at DCGAN's
// 128→64 k4 s2 p1, 7×7 → 14×14, batch 2: forward 0.04, backward_input 0.06,
// backward_weight 0.07 GFLOP per CPU-second (forward ~0.6 CPU-s), ~15× below
// linear.wgsl's tiled 0.8.

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

// Activation fused into the forward's epilogue and the backward's dz loads.
override ACT: u32 = ACT_NONE;
override HAS_BIAS: bool = true;

const WORKGROUP: u32 = 64u; // must match @workgroup_size(64) below and dispatch1d(…, 64) in index.ts

struct ConvTranspose2dParams {
  batch: u32,          // B
  in_channels: u32,    // C_in
  out_channels: u32,   // C_out
  in_height: u32,      // H_in
  in_width: u32,       // W_in
  out_height: u32,     // H_out
  out_width: u32,      // W_out
  kernel_height: u32,  // kH
  kernel_width: u32,   // kW
  stride: u32,         // s, both directions
  padding: u32,        // p, every side
  slope: f32,          // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: ConvTranspose2dParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, C_in, H_in, W_in)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (C_in, C_out, kH, kW)
@group(0) @binding(3) var<storage, read> bias: array<f32>;          // (C_out)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;       // (B, C_out, H_out, W_out)
@group(0) @binding(5) var<storage, read> y_saved: array<f32>;       // (B, C_out, H_out, W_out) forward output, for act'
@group(0) @binding(6) var<storage, read> dy: array<f32>;            // (B, C_out, H_out, W_out)
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;      // (B, C_in, H_in, W_in)
@group(0) @binding(8) var<storage, read_write> dw: array<f32>;      // (C_in, C_out, kH, kW)
@group(0) @binding(9) var<storage, read_write> dbias: array<f32>;   // (C_out)

var<workgroup> partial: array<f32, WORKGROUP>; // conv_transpose2d_backward_bias's reduction

fn activate(v: f32) -> f32 {
  switch ACT {
    case ACT_RELU: { return max(v, 0.0); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > 0.0); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > 0.0); }
    case ACT_TANH: { return tanh(clamp(v, -15.0, 15.0)); } // SwiftShader tanh overflows to NaN past ~44; ±15 already rounds to ±1
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// d act / d pre-activation, written in terms of the output (as linear.wgsl).
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

// dz at flat index i into (B, C_out, H_out, W_out).
fn dz_at(i: u32) -> f32 {
  if (ACT == ACT_NONE) { return dy[i]; }
  return dy[i] * activation_grad(y_saved[i]);
}

// The invocation's flat index, with workgroups folded 2D as dispatch1d does.
fn flat_index(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WORKGROUP; }

// (i0, i1, i2, i3) of flat index i into a row-major (_, n1, n2, n3) tensor.
fn unflatten(i: u32, n1: u32, n2: u32, n3: u32) -> vec4u {
  return vec4u(i / (n1 * n2 * n3), (i / (n2 * n3)) % n1, (i / n3) % n2, i % n3);
}

// One axis of the layer: input position q writes output position q·s − p + k
// through tap k (conv2d.wgsl's map with input and output swapped). Three ways
// to solve 0 ≤ q·s − p + k < n_out, 0 ≤ q < n_in, 0 ≤ k < k_size, each in i32
// so nothing wraps:

// Taps k0, k0 + s, … < end through which output position o is written by
// some input position q = (o + p − k) / s in [0, n_in).
fn taps_into_output(o: u32, k_size: u32, n_in: u32) -> vec2u {
  let s = i32(params.stride);
  let t = i32(o) + i32(params.padding);     // q·s + k
  let lo = max(0, t - (i32(n_in) - 1) * s); // q ≤ n_in − 1
  let hi = min(i32(k_size), t + 1);         // q ≥ 0
  let k0 = lo + (t - lo) % s;               // smallest k ≥ lo with k ≡ t (mod s)
  return vec2u(u32(k0), u32(max(k0, hi)));
}

// Taps [lo, hi) through which input position q writes inside the output.
fn taps_of_input(q: u32, k_size: u32, n_out: u32) -> vec2u {
  let start = i32(q * params.stride) - i32(params.padding); // output position of tap 0
  let lo = max(0, -start);
  let hi = min(i32(k_size), i32(n_out) - start);
  return vec2u(u32(lo), u32(max(lo, hi)));
}

// Input positions [lo, hi) whose tap k writes inside the output.
fn inputs_of_tap(k: u32, n_in: u32, n_out: u32) -> vec2u {
  let s = i32(params.stride);
  let low = i32(params.padding) - i32(k);                   // q·s ≥ low
  let high = i32(n_out) - 1 + i32(params.padding) - i32(k); // q·s ≤ high
  let lo = select(0, (low + s - 1) / s, low > 0);
  let hi = select(0, min(i32(n_in), high / s + 1), high >= 0);
  return vec2u(u32(lo), u32(max(lo, hi)));
}

// y (B, C_out, H_out, W_out): one invocation per element, gathering over
// (c, ky, kx) the input positions that write it.
@compute @workgroup_size(64)
fn conv_transpose2d_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let C_in = params.in_channels;
  let C_out = params.out_channels;
  let H_in = params.in_height;
  let W_in = params.in_width;
  let kH = params.kernel_height;
  let kW = params.kernel_width;
  let s = params.stride;
  let pad = params.padding;
  let i = flat_index(gid, nwg);
  if (i >= params.batch * C_out * params.out_height * params.out_width) { return; }
  let at = unflatten(i, C_out, params.out_height, params.out_width);
  let b = at.x;
  let o = at.y;
  let oy = at.z;
  let ox = at.w;
  let rows = taps_into_output(oy, kH, H_in);
  let cols = taps_into_output(ox, kW, W_in);

  var sum = 0.0;
  if (HAS_BIAS) { sum = bias[o]; }
  for (var c = 0u; c < C_in; c++) {
    let x_plane = (b * C_in + c) * H_in * W_in;
    let w_plane = (c * C_out + o) * kH * kW;
    for (var ky = rows.x; ky < rows.y; ky += s) {
      let x_row = x_plane + ((oy + pad - ky) / s) * W_in;
      let w_row = w_plane + ky * kW;
      for (var kx = cols.x; kx < cols.y; kx += s) {
        sum += x[x_row + (ox + pad - kx) / s] * w[w_row + kx];
      }
    }
  }
  y[i] = activate(sum);
}

// dx (B, C_in, H_in, W_in): one invocation per element, reduction over (o, ky, kx).
@compute @workgroup_size(64)
fn conv_transpose2d_backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let C_in = params.in_channels;
  let C_out = params.out_channels;
  let H_out = params.out_height;
  let W_out = params.out_width;
  let kH = params.kernel_height;
  let kW = params.kernel_width;
  let s = params.stride;
  let pad = params.padding;
  let i = flat_index(gid, nwg);
  if (i >= params.batch * C_in * params.in_height * params.in_width) { return; }
  let at = unflatten(i, C_in, params.in_height, params.in_width);
  let b = at.x;
  let c = at.y;
  let iy = at.z;
  let ix = at.w;
  let rows = taps_of_input(iy, kH, H_out);
  let cols = taps_of_input(ix, kW, W_out);

  var sum = 0.0;
  for (var o = 0u; o < C_out; o++) {
    let z_plane = (b * C_out + o) * H_out * W_out;
    let w_plane = (c * C_out + o) * kH * kW;
    for (var ky = rows.x; ky < rows.y; ky++) {
      let z_row = z_plane + (iy * s + ky - pad) * W_out;
      let w_row = w_plane + ky * kW;
      for (var kx = cols.x; kx < cols.y; kx++) {
        sum += dz_at(z_row + ix * s + kx - pad) * w[w_row + kx];
      }
    }
  }
  dx[i] = sum;
}

// dw (C_in, C_out, kH, kW): one invocation per weight, reduction over (b, iy, ix).
@compute @workgroup_size(64)
fn conv_transpose2d_backward_weight(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let C_in = params.in_channels;
  let C_out = params.out_channels;
  let H_in = params.in_height;
  let W_in = params.in_width;
  let H_out = params.out_height;
  let W_out = params.out_width;
  let s = params.stride;
  let pad = params.padding;
  let i = flat_index(gid, nwg);
  if (i >= C_in * C_out * params.kernel_height * params.kernel_width) { return; }
  let at = unflatten(i, C_out, params.kernel_height, params.kernel_width);
  let c = at.x;
  let o = at.y;
  let ky = at.z;
  let kx = at.w;
  let rows = inputs_of_tap(ky, H_in, H_out);
  let cols = inputs_of_tap(kx, W_in, W_out);

  var sum = 0.0;
  for (var b = 0u; b < params.batch; b++) {
    let x_plane = (b * C_in + c) * H_in * W_in;
    let z_plane = (b * C_out + o) * H_out * W_out;
    for (var iy = rows.x; iy < rows.y; iy++) {
      let x_row = x_plane + iy * W_in;
      let z_row = z_plane + (iy * s + ky - pad) * W_out;
      for (var ix = cols.x; ix < cols.y; ix++) {
        sum += x[x_row + ix] * dz_at(z_row + ix * s + kx - pad);
      }
    }
  }
  dw[i] = sum;
}

// dbias (C_out): one workgroup per output channel; its 64 invocations stride
// over the channel's B·H_out·W_out values of dz, then a tree reduction.
@compute @workgroup_size(64)
fn conv_transpose2d_backward_bias(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x;
  let plane = params.out_height * params.out_width;
  var sum = 0.0;
  for (var j = lid; j < params.batch * plane; j += WORKGROUP) {
    sum += dz_at(((j / plane) * params.out_channels + o) * plane + j % plane);
  }
  partial[lid] = sum;
  workgroupBarrier();
  for (var span = WORKGROUP / 2u; span > 0u; span /= 2u) {
    if (lid < span) { partial[lid] += partial[lid + span]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dbias[o] = partial[0]; }
}
