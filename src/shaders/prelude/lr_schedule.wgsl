// lr_schedule.wgsl — prelude: the learning rate of update t (1-based, the optimizer's
// state[STATE_UPDATES + phase]) under its schedule, for every optimizer kernel. No bindings.
// Needs the SCHEDULE_* constants. With n = min(t − 1, steps) updates done and f = lr_final:
//
//   SCHEDULE_CONSTANT   lr_t = lr
//   SCHEDULE_LINEAR     lr_t = lr · (1 − (1 − f) · n / steps)
//   SCHEDULE_COSINE     lr_t = lr · (f + (1 − f) · (1 + cos(π · n / steps)) / 2)
//
// Update 1 runs at exactly lr, each after `steps` at f · lr (models/optim/schedule.ts: torch's
// LinearLR / CosineAnnealingLR stepped after each update, held at the end). cos is its own Taylor
// series to z¹³ (truncation < 1e-9), as WGSL allows the builtin an error of 2⁻¹¹.

struct LrSchedule { kind: u32, steps: u32, lr_final: f32 }

// (1 + cos(π·x)) / 2 for x in [0, 1]: (1 − sin(z)) / 2 at z = π·(x − ½) in [−π/2, π/2].
fn half_one_plus_cos_pi(x: f32) -> f32 {
  let z = 3.14159265358979 * (x - 0.5);
  let z2 = z * z;
  let series = 1.0 + z2 * (-1.0 / 6.0 + z2 * (1.0 / 120.0 + z2 * (-1.0 / 5040.0 + z2 * (1.0 / 362880.0
    + z2 * (-1.0 / 39916800.0 + z2 * (1.0 / 6227020800.0))))));
  return 0.5 * (1.0 - z * series);
}

// The learning rate of update t under schedule s.
fn scheduled_lr(lr: f32, s: LrSchedule, t: u32) -> f32 {
  let n = min(max(t, 1u) - 1u, s.steps);
  if (s.kind == SCHEDULE_CONSTANT || n == 0u) { return lr; }
  if (n == s.steps) { return lr * s.lr_final; }
  let x = f32(n) / f32(s.steps);
  if (s.kind == SCHEDULE_LINEAR) { return lr * (1.0 - (1.0 - s.lr_final) * x); }
  return lr * (s.lr_final + (1.0 - s.lr_final) * half_one_plus_cos_pi(x));
}
