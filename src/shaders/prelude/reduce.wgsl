// reduce.wgsl — prelude: the sum of one value per invocation over a workgroup of
// REDUCE_WORKGROUP invocations (an override: the reduction kernels' tuning
// variants set it), returned to every invocation. The *_wg reduction entries
// (batchnorm, linear_backward_bias, conv*_backward_bias) run one such workgroup
// per channel (or feature): each invocation strides over the channel's values,
// then these functions combine the partials.
//   workgroup_sum2(v, tid) = Σ_{t < REDUCE_WORKGROUP} v_t   (vec2f: two sums at once)
//   workgroup_sum(v, tid)  = the same of one f32
// This is the plain form: a tree in workgroup memory, the upper half of the
// live range added onto the lower half each round (⌈log2 REDUCE_WORKGROUP⌉
// rounds, any size). On a device with 'subgroups' the family is also compiled
// with reduce_subgroups.wgsl in its place (index.ts: a prelude's `alternates`),
// the same functions on subgroup operations; the tuner picks between them.
// Call in uniform control flow only; each call ends with a barrier, so it may
// be called again at once. Why: docs/performance-notes.md#reductions-and-subgroups
override REDUCE_WORKGROUP: u32 = 64u;

var<workgroup> reduce_partials: array<vec2f, REDUCE_WORKGROUP>;

fn workgroup_sum2(v: vec2f, tid: u32) -> vec2f {
  reduce_partials[tid] = v;
  workgroupBarrier();
  var live = REDUCE_WORKGROUP;
  while (live > 1u) {
    let upper = (live + 1u) / 2u; // entries upper .. live − 1 are added onto 0 .. live − upper − 1
    if (tid + upper < live) { reduce_partials[tid] += reduce_partials[tid + upper]; }
    live = upper;
    workgroupBarrier();
  }
  let total = reduce_partials[0];
  workgroupBarrier(); // everyone has read the total before a next call writes
  return total;
}

fn workgroup_sum(v: f32, tid: u32) -> f32 {
  return workgroup_sum2(vec2f(v, 0.0), tid).x;
}
