// philox.wgsl — Philox4x32-10 (Salmon et al. 2011), the counter-based
// generator behind every random draw: a library of functions with no
// bindings. index.ts puts it before each file that draws (random.wgsl,
// fused_mlp_gan.wgsl), so there is one copy of it.
//
//   philox4x32_10(counter, key) → 4 u32; checked against reference/random.ts.

// (hi, lo) of the 64-bit product a·b, from 16-bit halves (WGSL has no mulhi).
fn mul_hi_lo(a: u32, b: u32) -> vec2u {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let hi_lo = a_hi * b_lo;
  let lo_hi = a_lo * b_hi;
  let cross = (lo_lo >> 16u) + (hi_lo & 0xffffu) + lo_hi;   // ≤ 0xffffffff, no overflow
  let hi = a_hi * b_hi + (hi_lo >> 16u) + (cross >> 16u);
  return vec2u(hi, a * b);
}

fn philox4x32_10(counter: vec4u, seed: vec2u) -> vec4u {
  var c = counter;
  var k = seed;
  for (var round = 0u; round < 10u; round++) {
    let p0 = mul_hi_lo(0xD2511F53u, c.x);
    let p1 = mul_hi_lo(0xCD9E8D57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

