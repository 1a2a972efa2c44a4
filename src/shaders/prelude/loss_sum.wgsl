// loss_sum.wgsl — prelude: the three sums that end a GAN loss kernel, over its
// one workgroup of LOSS_WG invocations (an override the including family
// declares: index.ts LOSS_OVERRIDES, which its tuning variants set):
//   loss_workgroup_sum(v, tid) = Σ_{t < LOSS_WG} v_t   (vec3f: Σℓ, Σ over the first rows, Σ over the rest)
// This is the plain form: a tree in workgroup memory, the upper half of the
// live range added onto the lower half each round (⌈log2 LOSS_WG⌉ rounds, any
// size). At a power of two that is the halving tree these kernels always ran
// (stride LOSS_WG/2, LOSS_WG/4, …, 1), so at today's 256 the bits are today's.
// On a device with 'subgroups' the family is also compiled with
// loss_sum_subgroups.wgsl in its place (index.ts: a prelude's `alternates`).
// The total is returned to every invocation. Call once per kernel, in uniform
// control flow: no barrier follows the last read, so a second call could
// overwrite the partials while another invocation still reads them.
// Why: docs/performance-notes.md#reductions-and-subgroups

var<workgroup> loss_partials: array<vec3f, LOSS_WG>;

fn loss_workgroup_sum(v: vec3f, tid: u32) -> vec3f {
  loss_partials[tid] = v;
  workgroupBarrier();
  var live = LOSS_WG;
  while (live > 1u) {
    let upper = (live + 1u) / 2u; // entries upper .. live − 1 are added onto 0 .. live − upper − 1
    if (tid + upper < live) { loss_partials[tid] += loss_partials[tid + upper]; }
    live = upper;
    workgroupBarrier();
  }
  return loss_partials[0];
}
