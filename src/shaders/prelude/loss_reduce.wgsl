// loss_reduce.wgsl — prelude: the end of a GAN loss kernel (one workgroup of
// LOSS_WG): each invocation's sums of the loss and of D's presented outputs
// over the first (fake) rows and the rest (real) are added up, and invocation
// 0 writes loss_out = [scale·Σℓ, mean over the first rows, mean over the rest, 0].
// The including file binds `loss_out` (4) and calls this from uniform control flow.

const LOSS_WG: u32 = 256u;
var<workgroup> partial_loss: array<f32, LOSS_WG>;
var<workgroup> partial_first: array<f32, LOSS_WG>;
var<workgroup> partial_rest: array<f32, LOSS_WG>;

fn reduce_loss_out(tid: u32, loss: f32, sum_first: f32, sum_rest: f32, rows: u32, first_rows: u32, scale: f32) {
  partial_loss[tid] = loss;
  partial_first[tid] = sum_first;
  partial_rest[tid] = sum_rest;
  workgroupBarrier();
  for (var stride = LOSS_WG / 2u; stride > 0u; stride /= 2u) {
    if (tid < stride) {
      partial_loss[tid] += partial_loss[tid + stride];
      partial_first[tid] += partial_first[tid + stride];
      partial_rest[tid] += partial_rest[tid + stride];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    loss_out[LOSS_OUT_LOSS] = scale * partial_loss[0];
    loss_out[LOSS_OUT_OUT_A] = select(0.0, partial_first[0] / f32(first_rows), first_rows > 0u);
    loss_out[LOSS_OUT_OUT_B] = select(0.0, partial_rest[0] / f32(rows - first_rows), rows > first_rows);
    loss_out[3] = 0.0;
  }
}
