// random.wgsl — counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
//
// Every draw is a pure function of (seed, step, stream, index): the same seed
// gives the same run, whatever the dispatch order, and a recorded training
// step needs no uniform rewritten because `step` is read from the GPU
// training state (train_state.wgsl, state[5]). Each training phase draws from
// its own stream id.
//
//   counter = (block, step, stream, 0), key = (seed, 0), one block = 4 u32 outputs
//   uniform: u = (x >> 8) · 2^-24 ∈ [0, 1),    out[offset + i] = low + (high − low) · u
//   normal:  Box–Muller on pairs, u1 = ((x >> 8) + 1) · 2^-24 ∈ (0, 1]
//   gather:  row r copies src row (philox(r, step, stream)[0] mod src_rows)
//
// philox4x32_10 comes from philox.wgsl, which index.ts puts before this file.
//
// Bindings:
//   random_uniform, random_normal: dist_params, state (8, u32), out (≥ offset + count)
//   random_gather_rows: gather_params, state, src (src_rows, cols), out (≥ dst_row_offset + rows, cols)
// random_uniform / random_normal: 64 invocations per workgroup, 4 outputs each.
// random_gather_rows: x over columns (64 per workgroup), y over rows.

struct DistParams {
  seed: u32,
  stream: u32,
  count: u32,
  offset: u32,  // first element of out to write
  a: f32,   // uniform: low,  normal: mean
  b: f32,   // uniform: high, normal: std
}

struct GatherParams {
  seed: u32,
  stream: u32,
  rows: u32,
  cols: u32,
  src_rows: u32,
  dst_row_offset: u32,
}

@group(0) @binding(0) var<uniform> dist_params: DistParams;
@group(0) @binding(1) var<uniform> gather_params: GatherParams;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

const STATE_STEP: u32 = 5u;
const TWO_PI: f32 = 6.283185307179586;
const INV_2_24: f32 = 5.9604644775390625e-8;

fn draw(block_index: u32, stream: u32, seed: u32) -> vec4u {
  return philox4x32_10(vec4u(block_index, state[STATE_STEP], stream, 0u), vec2u(seed, 0u));
}

fn store4(start: u32, v: vec4f) {
  let n = dist_params.count;
  let o = dist_params.offset + start;
  if (start < n) { out[o] = v.x; }
  if (start + 1u < n) { out[o + 1u] = v.y; }
  if (start + 2u < n) { out[o + 2u] = v.z; }
  if (start + 3u < n) { out[o + 3u] = v.w; }
}

@compute @workgroup_size(64)
fn random_uniform(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let block_index = gid.x + gid.y * nwg.x * 64u;
  if (block_index * 4u >= dist_params.count) { return; }
  let bits = draw(block_index, dist_params.stream, dist_params.seed);
  let u = vec4f(bits >> vec4u(8u)) * INV_2_24;
  store4(block_index * 4u, dist_params.a + (dist_params.b - dist_params.a) * u);
}

@compute @workgroup_size(64)
fn random_normal(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let block_index = gid.x + gid.y * nwg.x * 64u;
  if (block_index * 4u >= dist_params.count) { return; }
  let bits = draw(block_index, dist_params.stream, dist_params.seed);
  let u1 = (vec2f(bits.xz >> vec2u(8u)) + 1.0) * INV_2_24;
  let u2 = vec2f(bits.yw >> vec2u(8u)) * INV_2_24;
  let r = sqrt(-2.0 * log(u1));
  let z = vec4f(r.x * cos(TWO_PI * u2.x), r.x * sin(TWO_PI * u2.x),
                r.y * cos(TWO_PI * u2.y), r.y * sin(TWO_PI * u2.y));
  store4(block_index * 4u, dist_params.a + dist_params.b * z);
}

@compute @workgroup_size(64)
fn random_gather_rows(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (col >= gather_params.cols || row >= gather_params.rows) { return; }
  let index = draw(row, gather_params.stream, gather_params.seed).x % gather_params.src_rows;
  out[(gather_params.dst_row_offset + row) * gather_params.cols + col] = src[index * gather_params.cols + col];
}
