// concat_labels.wgsl — conditions a net on a class label by appending K
// one-hot label channels (a conditional GAN: G gets [z; onehot(y)], D gets
// the label as K constant planes next to the image's channels).
//
//   concat_labels_forward:         out[n, c, s] = x[n, c, s]                  for c < C
//                                  out[n, c, s] = (c − C == y_n) ? 1 : 0      for C ≤ c < C + K
//   concat_labels_backward_input:  dx[n, c, s]  = dout[n, c, s]               for c < C (labels get no gradient)
//
// y_n = clamp(floor(labels[n]), 0, K − 1): labels are class indices stored as
// floats, and a uniform draw in [0, K) works directly as a label.
//
// Bindings (N = rows, C = channels, K = classes, S = spatial: H·W for images, 1 for vectors):
//   x, dx (N, C, S)   labels (N)   out, dout (N, C + K, S)
// One invocation per element of the entry's output, CONCAT_LABELS_WORKGROUP per workgroup,
// flat index folded 2D past 65535 workgroups (dispatch1d in index.ts).

struct ConcatLabelsParams {
  rows: u32,      // N
  channels: u32,  // C
  classes: u32,   // K
  spatial: u32,   // S
}

@group(0) @binding(0) var<uniform> params: ConcatLabelsParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (N, C, S)
@group(0) @binding(2) var<storage, read> labels: array<f32>;        // (N)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;     // (N, C + K, S)
@group(0) @binding(4) var<storage, read> dout: array<f32>;          // (N, C + K, S)
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;      // (N, C, S)

// The invocation's flat index, with workgroups folded 2D as dispatch1d does.
fn flat_index(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * CONCAT_LABELS_WORKGROUP; }

@compute @workgroup_size(CONCAT_LABELS_WORKGROUP)
fn concat_labels_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  let s_count = params.spatial;
  let c_out = params.channels + params.classes;
  if (i >= params.rows * c_out * s_count) { return; }
  let n = i / (c_out * s_count);
  let c = (i / s_count) % c_out;
  let s = i % s_count;
  if (c < params.channels) {
    out[i] = x[(n * params.channels + c) * s_count + s];
  } else {
    let y = u32(clamp(floor(labels[n]), 0.0, f32(params.classes - 1u)));
    out[i] = select(0.0, 1.0, c - params.channels == y);
  }
}

@compute @workgroup_size(CONCAT_LABELS_WORKGROUP)
fn concat_labels_backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  let s_count = params.spatial;
  if (i >= params.rows * params.channels * s_count) { return; }
  let n = i / (params.channels * s_count);
  let rest = i % (params.channels * s_count); // c · S + s
  dx[i] = dout[(n * (params.channels + params.classes)) * s_count + rest];
}
