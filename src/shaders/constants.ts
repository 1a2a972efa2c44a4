// Numbers that TypeScript and WGSL both use, written once here. A kernel
// family lists the tables it needs (index.ts) and gets them as WGSL `const`
// declarations ahead of its source, so the two sides cannot disagree.
// Kept apart from index.ts so that CPU-only code can import it without the
// WGSL sources.

/** Activation codes: the `act` uniform of linear.wgsl and activation.wgsl, the ACT override of the conv and batchnorm kernels. */
export const ACTIVATION_CODE = { none: 0, relu: 1, leakyRelu: 2, elu: 3, tanh: 4, sigmoid: 5 } as const;
export type ActivationName = keyof typeof ACTIVATION_CODE;

/**
 * The training state (u32 words), written only by the GPU while training
 * (update_bookkeeping.wgsl) so that a recorded step needs no readback:
 * `halted` and where, the completed steps (which key every random draw) and,
 * per optimizer phase p, its completed updates at `updates + p` (Adam's t).
 */
export const TRAIN_STATE = { halted: 0, haltedAtStep: 1, haltedPhase: 2, step: 3, updates: 4 } as const;
/** Words in the training state buffer. */
export const TRAIN_STATE_WORDS = 8;
/** Optimizer phases the state and stats have room for (a GAN: D = 0, G = 1; a classifier: 0). */
export const MAX_PHASES = TRAIN_STATE_WORDS - TRAIN_STATE.updates;

/**
 * Training statistics (f32), sums since the host last read and cleared them:
 * per phase p, TRAIN_STATS_STRIDE floats at p · stride. `outA` / `outB` are
 * what the phase's loss reports about its net's outputs (a GAN's D update:
 * mean D(G(z)) and mean D(x)).
 */
export const TRAIN_STATS = { loss: 0, outA: 1, outB: 2, gradNorm: 3, count: 4 } as const;
export const TRAIN_STATS_STRIDE = 8;
export const TRAIN_STATS_FLOATS = MAX_PHASES * TRAIN_STATS_STRIDE;

/** The `loss_out` (4 floats) every loss kernel writes: [loss, outA, outB, 0]. */
export const LOSS_OUT = { loss: 0, outA: 1, outB: 2 } as const;

/** The op codes of fused_mlp_gan.wgsl's program (models/layers/fused-ops.ts builds the records). */
export const FUSED_OP = {
  copyTrained: 0,
  copyFrozen: 1,
  uniform: 2,
  normal: 3,
  gather: 4,
  gemm: 5,
  actForward: 6,
  actBackward: 7,
  biasGrad: 8,
  bce: 9,
  update: 10,
  gemv: 11,
} as const;

/** A table of u32 constants and the prefix its WGSL names get ('' for none). */
export interface ConstantTable {
  prefix: string;
  values: Readonly<Record<string, number>>;
}

export const ACTIVATION_CONSTANTS: ConstantTable = { prefix: 'ACT', values: ACTIVATION_CODE };
export const TRAIN_STATE_CONSTANTS: ConstantTable = {
  prefix: 'STATE',
  values: { ...TRAIN_STATE, words: TRAIN_STATE_WORDS },
};
export const TRAIN_STATS_CONSTANTS: ConstantTable = { prefix: 'STATS', values: { ...TRAIN_STATS, stride: TRAIN_STATS_STRIDE } };
export const LOSS_OUT_CONSTANTS: ConstantTable = { prefix: 'LOSS_OUT', values: LOSS_OUT };
export const FUSED_OP_CONSTANTS: ConstantTable = { prefix: 'OP', values: FUSED_OP };

/** leakyRelu → LEAKY_RELU. */
const screaming = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** `const <PREFIX>_<NAME>: u32 = <v>u;` per entry. */
export function wgslConstants(table: ConstantTable): string {
  return Object.entries(table.values)
    .map(([name, v]) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${table.prefix}.${name} = ${v} is not a u32`);
      return `const ${table.prefix ? `${table.prefix}_` : ''}${screaming(name)}: u32 = ${v}u;`;
    })
    .join('\n');
}

/** The per-row loss of gan_loss.wgsl (models/losses/: lsgan, hinge, wgan, bce-minimax). */
export const GAN_LOSS_KIND = { squared: 0, hinge: 1, linear: 2, logOneMinusSigmoid: 3 } as const;
/** How gan_loss.wgsl reports D's outputs in loss_out: as they are (a critic's score) or through σ (a logit). */
export const GAN_LOSS_PRESENT = { raw: 0, sigmoid: 1 } as const;
export const GAN_LOSS_CONSTANTS: ConstantTable = { prefix: 'LOSS', values: GAN_LOSS_KIND };
export const GAN_LOSS_PRESENT_CONSTANTS: ConstantTable = { prefix: 'PRESENT', values: GAN_LOSS_PRESENT };

/** The row terms of gradient_penalty.wgsl's penalty_rows (models/losses/gradient-penalty.ts). */
export const PENALTY_KIND = { wganGp: 0, r1: 1 } as const;
export const PENALTY_CONSTANTS: ConstantTable = { prefix: 'PENALTY', values: PENALTY_KIND };

/** The learning-rate schedules of every optimizer kernel (prelude/lr_schedule.wgsl, models/optim/schedule.ts). */
export const LR_SCHEDULE_KIND = { constant: 0, linear: 1, cosine: 2 } as const;
export const LR_SCHEDULE_CONSTANTS: ConstantTable = { prefix: 'SCHEDULE', values: LR_SCHEDULE_KIND };
