// One descriptor per kernel family: its WGSL, assembled from the constant
// tables it uses (constants.ts), the preludes it includes (prelude/*.wgsl)
// and its own file, and, per entry point, the workgroup count for a set of
// uniforms. Bindings, uniform layouts and workgroup sizes come from
// reflecting the assembled source (runtime/kernel.ts).
import { defineKernelFamily, type DispatchFn, type FamilyTuning, type KernelFamily, type KernelVariant, type WorkgroupCount } from '../runtime/kernel.js';
import {
  ACTIVATION_CONSTANTS,
  FUSED_OP_CONSTANTS,
  GAN_LOSS_CONSTANTS,
  GAN_LOSS_PRESENT_CONSTANTS,
  PENALTY_CONSTANTS,
  LOSS_OUT_CONSTANTS,
  LR_SCHEDULE_CONSTANTS,
  TRAIN_STATE_CONSTANTS,
  TRAIN_STATE_WORDS,
  TRAIN_STATS_FLOATS,
  TRAIN_STATS_CONSTANTS,
  wgslConstants,
  type ConstantTable,
} from './constants.js';
import activationPrelude from './prelude/activation.wgsl';
import adamStepPrelude from './prelude/adam_step.wgsl';
import bcePrelude from './prelude/bce.wgsl';
import lossReducePrelude from './prelude/loss_reduce.wgsl';
import lossSumPrelude from './prelude/loss_sum.wgsl';
import lossSumSubgroupsPrelude from './prelude/loss_sum_subgroups.wgsl';
import convCommonPrelude from './prelude/conv_common.wgsl';
import finitePrelude from './prelude/finite.wgsl';
import lrSchedulePrelude from './prelude/lr_schedule.wgsl';
import philoxPrelude from './prelude/philox.wgsl';
import tilePrelude from './prelude/tile.wgsl';
import reducePrelude from './prelude/reduce.wgsl';
import reduceSubgroupsPrelude from './prelude/reduce_subgroups.wgsl';
import updateBookkeepingPrelude from './prelude/update_bookkeeping.wgsl';
import linearSource from './linear.wgsl';
import activationSource from './activation.wgsl';
import bceWithLogitsSource from './bce_with_logits.wgsl';
import ganLossSource from './gan_loss.wgsl';
import adamSource from './adam.wgsl';
import sgdSource from './sgd.wgsl';
import rmspropSource from './rmsprop.wgsl';
import paramOpsSource from './param_ops.wgsl';
import hostBatchSource from './host_batch.wgsl';
import trainStateSource from './train_state.wgsl';
import randomSource from './random.wgsl';
import batchnormSource from './batchnorm.wgsl';
import conv2dSource from './conv2d.wgsl';
import convTranspose2dSource from './conv_transpose2d.wgsl';
import softmaxCrossEntropySource from './softmax_cross_entropy.wgsl';
import concatLabelsSource from './concat_labels.wgsl';
import fusedMlpGanSource from './fused_mlp_gan.wgsl';
import spectralNormSource from './spectral_norm.wgsl';
import gradientPenaltySource from './gradient_penalty.wgsl';

export { ACTIVATION_CODE, type ActivationName } from './constants.js';

/**
 * A WGSL file of functions (and consts) with no bindings of its own, put before the files that
 * include it; one that uses the including file's bindings says which in its header. Its
 * parameters and locals avoid the includers' binding names: wgsl_reflect would count such a
 * name as a use of the binding (shaders.spec.ts checks).
 */
export interface Prelude {
  name: string;
  source: string;
  /**
   * Per device feature, a prelude that replaces this one in the family's source for that feature
   * (KernelFamily.featureSources: `enable …;`, then the same sections with these swapped in): the
   * same functions, written with what the feature offers. Its entries run only as tuning variants
   * that require the feature.
   */
  alternates?: Partial<Record<GPUFeatureName, Prelude>>;
}

export const FINITE: Prelude = { name: 'finite', source: finitePrelude };
export const PHILOX: Prelude = { name: 'philox', source: philoxPrelude };
/** Needs FINITE before it, and the including file's `state` and `stats` bindings. */
export const UPDATE_BOOKKEEPING: Prelude = { name: 'update_bookkeeping', source: updateBookkeepingPrelude };
/** activate / activation_grad by ACT_* code (needs ACTIVATION_CONSTANTS). */
export const ACTIVATION: Prelude = { name: 'activation', source: activationPrelude };
/** The register tile of the GEMM-shaped kernels (needs the `tile` sizes). */
export const TILE_PRELUDE: Prelude = { name: 'tile', source: tilePrelude };
/** torch.optim.Adam's (or AdamW's) update of one parameter. */
export const ADAM_STEP: Prelude = { name: 'adam_step', source: adamStepPrelude };
/** The learning rate of update t under its schedule, for every optimizer kernel (needs LR_SCHEDULE_CONSTANTS). */
export const LR_SCHEDULE: Prelude = { name: 'lr_schedule', source: lrSchedulePrelude };
/** σ and the stable BCE on a logit. */
export const BCE: Prelude = { name: 'bce', source: bcePrelude };
/**
 * loss_workgroup_sum over a GAN loss kernel's one workgroup of LOSS_WG invocations (an override the
 * family declares: LOSS_OVERRIDES): a tree in workgroup memory, or subgroup operations in the family's
 * 'subgroups' source.
 */
export const LOSS_SUM: Prelude = {
  name: 'loss_sum',
  source: lossSumPrelude,
  alternates: { subgroups: { name: 'loss_sum_subgroups', source: lossSumSubgroupsPrelude } },
};
/** The end of a GAN loss kernel: sums to loss_out (needs LOSS_OUT_*, LOSS_SUM and the including file's `loss_out`). */
export const LOSS_REDUCE: Prelude = { name: 'loss_reduce', source: lossReducePrelude };
/** What conv2d and conv_transpose2d share: needs ACTIVATION, TILE_PRELUDE and REDUCE, the `tile` and `conv` sizes, and the including file's `params`, x, w, dy and y_saved. */
export const CONV_COMMON: Prelude = { name: 'conv_common', source: convCommonPrelude };
/**
 * workgroup_sum / workgroup_sum2 over REDUCE_WORKGROUP invocations (an override): a tree in workgroup
 * memory, or subgroup operations in the family's 'subgroups' source.
 */
export const REDUCE: Prelude = {
  name: 'reduce',
  source: reducePrelude,
  alternates: { subgroups: { name: 'reduce_subgroups', source: reduceSubgroupsPrelude } },
};

/** The WGSL `enable` extension of a device feature a prelude alternate may need. */
const WGSL_ENABLE: Partial<Record<GPUFeatureName, string>> = { subgroups: 'subgroups', 'shader-f16': 'f16' };

interface FamilySpec<E extends string> {
  name: string;
  /** Tables emitted as WGSL consts ahead of everything else. */
  constants?: ConstantTable[];
  preludes?: Prelude[];
  source: string;
  dispatch: Record<E, DispatchFn>;
  /** WGSL `override` constants with their defaults, emitted after the consts; tuning variants set them per pipeline. */
  overrides?: Record<string, number>;
  tuning?: FamilyTuning;
}

/** Where a table of consts comes from, for the banner above it. */
const tableOrigin = (t: ConstantTable): string =>
  t.prefix ? `constants ${t.prefix}_* (constants.ts)` : `sizes ${Object.keys(t.values).join(', ')} (KERNEL_SIZES, index.ts)`;

/**
 * Assembles constants, preludes and the family's own file, each under a banner naming where it came
 * from; and, per device feature some prelude has an alternate for, the same with `enable …;` first
 * and the alternates in place (featureSources). Refuses a tuning variant that requires a feature the
 * family has no source for, and an entry whose first variant (the fallback) requires one.
 */
function family<E extends string>(spec: FamilySpec<E>): KernelFamily<E> {
  const overrides = spec.overrides ?? {};
  const assemble = (feature?: GPUFeatureName): string => {
    const sections = [
      ...(spec.constants ?? []).map((t) => ({ name: tableOrigin(t), source: wgslConstants(t) })),
      ...(Object.keys(overrides).length ? [{ name: `overrides ${Object.keys(overrides).join(', ')} (index.ts)`, source: wgslOverrides(overrides) }] : []),
      ...(spec.preludes ?? []).map((p) => {
        const q = (feature && p.alternates?.[feature]) || p;
        return { name: `prelude/${q.name}.wgsl`, source: q.source };
      }),
      { name: `${spec.name}.wgsl`, source: spec.source },
    ];
    const body = sections.map((s) => `// ---- ${s.name}\n${s.source.trimEnd()}\n`).join('\n');
    if (!feature) return body;
    if (!WGSL_ENABLE[feature]) throw new Error(`${spec.name}: no WGSL extension is known for the device feature '${feature}'`);
    return `enable ${WGSL_ENABLE[feature]};\n\n${body}`;
  };
  const features = [...new Set((spec.preludes ?? []).flatMap((p) => Object.keys(p.alternates ?? {}) as GPUFeatureName[]))];
  const featureSources = features.length ? Object.fromEntries(features.map((f) => [f, assemble(f)])) : undefined;
  for (const [entry, variants] of Object.entries(spec.tuning?.variants ?? {})) {
    if (variants?.[0]?.requires) throw new Error(`${spec.name}.${entry}: the first variant is the fallback and must not require '${variants[0].requires}'`);
    for (const v of variants ?? []) {
      if (v.requires && !featureSources?.[v.requires]) throw new Error(`${spec.name}.${entry} variant ${v.name} requires '${v.requires}', for which no prelude has an alternate`);
    }
  }
  return defineKernelFamily({ name: spec.name, source: assemble(), dispatch: spec.dispatch, overrides: spec.overrides, tuning: spec.tuning, featureSources });
}

/** `override NAME: u32 = v;` per entry: a pipeline may set them (GPUProgrammableStage.constants). */
function wgslOverrides(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([name, v]) => {
      if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) throw new Error(`override ${name} = ${v} is not a positive u32`);
      return `override ${name}: u32 = ${v}u;`;
    })
    .join('\n');
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Workgroups for `count` items, `perWorkgroup` each, folded into 2D past the 65535 limit. */
export function dispatch1d(count: number, perWorkgroup: number): WorkgroupCount {
  const groups = ceilDiv(count, perWorkgroup);
  if (groups <= 65535) return [groups, 1, 1];
  return [65535, ceilDiv(groups, 65535), 1];
}

/** Workgroup sizes of the reduction kernels' tuning variants (prelude/reduce.wgsl's REDUCE_WORKGROUP). */
export const REDUCE_WORKGROUPS = [64, 128, 256] as const;
/**
 * `entry` (a workgroup-reduction form, prelude/reduce.wgsl) at each of REDUCE_WORKGROUPS
 * invocations, summing its partials by a tree in workgroup memory ('<prefix>tree.wgN'), then the
 * same on subgroup operations ('<prefix>subgroup.wgN'), candidates only where the device has 'subgroups'.
 */
const reductionForms = (entry: string, prefix = ''): KernelVariant[] => [
  ...REDUCE_WORKGROUPS.map((n): KernelVariant => ({ name: `${prefix}tree.wg${n}`, entry, overrides: { REDUCE_WORKGROUP: n } })),
  ...REDUCE_WORKGROUPS.map((n): KernelVariant => ({ name: `${prefix}subgroup.wg${n}`, entry, overrides: { REDUCE_WORKGROUP: n }, requires: 'subgroups' })),
];
/**
 * Candidates of a per-channel (or per-feature) reduction: today's kernel first (`today`, the
 * fallback), then `entry`'s reductionForms (its one-workgroup-per-channel form).
 */
const reductionVariants = (today: KernelVariant, entry: string): KernelVariant[] => [
  today,
  ...reductionForms(entry),
];

/**
 * Sizes that both the WGSL and the dispatch math below read: each table's keys
 * are emitted as WGSL consts of the same name (`const TILE: u32 = 16u;`), so the
 * kernels say @workgroup_size(LINEAR_WG_X, LINEAR_WG_Y) and the dispatch reads
 * KERNEL_SIZES.linear.LINEAR_WG_X. Sizes the code's shape fixes (a TileRow is 16
 * wide) are checked by const_assert in the WGSL.
 */
export const KERNEL_SIZES = {
  /** prelude/tile.wgsl: each invocation of a tiled product owns TILE × TILE outputs (linear, conv, fused_mlp_gan). */
  tile: { TILE: 16 },
  /** linear.wgsl: linear_backward_bias one feature per invocation (the products' workgroup shape is LINEAR_OVERRIDES). */
  linear: { LINEAR_BIAS_WORKGROUP: 64 },
  /** activation.wgsl: one element per invocation. */
  activation: { ACTIVATION_WORKGROUP: 64 },
  /** adam.wgsl: at most MAX_WORKGROUPS workgroups striding over the buffer (the workgroup shape is ADAM_OVERRIDES). */
  adam: { ADAM_MAX_WORKGROUPS: 256 },
  /** sgd.wgsl, rmsprop.wgsl: the same grid stride as Adam (SGD_OVERRIDES, RMSPROP_OVERRIDES). */
  sgd: { SGD_MAX_WORKGROUPS: 256 },
  rmsprop: { RMSPROP_MAX_WORKGROUPS: 256 },
  /** train_state.wgsl's grad_sq_partials_sum: the same grid stride as Adam. */
  gradSq: { GRAD_SQ_WORKGROUP: 64, GRAD_SQ_MAX_WORKGROUPS: 256 },
  /** random.wgsl: uniform / normal one Philox block (4 outputs) per invocation; gather one column per invocation. */
  random: { RANDOM_WORKGROUP: 64 },
  /** batchnorm.wgsl: one workgroup of BATCHNORM_WORKGROUP per channel (training); the eval forward one value per invocation. */
  batchnorm: { BATCHNORM_WORKGROUP: 16, BATCHNORM_EVAL_WORKGROUP: 64 },
  /**
   * conv2d.wgsl, conv_transpose2d.wgsl (the tiled products' workgroup shapes are CONV_OVERRIDES):
   * backward_weight CONV_SPLIT invocations per tile, each on every CONV_SPLIT-th reduction step; the
   * narrow entries one block of CONV_STRIP_ROWS × CONV_STRIP positions of one stride phase per
   * invocation, which the layers pick for at most CONV_NARROW channels; backward_bias one channel per invocation.
   */
  conv: {
    CONV_SPLIT: 16,
    CONV_STRIP: 16,
    CONV_STRIP_ROWS: 2,
    CONV_NARROW: 4,
    CONV_NARROW_WORKGROUP: 64,
    CONV_BIAS_WORKGROUP: 64,
  },
  /** concat_labels.wgsl: one output element per invocation. */
  concatLabels: { CONCAT_LABELS_WORKGROUP: 64 },
  /** host_batch.wgsl: one element per invocation. */
  hostBatch: { HOST_BATCH_WORKGROUP: 64 },
  /** param_ops.wgsl: clamp_params' invocations per workgroup (ema_update's shape is EMA_OVERRIDES), at most PARAM_OPS_MAX_WORKGROUPS striding over the buffer. */
  paramOps: { PARAM_OPS_WORKGROUP: 64, PARAM_OPS_MAX_WORKGROUPS: 256 },
  /** spectral_norm.wgsl: one workgroup of SPECTRAL_NORM_WORKGROUP (a power of two: its sums halve it). */
  spectralNorm: { SPECTRAL_NORM_WORKGROUP: 256 },
  /** gradient_penalty.wgsl: one element per invocation, penalty_rows one workgroup (a power of two: its sum halves it). */
  penalty: { PENALTY_WORKGROUP: 64 },
} as const;

const sizeTable = (values: Record<string, number>): ConstantTable => ({ prefix: '', values });
const TILE_SIZES = sizeTable(KERNEL_SIZES.tile);
const { TILE } = KERNEL_SIZES.tile;

/**
 * linear.wgsl's products: LINEAR_WG_X × LINEAR_WG_Y invocations per workgroup
 * (WGSL overrides; these defaults are the SwiftShader shape, docs/performance-notes.md#linear).
 */
export const LINEAR_OVERRIDES = { LINEAR_WG_X: 4, LINEAR_WG_Y: 4 } as const;

/** Workgroups for a (rows × cols) output, `block` × `block` outputs per invocation, the workgroup shape the kernel was compiled with. */
const linearGrid = (cols: number, rows: number, block: number, o: Record<string, number>): WorkgroupCount => [
  ceilDiv(cols, o.LINEAR_WG_X * block),
  ceilDiv(rows, o.LINEAR_WG_Y * block),
  1,
];
/**
 * The three products, each at register blocks of 16 (the entry as named), 8 (`_r8`) and 4 (`_r4`),
 * and the workgroup-memory GEMMs (`_smem` scalar slabs, `_smem4` vec4f slabs; a 4 × 4 block per
 * invocation, so a 4·LINEAR_WG_X × 4·LINEAR_WG_Y tile per workgroup: the `_r4` grid).
 */
const LINEAR_PRODUCTS = {
  linear_forward: (u: Record<string, number>) => [u.out_features, u.batch] as const,
  linear_backward_input: (u: Record<string, number>) => [u.in_features, u.batch] as const,
  linear_backward_weight: (u: Record<string, number>) => [u.in_features, u.out_features] as const,
};
type LinearProduct = keyof typeof LINEAR_PRODUCTS;
const LINEAR_BLOCKS = { '': TILE, _r8: 8, _r4: 4, _smem: 4, _smem4: 4 } as const;
const linearProductDispatch = Object.fromEntries(
  Object.entries(LINEAR_PRODUCTS).flatMap(([entry, grid]) =>
    Object.entries(LINEAR_BLOCKS).map(([suffix, block]): [string, DispatchFn] => [entry + suffix, (u, o) => linearGrid(...grid(u), block, o)]),
  ),
);
/**
 * Candidates of a tiled product (linear's and the convolutions' GEMMs): today's SwiftShader shape first
 * (16 × 16 outputs per invocation, 4 × 4 invocations), then GPU shapes of 64–256 invocations with 16-, 8-
 * and 4-wide register blocks (the entry's '', '_r8' and '_r4' forms), the workgroup shape in the
 * family's two overrides.
 */
const TILED_SHAPES = [
  ['t16.wg4x4', '', 4, 4],
  ['t16.wg8x8', '', 8, 8],
  ['t8.wg8x8', '_r8', 8, 8],
  ['t8.wg16x16', '_r8', 16, 16],
  ['t4.wg16x8', '_r4', 16, 8],
  ['t4.wg16x16', '_r4', 16, 16],
] as const;
const tiledVariants = (entry: string, wgX: string, wgY: string): KernelVariant[] =>
  TILED_SHAPES.map(([name, suffix, x, y]) => ({ name, entry: entry + suffix, overrides: { [wgX]: x, [wgY]: y } }));
/**
 * linear_backward_weight_split: LINEAR_WG_X blocks of 4 × 4 of dw (consecutive columns, on local x) per
 * workgroup, each summed by LINEAR_WG_Y invocations (batch slices, local y): workgroups over the
 * columns in blocks of 4·LINEAR_WG_X, and over the rows 4 at a time.
 */
const LINEAR_SPLIT_BLOCK = 4;
const linearSplitGrid = (u: Record<string, number>, o: Record<string, number>): WorkgroupCount => [
  ceilDiv(u.in_features, o.LINEAR_WG_X * LINEAR_SPLIT_BLOCK),
  ceilDiv(u.out_features, LINEAR_SPLIT_BLOCK),
  1,
];
/**
 * Linear's own candidates after the tiled shapes (not conv's: TILED_SHAPES is shared): the
 * workgroup-memory GEMMs, 64 × 64 outputs per workgroup of 16 × 16 and 32 × 32 per 8 × 8, with
 * scalar (`smem`) or vec4f (`smem…v4`) slabs.
 */
const LINEAR_SMEM_SHAPES = [
  ['smem64.wg16x16', '_smem', 16, 16],
  ['smem32.wg8x8', '_smem', 8, 8],
  ['smem64v4.wg16x16', '_smem4', 16, 16],
  ['smem32v4.wg8x8', '_smem4', 8, 8],
] as const;
/**
 * linear_backward_weight's split-K candidates, `split{slices}x{blocks}`: LINEAR_WG_Y batch slices
 * per 4 × 4 block of dw × LINEAR_WG_X blocks per workgroup (16 × 4: 4× the workgroups of 16 × 16
 * for a dw of a few hundred weights; 64 slices for batches past 256). They sum in another order
 * than the rest (LINEAR_REORDERING_VARIANTS).
 */
const LINEAR_SPLIT_SHAPES = [
  ['split16x16', 16, 16],
  ['split16x4', 16, 4],
  ['split64x4', 64, 4],
] as const;
/**
 * forward's and backward_input's one-output-per-workgroup candidates (`<entry>_wg`: a workgroup
 * reduction over K or N, prelude/reduce.wgsl): reduce.tree.wg64/128/256, then the same on subgroup
 * operations where the device has 'subgroups' (reductionForms).
 */
const linearReduceVariants = (entry: LinearProduct): KernelVariant[] =>
  entry === 'linear_backward_weight'
    ? []
    : reductionForms(`${entry}_wg`, 'reduce.');
/** Variants whose sums run in another order than the default's: they agree with it to float rounding of the reduction, not to the bit. */
export const LINEAR_REORDERING_VARIANTS: ReadonlySet<string> = new Set([
  ...LINEAR_SPLIT_SHAPES.map(([name]) => name),
  ...linearReduceVariants('linear_forward').map((v) => v.name),
]);
const linearVariants = (entry: LinearProduct): KernelVariant[] => [
  ...tiledVariants(entry, 'LINEAR_WG_X', 'LINEAR_WG_Y'),
  ...LINEAR_SMEM_SHAPES.map(([name, suffix, x, y]) => ({ name, entry: entry + suffix, overrides: { LINEAR_WG_X: x, LINEAR_WG_Y: y } })),
  ...(entry === 'linear_backward_weight'
    ? LINEAR_SPLIT_SHAPES.map(([name, slices, blocks]) => ({ name, entry: `${entry}_split`, overrides: { LINEAR_WG_X: blocks, LINEAR_WG_Y: slices } }))
    : []),
  ...linearReduceVariants(entry),
];

/**
 * The forms of linear_backward_weight with a `_bias` twin (linear.wgsl's last section: the same
 * product, whose column block 0 also writes dbias[n] = Σ_b dz[b, n]), by suffix; a twin runs on
 * its plain form's grid.
 */
const LINEAR_WEIGHT_BIAS_FORMS = ['', '_r4', '_smem', '_smem4'] as const;
type LinearWeightBiasEntry = `linear_backward_weight${(typeof LINEAR_WEIGHT_BIAS_FORMS)[number]}_bias`;
/** The compute entries that write dbias as well as dw (linear.wgsl's *_bias). */
export const LINEAR_WEIGHT_WITH_BIAS_ENTRIES: ReadonlySet<string> = new Set(LINEAR_WEIGHT_BIAS_FORMS.map((suffix): LinearWeightBiasEntry => `linear_backward_weight${suffix}_bias`));
/**
 * Whether a kernel of the linear family writes dbias as well as dw: a layer given one by
 * linear_backward_weight_bias records no linear_backward_bias dispatch (models/layers/linear.ts).
 */
export const linearWritesBias = (kernel: { family: KernelFamily; info: { entry: string } }): boolean =>
  kernel.family === linearKernels && LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(kernel.info.entry);
/**
 * linear_backward_weight_bias: the logical entry a layer with a bias asks for, for dw and dbias.
 * Its candidates: every candidate of linear_backward_weight (the plain product, after which the
 * layer records linear_backward_bias as before; the first, t16.wg4x4, is the fallback, so 'off'
 * and an empty cache change nothing), then `<name>+bias`, the `_bias` twin of each one on a form
 * that has one, which writes dbias in the same dispatch (the layer then records no bias
 * dispatch). The tuner times them on bufferFloats' scratch (dbias included) by what the layer
 * will record: a plain product together with linear_backward_bias (`alongside`, at that entry's
 * default variant), a twin alone. So a twin wins where one dispatch beats the pair, by the
 * usual 5% margin over the default pair; the layer may then run a tuned bias variant faster
 * than the default one timed here, so a close call leans to the twin by at most that gain.
 * (Timed one dispatch each, a twin would be held to beating the plain product alone, which it
 * never does by more than noise: it does the same product and the bias sums besides.)
 */
const linearWeightBiasVariants = (): KernelVariant[] => {
  const plain = linearVariants('linear_backward_weight');
  const twins = plain
    .filter((v) => LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(`${v.entry}_bias`))
    .map((v): KernelVariant => ({ name: `${v.name}+bias`, entry: `${v.entry}_bias`, overrides: v.overrides }));
  return [...plain.map((v): KernelVariant => ({ ...v, alongside: ['linear_backward_bias'] })), ...twins];
};

/** linear_backward_bias: today's (one invocation per feature, LINEAR_BIAS_WORKGROUP per workgroup), then a workgroup per feature. */
const LINEAR_BIAS_VARIANTS = reductionVariants(
  { name: `thread.wg${KERNEL_SIZES.linear.LINEAR_BIAS_WORKGROUP}`, entry: 'linear_backward_bias', overrides: {} },
  'linear_backward_bias_wg',
);
export const linearKernels = family({
  name: 'linear',
  constants: [ACTIVATION_CONSTANTS, TILE_SIZES, sizeTable(KERNEL_SIZES.linear)],
  overrides: LINEAR_OVERRIDES,
  preludes: [ACTIVATION, TILE_PRELUDE, REDUCE],
  source: linearSource,
  dispatch: {
    ...(linearProductDispatch as Record<`${LinearProduct}${keyof typeof LINEAR_BLOCKS}`, DispatchFn>),
    linear_backward_weight_split: linearSplitGrid,
    linear_forward_wg: (u) => dispatch1d(u.batch * u.out_features, 1), // one workgroup per output
    linear_backward_input_wg: (u) => dispatch1d(u.batch * u.in_features, 1),
    ...(Object.fromEntries(
      LINEAR_WEIGHT_BIAS_FORMS.map((suffix) => [`linear_backward_weight${suffix}_bias`, linearProductDispatch[`linear_backward_weight${suffix}`]]),
    ) as Record<LinearWeightBiasEntry, DispatchFn>),
    linear_backward_bias: (u) => [ceilDiv(u.out_features, KERNEL_SIZES.linear.LINEAR_BIAS_WORKGROUP), 1, 1],
    linear_backward_bias_wg: (u) => dispatch1d(u.out_features, 1), // one workgroup per feature
  },
  tuning: {
    variants: {
      linear_forward: linearVariants('linear_forward'),
      linear_backward_input: linearVariants('linear_backward_input'),
      linear_backward_weight: linearVariants('linear_backward_weight'),
      linear_backward_weight_bias: linearWeightBiasVariants(),
      linear_backward_bias: LINEAR_BIAS_VARIANTS,
    },
    // x (B, K), w and dw (N, K), bias and dbias (N), y and dz (B, N), dx (B, K); dbias is what the
    // *_bias candidates of linear_backward_weight_bias write besides dw.
    bufferFloats: (u) => {
      const [B, K, N] = [u.batch, u.in_features, u.out_features];
      return { x: B * K, w: N * K, bias: N, y: B * N, dz: B * N, dx: B * K, dw: N * K, dbias: N };
    },
    shapeMembers: ['batch', 'in_features', 'out_features'],
    // Not measured on any GPU yet: every kind runs today's shape until bench/gpu-node.mjs's tuner rows say otherwise.
    defaults: {},
  },
});

export const activationKernels = family({
  name: 'activation',
  constants: [ACTIVATION_CONSTANTS, sizeTable(KERNEL_SIZES.activation)],
  preludes: [ACTIVATION],
  source: activationSource,
  dispatch: {
    activation_forward: (u) => dispatch1d(u.count, KERNEL_SIZES.activation.ACTIVATION_WORKGROUP),
    activation_backward_input: (u) => dispatch1d(u.count, KERNEL_SIZES.activation.ACTIVATION_WORKGROUP),
    activation_backward_inplace: (u) => dispatch1d(u.count, KERNEL_SIZES.activation.ACTIVATION_WORKGROUP),
  },
});

/** The GAN loss kernels' one workgroup: LOSS_WG invocations (prelude/loss_sum.wgsl); 256 is the width they always had. */
export const LOSS_OVERRIDES = { LOSS_WG: 256 } as const;
/**
 * Candidates of a GAN loss kernel (one workgroup that strides over the rows, then sums three values):
 * today's tree at LOSS_OVERRIDES.LOSS_WG first (the fallback: the same pipeline as the entry compiled
 * without overrides), then the tree at the other REDUCE_WORKGROUPS widths ('tree.wgN'), then
 * 'subgroup.wgN' at each, compiled from the family's 'subgroups' source (loss_sum_subgroups.wgsl),
 * candidates only where the device has 'subgroups'. Per-row outputs (dlogits) are the same bits in every
 * candidate; loss_out's sums keep today's order (and bits) in the tree at today's width only.
 */
const lossVariants = (entry: string): KernelVariant[] => {
  const tree = (n: number): KernelVariant => ({ name: `tree.wg${n}`, entry, overrides: { LOSS_WG: n } });
  return [
    tree(LOSS_OVERRIDES.LOSS_WG),
    ...REDUCE_WORKGROUPS.filter((n) => n !== LOSS_OVERRIDES.LOSS_WG).map(tree),
    ...REDUCE_WORKGROUPS.map((n): KernelVariant => ({ name: `subgroup.wg${n}`, entry, overrides: { LOSS_WG: n }, requires: 'subgroups' })),
  ];
};
/** Tuning of a loss family: logits, dlogits (rows), loss_out (4); the row count decides (first_rows and the targets do not change the work). */
const lossTuning = (entry: string): FamilyTuning => ({
  variants: { [entry]: lossVariants(entry) },
  bufferFloats: (u) => ({ logits: u.rows, dlogits: u.rows, loss_out: 4 }),
  shapeMembers: ['rows'],
  // Not measured on any GPU yet: today's tree until the tuner's timings say otherwise.
  defaults: {},
});

export const bceWithLogitsKernels = family({
  name: 'bce_with_logits',
  constants: [LOSS_OUT_CONSTANTS],
  overrides: LOSS_OVERRIDES,
  preludes: [BCE, LOSS_SUM, LOSS_REDUCE],
  source: bceWithLogitsSource,
  dispatch: { bce_with_logits_forward_backward: () => [1, 1, 1] },
  tuning: lossTuning('bce_with_logits_forward_backward'),
});

export const ganLossKernels = family({
  name: 'gan_loss',
  constants: [LOSS_OUT_CONSTANTS, GAN_LOSS_CONSTANTS, GAN_LOSS_PRESENT_CONSTANTS],
  overrides: LOSS_OVERRIDES,
  preludes: [BCE, LOSS_SUM, LOSS_REDUCE],
  source: ganLossSource,
  dispatch: { gan_loss_forward_backward: () => [1, 1, 1] },
  tuning: lossTuning('gan_loss_forward_backward'),
});

/** A grid-stride kernel's dispatch: enough workgroups of `size` to cover `count`, at most `max` (each invocation loops over the rest). */
const gridStride = (size: number, max: number) => (u: Record<string, number>): WorkgroupCount => [Math.min(ceilDiv(u.count, size), max), 1, 1];
/** Workgroups of `invocations` that stride over `count` gradients: enough for one each, at most GRAD_SQ_MAX_WORKGROUPS. */
const gradSqWorkgroups = (count: number, invocations: number): number => Math.min(ceilDiv(count, invocations), KERNEL_SIZES.gradSq.GRAD_SQ_MAX_WORKGROUPS);
/**
 * grad² partials grad_sq_partials_sum writes for `count` parameters: one per invocation. The size of a
 * net's partials buffer: no tuning variant writes more (gradSqPartialsWritten).
 */
export const gradSqPartialCount = (count: number): number =>
  gradSqWorkgroups(count, KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP) * KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP;
/** REDUCE_WORKGROUP of a `_wg` reduction entry's pipeline; its tuning variants always set it. */
function reduceWorkgroup(entry: string, constants: Record<string, number>): number {
  const n = constants.REDUCE_WORKGROUP;
  if (n === undefined) throw new Error(`${entry}: compile it with REDUCE_WORKGROUP (a tuning variant's override), which its dispatch reads`);
  return n;
}
/**
 * How many partials the grad_sq_partials_sum variant compiled as `entry` with `constants` (a Kernel's
 * info.entry and constants) writes for `count` parameters, the partial_count train_state_update sums:
 * today's entry one per invocation (gradSqPartialCount), grad_sq_partials_sum_wg one per workgroup.
 * Always ≤ gradSqPartialCount(count), the buffer's size.
 */
export function gradSqPartialsWritten(entry: string, count: number, constants: Record<string, number>): number {
  if (entry === 'grad_sq_partials_sum') return gradSqPartialCount(count);
  if (entry === 'grad_sq_partials_sum_wg') return gradSqWorkgroups(count, reduceWorkgroup(entry, constants));
  throw new Error(`gradSqPartialsWritten: '${entry}' is no grad_sq_partials_sum variant`);
}

/**
 * The elementwise optimizer passes' workgroup shapes (WGSL overrides, per family: <P>_WG invocations
 * per workgroup, each updating blocks of <P>_ELEMS consecutive parameters); these defaults are the
 * kernels as they were before they were tunable (docs/performance-notes.md#optimizers).
 */
export const ADAM_OVERRIDES = { ADAM_WG: 64, ADAM_ELEMS: 1 } as const;
export const SGD_OVERRIDES = { SGD_WG: 64, SGD_ELEMS: 1 } as const;
export const RMSPROP_OVERRIDES = { RMSPROP_WG: 64, RMSPROP_ELEMS: 1 } as const;
export const EMA_OVERRIDES = { EMA_WG: 64, EMA_ELEMS: 1 } as const;
/**
 * A grid stride over blocks of `elems` parameters (the overrides named): enough workgroups of `wg`
 * invocations for one block each, at most `max` (each invocation loops over the rest).
 */
const blockStride = (wg: string, elems: string, max: number): DispatchFn => (u, o) => [Math.min(ceilDiv(ceilDiv(u.count, o[elems]), o[wg]), max), 1, 1];
/**
 * Candidates of an elementwise optimizer pass (Adam/AdamW, SGD, RMSprop, the EMA): today's 64
 * invocations × 1 parameter first, then 64, 128 and 256 invocations × 1 or 4 consecutive parameters
 * (named wg<invocations>.e<parameters>). Every one runs the same per-parameter step, so all give the same bits.
 */
const ELEMENTWISE_SHAPES = [
  [64, 1],
  [64, 4],
  [128, 1],
  [128, 4],
  [256, 1],
  [256, 4],
] as const;
const elementwiseVariants = (entry: string, wg: string, elems: string): KernelVariant[] =>
  ELEMENTWISE_SHAPES.map(([w, e]) => ({ name: `wg${w}.e${e}`, entry, overrides: { [wg]: w, [elems]: e } }));
/** Every binding of an optimizer or EMA entry, in floats (the tuner's scratch buffers): `perParameter` of count each, and the training state. */
const optimizerBufferFloats =
  (perParameter: string[]) =>
  (u: Record<string, number>): Record<string, number> => ({
    ...Object.fromEntries(perParameter.map((name) => [name, u.count])),
    state: TRAIN_STATE_CONSTANTS.values.words,
  });

export const adamKernels = family({
  name: 'adam',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.adam)],
  overrides: ADAM_OVERRIDES,
  preludes: [LR_SCHEDULE, ADAM_STEP],
  source: adamSource,
  dispatch: { adam_update: blockStride('ADAM_WG', 'ADAM_ELEMS', KERNEL_SIZES.adam.ADAM_MAX_WORKGROUPS) },
  tuning: {
    variants: { adam_update: elementwiseVariants('adam_update', 'ADAM_WG', 'ADAM_ELEMS') },
    bufferFloats: optimizerBufferFloats(['params', 'grads', 'exp_avg', 'exp_avg_sq']),
    shapeMembers: ['count'],
    // Software adapters (SwiftShader): 4 parameters per invocation, measured 1.6–2× faster per update at 1M
    // parameters and +6% steps/s on mnistMlp (bench/ab.mjs, docs/performance-notes.md#optimizers), the same
    // bits; the other optimizers and the EMA follow the same rule. GPUs: not measured yet, today's shape.
    defaults: { software: { adam_update: 'wg64.e4' } },
  },
});

const sgdGrid = blockStride('SGD_WG', 'SGD_ELEMS', KERNEL_SIZES.sgd.SGD_MAX_WORKGROUPS);
export const sgdKernels = family({
  name: 'sgd',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.sgd)],
  overrides: SGD_OVERRIDES,
  preludes: [LR_SCHEDULE],
  source: sgdSource,
  dispatch: { sgd_update: sgdGrid, sgd_momentum_update: sgdGrid },
  tuning: {
    variants: {
      sgd_update: elementwiseVariants('sgd_update', 'SGD_WG', 'SGD_ELEMS'),
      sgd_momentum_update: elementwiseVariants('sgd_momentum_update', 'SGD_WG', 'SGD_ELEMS'),
    },
    bufferFloats: optimizerBufferFloats(['params', 'grads', 'momentum_buffer']),
    shapeMembers: ['count'],
    defaults: { software: { sgd_update: 'wg64.e4', sgd_momentum_update: 'wg64.e4' } },
  },
});

const rmspropGrid = blockStride('RMSPROP_WG', 'RMSPROP_ELEMS', KERNEL_SIZES.rmsprop.RMSPROP_MAX_WORKGROUPS);
const RMSPROP_ENTRIES = ['rmsprop_update', 'rmsprop_momentum_update', 'rmsprop_centered_update', 'rmsprop_centered_momentum_update'] as const;
export const rmspropKernels = family({
  name: 'rmsprop',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.rmsprop)],
  overrides: RMSPROP_OVERRIDES,
  preludes: [LR_SCHEDULE],
  source: rmspropSource,
  dispatch: {
    rmsprop_update: rmspropGrid,
    rmsprop_momentum_update: rmspropGrid,
    rmsprop_centered_update: rmspropGrid,
    rmsprop_centered_momentum_update: rmspropGrid,
  },
  tuning: {
    variants: Object.fromEntries(RMSPROP_ENTRIES.map((e) => [e, elementwiseVariants(e, 'RMSPROP_WG', 'RMSPROP_ELEMS')])),
    bufferFloats: optimizerBufferFloats(['params', 'grads', 'square_avg', 'momentum_buffer', 'grad_avg']),
    shapeMembers: ['count'],
    defaults: { software: Object.fromEntries(RMSPROP_ENTRIES.map((e) => [e, 'wg64.e4'])) },
  },
});

export const hostBatchKernels = family({
  name: 'host_batch',
  constants: [TRAIN_STATE_CONSTANTS, sizeTable(KERNEL_SIZES.hostBatch)],
  source: hostBatchSource,
  dispatch: { copy_host_batch: (u) => dispatch1d(u.rows * u.cols, KERNEL_SIZES.hostBatch.HOST_BATCH_WORKGROUP) },
});

export const paramOpsKernels = family({
  name: 'param_ops',
  constants: [TRAIN_STATE_CONSTANTS, sizeTable(KERNEL_SIZES.paramOps)],
  overrides: EMA_OVERRIDES,
  source: paramOpsSource,
  dispatch: {
    ema_update: blockStride('EMA_WG', 'EMA_ELEMS', KERNEL_SIZES.paramOps.PARAM_OPS_MAX_WORKGROUPS),
    clamp_params: gridStride(KERNEL_SIZES.paramOps.PARAM_OPS_WORKGROUP, KERNEL_SIZES.paramOps.PARAM_OPS_MAX_WORKGROUPS),
  },
  tuning: {
    variants: { ema_update: elementwiseVariants('ema_update', 'EMA_WG', 'EMA_ELEMS') },
    bufferFloats: optimizerBufferFloats(['params', 'averaged']),
    shapeMembers: ['count'],
    defaults: { software: { ema_update: 'wg64.e4' } },
  },
});

// grad_sq_partials_sum's candidates: today's (GRAD_SQ_WORKGROUP invocations a workgroup, a partial
// each) first, then reductionVariants' grad_sq_partials_sum_wg (a partial per workgroup of
// REDUCE_WORKGROUP, by a tree or subgroup operations). They write different numbers of partials:
// the close of the update sums as many as the chosen one wrote (gradSqPartialsWritten).
const gradSqVariants = reductionVariants(
  { name: `thread.wg${KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP}`, entry: 'grad_sq_partials_sum', overrides: {} },
  'grad_sq_partials_sum_wg',
);
/**
 * grad_sq_close: the logical entry a trainer asks for to close an update (models/optim/bookkeeping.ts).
 * Its candidates: each of grad_sq_partials_sum's, after which the trainer records train_state_update
 * (timed together: `alongside`, on as many partials as the candidate writes), then the fused
 * `close.tree.wgN` / `close.subgroup.wgN` (grad_sq_and_close), which close the update in the same
 * dispatch, so the trainer records no train_state_update (closesUpdate). The first is today's pair:
 * 'off' and an empty cache change nothing.
 */
const gradSqCloseVariants = (): KernelVariant[] => [
  ...gradSqVariants.map((v): KernelVariant => ({ ...v, alongside: ['train_state_update'] })),
  ...reductionForms('grad_sq_and_close', 'close.'),
];
/** Whether a grad_sq_close kernel closes the update itself (the trainer then records no train_state_update). */
export const closesUpdate = (kernel: { family: KernelFamily; info: { entry: string } }): boolean =>
  kernel.family === trainStateKernels && kernel.info.entry === 'grad_sq_and_close';

export const trainStateKernels = family({
  name: 'train_state',
  constants: [TRAIN_STATE_CONSTANTS, TRAIN_STATS_CONSTANTS, LOSS_OUT_CONSTANTS, sizeTable(KERNEL_SIZES.gradSq)],
  preludes: [FINITE, UPDATE_BOOKKEEPING, REDUCE],
  source: trainStateSource,
  dispatch: {
    grad_sq_partials_sum: (u) => [gradSqPartialCount(u.count) / KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP, 1, 1],
    grad_sq_partials_sum_wg: (u, o) => [gradSqPartialsWritten('grad_sq_partials_sum_wg', u.count, o), 1, 1], // a partial per workgroup
    train_state_update: () => [1, 1, 1],
    grad_sq_and_close: () => [1, 1, 1], // one workgroup strides over all the gradients
  },
  tuning: {
    variants: {
      grad_sq_partials_sum: gradSqVariants,
      grad_sq_close: gradSqCloseVariants(),
    },
    // grads (P); the partials buffer as a net has it (gradSqPartialCount: room for every variant's);
    // what the close reads and writes: loss_out (4), state (u32 words), stats.
    bufferFloats: (u) => ({
      grads: u.count,
      grad_sq_partials: gradSqPartialCount(u.count),
      loss_out: 4,
      state: TRAIN_STATE_WORDS,
      stats: TRAIN_STATS_FLOATS,
    }),
    shapeMembers: ['count'],
    // train_state_update after a partial-sum candidate: the phase's close, over the partials it wrote.
    alongsideUniforms: (_entry, u, candidate) => ({
      phase: u.phase,
      advances_step: u.advances_step,
      partial_count: gradSqPartialsWritten(candidate.info.entry, u.count, candidate.constants),
    }),
    // Not measured on any GPU yet: today's kernel until the tuner's timings say otherwise.
    defaults: {},
  },
});

export const randomKernels = family({
  name: 'random',
  constants: [TRAIN_STATE_CONSTANTS, sizeTable(KERNEL_SIZES.random)],
  preludes: [PHILOX],
  source: randomSource,
  dispatch: {
    random_uniform: (u) => dispatch1d(ceilDiv(u.count, 4), KERNEL_SIZES.random.RANDOM_WORKGROUP),
    random_normal: (u) => dispatch1d(ceilDiv(u.count, 4), KERNEL_SIZES.random.RANDOM_WORKGROUP),
    random_gather_rows: (u) => [ceilDiv(u.cols, KERNEL_SIZES.random.RANDOM_WORKGROUP), u.rows, 1],
  },
});

// The training forward and both backward kernels run one workgroup per
// channel (as do their *_wg tuning variants); the eval forward is elementwise
// over N·C·L values.
const BATCHNORM_REDUCTIONS = ['batchnorm_forward', 'batchnorm_backward_input', 'batchnorm_backward_weight'] as const;
export const batchnormKernels = family({
  name: 'batchnorm',
  constants: [ACTIVATION_CONSTANTS, sizeTable(KERNEL_SIZES.batchnorm)],
  preludes: [ACTIVATION, REDUCE],
  source: batchnormSource,
  dispatch: {
    batchnorm_forward: (u) => [u.channels, 1, 1],
    batchnorm_forward_eval: (u) => dispatch1d(u.batch * u.channels * u.spatial, KERNEL_SIZES.batchnorm.BATCHNORM_EVAL_WORKGROUP),
    batchnorm_backward_input: (u) => [u.channels, 1, 1],
    batchnorm_backward_weight: (u) => [u.channels, 1, 1],
    batchnorm_forward_wg: (u) => [u.channels, 1, 1],
    batchnorm_backward_input_wg: (u) => [u.channels, 1, 1],
    batchnorm_backward_weight_wg: (u) => [u.channels, 1, 1],
  },
  tuning: {
    // Today's kernels (BATCHNORM_WORKGROUP wide, partials combined serially by every invocation) first.
    variants: Object.fromEntries(
      BATCHNORM_REDUCTIONS.map((entry) => [entry, reductionVariants({ name: `serial.wg${KERNEL_SIZES.batchnorm.BATCHNORM_WORKGROUP}`, entry, overrides: {} }, `${entry}_wg`)]),
    ),
    // x, y, y_saved, dy, dx (N, C, L); γ, β, their grads and the running statistics (C); the saved statistics (G, C).
    bufferFloats: (u) => {
      const [values, C, stats] = [u.batch * u.channels * u.spatial, u.channels, u.groups * u.channels];
      return {
        x: values, y: values, y_saved: values, dy: values, dx: values,
        gamma: C, beta: C, dgamma: C, dbeta: C, running_mean: C, running_var: C,
        mean: stats, invstd: stats, mean_saved: stats, invstd_saved: stats,
      };
    },
    shapeMembers: ['batch', 'groups', 'channels', 'spatial'],
    // Not measured on any GPU yet: today's kernels until the tuner's timings say otherwise.
    defaults: {},
  },
});

// The GEMMs of conv2d.wgsl and conv_transpose2d.wgsl (whose headers give the
// product each entry computes): forward / backward_input tiles of positions on
// x and channels on y; the transposed structures (conv2d_backward_input,
// conv_transpose2d_forward) one z per stride phase, each phase's positions
// (b, ⌈H/s⌉, ⌈W/s⌉) at most; backward_weight one workgroup per CONV_SPLIT_TILES tiles of
// (kH, kW, in or out) on x and one tile of the rows on y; backward_bias one invocation per channel.
const CONV = KERNEL_SIZES.conv;
export const CONV_TILE = TILE;
export const CONV_SPLIT = CONV.CONV_SPLIT;
export const CONV_STRIP = CONV.CONV_STRIP;
export const CONV_NARROW = CONV.CONV_NARROW;
const CONV_CONSTANTS = [ACTIVATION_CONSTANTS, TILE_SIZES, sizeTable(CONV)];
const CONV_PRELUDES = [ACTIVATION, TILE_PRELUDE, REDUCE, CONV_COMMON];
/**
 * The conv products' workgroup shapes (WGSL overrides; these defaults are the SwiftShader shape,
 * docs/performance-notes.md#conv2d): forward and backward_input CONV_WG_X × CONV_WG_Y invocations,
 * backward_weight CONV_SPLIT_TILES output tiles of CONV_SPLIT invocations each.
 */
export const CONV_OVERRIDES = { CONV_WG_X: 4, CONV_WG_Y: 4, CONV_SPLIT_TILES: 1 } as const;
/** Workgroups for `positions` × `channels` outputs, `block` × `block` per invocation, in the shape the kernel was compiled with. */
const convGrid = (positions: number, channels: number, phases: number, block: number, o: Record<string, number>): WorkgroupCount => [
  ceilDiv(positions, o.CONV_WG_X * block),
  ceilDiv(channels, o.CONV_WG_Y * block),
  phases,
];
/** backward_weight: a workgroup per CONV_SPLIT_TILES tiles of `columns` (on x) and one tile of `rows` (on y). */
const convSplitGrid = (columns: number, rows: number, o: Record<string, number>): WorkgroupCount => [
  ceilDiv(ceilDiv(columns, TILE), o.CONV_SPLIT_TILES),
  ceilDiv(rows, TILE),
  1,
];
/** The tiled forward / backward_input entries at register blocks of 16 (the entry as named), 8 (`_r8`) and 4 (`_r4`). */
const CONV_BLOCKS = { '': TILE, _r8: 8, _r4: 4 } as const;
type ConvBlock = keyof typeof CONV_BLOCKS;
function convBlockDispatch<E extends string>(grids: Record<E, (u: Record<string, number>) => [number, number, number]>): Record<`${E}${ConvBlock}`, DispatchFn> {
  return Object.fromEntries(
    Object.entries<(u: Record<string, number>) => [number, number, number]>(grids).flatMap(([entry, grid]) =>
      Object.entries(CONV_BLOCKS).map(([suffix, block]): [string, DispatchFn] => [entry + suffix, (u, o) => convGrid(...grid(u), block, o)]),
    ),
  ) as Record<`${E}${ConvBlock}`, DispatchFn>;
}
/** Candidates of forward and backward_input: the tiled shapes above. */
const convGemmVariants = (entry: string): KernelVariant[] => tiledVariants(entry, 'CONV_WG_X', 'CONV_WG_Y');
/**
 * Candidates of backward_weight: 1 (today's), 4, 8 or 16 output tiles of CONV_SPLIT invocations per
 * workgroup (16–256 invocations; 16 tiles fill the 16 KiB of workgroup memory WebGPU guarantees).
 */
const convSplitVariants = (entry: string): KernelVariant[] =>
  [1, 4, 8, 16].map((tiles) => ({ name: `t16.split16x${tiles}`, entry, overrides: { CONV_SPLIT_TILES: tiles } }));
/** Every binding of a conv entry, in floats (the tuner's scratch buffers); dx is (B, dx_channels, H_in, W_in) for conv2d, (B, C_in, H_in, W_in) for convT. */
const convBufferFloats = (u: Record<string, number>): Record<string, number> => {
  const x = u.batch * u.in_channels * u.in_height * u.in_width;
  const y = u.batch * u.out_channels * u.out_height * u.out_width;
  const w = u.in_channels * u.out_channels * u.kernel_height * u.kernel_width;
  const dx = u.batch * (u.dx_channels ?? u.in_channels) * u.in_height * u.in_width;
  return { x, w, bias: u.out_channels, y, y_saved: y, dy: y, dx, dw: w, dbias: u.out_channels };
};
const CONV_SHAPE = ['batch', 'in_channels', 'out_channels', 'in_height', 'in_width', 'out_height', 'out_width', 'kernel_height', 'kernel_width', 'stride', 'padding'];
const phasePositions = (u: Record<string, number>, height: number, width: number): number =>
  u.batch * ceilDiv(height, u.stride) * ceilDiv(width, u.stride);
// The narrow entries (conv2d_backward_input_narrow, conv_transpose2d_forward_narrow):
// one invocation per block of CONV_STRIP_ROWS rows × CONV_STRIP columns of one
// stride phase; z = channel · s² + phase. The conv layers pick them for at most
// CONV_NARROW channels (dx channels of a conv, output channels of a convT),
// where they beat the tile.
const narrowGrid = (u: Record<string, number>, height: number, width: number, channels: number): WorkgroupCount => {
  const blocks = u.batch * ceilDiv(ceilDiv(height, u.stride), CONV.CONV_STRIP_ROWS) * ceilDiv(ceilDiv(width, u.stride), CONV_STRIP);
  const [x, y] = dispatch1d(blocks, CONV.CONV_NARROW_WORKGROUP);
  return [x, y, channels * u.stride * u.stride];
};
const convBiasGrid = (u: Record<string, number>): WorkgroupCount => [ceilDiv(u.out_channels, CONV.CONV_BIAS_WORKGROUP), 1, 1];
/** backward_bias_wg (tuning variants): one workgroup of REDUCE_WORKGROUP per output channel. */
const convBiasWgGrid = (u: Record<string, number>): WorkgroupCount => [u.out_channels, 1, 1];
/** Candidates of backward_bias: today's (one invocation per channel, CONV_BIAS_WORKGROUP per workgroup), then a workgroup per channel. */
const convBiasVariants = (prefix: string): KernelVariant[] =>
  reductionVariants({ name: `thread.wg${CONV.CONV_BIAS_WORKGROUP}`, entry: `${prefix}_backward_bias`, overrides: {} }, `${prefix}_backward_bias_wg`);
export const conv2dKernels = family({
  name: 'conv2d',
  constants: CONV_CONSTANTS,
  overrides: CONV_OVERRIDES,
  preludes: CONV_PRELUDES,
  source: conv2dSource,
  dispatch: {
    ...convBlockDispatch({
      conv2d_forward: (u) => [u.batch * u.out_height * u.out_width, u.out_channels, 1],
      conv2d_backward_input: (u) => [phasePositions(u, u.in_height, u.in_width), u.dx_channels, u.stride * u.stride],
    }),
    conv2d_backward_input_narrow: (u) => narrowGrid(u, u.in_height, u.in_width, u.dx_channels),
    conv2d_backward_weight: (u, o) => convSplitGrid(u.in_channels * u.kernel_height * u.kernel_width, u.out_channels, o),
    conv2d_backward_bias: convBiasGrid,
    conv2d_backward_bias_wg: convBiasWgGrid,
  },
  tuning: {
    variants: {
      conv2d_forward: convGemmVariants('conv2d_forward'),
      conv2d_backward_input: convGemmVariants('conv2d_backward_input'),
      conv2d_backward_weight: convSplitVariants('conv2d_backward_weight'),
      conv2d_backward_bias: convBiasVariants('conv2d'),
    },
    bufferFloats: convBufferFloats,
    shapeMembers: [...CONV_SHAPE, 'dx_channels'],
    // Not measured on any GPU yet: every kind runs today's shape until the tuner's timings say otherwise.
    defaults: {},
  },
});

export const convTranspose2dKernels = family({
  name: 'conv_transpose2d',
  constants: CONV_CONSTANTS,
  overrides: CONV_OVERRIDES,
  preludes: CONV_PRELUDES,
  source: convTranspose2dSource,
  dispatch: {
    ...convBlockDispatch({
      conv_transpose2d_forward: (u) => [phasePositions(u, u.out_height, u.out_width), u.out_channels, u.stride * u.stride],
      conv_transpose2d_backward_input: (u) => [u.batch * u.in_height * u.in_width, u.in_channels, 1],
    }),
    conv_transpose2d_forward_narrow: (u) => narrowGrid(u, u.out_height, u.out_width, u.out_channels),
    conv_transpose2d_backward_weight: (u, o) => convSplitGrid(u.out_channels * u.kernel_height * u.kernel_width, u.in_channels, o),
    conv_transpose2d_backward_bias: convBiasGrid,
    conv_transpose2d_backward_bias_wg: convBiasWgGrid,
  },
  tuning: {
    variants: {
      conv_transpose2d_forward: convGemmVariants('conv_transpose2d_forward'),
      conv_transpose2d_backward_input: convGemmVariants('conv_transpose2d_backward_input'),
      conv_transpose2d_backward_weight: convSplitVariants('conv_transpose2d_backward_weight'),
      conv_transpose2d_backward_bias: convBiasVariants('conv_transpose2d'),
    },
    bufferFloats: convBufferFloats,
    shapeMembers: CONV_SHAPE,
    defaults: {},
  },
});

export const softmaxCrossEntropyKernels = family({
  name: 'softmax_cross_entropy',
  source: softmaxCrossEntropySource,
  dispatch: { softmax_cross_entropy_forward_backward: () => [1, 1, 1] },
});

// One invocation per element of the entry's output.
export const concatLabelsKernels = family({
  name: 'concat_labels',
  constants: [sizeTable(KERNEL_SIZES.concatLabels)],
  source: concatLabelsSource,
  dispatch: {
    concat_labels_forward: (u) => dispatch1d(u.rows * (u.channels + u.classes) * u.spatial, KERNEL_SIZES.concatLabels.CONCAT_LABELS_WORKGROUP),
    concat_labels_backward_input: (u) => dispatch1d(u.rows * u.channels * u.spatial, KERNEL_SIZES.concatLabels.CONCAT_LABELS_WORKGROUP),
  },
});

// One workgroup runs a whole optimizer phase (fused_mlp_gan.wgsl); the plan
// and its limits are in models/gan/fused-mlp-plan.ts.
export const fusedMlpGanKernels = family({
  name: 'fused_mlp_gan',
  constants: [ACTIVATION_CONSTANTS, TRAIN_STATE_CONSTANTS, TRAIN_STATS_CONSTANTS, LOSS_OUT_CONSTANTS, FUSED_OP_CONSTANTS, TILE_SIZES, LR_SCHEDULE_CONSTANTS],
  preludes: [FINITE, PHILOX, UPDATE_BOOKKEEPING, ACTIVATION, TILE_PRELUDE, BCE, LR_SCHEDULE, ADAM_STEP],
  source: fusedMlpGanSource,
  dispatch: { fused_mlp_gan_update: () => [1, 1, 1], fused_mlp_gan_update_narrow: () => [1, 1, 1] },
});

// One workgroup per layer and entry: power iteration, σ and W / σ, and the
// backward through σ (models/layers/spectral-norm.ts).
export const spectralNormKernels = family({
  name: 'spectral_norm',
  constants: [TRAIN_STATE_CONSTANTS, sizeTable(KERNEL_SIZES.spectralNorm)],
  source: spectralNormSource,
  dispatch: { spectral_norm_power_iteration: () => [1, 1, 1], spectral_norm_weight: () => [1, 1, 1], spectral_norm_backward: () => [1, 1, 1] },
});

// The elementwise and per-row parts of a gradient penalty's double backward (models/losses/gradient-penalty.ts).
const penaltyElements = (u: Record<string, number>): WorkgroupCount => dispatch1d(u.count, KERNEL_SIZES.penalty.PENALTY_WORKGROUP);
export const gradientPenaltyKernels = family({
  name: 'gradient_penalty',
  constants: [ACTIVATION_CONSTANTS, PENALTY_CONSTANTS, sizeTable(KERNEL_SIZES.penalty)],
  preludes: [ACTIVATION],
  source: gradientPenaltySource,
  dispatch: {
    penalty_interpolate: (u) => dispatch1d(u.rows * u.cols, KERNEL_SIZES.penalty.PENALTY_WORKGROUP),
    penalty_act_grad: penaltyElements,
    penalty_act_grad_add: penaltyElements,
    penalty_act_second: penaltyElements,
    penalty_accumulate: penaltyElements,
    penalty_rows: () => [1, 1, 1],
  },
});
