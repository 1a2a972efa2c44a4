// philox.wgsl — Philox4x32-10 (Salmon et al. 2011), the counter-based
// generator behind every random draw: a library of functions with no
// bindings. index.ts puts it before each file that draws (random.wgsl,
// fused_mlp_gan.wgsl), so there is one copy of it.
//
//   philox4x32_10(counter, key) → 4 u32; checked against reference/random.ts.
//   philox_block, philox_uniform, philox_normal: the draws' counter layout and
//   their maps to 4 uniforms or 4 normals (random.wgsl's header has the formulas).

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


// The block of 4 u32 that every draw uses: counter (block_index, train_step,
// stream, 0), key (seed, 0); train_step is the training state's STATE_STEP.
fn philox_block(block_index: u32, train_step: u32, stream: u32, seed: u32) -> vec4u {
  return philox4x32_10(vec4u(block_index, train_step, stream, 0u), vec2u(seed, 0u));
}

const INV_2_24: f32 = 5.9604644775390625e-8;
const TWO_PI: f32 = 6.283185307179586;

// Four uniforms in [0, 1) from a block: u = (x >> 8) · 2^-24.
fn philox_uniform(bits: vec4u) -> vec4f { return vec4f(bits >> vec4u(8u)) * INV_2_24; }

// Four N(0, 1) from a block: Box–Muller on (x, y) and (z, w), with
// u1 = ((x >> 8) + 1) · 2^-24 ∈ (0, 1] (no log of 0).
fn philox_normal(bits: vec4u) -> vec4f {
  let u1 = (vec2f(bits.xz >> vec2u(8u)) + 1.0) * INV_2_24;
  let u2 = vec2f(bits.yw >> vec2u(8u)) * INV_2_24;
  let r = sqrt(-2.0 * log(u1));
  return vec4f(r.x * cos(TWO_PI * u2.x), r.x * sin(TWO_PI * u2.x), r.y * cos(TWO_PI * u2.y), r.y * sin(TWO_PI * u2.y));
}
