// conv_common.wgsl — prelude: what conv2d.wgsl and conv_transpose2d.wgsl
// share (each is the other's adjoint, on the same NCHW layout). Needs the
// TILE and CONV_* constants, tile.wgsl and activation.wgsl before it, and
// uses the including file's `params` (batch, in/out_channels, in/out_height,
// in/out_width, stride, padding, slope) and bindings x, w, bias, y, y_saved, dy, dx.
//
// The implicit GEMMs read their position-indexed operand (x, or dz) through
// an Anchor per tile row or column plus the step's Taps: one add and one
// bounds test per term, zero in the padding and past the reduction. The
// transposed structure (conv2d_backward_input, conv_transpose2d_forward) runs
// one stride Phase per dispatch z. Why: docs/performance-notes.md#conv2d

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

// backward_weight's partial tile rows: CONV_SPLIT invocations × TILE columns, as vec4f.
var<workgroup> partial_rows: array<vec4f, CONV_SPLIT * TILE / 4u>;

// Column `slice` of the sum of the CONV_SPLIT invocations' rows t: each
// writes its row, then adds up column `slice` of everyone's, in a fixed
// order. Ends with a barrier so it can be called again; uniform control flow only.
fn sum_split_row(slice: u32, t: TileRow) -> f32 {
  partial_rows[4u * slice] = t.q0;
  partial_rows[4u * slice + 1u] = t.q1;
  partial_rows[4u * slice + 2u] = t.q2;
  partial_rows[4u * slice + 3u] = t.q3;
  workgroupBarrier();
  var sum = 0.0;
  for (var i = 0u; i < CONV_SPLIT; i++) { sum += partial_rows[4u * i + slice / 4u][slice % 4u]; }
  workgroupBarrier();
  return sum;
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
