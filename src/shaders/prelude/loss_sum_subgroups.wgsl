// loss_sum_subgroups.wgsl — prelude: loss_sum.wgsl's function on subgroup
// operations, in its place in the family's source for the 'subgroups' device
// feature (whose source starts with `enable subgroups;`). The same sums:
//   loss_workgroup_sum(v, tid) = Σ_{t < LOSS_WG} v_t, to every invocation.
// As reduce_subgroups.wgsl: each invocation writes its partial to workgroup
// memory; after one barrier every subgroup sums the whole array itself (lane r
// of a subgroup of n active lanes adds entries r, r + n, r + 2n, …) and
// subgroupAdd adds the n lane sums: one barrier instead of the tree's
// ⌈log2 LOSS_WG⌉. r and n are counted (subgroupExclusiveAdd(1),
// subgroupAdd(1)), so no subgroup size and no mapping of invocations onto
// subgroups is assumed. The order of the additions depends on the subgroup
// size, so the sums agree with the tree's up to float rounding, not in bits.
// Call once per kernel, in uniform control flow.

var<workgroup> loss_partials: array<vec3f, LOSS_WG>;

fn loss_workgroup_sum(v: vec3f, tid: u32) -> vec3f {
  loss_partials[tid] = v;
  workgroupBarrier();
  let lanes = subgroupAdd(1u);
  let rank = subgroupExclusiveAdd(1u);
  var acc = vec3f(0.0);
  for (var k = 0u; k < LOSS_WG; k += lanes) {
    let j = k + rank;
    if (j < LOSS_WG) { acc += loss_partials[j]; }
  }
  return subgroupAdd(acc);
}
