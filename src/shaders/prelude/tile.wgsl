// tile.wgsl — prelude: the register tile of the GEMM-shaped kernels
// (linear.wgsl, conv2d.wgsl, conv_transpose2d.wgsl, fused_mlp_gan.wgsl). No bindings.
//
// An invocation owns TILE × TILE outputs (TILE from KERNEL_SIZES.tile), held
// as TILE TileRow values of four vec4f accumulators, and advances its
// reduction 4 indices per step: the tile columns' 4 terms are gathered into
// the columns of four mat4x4f (TileCols), each tile row's 4 terms into a
// vec4f, and row_step adds the row's 16 dot products.
// Why this tiling: docs/performance-notes.md#linear

// TileRow is four vec4f wide and the kernels name their 16 rows t0 .. t15.
const_assert TILE == 16u;

// The 4 reduction indices one step covers, as offsets from its first.
const STEP = vec4u(0u, 1u, 2u, 3u);

// Sixteen accumulators of one tile row: qj holds tile columns 4j .. 4j+3.
struct TileRow { q0: vec4f, q1: vec4f, q2: vec4f, q3: vec4f }

// One reduction step's terms for the 16 tile columns: column c of mj holds
// the 4 terms of tile column 4j + c.
struct TileCols { m0: mat4x4f, m1: mat4x4f, m2: mat4x4f, m3: mat4x4f }

// A tile row after one reduction step: a holds the row's 4 terms; a * mj is
// the 4 dot products with the columns of mj.
fn row_step(acc: TileRow, a: vec4f, c: TileCols) -> TileRow {
  return TileRow(acc.q0 + a * c.m0, acc.q1 + a * c.m1, acc.q2 + a * c.m2, acc.q3 + a * c.m3);
}

// The 4 reduction indices from i, clamped to count - 1 (always valid
// addresses, no branch), and which of them are real.
fn step_indices(i: u32, count: u32) -> vec4u { return min(i + STEP, vec4u(count - 1u)); }
fn step_live(i: u32, count: u32) -> vec4<bool> { return i + STEP < vec4u(count); }
