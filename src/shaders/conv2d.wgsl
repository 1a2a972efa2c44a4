// conv2d.wgsl — 2-D convolution (cross-correlation, as nn.Conv2d), NCHW.
//
//   conv2d_forward:          y[b, o, oy, ox]  = act(bias[o] + Σ_{c, ky, kx} x[b, c, oy·s − p + ky, ox·s − p + kx] · w[o, c, ky, kx])
//   conv2d_backward_input:   dx[b, c, iy, ix] = Σ_{o, ky, kx : iy = oy·s − p + ky, ix = ox·s − p + kx} dz[b, o, oy, ox] · w[o, c, ky, kx]
//                            for c < dx_channels only (a uniform, ≤ C_in; C_in for the whole gradient)
//   conv2d_backward_weight:  dw[o, c, ky, kx] = Σ_{b, oy, ox} dz[b, o, oy, ox] · x[b, c, oy·s − p + ky, ox·s − p + kx]
//   conv2d_backward_bias:    dbias[o]         = Σ_{b, oy, ox} dz[b, o, oy, ox]
//
// s = stride, p = zero padding on every side (taps outside the image read 0).
// dz = dy ⊙ act'(y) is formed as it is loaded, as in linear.wgsl: every
// activation we support has a derivative that is a function of its output y.
// HAS_BIAS = false drops the bias (nn.Conv2d(bias=False), as DCGAN's layers
// before batch norm): `bias` must still be bound (any buffer, e.g. 1 float)
// but is never read, and conv2d_backward_bias is not needed.
//
// Bindings (B = batch, C_in/C_out = channels, H_in × W_in → H_out × W_out,
// kH × kW kernel; H_out = ⌊(H_in + 2p − kH) / s⌋ + 1, likewise W_out, given
// as uniforms by the host):
//   x  (B, C_in, H_in, W_in)      y, y_saved, dy  (B, C_out, H_out, W_out)
//   dx (B, dx_channels, H_in, W_in)   w, dw  (C_out, C_in, kH, kW)   bias, dbias (C_out)
//
// Layout: NCHW and PyTorch's weight order, so a checkpoint maps 1:1 onto an
// nn.Conv2d state_dict (no transposes at load/save, and the CPU reference and
// tests can be read against PyTorch's definitions). conv_transpose2d.wgsl
// uses the same layout and the same index math reversed (it is the adjoint).
//
// Tiling: the three products are implicit GEMMs (no im2col copy) on
// linear.wgsl's register tile: each invocation owns TILE × TILE = 16 × 16
// outputs, held as 16 TileRow values of four vec4f accumulators, and the
// reduction advances 4 indices per step (the 16 tile columns' 4 terms
// gathered into four mat4x4f, each tile row's 4 terms into a vec4f):
//   forward          rows (b, oy, ox)  cols o          reduction (c, ky, kx)
//   backward_input   rows (b, iy, ix)  cols c          reduction (o, ty, tx), one phase
//   backward_weight  rows o            cols (c, ky, kx) reduction (b, oy, ox), split 16 ways
// The operand indexed by a position (x, or dz in backward_input) is read
// through an Anchor per tile row or column (its flat index and coordinates
// at tap 0, possibly in the padding) plus the step's Taps (offsets of the 4
// reduction indices), so a step costs one add and one bounds test per term;
// taps in the padding or past the reduction read 0. Rows and columns past
// the end are clamped on load and masked on store, so any shape works.
// - backward_input is the transposed convolution's structure: with stride s
//   only the taps k ≡ iy + p (mod s) reach input row iy. The input is split
//   by phase (iy mod s, ix mod s), one dispatch z per phase: within a phase
//   the live taps are k0 + s·t and the output row they read is
//   u + shift − t (iy = s·u + r), a dense stride-1 correlation, so no dead
//   tap is loaded or multiplied.
// - backward_weight has few outputs and a long reduction (DCGAN's conv
//   1→64 k4: 1024 weights, 4 tiles, B·14·14 terms): a workgroup is 16
//   invocations on one output tile, each summing every 16th step of the
//   reduction, then the 16 partial tiles are added in workgroup memory one
//   tile row at a time (no scratch buffer, and the sum order is fixed).
// - backward_bias: one invocation per output channel, 4 values of dz per
//   step, no workgroup reduction.
// Workgroups are 4 × 4 invocations with the position tiles on x, so that
// the 4 lanes of a SwiftShader SIMD group (consecutive invocations) share a
// column tile and layers with ≤ 16 channels still fill them.
//
// Measured on SwiftShader (Subzero, the CI adapter; bench/conv-kernels.mjs,
// CPU time per dispatch, which holds up under the shared machine's load
// better than wall time), DCGAN layers at batch 64, GFLOP per CPU-second,
// against the direct gather this replaced (one invocation per output
// element; measured at batch 4, where it took ~1 CPU-s per large dispatch):
//   layer (bench/conv-kernels.mjs)  entry            direct  tiled
//   conv 64→128 k4 s2 14→7          forward          0.057   1.04
//                                   backward_input   0.038   0.71–0.75
//                                   backward_weight  0.067   0.62–0.95
//   conv 1→64 k4 s2 28→14           forward          0.050   0.43–0.47
//                                   backward_weight  0.048   0.31–0.86
//                                   backward_input   0.026   0.03–0.05 (C_in = 1, see below)
//   backward_bias, conv 1→64: ~170 CPU-ms per dispatch (10.8 at batch 4)
//   → 20–28; conv 64→128: 12 at batch 4 → 6–7 at batch 64.
// (Ranges: runs on the shared 2-core machine, alone and next to a test run.)
// conv_transpose2d.wgsl measures the same on the transposed layers (its
// header). Pipeline compiles are 2–5 s per entry point (Subzero), against
// 0.05–0.3 s for the direct gather and ~1 s for linear.wgsl's 16 × 16.
//
// Why these choices (reasons measured for linear.wgsl: every load from an
// array at a computed index costs an emulated 4-lane gather, ~70 cycles,
// whatever the addresses, so what pays is reuse per load; a 16 × 16 tile
// loads 32 values per reduction index for 256 multiply-adds):
// - The large layers reach linear.wgsl's rate (~1 GFLOP/cpu-s): the
//   position-indexed operand's bounds test and index add are paid once per
//   term for 16 multiply-adds into a vec4 × mat4x4.
// - That operand, not the weights, sets the cost of a step: on convT
//   64→1's forward (one column of 16 real) loading and multiplying only the
//   first of the four column groups saved nothing, dropping the bounds test
//   saved 30%, and prologue + epilogue (anchors, stores, act) were 15%. So a
//   layer with one channel on the tile's column side runs at 1/16 of the
//   tile's work for nearly its cost: conv 1→64's backward_input above (never
//   run in training: it is the first layer) and convT 64→1's forward, DCGAN's
//   image layer (0.06, no better than the direct gather). What would fix
//   it: a direct kernel for ≤ 4 channels that reuses each input pixel for
//   all the outputs it reaches (16 for k4 s2) from a block of positions.
//   conv2d_backward_input_narrow is that kernel within one stride phase
//   (each dz value reaches 4 positions of a phase for k4 s2), one channel per
//   invocation; net-gpu.ts runs it for ≤ 4 dx channels. CPU-ms per dispatch
//   (bench/conv-kernels.mjs, two runs, machine loaded 5–11 on 2 cores):
//     conv 1→64 28→14 b64, tiled 648–990 → narrow 381–389 (act LeakyReLU;
//       212 without act: the y_saved loads of dz = dy·act'(y) are ~45%)
//     conv 11→8 28→14 b64 (cdcganSmall's D), tiled with dx for all 11
//       channels 172–202 → narrow with dx_channels = 1: 42–54
//     narrow costs ~45 per channel there (514 for all 11: worse than the
//       tile past ~4 channels, hence the cut at 4).
// Reasoned from that cost model, not measured one against the other:
// - Phases rather than a tap test: the stride-2 transposed structure then
//   loads and multiplies only live taps (a tap test would load 4× the terms
//   at stride 2, 3/4 of them zero).
// - backward_weight split 16 ways within a workgroup: conv 1→64 has 4 output
//   tiles, which unsplit would run on 4 invocations in 4 SIMD groups, one
//   lane each; the 16 partial tiles cost 16 rounds of 4 vec4 writes and 16
//   reads per invocation, against K/64 reduction steps.
// - backward_bias without workgroup barriers (one invocation per channel,
//   serial): 6–27× less CPU than the direct version's per-channel tree
//   reduction on the DCGAN layers above.

const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_LEAKY_RELU: u32 = 2u;
const ACT_ELU: u32 = 3u;
const ACT_TANH: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;

// Activation fused into the forward's epilogue and the backward's dz loads.
override ACT: u32 = ACT_NONE;
override HAS_BIAS: bool = true;

// Must match @workgroup_size below and conv2dKernels' dispatch in index.ts:
// forward and backward_input run 4 × 4 invocations of TILE × TILE outputs;
// backward_weight SPLIT invocations per TILE × TILE outputs (SPLIT = TILE);
// backward_bias 64 invocations of one channel each.
const TILE: u32 = 16u;
const SPLIT: u32 = 16u;
const STEP = vec4u(0u, 1u, 2u, 3u); // the 4 reduction indices one step covers

struct Conv2dParams {
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
  dx_channels: u32,    // backward_input: dx for input channels 0 .. dx_channels−1 only (≤ C_in)
  slope: f32,          // LeakyReLU negative slope, or ELU alpha
}

@group(0) @binding(0) var<uniform> params: Conv2dParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, C_in, H_in, W_in)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (C_out, C_in, kH, kW)
@group(0) @binding(3) var<storage, read> bias: array<f32>;          // (C_out)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;       // (B, C_out, H_out, W_out)
@group(0) @binding(5) var<storage, read> y_saved: array<f32>;       // (B, C_out, H_out, W_out) forward output, for act'
@group(0) @binding(6) var<storage, read> dy: array<f32>;            // (B, C_out, H_out, W_out)
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;      // (B, C_in, H_in, W_in)
@group(0) @binding(8) var<storage, read_write> dw: array<f32>;      // (C_out, C_in, kH, kW)
@group(0) @binding(9) var<storage, read_write> dbias: array<f32>;   // (C_out)

// conv2d_backward_weight's partial tile rows: SPLIT invocations × TILE columns, as vec4f.
var<workgroup> partial_rows: array<vec4f, SPLIT * TILE / 4u>;

fn activate(v: vec4f) -> vec4f {
  switch ACT {
    case ACT_RELU: { return max(v, vec4f(0.0)); }
    case ACT_LEAKY_RELU: { return select(params.slope * v, v, v > vec4f(0.0)); }
    case ACT_ELU: { return select(params.slope * (exp(v) - 1.0), v, v > vec4f(0.0)); }
    case ACT_TANH: { return tanh(clamp(v, vec4f(-15.0), vec4f(15.0))); } // SwiftShader tanh overflows to NaN past ~44; ±15 already rounds to ±1
    case ACT_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    default: { return v; }
  }
}

// d act / d pre-activation, written in terms of the output (as linear.wgsl).
fn activation_grad(out: vec4f) -> vec4f {
  switch ACT {
    case ACT_RELU: { return select(vec4f(0.0), vec4f(1.0), out > vec4f(0.0)); }
    case ACT_LEAKY_RELU: { return select(vec4f(params.slope), vec4f(1.0), out > vec4f(0.0)); }
    case ACT_ELU: { return select(out + params.slope, vec4f(1.0), out > vec4f(0.0)); }
    case ACT_TANH: { return 1.0 - out * out; }
    case ACT_SIGMOID: { return out * (1.0 - out); }
    default: { return vec4f(1.0); }
  }
}

// Four values at flat indices i (all valid).
fn x4(i: vec4u) -> vec4f { return vec4f(x[i.x], x[i.y], x[i.z], x[i.w]); }
fn w4(i: vec4u) -> vec4f { return vec4f(w[i.x], w[i.y], w[i.z], w[i.w]); }

// dz at four flat indices i into (B, C_out, H_out, W_out).
fn dz4(i: vec4u) -> vec4f {
  let g = vec4f(dy[i.x], dy[i.y], dy[i.z], dy[i.w]);
  if (ACT == ACT_NONE) { return g; }
  return g * activation_grad(vec4f(y_saved[i.x], y_saved[i.y], y_saved[i.z], y_saved[i.w]));
}

// Sixteen accumulators of one tile row: qj holds tile columns 4j .. 4j+3.
struct TileRow { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// One reduction step's terms for the 16 tile columns: column c of mj holds
// the 4 terms of tile column 4j + c.
struct TileCols { m0: mat4x4f, m1: mat4x4f, m2: mat4x4f, m3: mat4x4f }

// A tile row after one reduction step: a holds the row's 4 terms; a * mj is
// the 4 dot products with the columns of mj.
fn row_step(acc: TileRow, a: vec4f, c: TileCols) -> TileRow {
  return TileRow(acc.q0 + a * c.m0, acc.q1 + a * c.m1, acc.q2 + a * c.m2, acc.q3 + a * c.m3);
}

// Terms of 4 consecutive tile columns from w: column j (clamped to count - 1)
// starts at j * stride, and its 4 terms sit at offsets.
fn w_cols(j: u32, count: u32, stride: u32, offsets: vec4u) -> mat4x4f {
  let last = count - 1u;
  return mat4x4f(w4(min(j, last) * stride + offsets), w4(min(j + 1u, last) * stride + offsets),
                 w4(min(j + 2u, last) * stride + offsets), w4(min(j + 3u, last) * stride + offsets));
}

// A tile row's or column's element of a position-indexed operand at tap 0:
// flat index `at` and plane coordinates (y, x), any of which may lie in the
// padding (negative, or past the plane).
struct Anchor { at: i32, y: i32, x: i32 }

// One step's 4 reduction indices: their offsets from an Anchor (flat, rows,
// columns), which are real (index < K), and `flat`, their offsets in the
// other operand (clamped, always valid).
struct Taps { at: vec4i, y: vec4i, x: vec4i, live: vec4<bool>, flat: vec4u }

// The 4 terms anchor + taps of x (zero in the padding and past K).
fn x_taps(a: Anchor, t: Taps) -> vec4f {
  let inside = t.live & (vec4u(a.y + t.y) < vec4u(params.in_height)) & (vec4u(a.x + t.x) < vec4u(params.in_width));
  return select(vec4f(0.0), x4(vec4u(select(vec4i(0), a.at + t.at, inside))), inside);
}

// The 4 terms anchor + taps of dz (zero outside the output and past K).
fn dz_taps(a: Anchor, t: Taps) -> vec4f {
  let inside = t.live & (vec4u(a.y + t.y) < vec4u(params.out_height)) & (vec4u(a.x + t.x) < vec4u(params.out_width));
  return select(vec4f(0.0), dz4(vec4u(select(vec4i(0), a.at + t.at, inside))), inside);
}

// The 4 reduction indices from k, clamped to count - 1, and which are real.
fn step_indices(k: u32, count: u32) -> vec4u { return min(k + STEP, vec4u(count - 1u)); }
fn step_live(k: u32, count: u32) -> vec4<bool> { return k + STEP < vec4u(count); }

// ---- conv2d_forward: rows m = (b, oy, ox), columns o, reduction (c, ky, kx).

// x at tap (c, ky, kx) = (0, 0, 0) of output position m (clamped to the last).
fn forward_anchor(m: u32) -> Anchor {
  let plane = params.out_height * params.out_width;
  let mm = min(m, params.batch * plane - 1u);
  let j = mm % plane;
  let iy = i32((j / params.out_width) * params.stride) - i32(params.padding);
  let ix = i32((j % params.out_width) * params.stride) - i32(params.padding);
  let image = (mm / plane) * params.in_channels * params.in_height * params.in_width;
  return Anchor(i32(image) + iy * i32(params.in_width) + ix, iy, ix);
}

// Reduction indices k .. k+3 = (c, ky, kx) over (C_in, kH, kW): offsets in x;
// flat = the indices themselves, w's offsets within a row (o, ·, ·, ·).
fn forward_taps(k: u32) -> Taps {
  let taps = params.kernel_height * params.kernel_width;
  let K = params.in_channels * taps;
  let i = step_indices(k, K);
  let c = i / taps;
  let ky = (i % taps) / params.kernel_width;
  let kx = i % params.kernel_width;
  let at = c * params.in_height * params.in_width + ky * params.in_width + kx;
  return Taps(vec4i(at), vec4i(ky), vec4i(kx), step_live(k, K), i);
}

// Masked stores of channels o .. o+3 at output position m, bias and act applied.
fn store_y(m: u32, o: u32, v: vec4f) {
  let N = params.out_channels;
  let plane = params.out_height * params.out_width;
  let at = (m / plane) * N * plane + m % plane; // y[b, 0, oy, ox]
  var z = v;
  if (HAS_BIAS) {
    let last = N - 1u;
    z += vec4f(bias[min(o, last)], bias[min(o + 1u, last)], bias[min(o + 2u, last)], bias[min(o + 3u, last)]);
  }
  z = activate(z);
  if (o < N) { y[at + o * plane] = z.x; }
  if (o + 1u < N) { y[at + (o + 1u) * plane] = z.y; }
  if (o + 2u < N) { y[at + (o + 2u) * plane] = z.z; }
  if (o + 3u < N) { y[at + (o + 3u) * plane] = z.w; }
}

@compute @workgroup_size(4, 4)
fn conv2d_forward(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.out_height * params.out_width;
  let N = params.out_channels;
  let K = params.in_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * TILE;
  let n0 = gid.y * TILE;
  if (m0 >= M || n0 >= N) { return; }

  let a0 = forward_anchor(m0); let a1 = forward_anchor(m0 + 1u); let a2 = forward_anchor(m0 + 2u); let a3 = forward_anchor(m0 + 3u);
  let a4 = forward_anchor(m0 + 4u); let a5 = forward_anchor(m0 + 5u); let a6 = forward_anchor(m0 + 6u); let a7 = forward_anchor(m0 + 7u);
  let a8 = forward_anchor(m0 + 8u); let a9 = forward_anchor(m0 + 9u); let a10 = forward_anchor(m0 + 10u); let a11 = forward_anchor(m0 + 11u);
  let a12 = forward_anchor(m0 + 12u); let a13 = forward_anchor(m0 + 13u); let a14 = forward_anchor(m0 + 14u); let a15 = forward_anchor(m0 + 15u);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k);
    let c = TileCols(w_cols(n0, N, K, taps.flat), w_cols(n0 + 4u, N, K, taps.flat),
                     w_cols(n0 + 8u, N, K, taps.flat), w_cols(n0 + 12u, N, K, taps.flat));
    t0 = row_step(t0, x_taps(a0, taps), c);
    t1 = row_step(t1, x_taps(a1, taps), c);
    t2 = row_step(t2, x_taps(a2, taps), c);
    t3 = row_step(t3, x_taps(a3, taps), c);
    t4 = row_step(t4, x_taps(a4, taps), c);
    t5 = row_step(t5, x_taps(a5, taps), c);
    t6 = row_step(t6, x_taps(a6, taps), c);
    t7 = row_step(t7, x_taps(a7, taps), c);
    t8 = row_step(t8, x_taps(a8, taps), c);
    t9 = row_step(t9, x_taps(a9, taps), c);
    t10 = row_step(t10, x_taps(a10, taps), c);
    t11 = row_step(t11, x_taps(a11, taps), c);
    t12 = row_step(t12, x_taps(a12, taps), c);
    t13 = row_step(t13, x_taps(a13, taps), c);
    t14 = row_step(t14, x_taps(a14, taps), c);
    t15 = row_step(t15, x_taps(a15, taps), c);
  }
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE && m0 + r < M; r++) {
    let t = tile[r];
    store_y(m0 + r, n0, t.q0);
    store_y(m0 + r, n0 + 4u, t.q1);
    store_y(m0 + r, n0 + 8u, t.q2);
    store_y(m0 + r, n0 + 12u, t.q3);
  }
}

// ---- conv2d_backward_input: one phase (ry, rx) of the input per dispatch z;
// rows m = (b, uy, ux) with (iy, ix) = (s·uy + ry, s·ux + rx), columns c,
// reduction (o, ty, tx) over the phase's taps (ky, kx) = (ky0 + s·ty, kx0 + s·tx).

// One axis of a phase: input positions s·u + r for u < count read output
// position u + shift − t through tap k0 + s·t, t < taps.
struct Phase { k0: u32, taps: u32, shift: i32, count: u32 }

fn phase_of(r: u32, k_size: u32, n_in: u32) -> Phase {
  let s = params.stride;
  let k0 = (r + params.padding) % s; // k ≡ iy + p (mod s)
  let taps = select(0u, (k_size - k0 + s - 1u) / s, k0 < k_size);
  let count = select(0u, (n_in - r + s - 1u) / s, r < n_in);
  return Phase(k0, taps, i32((r + params.padding) / s), count);
}

// dz at tap (o, ty, tx) = (0, 0, 0) of phase row m (clamped to the last).
fn backward_input_anchor(m: u32, py: Phase, px: Phase) -> Anchor {
  let plane = py.count * px.count;
  let mm = min(m, params.batch * plane - 1u);
  let j = mm % plane;
  let oy = i32(j / px.count) + py.shift;
  let ox = i32(j % px.count) + px.shift;
  let image = (mm / plane) * params.out_channels * params.out_height * params.out_width;
  return Anchor(i32(image) + oy * i32(params.out_width) + ox, oy, ox);
}

// Reduction indices k .. k+3 = (o, ty, tx) over (C_out, py.taps, px.taps):
// offsets in dz; flat = w's offsets within a column (·, c, ·, ·).
fn backward_input_taps(k: u32, py: Phase, px: Phase) -> Taps {
  let taps = py.taps * px.taps;
  let K = params.out_channels * taps;
  let i = step_indices(k, K);
  let o = i / taps;
  let ty = (i % taps) / px.taps;
  let tx = i % px.taps;
  let at = o * params.out_height * params.out_width - ty * params.out_width - tx; // wraps below 0: read as i32
  let s = params.stride;
  let kk = params.kernel_height * params.kernel_width;
  let flat = o * params.in_channels * kk + (py.k0 + s * ty) * params.kernel_width + px.k0 + s * tx;
  return Taps(vec4i(at), -vec4i(ty), -vec4i(tx), step_live(k, K), flat);
}

// Masked stores of channels c .. c+3 at phase row m.
fn store_dx(m: u32, c: u32, v: vec4f, py: Phase, px: Phase, ry: u32, rx: u32) {
  let N = params.dx_channels;
  let plane = py.count * px.count;
  let j = m % plane;
  let iy = params.stride * (j / px.count) + ry;
  let ix = params.stride * (j % px.count) + rx;
  let in_plane = params.in_height * params.in_width;
  let at = (m / plane) * N * in_plane + iy * params.in_width + ix; // dx[b, 0, iy, ix]
  if (c < N) { dx[at + c * in_plane] = v.x; }
  if (c + 1u < N) { dx[at + (c + 1u) * in_plane] = v.y; }
  if (c + 2u < N) { dx[at + (c + 2u) * in_plane] = v.z; }
  if (c + 3u < N) { dx[at + (c + 3u) * in_plane] = v.w; }
}

@compute @workgroup_size(4, 4)
fn conv2d_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let ry = gid.z / params.stride;
  let rx = gid.z % params.stride;
  let py = phase_of(ry, params.kernel_height, params.in_height);
  let px = phase_of(rx, params.kernel_width, params.in_width);
  let M = params.batch * py.count * px.count;
  let N = params.dx_channels;
  let K = params.out_channels * py.taps * px.taps;
  let m0 = gid.x * TILE;
  let n0 = gid.y * TILE;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;

  let a0 = backward_input_anchor(m0, py, px); let a1 = backward_input_anchor(m0 + 1u, py, px);
  let a2 = backward_input_anchor(m0 + 2u, py, px); let a3 = backward_input_anchor(m0 + 3u, py, px);
  let a4 = backward_input_anchor(m0 + 4u, py, px); let a5 = backward_input_anchor(m0 + 5u, py, px);
  let a6 = backward_input_anchor(m0 + 6u, py, px); let a7 = backward_input_anchor(m0 + 7u, py, px);
  let a8 = backward_input_anchor(m0 + 8u, py, px); let a9 = backward_input_anchor(m0 + 9u, py, px);
  let a10 = backward_input_anchor(m0 + 10u, py, px); let a11 = backward_input_anchor(m0 + 11u, py, px);
  let a12 = backward_input_anchor(m0 + 12u, py, px); let a13 = backward_input_anchor(m0 + 13u, py, px);
  let a14 = backward_input_anchor(m0 + 14u, py, px); let a15 = backward_input_anchor(m0 + 15u, py, px);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k, py, px);
    let c = TileCols(w_cols(n0, N, kk, taps.flat), w_cols(n0 + 4u, N, kk, taps.flat),
                     w_cols(n0 + 8u, N, kk, taps.flat), w_cols(n0 + 12u, N, kk, taps.flat));
    t0 = row_step(t0, dz_taps(a0, taps), c);
    t1 = row_step(t1, dz_taps(a1, taps), c);
    t2 = row_step(t2, dz_taps(a2, taps), c);
    t3 = row_step(t3, dz_taps(a3, taps), c);
    t4 = row_step(t4, dz_taps(a4, taps), c);
    t5 = row_step(t5, dz_taps(a5, taps), c);
    t6 = row_step(t6, dz_taps(a6, taps), c);
    t7 = row_step(t7, dz_taps(a7, taps), c);
    t8 = row_step(t8, dz_taps(a8, taps), c);
    t9 = row_step(t9, dz_taps(a9, taps), c);
    t10 = row_step(t10, dz_taps(a10, taps), c);
    t11 = row_step(t11, dz_taps(a11, taps), c);
    t12 = row_step(t12, dz_taps(a12, taps), c);
    t13 = row_step(t13, dz_taps(a13, taps), c);
    t14 = row_step(t14, dz_taps(a14, taps), c);
    t15 = row_step(t15, dz_taps(a15, taps), c);
  }
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE && m0 + r < M; r++) {
    let t = tile[r];
    store_dx(m0 + r, n0, t.q0, py, px, ry, rx);
    store_dx(m0 + r, n0 + 4u, t.q1, py, px, ry, rx);
    store_dx(m0 + r, n0 + 8u, t.q2, py, px, ry, rx);
    store_dx(m0 + r, n0 + 12u, t.q3, py, px, ry, rx);
  }
}

// ---- conv2d_backward_input_narrow: the same product for few dx channels,
// as a direct kernel over blocks of positions. One phase (ry, rx) and one
// channel c per dispatch z = c·s² + phase; an invocation owns a block of
// 2 phase rows uy0, uy0+1 × STRIP phase columns ux0 .. ux0+15 of image b.
// Its reduction runs over (o, ty, tx): for fixed (o, ty) phase row uy0 + r
// reads dz row uy0 + r + shift − ty at columns ux + shift − tx. Each dz row
// is loaded once per o as a window of STRIP values: going from ty to ty + 1
// row r + 1 reads the row row r read, so the two windows move down one row
// and only one new row is loaded; going from tx to tx + 1 a window moves one
// column (one new value per row). Per o: (1 + py.taps) windows + 2 values
// per extra tap of dz (and as many of y_saved when ACT ≠ none) and one w per
// tap, for 2 × STRIP multiply-adds per tap.

// STRIP consecutive values along a phase row, 4 per vec4f.
struct Strip { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// acc + w · win, every lane.
fn strip_step(acc: Strip, win: Strip, w: f32) -> Strip {
  return Strip(acc.q0 + win.q0 * w, acc.q1 + win.q1 * w, acc.q2 + win.q2 * w, acc.q3 + win.q3 * w);
}

// The window one column to the left: v enters at position 0, the last value leaves.
fn strip_shift(win: Strip, v: f32) -> Strip {
  return Strip(vec4f(v, win.q0.xyz), vec4f(win.q0.w, win.q1.xyz), vec4f(win.q1.w, win.q2.xyz), vec4f(win.q2.w, win.q3.xyz));
}

// dz at columns ox, of the output row whose element 0 is at flat index
// `row`, zero where the column, or the whole row (row_live false), is outside.
fn dz_row4(row: i32, row_live: bool, ox: vec4i) -> vec4f {
  let inside = vec4<bool>(row_live) & (vec4u(ox) < vec4u(params.out_width));
  return select(vec4f(0.0), dz4(vec4u(select(vec4i(0), row + ox, inside))), inside);
}

// dz at columns ox0 + j, j < STRIP, of output row oy of the plane starting at `plane`.
fn dz_strip(plane: i32, oy: i32, ox0: i32) -> Strip {
  let row = plane + oy * i32(params.out_width);
  let live = u32(oy) < params.out_height;
  let j0 = ox0 + vec4i(STEP);
  return Strip(dz_row4(row, live, j0), dz_row4(row, live, j0 + 4), dz_row4(row, live, j0 + 8), dz_row4(row, live, j0 + 12));
}

// dz at (oy, ox) of the plane starting at `plane` (zero outside).
fn dz_one(plane: i32, oy: i32, ox: i32) -> f32 {
  let inside = u32(oy) < params.out_height && u32(ox) < params.out_width;
  let i = u32(select(0, plane + oy * i32(params.out_width) + ox, inside));
  var g = dy[i];
  if (ACT != ACT_NONE) { g *= activation_grad(vec4f(y_saved[i])).x; }
  return select(0.0, g, inside);
}

// Masked stores of a strip: dx[at + s·j] for j < count.
fn store_dx_strip(at: u32, count: u32, v: Strip) {
  let vals = array<vec4f, 4>(v.q0, v.q1, v.q2, v.q3);
  for (var j = 0u; j < STRIP && j < count; j++) { dx[at + params.stride * j] = vals[j / 4u][j % 4u]; }
}

// Must match conv2dKernels' dispatch of conv2d_backward_input_narrow in index.ts.
const STRIP: u32 = 16u;

@compute @workgroup_size(64)
fn conv2d_backward_input_narrow(@builtin(global_invocation_id) gid: vec3u) {
  let phases = params.stride * params.stride;
  let c = gid.z / phases;
  let ry = (gid.z % phases) / params.stride;
  let rx = gid.z % params.stride;
  let py = phase_of(ry, params.kernel_height, params.in_height);
  let px = phase_of(rx, params.kernel_width, params.in_width);
  let row_blocks = (py.count + 1u) / 2u;
  let strips = (px.count + STRIP - 1u) / STRIP;
  let i = gid.x + gid.y * 65535u * 64u; // dispatch1d's fold past 65535 workgroups
  if (i >= params.batch * row_blocks * strips) { return; }
  let b = i / (row_blocks * strips);
  let uy0 = 2u * ((i / strips) % row_blocks);
  let ux0 = (i % strips) * STRIP;
  let kk = params.kernel_height * params.kernel_width;
  let out_plane = params.out_height * params.out_width;
  let oy0 = i32(uy0) + py.shift; // dz row of phase row uy0 at ty = 0
  let ox0 = i32(ux0) + px.shift; // dz column of phase column ux0 at tx = 0

  let rows_taps = select(0u, py.taps, px.taps > 0u); // the tap tx = 0 is taken outside the loop over tx
  var acc0: Strip; var acc1: Strip; // phase rows uy0, uy0 + 1
  for (var o = 0u; o < params.out_channels; o++) {
    let plane = i32((b * params.out_channels + o) * out_plane);
    let w_o = (o * params.in_channels + c) * kk;
    var win1 = dz_strip(plane, oy0 + 1, ox0);
    for (var ty = 0u; ty < rows_taps; ty++) {
      // win_r: dz row oy0 + r − ty, columns ox0 + j (win1 is the row win0 was at ty − 1).
      let win0 = dz_strip(plane, oy0 - i32(ty), ox0);
      let w_row = w_o + (py.k0 + params.stride * ty) * params.kernel_width + px.k0;
      let w0 = w[w_row];
      acc0 = strip_step(acc0, win0, w0);
      acc1 = strip_step(acc1, win1, w0);
      var s0 = win0; var s1 = win1;
      for (var tx = 1u; tx < px.taps; tx++) {
        let ox = ox0 - i32(tx);
        s0 = strip_shift(s0, dz_one(plane, oy0 - i32(ty), ox));
        s1 = strip_shift(s1, dz_one(plane, oy0 + 1 - i32(ty), ox));
        let wt = w[w_row + params.stride * tx];
        acc0 = strip_step(acc0, s0, wt);
        acc1 = strip_step(acc1, s1, wt);
      }
      win1 = win0;
    }
  }
  let in_plane = params.in_height * params.in_width;
  let at = (b * params.dx_channels + c) * in_plane + (params.stride * uy0 + ry) * params.in_width + params.stride * ux0 + rx;
  let count = px.count - ux0;
  store_dx_strip(at, count, acc0);
  if (uy0 + 1u < py.count) { store_dx_strip(at + params.stride * params.in_width, count, acc1); }
}

// ---- conv2d_backward_weight: rows o, columns n = (c, ky, kx), reduction
// (b, oy, ox); SPLIT invocations per tile, each on every SPLIT-th step.

// x at reduction index (b, oy, ox) = (0, 0, 0) of column n (clamped to the last).
fn backward_weight_anchor(n: u32) -> Anchor {
  let kk = params.kernel_height * params.kernel_width;
  let nn = min(n, params.in_channels * kk - 1u);
  let iy = i32((nn % kk) / params.kernel_width) - i32(params.padding);
  let ix = i32(nn % params.kernel_width) - i32(params.padding);
  return Anchor(i32((nn / kk) * params.in_height * params.in_width) + iy * i32(params.in_width) + ix, iy, ix);
}

// Reduction indices k .. k+3 = (b, oy, ox) over (B, H_out, W_out): offsets
// in x; flat = dz's offsets within a row (·, o, ·, ·).
fn backward_weight_taps(k: u32) -> Taps {
  let plane = params.out_height * params.out_width;
  let K = params.batch * plane;
  let i = step_indices(k, K);
  let b = i / plane;
  let j = i % plane;
  let iy = (j / params.out_width) * params.stride;
  let ix = (j % params.out_width) * params.stride;
  let at = b * params.in_channels * params.in_height * params.in_width + iy * params.in_width + ix;
  return Taps(vec4i(at), vec4i(iy), vec4i(ix), step_live(k, K), b * params.out_channels * plane + j);
}

// Terms of 4 consecutive tile columns from x: column j's 4 terms are anchor aj + taps.
fn x_cols(a0: Anchor, a1: Anchor, a2: Anchor, a3: Anchor, t: Taps) -> mat4x4f {
  return mat4x4f(x_taps(a0, t), x_taps(a1, t), x_taps(a2, t), x_taps(a3, t));
}

@compute @workgroup_size(16)
fn conv2d_backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) slice: u32) {
  let M = params.out_channels;
  let N = params.in_channels * params.kernel_height * params.kernel_width;
  let K = params.batch * params.out_height * params.out_width;
  let plane = params.out_height * params.out_width;
  let n0 = wid.x * TILE;
  let m0 = wid.y * TILE;
  if (m0 >= M || n0 >= N) { return; } // the whole workgroup: workgroup_id is uniform

  let a0 = backward_weight_anchor(n0); let a1 = backward_weight_anchor(n0 + 1u);
  let a2 = backward_weight_anchor(n0 + 2u); let a3 = backward_weight_anchor(n0 + 3u);
  let a4 = backward_weight_anchor(n0 + 4u); let a5 = backward_weight_anchor(n0 + 5u);
  let a6 = backward_weight_anchor(n0 + 6u); let a7 = backward_weight_anchor(n0 + 7u);
  let a8 = backward_weight_anchor(n0 + 8u); let a9 = backward_weight_anchor(n0 + 9u);
  let a10 = backward_weight_anchor(n0 + 10u); let a11 = backward_weight_anchor(n0 + 11u);
  let a12 = backward_weight_anchor(n0 + 12u); let a13 = backward_weight_anchor(n0 + 13u);
  let a14 = backward_weight_anchor(n0 + 14u); let a15 = backward_weight_anchor(n0 + 15u);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 4u * slice; k < K; k += 4u * SPLIT) {
    let taps = backward_weight_taps(k);
    let c = TileCols(x_cols(a0, a1, a2, a3, taps), x_cols(a4, a5, a6, a7, taps),
                     x_cols(a8, a9, a10, a11, taps), x_cols(a12, a13, a14, a15, taps));
    t0 = row_step(t0, dz4(min(m0, M - 1u) * plane + taps.flat), c);
    t1 = row_step(t1, dz4(min(m0 + 1u, M - 1u) * plane + taps.flat), c);
    t2 = row_step(t2, dz4(min(m0 + 2u, M - 1u) * plane + taps.flat), c);
    t3 = row_step(t3, dz4(min(m0 + 3u, M - 1u) * plane + taps.flat), c);
    t4 = row_step(t4, dz4(min(m0 + 4u, M - 1u) * plane + taps.flat), c);
    t5 = row_step(t5, dz4(min(m0 + 5u, M - 1u) * plane + taps.flat), c);
    t6 = row_step(t6, dz4(min(m0 + 6u, M - 1u) * plane + taps.flat), c);
    t7 = row_step(t7, dz4(min(m0 + 7u, M - 1u) * plane + taps.flat), c);
    t8 = row_step(t8, dz4(min(m0 + 8u, M - 1u) * plane + taps.flat), c);
    t9 = row_step(t9, dz4(min(m0 + 9u, M - 1u) * plane + taps.flat), c);
    t10 = row_step(t10, dz4(min(m0 + 10u, M - 1u) * plane + taps.flat), c);
    t11 = row_step(t11, dz4(min(m0 + 11u, M - 1u) * plane + taps.flat), c);
    t12 = row_step(t12, dz4(min(m0 + 12u, M - 1u) * plane + taps.flat), c);
    t13 = row_step(t13, dz4(min(m0 + 13u, M - 1u) * plane + taps.flat), c);
    t14 = row_step(t14, dz4(min(m0 + 14u, M - 1u) * plane + taps.flat), c);
    t15 = row_step(t15, dz4(min(m0 + 15u, M - 1u) * plane + taps.flat), c);
  }
  // Sum the SPLIT partial tiles a row at a time: invocation `slice` writes
  // its row r, then adds up column `slice` of everyone's (TILE = SPLIT).
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE; r++) {
    let t = tile[r];
    partial_rows[4u * slice] = t.q0;
    partial_rows[4u * slice + 1u] = t.q1;
    partial_rows[4u * slice + 2u] = t.q2;
    partial_rows[4u * slice + 3u] = t.q3;
    workgroupBarrier();
    var sum = 0.0;
    for (var i = 0u; i < SPLIT; i++) { sum += partial_rows[4u * i + slice / 4u][slice % 4u]; }
    if (m0 + r < M && n0 + slice < N) { dw[(m0 + r) * N + n0 + slice] = sum; }
    workgroupBarrier();
  }
}

// ---- conv2d_backward_bias: one invocation per output channel, summing its
// B·H_out·W_out values of dz 4 at a time, image by image.
@compute @workgroup_size(64)
fn conv2d_backward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= params.out_channels) { return; }
  let plane = params.out_height * params.out_width;
  var sum = vec4f(0.0);
  for (var b = 0u; b < params.batch; b++) {
    let at = (b * params.out_channels + o) * plane;
    for (var j = 0u; j < plane; j += 4u) {
      sum += select(vec4f(0.0), dz4(at + step_indices(j, plane)), step_live(j, plane));
    }
  }
  dbias[o] = (sum.x + sum.y) + (sum.z + sum.w);
}
