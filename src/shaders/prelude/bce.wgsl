// bce.wgsl — prelude: binary cross-entropy on a logit, for bce_with_logits.wgsl
// and fused_mlp_gan.wgsl's BCE op. No bindings.
//
//   σ(l)     = 1 / (1 + e^−l), from e^−|l| only (no overflow)
//   ℓ(l, t)  = max(l, 0) − l·t + log(1 + e^−|l|)   (−t·log σ(l) − (1 − t)·log(1 − σ(l)), stable:
//              no exp of a positive number, finite at |l| = 100)
//   dℓ/dl    = σ(l) − t

fn sigmoid(l: f32) -> f32 {
  let e = exp(-abs(l));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), l >= 0.0);
}

fn bce_loss(l: f32, t: f32) -> f32 { return max(l, 0.0) - l * t + log(1.0 + exp(-abs(l))); }
