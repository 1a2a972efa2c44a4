// reduce_subgroups.wgsl — prelude: reduce.wgsl's functions on subgroup
// operations, in its place in the family's source for the 'subgroups' device
// feature (whose source starts with `enable subgroups;`). The same sums:
//   workgroup_sum2(v, tid) = Σ_{t < REDUCE_WORKGROUP} v_t, to every invocation.
// Each invocation writes its partial to workgroup memory; after one barrier
// every subgroup sums the whole array itself: lane r of a subgroup of n active
// lanes adds entries r, r + n, r + 2n, … (⌈REDUCE_WORKGROUP / n⌉ reads), and
// subgroupAdd adds the n lane sums. One barrier instead of a tree's
// ⌈log2 REDUCE_WORKGROUP⌉. r and n are counted (subgroupExclusiveAdd(1),
// subgroupAdd(1)), not taken from subgroup_size: no subgroup size (4 to 128,
// or different per subgroup) and no mapping of invocations to subgroups is
// assumed, and a partly filled subgroup (a workgroup smaller than the
// subgroup, or not a multiple of it) still covers every entry.
// Call in uniform control flow only; each call ends with a barrier.
override REDUCE_WORKGROUP: u32 = 64u;

var<workgroup> reduce_partials: array<vec2f, REDUCE_WORKGROUP>;

fn workgroup_sum2(v: vec2f, tid: u32) -> vec2f {
  reduce_partials[tid] = v;
  workgroupBarrier();
  let lanes = subgroupAdd(1u);
  let rank = subgroupExclusiveAdd(1u);
  var acc = vec2f(0.0);
  for (var k = 0u; k < REDUCE_WORKGROUP; k += lanes) {
    let j = k + rank;
    if (j < REDUCE_WORKGROUP) { acc += reduce_partials[j]; }
  }
  let total = subgroupAdd(acc);
  workgroupBarrier(); // everyone has read reduce_partials before a next call writes
  return total;
}

fn workgroup_sum(v: f32, tid: u32) -> f32 {
  return workgroup_sum2(vec2f(v, 0.0), tid).x;
}
