// Spectral normalisation of a layer's weight (Miyato et al. 2018), as
// torch.nn.utils.spectral_norm: the layer computes with W / σ, σ the largest
// singular value of W estimated by power iteration; u and v persist between
// steps. Any kind with a weightMatrix takes it (`Linear(…, { spectralNorm: true })`).
// Its tensors are named as PyTorch names them: weight_orig (trained),
// weight_u and weight_v (buffers), so a checkpoint loads into a PyTorch net
// wrapped the same way.
//
// Where it runs (step.ts): each phase starts with one power iteration of every
// spectrally normalised net (as PyTorch iterates on each training forward),
// skipped once training has halted; every forward forms σ = uᵀWv and W / σ
// first (NetGpu); a weight backward ends with the gradient through σ.
import { floatRange } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { spectralNormKernels } from '../../shaders/index.js';
import { isView, kindsWith, LayerConfigError, layerKind, type Layer, type KernelRef, type ParamTensor, type LayerModule, type NetBuffers, type SpectralNormStage, type Stage, type TensorSpec, type WeightMatrix } from './layer.js';

/** Whether a layer spec asks for spectral norm; LayerConfigError for a value that is not a boolean or a kind that cannot take it. */
export function wantsSpectralNorm(layer: unknown, module: LayerModule, where: string): boolean {
  const flag = (layer as { spectralNorm?: unknown }).spectralNorm;
  if (flag === undefined || flag === false) return false;
  if (flag !== true) throw new LayerConfigError(`${where}: spectralNorm must be true or false, got ${JSON.stringify(flag)}`);
  if (!module.weightMatrix) {
    throw new LayerConfigError(`${where}: ${module.type} has no weight to normalise; spectralNorm applies to ${kindsWith((m) => m.weightMatrix !== undefined)}`);
  }
  return true;
}

/** The layers with { spectralNorm: true } on each whose kind can take it (Linear, Conv2d, ConvTranspose2d); the others as they are. */
export function withSpectralNorm(layers: readonly Layer[]): Layer[] {
  return layers.map((l, i) => {
    const kind = layerKind(l, `layer ${i}`);
    return !isView(kind) && kind.weightMatrix ? ({ ...l, spectralNorm: true } as Layer) : l;
  });
}

/** The buffers spectral norm adds to a layer: u (rows) and v (cols), random unit vectors at first, as PyTorch starts them. */
export const spectralNormBuffers = (m: WeightMatrix): TensorSpec[] => [
  { name: 'weight_u', shape: [m.rows], init: 'unit-normal' },
  { name: 'weight_v', shape: [m.cols], init: 'unit-normal' },
];

export const SPECTRAL_NORM_WEIGHT_NAME = 'weight_orig';

/**
 * Where a stage's spectral norm lives once Sequential has placed its tensors
 * (u and v last among its buffers), and the stage's scratch with it: the
 * layer's own, then W / σ, then σ, each start aligned by `align`.
 */
export function spectralNormStage(
  matrix: WeightMatrix,
  params: readonly ParamTensor[],
  buffers: readonly ParamTensor[],
  scratchStart: number,
  layerScratch: number,
  align: (floats: number) => number,
): { stage: SpectralNormStage; scratch: number } {
  const weight = params.find((t) => t.local === 'weight');
  if (!weight) throw new Error(`spectral norm: the layer declares no 'weight' among ${params.map((t) => t.name).join(', ')}`);
  const normalizedOffset = scratchStart + align(layerScratch);
  const sigmaOffset = normalizedOffset + align(weight.size);
  const [u, v] = buffers.slice(-2);
  return { stage: { matrix, weight, u, v, normalizedOffset, sigmaOffset }, scratch: sigmaOffset + 1 - scratchStart };
}

/** Every pipeline a spectrally normalised stage adds. */
export const spectralNormKernelRefs = (s: Stage): KernelRef[] =>
  s.spectralNorm ? ['spectral_norm_power_iteration', 'spectral_norm_weight', 'spectral_norm_backward'].map((entry) => ({ family: spectralNormKernels, entry })) : [];

const uniforms = ({ rows, cols, rowStride, block, blockStride }: WeightMatrix) => ({ rows, cols, row_stride: rowStride, block, block_stride: blockStride });

function bindings(net: NetBuffers, sn: SpectralNormStage) {
  const size = sn.weight.size;
  return {
    w: floatRange(net.params, sn.weight.offset, size), //            (rows·cols)
    u: floatRange(net.buffers, sn.u.offset, sn.u.size), //         (rows)
    v: floatRange(net.buffers, sn.v.offset, sn.v.size), //         (cols)
    w_sn: floatRange(net.scratch, sn.normalizedOffset, size), //   (rows·cols)
    sigma: floatRange(net.scratch, sn.sigmaOffset, 1), //          (1)
    dw: floatRange(net.grads, sn.weight.offset, size), //          (rows·cols)
  };
}

async function add(seq: SequenceBuilder, kernels: KernelRegistry, entry: string, sn: SpectralNormStage, buffers: Record<string, GPUBuffer | GPUBufferBinding>, label: string) {
  const k = await kernels.kernel(spectralNormKernels, entry);
  seq.add(k, k.pick(buffers), uniforms(sn.matrix), label);
}

/** σ = uᵀWv and W / σ into the scratch, before the stage's forward. `net.params` may be another set of weights (the EMA). */
export function encodeNormalizedWeight(seq: SequenceBuilder, kernels: KernelRegistry, net: NetBuffers, s: Stage, label: string): Promise<void> {
  const sn = s.spectralNorm!;
  return add(seq, kernels, 'spectral_norm_weight', sn, bindings(net, sn), label);
}

/** After the stage's weight backward: ∂L/∂W_sn in the gradients becomes ∂L/∂W, in place. */
export function encodeSpectralNormBackward(seq: SequenceBuilder, kernels: KernelRegistry, net: NetBuffers, s: Stage, label: string): Promise<void> {
  const sn = s.spectralNorm!;
  return add(seq, kernels, 'spectral_norm_backward', sn, bindings(net, sn), label);
}

/** One power iteration of u and v, unless the training state says training has halted. */
export function encodePowerIteration(seq: SequenceBuilder, kernels: KernelRegistry, net: NetBuffers, s: Stage, state: GPUBuffer, label: string): Promise<void> {
  const sn = s.spectralNorm!;
  return add(seq, kernels, 'spectral_norm_power_iteration', sn, { ...bindings(net, sn), state }, label);
}
