// random.wgsl — counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
//
// Every draw is a pure function of (seed, step, stream, index): the same seed gives the same run,
// whatever the dispatch order, and a recorded step needs no uniform rewritten because `step` is read
// from the GPU training state (STATE_STEP). Each training phase draws from its own stream id.
//   counter = (block, step, stream, 0), key = (seed, 0), one block = 4 u32 outputs
//   uniform: u = (x >> 8) · 2^-24 ∈ [0, 1),    out[offset + i] = low + (high − low) · u
//   normal:  Box–Muller on pairs, u1 = ((x >> 8) + 1) · 2^-24 ∈ (0, 1]
//   gather:  row r copies src row (philox(r, step, stream)[0] mod src_rows)
// philox4x32_10 and these maps come from prelude/philox.wgsl. Bindings:
//   random_uniform, random_normal: dist_params, state (8, u32), out (≥ offset + count)
//   random_gather_rows: gather_params, state, src (src_rows, cols), out (≥ dst_row_offset + rows, cols)
// Dispatch: random_uniform / random_normal RANDOM_WORKGROUP invocations per workgroup, 4 outputs (one
// block) each, folded 2D (dispatch1d); random_gather_rows x over columns (RANDOM_WORKGROUP per workgroup), y over rows.

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

fn draw(block_index: u32, stream: u32, seed: u32) -> vec4u {
  return philox_block(block_index, state[STATE_STEP], stream, seed);
}

fn store4(start: u32, v: vec4f) {
  let n = dist_params.count;
  let o = dist_params.offset + start;
  if (start < n) { out[o] = v.x; }
  if (start + 1u < n) { out[o + 1u] = v.y; }
  if (start + 2u < n) { out[o + 2u] = v.z; }
  if (start + 3u < n) { out[o + 3u] = v.w; }
}

@compute @workgroup_size(RANDOM_WORKGROUP)
fn random_uniform(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let block_index = gid.x + gid.y * nwg.x * RANDOM_WORKGROUP;
  if (block_index * 4u >= dist_params.count) { return; }
  let bits = draw(block_index, dist_params.stream, dist_params.seed);
  store4(block_index * 4u, dist_params.a + (dist_params.b - dist_params.a) * philox_uniform(bits));
}

@compute @workgroup_size(RANDOM_WORKGROUP)
fn random_normal(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let block_index = gid.x + gid.y * nwg.x * RANDOM_WORKGROUP;
  if (block_index * 4u >= dist_params.count) { return; }
  let bits = draw(block_index, dist_params.stream, dist_params.seed);
  store4(block_index * 4u, dist_params.a + dist_params.b * philox_normal(bits));
}

@compute @workgroup_size(RANDOM_WORKGROUP)
fn random_gather_rows(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (col >= gather_params.cols || row >= gather_params.rows) { return; }
  let index = draw(row, gather_params.stream, gather_params.seed).x % gather_params.src_rows;
  out[(gather_params.dst_row_offset + row) * gather_params.cols + col] = src[index * gather_params.cols + col];
}
