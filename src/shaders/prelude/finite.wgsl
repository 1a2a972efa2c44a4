// finite.wgsl — prelude: is_finite, for the kernels that stop training on a
// non-finite loss or gradient.

// Exponent bits all ones means inf or NaN; a bit test cannot be folded away
// by a compiler that assumes no NaNs, unlike v == v.
fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}
