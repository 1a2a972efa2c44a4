// conv2d.wgsl — 2-D convolution (cross-correlation, as nn.Conv2d), NCHW, PyTorch's weight order.
//
//   conv2d_forward:          y[b, o, oy, ox]  = act(bias[o] + Σ_{c, ky, kx} x[b, c, oy·s − p + ky, ox·s − p + kx] · w[o, c, ky, kx])
//   conv2d_backward_input:   dx[b, c, iy, ix] = Σ_{o, ky, kx : iy = oy·s − p + ky, ix = ox·s − p + kx} dz[b, o, oy, ox] · w[o, c, ky, kx]
//                            for c < dx_channels (≤ C_in); conv2d_backward_input_narrow: the same, for few channels
//   conv2d_backward_weight:  dw[o, c, ky, kx] = Σ_{b, oy, ox} dz[b, o, oy, ox] · x[b, c, oy·s − p + ky, ox·s − p + kx]
//   conv2d_backward_bias:    dbias[o]         = Σ_{b, oy, ox} dz[b, o, oy, ox]
// s = stride, p = zero padding (taps outside the image read 0); dz = dy ⊙ act'(y_saved), formed on load.
// Overrides ACT and HAS_BIAS (prelude/conv_common.wgsl). H_out = ⌊(H_in + 2p − kH) / s⌋ + 1, likewise W_out.
// Bindings: x (B, C_in, H_in, W_in)   w, dw (C_out, C_in, kH, kW)   bias, dbias (C_out)
//           y, y_saved, dy (B, C_out, H_out, W_out)   dx (B, dx_channels, H_in, W_in)
// Dispatch (index.ts): forward and backward_input CONV_WG_X × CONV_WG_Y invocations of TILE × TILE
// outputs, positions on x and channels on y (backward_input: z = stride phase); their *_r8 / *_r4 entries
// the same products with R8 × R8 or R4 × R4 outputs per invocation; backward_weight CONV_SPLIT invocations
// per tile, CONV_SPLIT_TILES tiles per workgroup on x (CONV_WG_* and CONV_SPLIT_TILES are overrides that
// tuning variants set); the narrow entry one block of CONV_STRIP_ROWS × CONV_STRIP positions each,
// z = channel · s² + phase; bias one channel each, or (conv2d_backward_bias_wg, its tuning variants) one
// workgroup of REDUCE_WORKGROUP per channel summing by prelude/reduce.wgsl (a tree, or subgroup operations).
// Why this tiling: docs/performance-notes.md#conv2d; the bias variants: docs/performance-notes.md#reductions-and-subgroups

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
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;      // (B, dx_channels, H_in, W_in)
@group(0) @binding(8) var<storage, read_write> dw: array<f32>;      // (C_out, C_in, kH, kW)
@group(0) @binding(9) var<storage, read_write> dbias: array<f32>;   // (C_out)

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
  let plane = params.out_height * params.out_width;
  store_y_channels((m / plane) * params.out_channels * plane + m % plane, plane, o, v); // y[b, 0, oy, ox]
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
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

// Phase (prelude/conv_common.wgsl) on the input's axes: input position s·u + r
// reads dz position u + shift − t through tap k0 + s·t.

// dz at tap (o, ty, tx) = (0, 0, 0) of phase row m (clamped to the last).
fn backward_input_anchor(m: u32, phase: StridePhase) -> Anchor {
  let plane = phase.py.count * phase.px.count;
  let mm = min(m, params.batch * plane - 1u);
  let j = mm % plane;
  let oy = i32(j / phase.px.count) + phase.py.shift;
  let ox = i32(j % phase.px.count) + phase.px.shift;
  let image = (mm / plane) * params.out_channels * params.out_height * params.out_width;
  return Anchor(i32(image) + oy * i32(params.out_width) + ox, oy, ox);
}

// Reduction indices k .. k+3 = (o, ty, tx) over (C_out, py.taps, px.taps):
// offsets in dz; flat = w's offsets within a column (·, c, ·, ·).
fn backward_input_taps(k: u32, phase: StridePhase) -> Taps {
  let taps = phase.py.taps * phase.px.taps;
  let K = params.out_channels * taps;
  let i = step_indices(k, K);
  let o = i / taps;
  let ty = (i % taps) / phase.px.taps;
  let tx = i % phase.px.taps;
  let at = o * params.out_height * params.out_width - ty * params.out_width - tx; // wraps below 0: read as i32
  let s = params.stride;
  let kk = params.kernel_height * params.kernel_width;
  let flat = o * params.in_channels * kk + (phase.py.k0 + s * ty) * params.kernel_width + phase.px.k0 + s * tx;
  return Taps(vec4i(at), -vec4i(ty), -vec4i(tx), step_live(k, K), flat);
}

// Masked stores of channels c .. c+3 at phase row m.
fn store_dx(m: u32, c: u32, v: vec4f, phase: StridePhase) {
  let N = params.dx_channels;
  let plane = phase.py.count * phase.px.count;
  let j = m % plane;
  let iy = params.stride * (j / phase.px.count) + phase.ry;
  let ix = params.stride * (j % phase.px.count) + phase.rx;
  let in_plane = params.in_height * params.in_width;
  store_dx_channels((m / plane) * N * in_plane + iy * params.in_width + ix, in_plane, c, N, v); // dx[b, 0, iy, ix]
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv2d_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.in_height, params.in_width, params.out_channels);
  let M = phase.rows;
  let N = params.dx_channels;
  let K = phase.reduce;
  let m0 = gid.x * TILE;
  let n0 = gid.y * TILE;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;

  let a0 = backward_input_anchor(m0, phase); let a1 = backward_input_anchor(m0 + 1u, phase);
  let a2 = backward_input_anchor(m0 + 2u, phase); let a3 = backward_input_anchor(m0 + 3u, phase);
  let a4 = backward_input_anchor(m0 + 4u, phase); let a5 = backward_input_anchor(m0 + 5u, phase);
  let a6 = backward_input_anchor(m0 + 6u, phase); let a7 = backward_input_anchor(m0 + 7u, phase);
  let a8 = backward_input_anchor(m0 + 8u, phase); let a9 = backward_input_anchor(m0 + 9u, phase);
  let a10 = backward_input_anchor(m0 + 10u, phase); let a11 = backward_input_anchor(m0 + 11u, phase);
  let a12 = backward_input_anchor(m0 + 12u, phase); let a13 = backward_input_anchor(m0 + 13u, phase);
  let a14 = backward_input_anchor(m0 + 14u, phase); let a15 = backward_input_anchor(m0 + 15u, phase);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k, phase);
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
    store_dx(m0 + r, n0, t.q0, phase);
    store_dx(m0 + r, n0 + 4u, t.q1, phase);
    store_dx(m0 + r, n0 + 8u, t.q2, phase);
    store_dx(m0 + r, n0 + 12u, t.q3, phase);
  }
}

// ---- conv2d_backward_input_narrow: the same product for few dx channels,
// as a direct kernel over blocks of positions. One phase (ry, rx) and one
// channel c per dispatch z = c·s² + phase; an invocation owns a block of
// CONV_STRIP_ROWS = 2 phase rows uy0, uy0+1 × CONV_STRIP phase columns ux0 .. of image b.
// Its reduction runs over (o, ty, tx): for fixed (o, ty) phase row uy0 + r
// reads dz row uy0 + r + shift − ty at columns ux + shift − tx. Each dz row
// is loaded once per o as a window of CONV_STRIP values: going from ty to ty + 1
// row r + 1 reads the row row r read, so the two windows move down one row
// and only one new row is loaded; going from tx to tx + 1 a window moves one
// column (one new value per row). Per o: (1 + py.taps) windows + 2 values
// per extra tap of dz (and as many of y_saved when ACT ≠ none) and one w per
// tap, for 2 × CONV_STRIP multiply-adds per tap.

// dz at columns ox, of the output row whose element 0 is at flat index
// `row`, zero where the column, or the whole row (row_live false), is outside.
fn dz_row4(row: i32, row_live: bool, ox: vec4i) -> vec4f {
  let inside = vec4<bool>(row_live) & (vec4u(ox) < vec4u(params.out_width));
  return select(vec4f(0.0), dz4(vec4u(select(vec4i(0), row + ox, inside))), inside);
}

// dz at columns ox0 + j, j < CONV_STRIP, of output row oy of the plane starting at `plane`.
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
  if (ACT != ACT_NONE) { g *= activation_grad_f32(y_saved[i], ACT, params.slope); }
  return select(0.0, g, inside);
}

// Masked stores of a strip: dx[at + s·j] for j < count.
fn store_dx_strip(at: u32, count: u32, v: Strip) {
  let vals = array<vec4f, 4>(v.q0, v.q1, v.q2, v.q3);
  for (var j = 0u; j < CONV_STRIP && j < count; j++) { dx[at + params.stride * j] = vals[j / 4u][j % 4u]; }
}

@compute @workgroup_size(CONV_NARROW_WORKGROUP)
fn conv2d_backward_input_narrow(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let phases = params.stride * params.stride;
  let c = gid.z / phases;
  let phase = stride_phase(gid.z % phases, params.in_height, params.in_width, params.out_channels); // gid.z mod s² = s·ry + rx
  let row_blocks = (phase.py.count + CONV_STRIP_ROWS - 1u) / CONV_STRIP_ROWS;
  let strips = (phase.px.count + CONV_STRIP - 1u) / CONV_STRIP;
  let i = gid.x + gid.y * nwg.x * CONV_NARROW_WORKGROUP; // dispatch1d folds past 65535 workgroups
  if (i >= params.batch * row_blocks * strips) { return; }
  let b = i / (row_blocks * strips);
  let uy0 = CONV_STRIP_ROWS * ((i / strips) % row_blocks);
  let ux0 = (i % strips) * CONV_STRIP;
  let kk = params.kernel_height * params.kernel_width;
  let out_plane = params.out_height * params.out_width;
  let oy0 = i32(uy0) + phase.py.shift; // dz row of phase row uy0 at ty = 0
  let ox0 = i32(ux0) + phase.px.shift; // dz column of phase column ux0 at tx = 0

  let rows_taps = select(0u, phase.py.taps, phase.px.taps > 0u); // the tap tx = 0 is taken outside the loop over tx
  var acc0: Strip; var acc1: Strip; // phase rows uy0, uy0 + 1
  for (var o = 0u; o < params.out_channels; o++) {
    let plane = i32((b * params.out_channels + o) * out_plane);
    let w_o = (o * params.in_channels + c) * kk;
    var win1 = dz_strip(plane, oy0 + 1, ox0);
    for (var ty = 0u; ty < rows_taps; ty++) {
      // win_r: dz row oy0 + r − ty, columns ox0 + j (win1 is the row win0 was at ty − 1).
      let win0 = dz_strip(plane, oy0 - i32(ty), ox0);
      let w_row = w_o + (phase.py.k0 + params.stride * ty) * params.kernel_width + phase.px.k0;
      let w0 = w[w_row];
      acc0 = strip_step(acc0, win0, w0);
      acc1 = strip_step(acc1, win1, w0);
      var s0 = win0; var s1 = win1;
      for (var tx = 1u; tx < phase.px.taps; tx++) {
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
  let at = (b * params.dx_channels + c) * in_plane + (params.stride * uy0 + phase.ry) * params.in_width + params.stride * ux0 + phase.rx;
  let count = phase.px.count - ux0;
  store_dx_strip(at, count, acc0);
  if (uy0 + 1u < phase.py.count) { store_dx_strip(at + params.stride * params.in_width, count, acc1); }
}

// ---- conv2d_backward_weight: rows o, columns n = (c, ky, kx), reduction
// (b, oy, ox); CONV_SPLIT invocations per tile, each on every CONV_SPLIT-th step,
// CONV_SPLIT_TILES consecutive column tiles per workgroup (local y).

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

@compute @workgroup_size(CONV_SPLIT, CONV_SPLIT_TILES)
fn conv2d_backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = params.out_channels;
  let N = params.in_channels * params.kernel_height * params.kernel_width;
  let K = params.batch * params.out_height * params.out_width;
  let plane = params.out_height * params.out_width;
  let slice = lid.x;
  let n0 = (wid.x * CONV_SPLIT_TILES + lid.y) * TILE;
  let m0 = wid.y * TILE;
  // A tile past the end still reaches sum_split_row's barriers (no early return: lid.y is
  // not uniform); it skips the reduction, its loads are clamped and its stores masked.
  let steps = select(0u, K, m0 < M && n0 < N);

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
  for (var k = 4u * slice; k < steps; k += 4u * CONV_SPLIT) {
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
  // Sum the CONV_SPLIT partial tiles a row at a time, invocation `slice` adding up column `slice`.
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE; r++) {
    let sum = sum_split_row(lid.y, slice, tile[r]);
    if (m0 + r < M && n0 + slice < N) { dw[(m0 + r) * N + n0 + slice] = sum; }
  }
}

// ---- conv2d_backward_bias: one invocation per output channel.
@compute @workgroup_size(CONV_BIAS_WORKGROUP)
fn conv2d_backward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= params.out_channels) { return; }
  dbias[o] = channel_dz_sum(o);
}

// ---- conv2d_backward_bias_wg: one workgroup of REDUCE_WORKGROUP per output channel (tuning
// variants of backward_bias; the partials summed by a tree, or by subgroup operations).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn conv2d_backward_bias_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let o = wid.x;
  let total = channel_dz_sum_wg(o, tid);
  if (tid == 0u) { dbias[o] = total; }
}

// ---- conv2d_forward and conv2d_backward_input with R8 × R8 and R4 × R4 blocks
// (tuning variants; conv_common.wgsl): the same rows, columns and reduction steps.

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv2d_forward_r8(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.out_height * params.out_width;
  let N = params.out_channels;
  let K = params.in_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * R8;
  let n0 = gid.y * R8;
  if (m0 >= M || n0 >= N) { return; }
  let a0 = forward_anchor(m0); let a1 = forward_anchor(m0 + 1u); let a2 = forward_anchor(m0 + 2u); let a3 = forward_anchor(m0 + 3u);
  let a4 = forward_anchor(m0 + 4u); let a5 = forward_anchor(m0 + 5u); let a6 = forward_anchor(m0 + 6u); let a7 = forward_anchor(m0 + 7u);
  var t: Block8;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k);
    let rows = array<vec4f, 8>(x_taps(a0, taps), x_taps(a1, taps), x_taps(a2, taps), x_taps(a3, taps),
                               x_taps(a4, taps), x_taps(a5, taps), x_taps(a6, taps), x_taps(a7, taps));
    t = block8_step(t, rows, w_cols(n0, N, K, taps.flat), w_cols(n0 + 4u, N, K, taps.flat));
  }
  for (var r = 0u; r < R8 && m0 + r < M; r++) {
    let q = block8_row(t, r);
    store_y(m0 + r, n0, q[0]);
    store_y(m0 + r, n0 + 4u, q[1]);
  }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv2d_forward_r4(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.out_height * params.out_width;
  let N = params.out_channels;
  let K = params.in_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * R4;
  let n0 = gid.y * R4;
  if (m0 >= M || n0 >= N) { return; }
  let a0 = forward_anchor(m0); let a1 = forward_anchor(m0 + 1u); let a2 = forward_anchor(m0 + 2u); let a3 = forward_anchor(m0 + 3u);
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k);
    let c = w_cols(n0, N, K, taps.flat);
    t0 += x_taps(a0, taps) * c;
    t1 += x_taps(a1, taps) * c;
    t2 += x_taps(a2, taps) * c;
    t3 += x_taps(a3, taps) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && m0 + r < M; r++) { store_y(m0 + r, n0, tile[r]); }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv2d_backward_input_r8(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.in_height, params.in_width, params.out_channels);
  let M = phase.rows;
  let N = params.dx_channels;
  let K = phase.reduce;
  let m0 = gid.x * R8;
  let n0 = gid.y * R8;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;
  let a0 = backward_input_anchor(m0, phase); let a1 = backward_input_anchor(m0 + 1u, phase);
  let a2 = backward_input_anchor(m0 + 2u, phase); let a3 = backward_input_anchor(m0 + 3u, phase);
  let a4 = backward_input_anchor(m0 + 4u, phase); let a5 = backward_input_anchor(m0 + 5u, phase);
  let a6 = backward_input_anchor(m0 + 6u, phase); let a7 = backward_input_anchor(m0 + 7u, phase);
  var t: Block8;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k, phase);
    let rows = array<vec4f, 8>(dz_taps(a0, taps), dz_taps(a1, taps), dz_taps(a2, taps), dz_taps(a3, taps),
                               dz_taps(a4, taps), dz_taps(a5, taps), dz_taps(a6, taps), dz_taps(a7, taps));
    t = block8_step(t, rows, w_cols(n0, N, kk, taps.flat), w_cols(n0 + 4u, N, kk, taps.flat));
  }
  for (var r = 0u; r < R8 && m0 + r < M; r++) {
    let q = block8_row(t, r);
    store_dx(m0 + r, n0, q[0], phase);
    store_dx(m0 + r, n0 + 4u, q[1], phase);
  }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv2d_backward_input_r4(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.in_height, params.in_width, params.out_channels);
  let M = phase.rows;
  let N = params.dx_channels;
  let K = phase.reduce;
  let m0 = gid.x * R4;
  let n0 = gid.y * R4;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;
  let a0 = backward_input_anchor(m0, phase); let a1 = backward_input_anchor(m0 + 1u, phase);
  let a2 = backward_input_anchor(m0 + 2u, phase); let a3 = backward_input_anchor(m0 + 3u, phase);
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k, phase);
    let c = w_cols(n0, N, kk, taps.flat);
    t0 += dz_taps(a0, taps) * c;
    t1 += dz_taps(a1, taps) * c;
    t2 += dz_taps(a2, taps) * c;
    t3 += dz_taps(a3, taps) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && m0 + r < M; r++) { store_dx(m0 + r, n0, tile[r], phase); }
}
