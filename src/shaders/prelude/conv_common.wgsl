// conv_common.wgsl — prelude: what conv2d.wgsl and conv_transpose2d.wgsl
// share (each is the other's adjoint, on the same NCHW layout). Needs the
// TILE and CONV_* constants and overrides, tile.wgsl, activation.wgsl and reduce.wgsl, and
// uses the including file's `params` (batch, in/out_channels, in/out_height,
// in/out_width, kernel_height/width, stride, padding, slope) and bindings x, w, bias, y, y_saved, dy, dx.
//
// The implicit GEMMs read their position-indexed operand (x, or dz) through
// an Anchor per tile row or column plus the step's Taps: one add and one
// bounds test per term, zero in the padding and past the reduction. The
// transposed structure (conv2d_backward_input, conv_transpose2d_forward) runs
// one StridePhase per dispatch z. Why: docs/performance-notes.md#conv2d

// The activation fused into the forward's epilogue and the backward's dz
// loads; HAS_BIAS = false: `bias` is still bound (any buffer) but never read.
override ACT: u32 = ACT_NONE;
override HAS_BIAS: bool = true;

// sum_split_row gives each of the CONV_SPLIT invocations one tile column;
// a Strip is four vec4f, and the narrow kernels keep two (acc0, acc1).
const_assert CONV_SPLIT == TILE;
const_assert CONV_STRIP == 16u;
const_assert CONV_STRIP_ROWS == 2u;

// Four values at flat indices i (all valid).
fn x4(i: vec4u) -> vec4f { return vec4f(x[i.x], x[i.y], x[i.z], x[i.w]); }
fn w4(i: vec4u) -> vec4f { return vec4f(w[i.x], w[i.y], w[i.z], w[i.w]); }

// dz = dy ⊙ act'(y_saved) at four flat indices i into (B, C_out, H_out, W_out).
fn dz4(i: vec4u) -> vec4f {
  let g = vec4f(dy[i.x], dy[i.y], dy[i.z], dy[i.w]);
  if (ACT == ACT_NONE) { return g; }
  return g * activation_grad(vec4f(y_saved[i.x], y_saved[i.y], y_saved[i.z], y_saved[i.w]), ACT, params.slope);
}

// Terms of 4 consecutive tile columns from w: column j (clamped to count - 1)
// starts at j * stride, and its 4 terms sit at offsets.
fn w_cols(j: u32, count: u32, stride: u32, offsets: vec4u) -> mat4x4f {
  let last = count - 1u;
  return mat4x4f(w4(min(j, last) * stride + offsets), w4(min(j + 1u, last) * stride + offsets),
                 w4(min(j + 2u, last) * stride + offsets), w4(min(j + 3u, last) * stride + offsets));
}

// act(v + bias[o .. o+3]) into channels o .. o+3 of y, at flat index at + channel · plane:
// masked past C_out, the bias clamped there (and skipped when HAS_BIAS is false).
fn store_y_channels(at: u32, plane: u32, o: u32, v: vec4f) {
  let N = params.out_channels;
  var z = v;
  if (HAS_BIAS) {
    let last = N - 1u;
    z += vec4f(bias[min(o, last)], bias[min(o + 1u, last)], bias[min(o + 2u, last)], bias[min(o + 3u, last)]);
  }
  z = activate(z, ACT, params.slope);
  if (o < N) { y[at + o * plane] = z.x; }
  if (o + 1u < N) { y[at + (o + 1u) * plane] = z.y; }
  if (o + 2u < N) { y[at + (o + 2u) * plane] = z.z; }
  if (o + 3u < N) { y[at + (o + 3u) * plane] = z.w; }
}

// v into channels c .. c+3 of dx, at flat index at + channel · plane, masked past channel n − 1.
fn store_dx_channels(at: u32, plane: u32, c: u32, n: u32, v: vec4f) {
  if (c < n) { dx[at + c * plane] = v.x; }
  if (c + 1u < n) { dx[at + (c + 1u) * plane] = v.y; }
  if (c + 2u < n) { dx[at + (c + 2u) * plane] = v.z; }
  if (c + 3u < n) { dx[at + (c + 3u) * plane] = v.w; }
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

// One axis of a stride phase r: positions s·u + r for u < count (of
// n_positions on the axis) read the other side's position u + shift − t
// through tap k0 + s·t, t < taps (k0 ≡ r + p mod s).
struct Phase { k0: u32, taps: u32, shift: i32, count: u32 }

fn phase_of(r: u32, k_size: u32, n_positions: u32) -> Phase {
  let s = params.stride;
  let k0 = (r + params.padding) % s;
  let taps = select(0u, (k_size - k0 + s - 1u) / s, k0 < k_size);
  let count = select(0u, (n_positions - r + s - 1u) / s, r < n_positions);
  return Phase(k0, taps, i32((r + params.padding) / s), count);
}

// Stride phase (ry, rx) of a phase-decomposed implicit GEMM (conv2d_backward_input,
// conv_transpose2d_forward and their narrow entries), z = s·ry + rx < s²: the
// positions (s·uy + ry, s·ux + rx) of its height × width result plane, py and px
// per axis. rows = M = B · py.count · px.count, one per (b, uy, ux); reduce = K =
// channels · py.taps · px.taps, the terms (channel, ty, tx) of each output, over
// the other side's channels (conv2d: C_out; conv_transpose2d: C_in).
struct StridePhase { ry: u32, rx: u32, py: Phase, px: Phase, rows: u32, reduce: u32 }

fn stride_phase(z: u32, height: u32, width: u32, channels: u32) -> StridePhase {
  let ry = z / params.stride;
  let rx = z % params.stride;
  let py = phase_of(ry, params.kernel_height, height);
  let px = phase_of(rx, params.kernel_width, width);
  return StridePhase(ry, rx, py, px, params.batch * py.count * px.count, channels * py.taps * px.taps);
}

// The narrow kernels' CONV_STRIP consecutive values along a phase row, 4 per vec4f.
struct Strip { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// acc + weight · win, every lane.
fn strip_step(acc: Strip, win: Strip, weight: f32) -> Strip {
  return Strip(acc.q0 + win.q0 * weight, acc.q1 + win.q1 * weight, acc.q2 + win.q2 * weight, acc.q3 + win.q3 * weight);
}

// The window one column to the left: v enters at position 0, the last value leaves.
fn strip_shift(win: Strip, v: f32) -> Strip {
  return Strip(vec4f(v, win.q0.xyz), vec4f(win.q0.w, win.q1.xyz), vec4f(win.q1.w, win.q2.xyz), vec4f(win.q2.w, win.q3.xyz));
}

// backward_weight's partial tile rows: per tile of the workgroup (CONV_SPLIT_TILES,
// an override), CONV_SPLIT invocations × TILE columns, as vec4f.
var<workgroup> partial_rows: array<vec4f, CONV_SPLIT * TILE / 4u * CONV_SPLIT_TILES>;

// Column `slice` of the sum of tile `tile`'s CONV_SPLIT invocations' rows t:
// each writes its row, then adds up column `slice` of its tile's, in a fixed
// order. Ends with a barrier so it can be called again; uniform control flow only.
fn sum_split_row(tile: u32, slice: u32, t: TileRow) -> f32 {
  let base = tile * CONV_SPLIT * TILE / 4u;
  partial_rows[base + 4u * slice] = t.q0;
  partial_rows[base + 4u * slice + 1u] = t.q1;
  partial_rows[base + 4u * slice + 2u] = t.q2;
  partial_rows[base + 4u * slice + 3u] = t.q3;
  workgroupBarrier();
  var sum = 0.0;
  for (var i = 0u; i < CONV_SPLIT; i++) { sum += partial_rows[base + 4u * i + slice / 4u][slice % 4u]; }
  workgroupBarrier();
  return sum;
}

// ---- Smaller register blocks (the *_r8 and *_r4 tuning variants of the
// forward and backward_input GEMMs): R8 × R8 or R4 × R4 outputs per
// invocation instead of TILE × TILE. Each output's sum is the 16-wide
// tile's, term for term (acc + row · columns per step), so the variants
// agree with it to the bit barring the compiler's contractions.
const R8 = 8u;
const R4 = 4u;

// An 8 × 8 block: rows r0 .. r0+7, columns c0 .. c0+7 as two groups of 4 (a and b).
struct Block8 {
  a0: vec4f, b0: vec4f, a1: vec4f, b1: vec4f, a2: vec4f, b2: vec4f, a3: vec4f, b3: vec4f,
  a4: vec4f, b4: vec4f, a5: vec4f, b5: vec4f, a6: vec4f, b6: vec4f, a7: vec4f, b7: vec4f,
}

// A block after one reduction step: rows[r] holds row r's 4 terms, ca and cb
// the 4 terms of columns 0 .. 3 and 4 .. 7 (as row_step's TileCols).
fn block8_step(t: Block8, rows: array<vec4f, 8>, ca: mat4x4f, cb: mat4x4f) -> Block8 {
  return Block8(t.a0 + rows[0] * ca, t.b0 + rows[0] * cb, t.a1 + rows[1] * ca, t.b1 + rows[1] * cb,
                t.a2 + rows[2] * ca, t.b2 + rows[2] * cb, t.a3 + rows[3] * ca, t.b3 + rows[3] * cb,
                t.a4 + rows[4] * ca, t.b4 + rows[4] * cb, t.a5 + rows[5] * ca, t.b5 + rows[5] * cb,
                t.a6 + rows[6] * ca, t.b6 + rows[6] * cb, t.a7 + rows[7] * ca, t.b7 + rows[7] * cb);
}

// Row r of a block: its columns 0 .. 3 and 4 .. 7.
fn block8_row(t: Block8, r: u32) -> array<vec4f, 2> {
  let rows = array<vec4f, 16>(t.a0, t.b0, t.a1, t.b1, t.a2, t.b2, t.a3, t.b3, t.a4, t.b4, t.a5, t.b5, t.a6, t.b6, t.a7, t.b7);
  return array<vec4f, 2>(rows[2u * r], rows[2u * r + 1u]);
}

// Σ dz over output channel o's B·H_out·W_out values (backward_bias), 4 at a
// time, image by image.
fn channel_dz_sum(o: u32) -> f32 {
  let plane = params.out_height * params.out_width;
  var sum = vec4f(0.0);
  for (var b = 0u; b < params.batch; b++) {
    let at = (b * params.out_channels + o) * plane;
    for (var j = 0u; j < plane; j += 4u) {
      sum += select(vec4f(0.0), dz4(at + step_indices(j, plane)), step_live(j, plane));
    }
  }
  return (sum.x + sum.y) + (sum.z + sum.w);
}

// The same sum, by the REDUCE_WORKGROUP invocations of a workgroup (backward_bias_wg, a tuning
// variant): invocation tid takes values tid, tid + REDUCE_WORKGROUP, … of the channel's B·H_out·W_out
// (image b = i / plane), and reduce.wgsl adds the partials; the total reaches every invocation.
// Uniform control flow only.
fn channel_dz_sum_wg(o: u32, tid: u32) -> f32 {
  let plane = params.out_height * params.out_width;
  var sum = 0.0;
  for (var i = tid; i < params.batch * plane; i += REDUCE_WORKGROUP) {
    let at = ((i / plane) * params.out_channels + o) * plane + i % plane;
    var d = dy[at];
    if (ACT != ACT_NONE) { d *= activation_grad_f32(y_saved[at], ACT, params.slope); }
    sum += d;
  }
  return workgroup_sum(sum, tid);
}
