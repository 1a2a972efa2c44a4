// One descriptor per kernel family: the WGSL source and, per entry point, the
// workgroup count for a set of uniforms. Bindings, uniform layouts and
// workgroup sizes come from reflecting the source (runtime/kernel.ts).
import { defineKernelFamily, type WorkgroupCount } from '../runtime/kernel.js';
import linearSource from './linear.wgsl';
import activationSource from './activation.wgsl';
import bceWithLogitsSource from './bce_with_logits.wgsl';
import adamSource from './adam.wgsl';
import trainStateSource from './train_state.wgsl';
import randomSource from './random.wgsl';
import batchnormSource from './batchnorm.wgsl';
import conv2dSource from './conv2d.wgsl';
import convTranspose2dSource from './conv_transpose2d.wgsl';
import softmaxCrossEntropySource from './softmax_cross_entropy.wgsl';
import concatLabelsSource from './concat_labels.wgsl';
import philoxSource from './philox.wgsl';
import updateBookkeepingSource from './update_bookkeeping.wgsl';
import fusedMlpGanSource from './fused_mlp_gan.wgsl';

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Workgroups for `count` items, `perWorkgroup` each, folded into 2D past the 65535 limit. */
export function dispatch1d(count: number, perWorkgroup: number): WorkgroupCount {
  const groups = ceilDiv(count, perWorkgroup);
  if (groups <= 65535) return [groups, 1, 1];
  return [65535, ceilDiv(groups, 65535), 1];
}

// Must match TILE_ROWS / TILE_COLS and @workgroup_size(4, 4) in linear.wgsl.
export const LINEAR_TILE_ROWS = 16;
export const LINEAR_TILE_COLS = 16;
const linearGrid = (cols: number, rows: number): WorkgroupCount => [
  ceilDiv(cols, 4 * LINEAR_TILE_COLS),
  ceilDiv(rows, 4 * LINEAR_TILE_ROWS),
  1,
];

export const linearKernels = defineKernelFamily({
  name: 'linear',
  source: linearSource,
  dispatch: {
    linear_forward: (u) => linearGrid(u.out_features, u.batch),
    linear_backward_input: (u) => linearGrid(u.in_features, u.batch),
    linear_backward_weight: (u) => linearGrid(u.in_features, u.out_features),
    linear_backward_bias: (u) => [ceilDiv(u.out_features, 64), 1, 1],
  },
});

export const activationKernels = defineKernelFamily({
  name: 'activation',
  source: activationSource,
  dispatch: {
    activation_forward: (u) => dispatch1d(u.count, 64),
    activation_backward_input: (u) => dispatch1d(u.count, 64),
    activation_backward_inplace: (u) => dispatch1d(u.count, 64),
  },
});

export const bceWithLogitsKernels = defineKernelFamily({
  name: 'bce_with_logits',
  source: bceWithLogitsSource,
  dispatch: { bce_with_logits_forward_backward: () => [1, 1, 1] },
});

// Must match @workgroup_size(64) in adam.wgsl. At most 256 workgroups: each
// invocation strides over the buffer and writes one grad² partial.
export const ADAM_WORKGROUP = 64;
export const ADAM_MAX_WORKGROUPS = 256;
export const adamWorkgroups = (count: number): number => Math.min(ceilDiv(count, ADAM_WORKGROUP), ADAM_MAX_WORKGROUPS);
export const adamKernels = defineKernelFamily({
  name: 'adam',
  source: adamSource,
  dispatch: { adam_update: (u) => [adamWorkgroups(u.count), 1, 1] },
});

export const trainStateKernels = defineKernelFamily({
  name: 'train_state',
  source: updateBookkeepingSource + trainStateSource, // update_bookkeeping.wgsl: functions only, shared with fused_mlp_gan.wgsl
  dispatch: { train_state_update: () => [1, 1, 1] },
});

export const randomKernels = defineKernelFamily({
  name: 'random',
  source: philoxSource + randomSource, // philox.wgsl: functions only, shared with fused_mlp_gan.wgsl
  dispatch: {
    random_uniform: (u) => dispatch1d(ceilDiv(u.count, 4), 64),
    random_normal: (u) => dispatch1d(ceilDiv(u.count, 4), 64),
    random_gather_rows: (u) => [ceilDiv(u.cols, 64), u.rows, 1],
  },
});

export { ACTIVATION_CODE, type ActivationName } from './activation-codes.js';

// The training forward and both backward kernels run one workgroup per
// channel; the eval forward is elementwise over N·C·L values, 64 per
// workgroup as in its @workgroup_size(64).
export const batchnormKernels = defineKernelFamily({
  name: 'batchnorm',
  source: batchnormSource,
  dispatch: {
    batchnorm_forward: (u) => [u.channels, 1, 1],
    batchnorm_forward_eval: (u) => dispatch1d(u.batch * u.channels * u.spatial, 64),
    batchnorm_backward_input: (u) => [u.channels, 1, 1],
    batchnorm_backward_weight: (u) => [u.channels, 1, 1],
  },
});

// Must match TILE, SPLIT and the @workgroup_size of conv2d.wgsl and
// conv_transpose2d.wgsl (whose headers give the GEMM each entry computes):
// forward / backward_input run 4 × 4 invocations of CONV_TILE × CONV_TILE
// outputs, positions on x and channels on y; the transposed structures
// (conv2d_backward_input, conv_transpose2d_forward) one z per stride phase,
// each phase's positions (b, ⌈H/s⌉, ⌈W/s⌉) at most; backward_weight
// CONV_SPLIT invocations per CONV_TILE × CONV_TILE weights, (kH, kW, in or
// out) on x and the rows on y; backward_bias one invocation per channel.
export const CONV_TILE = 16;
export const CONV_SPLIT = 16;
const convGrid = (positions: number, channels: number, phases = 1): WorkgroupCount => [
  ceilDiv(positions, 4 * CONV_TILE),
  ceilDiv(channels, 4 * CONV_TILE),
  phases,
];
const phasePositions = (u: Record<string, number>, height: number, width: number): number =>
  u.batch * ceilDiv(height, u.stride) * ceilDiv(width, u.stride);
// The narrow entries (conv2d_backward_input_narrow, conv_transpose2d_forward_narrow):
// one invocation per block of 2 rows × CONV_STRIP columns of one stride
// phase, 64 per workgroup; z = channel · s² + phase.
// net-gpu.ts picks them for at most CONV_NARROW channels (dx channels of a
// conv, output channels of a convT), where they beat the 16-wide tile.
export const CONV_STRIP = 16;
export const CONV_NARROW = 4;
const narrowGrid = (u: Record<string, number>, height: number, width: number, channels: number): WorkgroupCount => {
  const blocks = u.batch * ceilDiv(ceilDiv(height, u.stride), 2) * ceilDiv(ceilDiv(width, u.stride), CONV_STRIP);
  const [x, y] = dispatch1d(blocks, 64);
  return [x, y, channels * u.stride * u.stride];
};
export const conv2dKernels = defineKernelFamily({
  name: 'conv2d',
  source: conv2dSource,
  dispatch: {
    conv2d_forward: (u) => convGrid(u.batch * u.out_height * u.out_width, u.out_channels),
    conv2d_backward_input: (u) => convGrid(phasePositions(u, u.in_height, u.in_width), u.dx_channels, u.stride * u.stride),
    conv2d_backward_input_narrow: (u) => narrowGrid(u, u.in_height, u.in_width, u.dx_channels),
    conv2d_backward_weight: (u) => [ceilDiv(u.in_channels * u.kernel_height * u.kernel_width, CONV_TILE), ceilDiv(u.out_channels, CONV_TILE), 1],
    conv2d_backward_bias: (u) => [ceilDiv(u.out_channels, 64), 1, 1],
  },
});

export const convTranspose2dKernels = defineKernelFamily({
  name: 'conv_transpose2d',
  source: convTranspose2dSource,
  dispatch: {
    conv_transpose2d_forward: (u) => convGrid(phasePositions(u, u.out_height, u.out_width), u.out_channels, u.stride * u.stride),
    conv_transpose2d_forward_narrow: (u) => narrowGrid(u, u.out_height, u.out_width, u.out_channels),
    conv_transpose2d_backward_input: (u) => convGrid(u.batch * u.in_height * u.in_width, u.in_channels),
    conv_transpose2d_backward_weight: (u) => [ceilDiv(u.out_channels * u.kernel_height * u.kernel_width, CONV_TILE), ceilDiv(u.in_channels, CONV_TILE), 1],
    conv_transpose2d_backward_bias: (u) => [ceilDiv(u.out_channels, 64), 1, 1],
  },
});

export const softmaxCrossEntropyKernels = defineKernelFamily({
  name: 'softmax_cross_entropy',
  source: softmaxCrossEntropySource,
  dispatch: { softmax_cross_entropy_forward_backward: () => [1, 1, 1] },
});

// Must match @workgroup_size(64) in concat_labels.wgsl: one invocation per
// element of the entry's output.
export const concatLabelsKernels = defineKernelFamily({
  name: 'concat_labels',
  source: concatLabelsSource,
  dispatch: {
    concat_labels_forward: (u) => dispatch1d(u.rows * (u.channels + u.classes) * u.spatial, 64),
    concat_labels_backward_input: (u) => dispatch1d(u.rows * u.channels * u.spatial, 64),
  },
});

// One workgroup runs a whole optimizer phase (fused_mlp_gan.wgsl); the plan
// and its limits are in models/fused-mlp-plan.ts.
export const fusedMlpGanKernels = defineKernelFamily({
  name: 'fused_mlp_gan',
  source: philoxSource + updateBookkeepingSource + fusedMlpGanSource,
  dispatch: { fused_mlp_gan_update: () => [1, 1, 1], fused_mlp_gan_update_narrow: () => [1, 1, 1] },
});
