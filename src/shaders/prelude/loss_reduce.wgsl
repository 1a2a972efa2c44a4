// loss_reduce.wgsl — prelude: the end of a GAN loss kernel (one workgroup of
// LOSS_WG, an override: index.ts LOSS_OVERRIDES): each invocation's sums of the
// loss and of D's presented outputs over the first (fake) rows and the rest
// (real) are added up by loss_sum.wgsl (a tree, or subgroup operations in the
// family's 'subgroups' source), and invocation 0 writes
//   loss_out = [scale·Σℓ, mean over the first rows, mean over the rest, 0].
// The including file binds `loss_out` (4) and calls this from uniform control
// flow; needs LOSS_OUT_* and loss_sum.wgsl before it.

fn reduce_loss_out(tid: u32, loss: f32, sum_first: f32, sum_rest: f32, rows: u32, first_rows: u32, scale: f32) {
  let total = loss_workgroup_sum(vec3f(loss, sum_first, sum_rest), tid);
  if (tid == 0u) {
    loss_out[LOSS_OUT_LOSS] = scale * total.x;
    loss_out[LOSS_OUT_OUT_A] = select(0.0, total.y / f32(first_rows), first_rows > 0u);
    loss_out[LOSS_OUT_OUT_B] = select(0.0, total.z / f32(rows - first_rows), rows > first_rows);
    loss_out[3] = 0.0;
  }
}
