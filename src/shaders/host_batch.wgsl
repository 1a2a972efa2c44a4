// host_batch.wgsl — a batch the host wrote (noise or data from a callback)
// into its slot of a ring, copied where the step reads it. The host fills slot
// (step mod slots) before it submits that step; the step counter is the GPU's
// (state[STATE_STEP]), so a recorded step needs no uniform rewritten.
//
//   out[(dst_row_offset + r)·cols + c] = ring[((step mod slots)·draws + draw)·rows·cols + r·cols + c]
//
// Bindings: ring (slots, draws, rows, cols)   state (STATE_WORDS, u32)   out (≥ (dst_row_offset + rows)·cols)
// One element per invocation, HOST_BATCH_WORKGROUP per workgroup.

struct HostBatchParams {
  rows: u32,
  cols: u32,
  draws: u32,
  draw: u32,
  slots: u32,
  dst_row_offset: u32,
}

@group(0) @binding(0) var<uniform> params: HostBatchParams;
@group(0) @binding(1) var<storage, read> ring: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(HOST_BATCH_WORKGROUP)
fn copy_host_batch(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * HOST_BATCH_WORKGROUP;
  let size = params.rows * params.cols;
  if (i >= size) { return; }
  let slot = state[STATE_STEP] % params.slots;
  out[params.dst_row_offset * params.cols + i] = ring[(slot * params.draws + params.draw) * size + i];
}
