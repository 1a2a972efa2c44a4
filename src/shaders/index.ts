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
  TRAIN_STATS_CONSTANTS,
  wgslConstants,
  type ConstantTable,
} from './constants.js';
import activationPrelude from './prelude/activation.wgsl';
import adamStepPrelude from './prelude/adam_step.wgsl';
import bcePrelude from './prelude/bce.wgsl';
import lossReducePrelude from './prelude/loss_reduce.wgsl';
import convCommonPrelude from './prelude/conv_common.wgsl';
import finitePrelude from './prelude/finite.wgsl';
import lrSchedulePrelude from './prelude/lr_schedule.wgsl';
import philoxPrelude from './prelude/philox.wgsl';
import tilePrelude from './prelude/tile.wgsl';
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
/** The end of a GAN loss kernel: sums to loss_out (needs LOSS_OUT_* and the including file's `loss_out`). */
export const LOSS_REDUCE: Prelude = { name: 'loss_reduce', source: lossReducePrelude };
/** What conv2d and conv_transpose2d share: needs ACTIVATION and TILE_PRELUDE, the `tile` and `conv` sizes, and the including file's `params`, x, w, dy and y_saved. */
export const CONV_COMMON: Prelude = { name: 'conv_common', source: convCommonPrelude };

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

/** Assembles constants, preludes and the family's own file, each under a banner naming where it came from. */
function family<E extends string>(spec: FamilySpec<E>): KernelFamily<E> {
  const overrides = spec.overrides ?? {};
  const sections = [
    ...(spec.constants ?? []).map((t) => ({ name: tableOrigin(t), source: wgslConstants(t) })),
    ...(Object.keys(overrides).length ? [{ name: `overrides ${Object.keys(overrides).join(', ')} (index.ts)`, source: wgslOverrides(overrides) }] : []),
    ...(spec.preludes ?? []).map((p) => ({ name: `prelude/${p.name}.wgsl`, source: p.source })),
    { name: `${spec.name}.wgsl`, source: spec.source },
  ];
  const source = sections.map((s) => `// ---- ${s.name}\n${s.source.trimEnd()}\n`).join('\n');
  return defineKernelFamily({ name: spec.name, source, dispatch: spec.dispatch, overrides: spec.overrides, tuning: spec.tuning });
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
  /** adam.wgsl: invocations per workgroup, at most MAX_WORKGROUPS workgroups striding over the buffer. */
  adam: { ADAM_WORKGROUP: 64, ADAM_MAX_WORKGROUPS: 256 },
  /** sgd.wgsl, rmsprop.wgsl: the same grid stride as Adam. */
  sgd: { SGD_WORKGROUP: 64, SGD_MAX_WORKGROUPS: 256 },
  rmsprop: { RMSPROP_WORKGROUP: 64, RMSPROP_MAX_WORKGROUPS: 256 },
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
  /** param_ops.wgsl: invocations per workgroup, at most PARAM_OPS_MAX_WORKGROUPS striding over the buffer. */
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
/** The three products, each at register blocks of 16 (the entry as named), 8 (`_r8`) and 4 (`_r4`). */
const LINEAR_PRODUCTS = {
  linear_forward: (u: Record<string, number>) => [u.out_features, u.batch] as const,
  linear_backward_input: (u: Record<string, number>) => [u.in_features, u.batch] as const,
  linear_backward_weight: (u: Record<string, number>) => [u.in_features, u.out_features] as const,
};
type LinearProduct = keyof typeof LINEAR_PRODUCTS;
const LINEAR_BLOCKS = { '': TILE, _r8: 8, _r4: 4 } as const;
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
const linearVariants = (entry: LinearProduct): KernelVariant[] => tiledVariants(entry, 'LINEAR_WG_X', 'LINEAR_WG_Y');

export const linearKernels = family({
  name: 'linear',
  constants: [ACTIVATION_CONSTANTS, TILE_SIZES, sizeTable(KERNEL_SIZES.linear)],
  overrides: LINEAR_OVERRIDES,
  preludes: [ACTIVATION, TILE_PRELUDE],
  source: linearSource,
  dispatch: {
    ...(linearProductDispatch as Record<`${LinearProduct}${keyof typeof LINEAR_BLOCKS}`, DispatchFn>),
    linear_backward_bias: (u) => [ceilDiv(u.out_features, KERNEL_SIZES.linear.LINEAR_BIAS_WORKGROUP), 1, 1],
  },
  tuning: {
    variants: { linear_forward: linearVariants('linear_forward'), linear_backward_input: linearVariants('linear_backward_input'), linear_backward_weight: linearVariants('linear_backward_weight') },
    // x (B, K), w and dw (N, K), bias and dbias (N), y and dz (B, N), dx (B, K).
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

export const bceWithLogitsKernels = family({
  name: 'bce_with_logits',
  constants: [LOSS_OUT_CONSTANTS],
  preludes: [BCE, LOSS_REDUCE],
  source: bceWithLogitsSource,
  dispatch: { bce_with_logits_forward_backward: () => [1, 1, 1] },
});

export const ganLossKernels = family({
  name: 'gan_loss',
  constants: [LOSS_OUT_CONSTANTS, GAN_LOSS_CONSTANTS, GAN_LOSS_PRESENT_CONSTANTS],
  preludes: [BCE, LOSS_REDUCE],
  source: ganLossSource,
  dispatch: { gan_loss_forward_backward: () => [1, 1, 1] },
});

/** Workgroups of a grid-stride pass over `count` floats (Adam, grad²). */
/** A grid-stride kernel's dispatch: enough workgroups of `size` to cover `count`, at most `max` (each invocation loops over the rest). */
const gridStride = (size: number, max: number) => (u: Record<string, number>): WorkgroupCount => [Math.min(ceilDiv(u.count, size), max), 1, 1];
/** grad² partials grad_sq_partials_sum writes for `count` parameters: one per invocation. */
export const gradSqPartialCount = (count: number): number =>
  Math.min(ceilDiv(count, KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP), KERNEL_SIZES.gradSq.GRAD_SQ_MAX_WORKGROUPS) * KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP;

export const adamKernels = family({
  name: 'adam',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.adam)],
  preludes: [LR_SCHEDULE, ADAM_STEP],
  source: adamSource,
  dispatch: { adam_update: gridStride(KERNEL_SIZES.adam.ADAM_WORKGROUP, KERNEL_SIZES.adam.ADAM_MAX_WORKGROUPS) },
});

const sgdGrid = gridStride(KERNEL_SIZES.sgd.SGD_WORKGROUP, KERNEL_SIZES.sgd.SGD_MAX_WORKGROUPS);
export const sgdKernels = family({
  name: 'sgd',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.sgd)],
  preludes: [LR_SCHEDULE],
  source: sgdSource,
  dispatch: { sgd_update: sgdGrid, sgd_momentum_update: sgdGrid },
});

const rmspropGrid = gridStride(KERNEL_SIZES.rmsprop.RMSPROP_WORKGROUP, KERNEL_SIZES.rmsprop.RMSPROP_MAX_WORKGROUPS);
export const rmspropKernels = family({
  name: 'rmsprop',
  constants: [TRAIN_STATE_CONSTANTS, LR_SCHEDULE_CONSTANTS, sizeTable(KERNEL_SIZES.rmsprop)],
  preludes: [LR_SCHEDULE],
  source: rmspropSource,
  dispatch: {
    rmsprop_update: rmspropGrid,
    rmsprop_momentum_update: rmspropGrid,
    rmsprop_centered_update: rmspropGrid,
    rmsprop_centered_momentum_update: rmspropGrid,
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
  source: paramOpsSource,
  dispatch: {
    ema_update: gridStride(KERNEL_SIZES.paramOps.PARAM_OPS_WORKGROUP, KERNEL_SIZES.paramOps.PARAM_OPS_MAX_WORKGROUPS),
    clamp_params: gridStride(KERNEL_SIZES.paramOps.PARAM_OPS_WORKGROUP, KERNEL_SIZES.paramOps.PARAM_OPS_MAX_WORKGROUPS),
  },
});

export const trainStateKernels = family({
  name: 'train_state',
  constants: [TRAIN_STATE_CONSTANTS, TRAIN_STATS_CONSTANTS, LOSS_OUT_CONSTANTS, sizeTable(KERNEL_SIZES.gradSq)],
  preludes: [FINITE, UPDATE_BOOKKEEPING],
  source: trainStateSource,
  dispatch: {
    grad_sq_partials_sum: (u) => [gradSqPartialCount(u.count) / KERNEL_SIZES.gradSq.GRAD_SQ_WORKGROUP, 1, 1],
    train_state_update: () => [1, 1, 1],
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
// channel; the eval forward is elementwise over N·C·L values.
export const batchnormKernels = family({
  name: 'batchnorm',
  constants: [ACTIVATION_CONSTANTS, sizeTable(KERNEL_SIZES.batchnorm)],
  preludes: [ACTIVATION],
  source: batchnormSource,
  dispatch: {
    batchnorm_forward: (u) => [u.channels, 1, 1],
    batchnorm_forward_eval: (u) => dispatch1d(u.batch * u.channels * u.spatial, KERNEL_SIZES.batchnorm.BATCHNORM_EVAL_WORKGROUP),
    batchnorm_backward_input: (u) => [u.channels, 1, 1],
    batchnorm_backward_weight: (u) => [u.channels, 1, 1],
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
const CONV_PRELUDES = [ACTIVATION, TILE_PRELUDE, CONV_COMMON];
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
  },
  tuning: {
    variants: {
      conv2d_forward: convGemmVariants('conv2d_forward'),
      conv2d_backward_input: convGemmVariants('conv2d_backward_input'),
      conv2d_backward_weight: convSplitVariants('conv2d_backward_weight'),
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
  },
  tuning: {
    variants: {
      conv_transpose2d_forward: convGemmVariants('conv_transpose2d_forward'),
      conv_transpose2d_backward_input: convGemmVariants('conv_transpose2d_backward_input'),
      conv_transpose2d_backward_weight: convSplitVariants('conv_transpose2d_backward_weight'),
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
