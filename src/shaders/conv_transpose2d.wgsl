// conv_transpose2d.wgsl — 2-D transposed convolution (nn.ConvTranspose2d without output_padding,
// groups or dilation), NCHW: the adjoint of conv2d.wgsl's index map, with PyTorch's (C_in, C_out, kH, kW) weights.
//
//   conv_transpose2d_forward:          y[b, o, oy, ox]  = act(bias[o] + Σ_{c, ky, kx : oy = iy·s − p + ky, ox = ix·s − p + kx} x[b, c, iy, ix] · w[c, o, ky, kx])
//                                      (conv_transpose2d_forward_narrow: the same, for few output channels)
//   conv_transpose2d_backward_input:   dx[b, c, iy, ix] = Σ_{o, ky, kx} dz[b, o, iy·s − p + ky, ix·s − p + kx] · w[c, o, ky, kx]
//   conv_transpose2d_backward_weight:  dw[c, o, ky, kx] = Σ_{b, iy, ix} x[b, c, iy, ix] · dz[b, o, iy·s − p + ky, ix·s − p + kx]
//   conv_transpose2d_backward_bias:    dbias[o]         = Σ_{b, oy, ox} dz[b, o, oy, ox]
// s = stride, p = padding (outputs outside the plane dropped); dz = dy ⊙ act'(y_saved), formed on load.
// Overrides ACT and HAS_BIAS (prelude/conv_common.wgsl). H_out = (H_in − 1)·s − 2p + kH, likewise W_out.
// Bindings: x, dx (B, C_in, H_in, W_in)   w, dw (C_in, C_out, kH, kW)   bias, dbias (C_out)
//           y, y_saved, dy (B, C_out, H_out, W_out)
// Dispatch (index.ts): as conv2d.wgsl's with the roles swapped (forward: z = stride phase; the narrow
// forward z = channel · s² + phase), the same overrides and *_r8 / *_r4 entries of forward and
// backward_input; backward_weight CONV_SPLIT invocations per tile, CONV_SPLIT_TILES tiles per workgroup;
// bias one channel each, or (conv_transpose2d_backward_bias_wg, its tuning variants) one workgroup of
// REDUCE_WORKGROUP per channel summing by prelude/reduce.wgsl (a tree, or subgroup operations).
// Why this tiling: docs/performance-notes.md#conv_transpose2d; the bias variants: docs/performance-notes.md#reductions-and-subgroups

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

// ---- conv_transpose2d_forward: one phase (ry, rx) of the output per
// dispatch z; rows m = (b, uy, ux) with (oy, ox) = (s·uy + ry, s·ux + rx),
// columns o, reduction (c, ty, tx) over the phase's taps (ky, kx) = (ky0 + s·ty, kx0 + s·tx).

// Phase (prelude/conv_common.wgsl) on the output's axes: output position s·u + r
// reads x position u + shift − t through tap k0 + s·t.

// x at tap (c, ty, tx) = (0, 0, 0) of phase row m (clamped to the last).
fn forward_anchor(m: u32, phase: StridePhase) -> Anchor {
  let plane = phase.py.count * phase.px.count;
  let mm = min(m, params.batch * plane - 1u);
  let j = mm % plane;
  let iy = i32(j / phase.px.count) + phase.py.shift;
  let ix = i32(j % phase.px.count) + phase.px.shift;
  let image = (mm / plane) * params.in_channels * params.in_height * params.in_width;
  return Anchor(i32(image) + iy * i32(params.in_width) + ix, iy, ix);
}

// Reduction indices k .. k+3 = (c, ty, tx) over (C_in, py.taps, px.taps):
// offsets in x; flat = w's offsets within a column (·, o, ·, ·).
fn forward_taps(k: u32, phase: StridePhase) -> Taps {
  let taps = phase.py.taps * phase.px.taps;
  let K = params.in_channels * taps;
  let i = step_indices(k, K);
  let c = i / taps;
  let ty = (i % taps) / phase.px.taps;
  let tx = i % phase.px.taps;
  let at = c * params.in_height * params.in_width - ty * params.in_width - tx; // wraps below 0: read as i32
  let s = params.stride;
  let kk = params.kernel_height * params.kernel_width;
  let flat = c * params.out_channels * kk + (phase.py.k0 + s * ty) * params.kernel_width + phase.px.k0 + s * tx;
  return Taps(vec4i(at), -vec4i(ty), -vec4i(tx), step_live(k, K), flat);
}

// Masked stores of channels o .. o+3 at phase row m, bias and act applied.
fn store_y(m: u32, o: u32, v: vec4f, phase: StridePhase) {
  let N = params.out_channels;
  let plane = phase.py.count * phase.px.count;
  let j = m % plane;
  let oy = params.stride * (j / phase.px.count) + phase.ry;
  let ox = params.stride * (j % phase.px.count) + phase.rx;
  let out_plane = params.out_height * params.out_width;
  store_y_channels((m / plane) * N * out_plane + oy * params.out_width + ox, out_plane, o, v); // y[b, 0, oy, ox]
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_forward(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.out_height, params.out_width, params.in_channels);
  let M = phase.rows;
  let N = params.out_channels;
  let K = phase.reduce;
  let m0 = gid.x * TILE;
  let n0 = gid.y * TILE;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;

  let a0 = forward_anchor(m0, phase); let a1 = forward_anchor(m0 + 1u, phase);
  let a2 = forward_anchor(m0 + 2u, phase); let a3 = forward_anchor(m0 + 3u, phase);
  let a4 = forward_anchor(m0 + 4u, phase); let a5 = forward_anchor(m0 + 5u, phase);
  let a6 = forward_anchor(m0 + 6u, phase); let a7 = forward_anchor(m0 + 7u, phase);
  let a8 = forward_anchor(m0 + 8u, phase); let a9 = forward_anchor(m0 + 9u, phase);
  let a10 = forward_anchor(m0 + 10u, phase); let a11 = forward_anchor(m0 + 11u, phase);
  let a12 = forward_anchor(m0 + 12u, phase); let a13 = forward_anchor(m0 + 13u, phase);
  let a14 = forward_anchor(m0 + 14u, phase); let a15 = forward_anchor(m0 + 15u, phase);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k, phase);
    let c = TileCols(w_cols(n0, N, kk, taps.flat), w_cols(n0 + 4u, N, kk, taps.flat),
                     w_cols(n0 + 8u, N, kk, taps.flat), w_cols(n0 + 12u, N, kk, taps.flat));
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
    store_y(m0 + r, n0, t.q0, phase);
    store_y(m0 + r, n0 + 4u, t.q1, phase);
    store_y(m0 + r, n0 + 8u, t.q2, phase);
    store_y(m0 + r, n0 + 12u, t.q3, phase);
  }
}

// ---- conv_transpose2d_forward_narrow: the same product for few output
// channels (DCGAN's image layer, C_out = 1), as a direct kernel over blocks
// of positions: conv2d.wgsl's conv2d_backward_input_narrow (whose comment
// has the scheme) with x in dz's place. One phase (ry, rx) and one output
// channel o per dispatch z = o·s² + phase; an invocation owns CONV_STRIP_ROWS = 2
// phase rows uy0, uy0+1 × CONV_STRIP phase columns ux0 .. of image b, and reduces
// over (c, ty, tx), reading x row uy0 + r + shift − ty at columns
// ux + shift − tx through windows that move down a row per ty and left a
// column per tx.

// x at columns ix, of the input row whose element 0 is at flat index
// `row`, zero where the column, or the whole row (row_live false), is outside.
fn x_row4(row: i32, row_live: bool, ix: vec4i) -> vec4f {
  let inside = vec4<bool>(row_live) & (vec4u(ix) < vec4u(params.in_width));
  return select(vec4f(0.0), x4(vec4u(select(vec4i(0), row + ix, inside))), inside);
}

// x at columns ix0 + j, j < CONV_STRIP, of input row iy of the plane starting at `plane`.
fn x_strip(plane: i32, iy: i32, ix0: i32) -> Strip {
  let row = plane + iy * i32(params.in_width);
  let live = u32(iy) < params.in_height;
  let j0 = ix0 + vec4i(STEP);
  return Strip(x_row4(row, live, j0), x_row4(row, live, j0 + 4), x_row4(row, live, j0 + 8), x_row4(row, live, j0 + 12));
}

// x at (iy, ix) of the plane starting at `plane` (zero outside).
fn x_one(plane: i32, iy: i32, ix: i32) -> f32 {
  let inside = u32(iy) < params.in_height && u32(ix) < params.in_width;
  return select(0.0, x[u32(select(0, plane + iy * i32(params.in_width) + ix, inside))], inside);
}

// Masked stores of a strip, bias and act applied: y[at + s·j] for j < count.
fn store_y_strip(at: u32, count: u32, v: Strip, b: f32) {
  let vals = array<vec4f, 4>(activate(v.q0 + b, ACT, params.slope), activate(v.q1 + b, ACT, params.slope),
                             activate(v.q2 + b, ACT, params.slope), activate(v.q3 + b, ACT, params.slope));
  for (var j = 0u; j < CONV_STRIP && j < count; j++) { y[at + params.stride * j] = vals[j / 4u][j % 4u]; }
}

@compute @workgroup_size(CONV_NARROW_WORKGROUP)
fn conv_transpose2d_forward_narrow(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let phases = params.stride * params.stride;
  let o = gid.z / phases;
  let phase = stride_phase(gid.z % phases, params.out_height, params.out_width, params.in_channels); // gid.z mod s² = s·ry + rx
  let row_blocks = (phase.py.count + CONV_STRIP_ROWS - 1u) / CONV_STRIP_ROWS;
  let strips = (phase.px.count + CONV_STRIP - 1u) / CONV_STRIP;
  let i = gid.x + gid.y * nwg.x * CONV_NARROW_WORKGROUP; // dispatch1d folds past 65535 workgroups
  if (i >= params.batch * row_blocks * strips) { return; }
  let b = i / (row_blocks * strips);
  let uy0 = CONV_STRIP_ROWS * ((i / strips) % row_blocks);
  let ux0 = (i % strips) * CONV_STRIP;
  let kk = params.kernel_height * params.kernel_width;
  let in_plane = params.in_height * params.in_width;
  let iy0 = i32(uy0) + phase.py.shift; // x row of phase row uy0 at ty = 0
  let ix0 = i32(ux0) + phase.px.shift; // x column of phase column ux0 at tx = 0

  let rows_taps = select(0u, phase.py.taps, phase.px.taps > 0u); // the tap tx = 0 is taken outside the loop over tx
  var acc0: Strip; var acc1: Strip; // phase rows uy0, uy0 + 1
  for (var c = 0u; c < params.in_channels; c++) {
    let plane = i32((b * params.in_channels + c) * in_plane);
    let w_c = (c * params.out_channels + o) * kk;
    var win1 = x_strip(plane, iy0 + 1, ix0);
    for (var ty = 0u; ty < rows_taps; ty++) {
      // win_r: x row iy0 + r − ty, columns ix0 + j (win1 is the row win0 was at ty − 1).
      let win0 = x_strip(plane, iy0 - i32(ty), ix0);
      let w_row = w_c + (phase.py.k0 + params.stride * ty) * params.kernel_width + phase.px.k0;
      let w0 = w[w_row];
      acc0 = strip_step(acc0, win0, w0);
      acc1 = strip_step(acc1, win1, w0);
      var s0 = win0; var s1 = win1;
      for (var tx = 1u; tx < phase.px.taps; tx++) {
        let ix = ix0 - i32(tx);
        s0 = strip_shift(s0, x_one(plane, iy0 - i32(ty), ix));
        s1 = strip_shift(s1, x_one(plane, iy0 + 1 - i32(ty), ix));
        let wt = w[w_row + params.stride * tx];
        acc0 = strip_step(acc0, s0, wt);
        acc1 = strip_step(acc1, s1, wt);
      }
      win1 = win0;
    }
  }
  var bias_o = 0.0;
  if (HAS_BIAS) { bias_o = bias[o]; }
  let out_plane = params.out_height * params.out_width;
  let at = (b * params.out_channels + o) * out_plane + (params.stride * uy0 + phase.ry) * params.out_width + params.stride * ux0 + phase.rx;
  let count = phase.px.count - ux0;
  store_y_strip(at, count, acc0, bias_o);
  if (uy0 + 1u < phase.py.count) { store_y_strip(at + params.stride * params.out_width, count, acc1, bias_o); }
}

// ---- conv_transpose2d_backward_input: rows m = (b, iy, ix), columns c,
// reduction (o, ky, kx) (conv2d_forward's structure).

// dz at tap (o, ky, kx) = (0, 0, 0) of input position m (clamped to the last).
fn backward_input_anchor(m: u32) -> Anchor {
  let plane = params.in_height * params.in_width;
  let mm = min(m, params.batch * plane - 1u);
  let j = mm % plane;
  let oy = i32((j / params.in_width) * params.stride) - i32(params.padding);
  let ox = i32((j % params.in_width) * params.stride) - i32(params.padding);
  let image = (mm / plane) * params.out_channels * params.out_height * params.out_width;
  return Anchor(i32(image) + oy * i32(params.out_width) + ox, oy, ox);
}

// Reduction indices k .. k+3 = (o, ky, kx) over (C_out, kH, kW): offsets in
// dz; flat = the indices themselves, w's offsets within a row (c, ·, ·, ·).
fn backward_input_taps(k: u32) -> Taps {
  let taps = params.kernel_height * params.kernel_width;
  let K = params.out_channels * taps;
  let i = step_indices(k, K);
  let o = i / taps;
  let ky = (i % taps) / params.kernel_width;
  let kx = i % params.kernel_width;
  let at = o * params.out_height * params.out_width + ky * params.out_width + kx;
  return Taps(vec4i(at), vec4i(ky), vec4i(kx), step_live(k, K), i);
}

// Masked stores of channels c .. c+3 at input position m.
fn store_dx(m: u32, c: u32, v: vec4f) {
  let N = params.in_channels;
  let plane = params.in_height * params.in_width;
  store_dx_channels((m / plane) * N * plane + m % plane, plane, c, N, v); // dx[b, 0, iy, ix]
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.in_height * params.in_width;
  let N = params.in_channels;
  let K = params.out_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * TILE;
  let n0 = gid.y * TILE;
  if (m0 >= M || n0 >= N) { return; }

  let a0 = backward_input_anchor(m0); let a1 = backward_input_anchor(m0 + 1u);
  let a2 = backward_input_anchor(m0 + 2u); let a3 = backward_input_anchor(m0 + 3u);
  let a4 = backward_input_anchor(m0 + 4u); let a5 = backward_input_anchor(m0 + 5u);
  let a6 = backward_input_anchor(m0 + 6u); let a7 = backward_input_anchor(m0 + 7u);
  let a8 = backward_input_anchor(m0 + 8u); let a9 = backward_input_anchor(m0 + 9u);
  let a10 = backward_input_anchor(m0 + 10u); let a11 = backward_input_anchor(m0 + 11u);
  let a12 = backward_input_anchor(m0 + 12u); let a13 = backward_input_anchor(m0 + 13u);
  let a14 = backward_input_anchor(m0 + 14u); let a15 = backward_input_anchor(m0 + 15u);
  var t0: TileRow; var t1: TileRow; var t2: TileRow; var t3: TileRow;
  var t4: TileRow; var t5: TileRow; var t6: TileRow; var t7: TileRow;
  var t8: TileRow; var t9: TileRow; var t10: TileRow; var t11: TileRow;
  var t12: TileRow; var t13: TileRow; var t14: TileRow; var t15: TileRow;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k);
    let c = TileCols(w_cols(n0, N, K, taps.flat), w_cols(n0 + 4u, N, K, taps.flat),
                     w_cols(n0 + 8u, N, K, taps.flat), w_cols(n0 + 12u, N, K, taps.flat));
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
    store_dx(m0 + r, n0, t.q0);
    store_dx(m0 + r, n0 + 4u, t.q1);
    store_dx(m0 + r, n0 + 8u, t.q2);
    store_dx(m0 + r, n0 + 12u, t.q3);
  }
}

// ---- conv_transpose2d_backward_weight: rows c, columns n = (o, ky, kx),
// reduction (b, iy, ix); CONV_SPLIT invocations per tile, each on every CONV_SPLIT-th step,
// CONV_SPLIT_TILES consecutive column tiles per workgroup (local y).

// dz at reduction index (b, iy, ix) = (0, 0, 0) of column n (clamped to the last).
fn backward_weight_anchor(n: u32) -> Anchor {
  let kk = params.kernel_height * params.kernel_width;
  let nn = min(n, params.out_channels * kk - 1u);
  let oy = i32((nn % kk) / params.kernel_width) - i32(params.padding);
  let ox = i32(nn % params.kernel_width) - i32(params.padding);
  return Anchor(i32((nn / kk) * params.out_height * params.out_width) + oy * i32(params.out_width) + ox, oy, ox);
}

// Reduction indices k .. k+3 = (b, iy, ix) over (B, H_in, W_in): offsets in
// dz; flat = x's offsets within a row (·, c, ·, ·).
fn backward_weight_taps(k: u32) -> Taps {
  let plane = params.in_height * params.in_width;
  let K = params.batch * plane;
  let i = step_indices(k, K);
  let b = i / plane;
  let j = i % plane;
  let oy = (j / params.in_width) * params.stride;
  let ox = (j % params.in_width) * params.stride;
  let at = b * params.out_channels * params.out_height * params.out_width + oy * params.out_width + ox;
  return Taps(vec4i(at), vec4i(oy), vec4i(ox), step_live(k, K), b * params.in_channels * plane + j);
}

// Terms of 4 consecutive tile columns from dz: column j's 4 terms are anchor aj + taps.
fn dz_cols(a0: Anchor, a1: Anchor, a2: Anchor, a3: Anchor, t: Taps) -> mat4x4f {
  return mat4x4f(dz_taps(a0, t), dz_taps(a1, t), dz_taps(a2, t), dz_taps(a3, t));
}

@compute @workgroup_size(CONV_SPLIT, CONV_SPLIT_TILES)
fn conv_transpose2d_backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = params.in_channels;
  let N = params.out_channels * params.kernel_height * params.kernel_width;
  let K = params.batch * params.in_height * params.in_width;
  let plane = params.in_height * params.in_width;
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
    let c = TileCols(dz_cols(a0, a1, a2, a3, taps), dz_cols(a4, a5, a6, a7, taps),
                     dz_cols(a8, a9, a10, a11, taps), dz_cols(a12, a13, a14, a15, taps));
    t0 = row_step(t0, x4(min(m0, M - 1u) * plane + taps.flat), c);
    t1 = row_step(t1, x4(min(m0 + 1u, M - 1u) * plane + taps.flat), c);
    t2 = row_step(t2, x4(min(m0 + 2u, M - 1u) * plane + taps.flat), c);
    t3 = row_step(t3, x4(min(m0 + 3u, M - 1u) * plane + taps.flat), c);
    t4 = row_step(t4, x4(min(m0 + 4u, M - 1u) * plane + taps.flat), c);
    t5 = row_step(t5, x4(min(m0 + 5u, M - 1u) * plane + taps.flat), c);
    t6 = row_step(t6, x4(min(m0 + 6u, M - 1u) * plane + taps.flat), c);
    t7 = row_step(t7, x4(min(m0 + 7u, M - 1u) * plane + taps.flat), c);
    t8 = row_step(t8, x4(min(m0 + 8u, M - 1u) * plane + taps.flat), c);
    t9 = row_step(t9, x4(min(m0 + 9u, M - 1u) * plane + taps.flat), c);
    t10 = row_step(t10, x4(min(m0 + 10u, M - 1u) * plane + taps.flat), c);
    t11 = row_step(t11, x4(min(m0 + 11u, M - 1u) * plane + taps.flat), c);
    t12 = row_step(t12, x4(min(m0 + 12u, M - 1u) * plane + taps.flat), c);
    t13 = row_step(t13, x4(min(m0 + 13u, M - 1u) * plane + taps.flat), c);
    t14 = row_step(t14, x4(min(m0 + 14u, M - 1u) * plane + taps.flat), c);
    t15 = row_step(t15, x4(min(m0 + 15u, M - 1u) * plane + taps.flat), c);
  }
  // Sum the CONV_SPLIT partial tiles a row at a time, invocation `slice` adding up column `slice`.
  let tile = array<TileRow, TILE>(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15);
  for (var r = 0u; r < TILE; r++) {
    let sum = sum_split_row(lid.y, slice, tile[r]);
    if (m0 + r < M && n0 + slice < N) { dw[(m0 + r) * N + n0 + slice] = sum; }
  }
}

// ---- conv_transpose2d_backward_bias: one invocation per output channel.
@compute @workgroup_size(CONV_BIAS_WORKGROUP)
fn conv_transpose2d_backward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= params.out_channels) { return; }
  dbias[o] = channel_dz_sum(o);
}

// ---- conv_transpose2d_backward_bias_wg: one workgroup of REDUCE_WORKGROUP per output channel (tuning
// variants of backward_bias; the partials summed by a tree, or by subgroup operations).
@compute @workgroup_size(REDUCE_WORKGROUP)
fn conv_transpose2d_backward_bias_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let o = wid.x;
  let total = channel_dz_sum_wg(o, tid);
  if (tid == 0u) { dbias[o] = total; }
}

// ---- conv_transpose2d_forward and conv_transpose2d_backward_input with R8 × R8 and R4 × R4
// blocks (tuning variants; conv_common.wgsl): the same rows, columns and reduction steps.

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_forward_r8(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.out_height, params.out_width, params.in_channels);
  let M = phase.rows;
  let N = params.out_channels;
  let K = phase.reduce;
  let m0 = gid.x * R8;
  let n0 = gid.y * R8;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;
  let a0 = forward_anchor(m0, phase); let a1 = forward_anchor(m0 + 1u, phase);
  let a2 = forward_anchor(m0 + 2u, phase); let a3 = forward_anchor(m0 + 3u, phase);
  let a4 = forward_anchor(m0 + 4u, phase); let a5 = forward_anchor(m0 + 5u, phase);
  let a6 = forward_anchor(m0 + 6u, phase); let a7 = forward_anchor(m0 + 7u, phase);
  var t: Block8;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k, phase);
    let rows = array<vec4f, 8>(x_taps(a0, taps), x_taps(a1, taps), x_taps(a2, taps), x_taps(a3, taps),
                               x_taps(a4, taps), x_taps(a5, taps), x_taps(a6, taps), x_taps(a7, taps));
    t = block8_step(t, rows, w_cols(n0, N, kk, taps.flat), w_cols(n0 + 4u, N, kk, taps.flat));
  }
  for (var r = 0u; r < R8 && m0 + r < M; r++) {
    let q = block8_row(t, r);
    store_y(m0 + r, n0, q[0], phase);
    store_y(m0 + r, n0 + 4u, q[1], phase);
  }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_forward_r4(@builtin(global_invocation_id) gid: vec3u) {
  let phase = stride_phase(gid.z, params.out_height, params.out_width, params.in_channels);
  let M = phase.rows;
  let N = params.out_channels;
  let K = phase.reduce;
  let m0 = gid.x * R4;
  let n0 = gid.y * R4;
  if (m0 >= M || n0 >= N) { return; }
  let kk = params.kernel_height * params.kernel_width;
  let a0 = forward_anchor(m0, phase); let a1 = forward_anchor(m0 + 1u, phase);
  let a2 = forward_anchor(m0 + 2u, phase); let a3 = forward_anchor(m0 + 3u, phase);
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var k = 0u; k < K; k += 4u) {
    let taps = forward_taps(k, phase);
    let c = w_cols(n0, N, kk, taps.flat);
    t0 += x_taps(a0, taps) * c;
    t1 += x_taps(a1, taps) * c;
    t2 += x_taps(a2, taps) * c;
    t3 += x_taps(a3, taps) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && m0 + r < M; r++) { store_y(m0 + r, n0, tile[r], phase); }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_backward_input_r8(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.in_height * params.in_width;
  let N = params.in_channels;
  let K = params.out_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * R8;
  let n0 = gid.y * R8;
  if (m0 >= M || n0 >= N) { return; }
  let a0 = backward_input_anchor(m0); let a1 = backward_input_anchor(m0 + 1u);
  let a2 = backward_input_anchor(m0 + 2u); let a3 = backward_input_anchor(m0 + 3u);
  let a4 = backward_input_anchor(m0 + 4u); let a5 = backward_input_anchor(m0 + 5u);
  let a6 = backward_input_anchor(m0 + 6u); let a7 = backward_input_anchor(m0 + 7u);
  var t: Block8;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k);
    let rows = array<vec4f, 8>(dz_taps(a0, taps), dz_taps(a1, taps), dz_taps(a2, taps), dz_taps(a3, taps),
                               dz_taps(a4, taps), dz_taps(a5, taps), dz_taps(a6, taps), dz_taps(a7, taps));
    t = block8_step(t, rows, w_cols(n0, N, K, taps.flat), w_cols(n0 + 4u, N, K, taps.flat));
  }
  for (var r = 0u; r < R8 && m0 + r < M; r++) {
    let q = block8_row(t, r);
    store_dx(m0 + r, n0, q[0]);
    store_dx(m0 + r, n0 + 4u, q[1]);
  }
}

@compute @workgroup_size(CONV_WG_X, CONV_WG_Y)
fn conv_transpose2d_backward_input_r4(@builtin(global_invocation_id) gid: vec3u) {
  let M = params.batch * params.in_height * params.in_width;
  let N = params.in_channels;
  let K = params.out_channels * params.kernel_height * params.kernel_width;
  let m0 = gid.x * R4;
  let n0 = gid.y * R4;
  if (m0 >= M || n0 >= N) { return; }
  let a0 = backward_input_anchor(m0); let a1 = backward_input_anchor(m0 + 1u);
  let a2 = backward_input_anchor(m0 + 2u); let a3 = backward_input_anchor(m0 + 3u);
  var t0: vec4f; var t1: vec4f; var t2: vec4f; var t3: vec4f;
  for (var k = 0u; k < K; k += 4u) {
    let taps = backward_input_taps(k);
    let c = w_cols(n0, N, K, taps.flat);
    t0 += dz_taps(a0, taps) * c;
    t1 += dz_taps(a1, taps) * c;
    t2 += dz_taps(a2, taps) * c;
    t3 += dz_taps(a3, taps) * c;
  }
  let tile = array<vec4f, 4>(t0, t1, t2, t3);
  for (var r = 0u; r < R4 && m0 + r < M; r++) { store_dx(m0 + r, n0, tile[r]); }
}
