// Spectral normalisation of a layer's weight (Miyato et al. 2018), as
// torch.nn.utils.spectral_norm: the layer computes with W / σ, σ the largest
// singular value of W estimated by power iteration; u and v persist between
// steps. Any kind with a weightMatrix takes it (`Linear(…, { spectralNorm: true })`).
//
// A gain g > 0 (`{ spectralNorm: { gain: 3 } }`; default 1, PyTorch's) holds
// the layer to Lipschitz g instead of 1:
//
//   W_sn = g · W / σ,   σ = uᵀ W v
//   dW   = (g / σ) · (dW_sn − ⟨dW_sn, W_sn⟩ / g · u vᵀ)      (u, v held constant)
//
// A critic with every layer at Lipschitz 1 can be too weak to separate a small
// data set from G's samples (the 2-D toys: the hinge loss stays at 2); a gain
// per layer lifts the bound without giving up the normalisation. The power
// iteration does not depend on g, and σ kept in the scratch is σ, not σ / g.
//
// Its tensors are named as PyTorch names them: weight_orig (trained),
// weight_u and weight_v (buffers), so a checkpoint loads into a PyTorch net
// wrapped the same way. PyTorch's spectral_norm has no gain: a net trained with
// gain g matches it only if each normalised layer's weight is multiplied by g
// there too (e.g. a parametrization after spectral_norm); scaling weight_orig
// does nothing, since W / σ does not change when W is scaled.
//
// Where it runs (step.ts): each phase starts with one power iteration of every
// spectrally normalised net (as PyTorch iterates on each training forward),
// skipped once training has halted; every forward forms σ = uᵀWv and g·W / σ
// first (NetGpu); a weight backward ends with the gradient through σ.
import { floatRange } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { spectralNormKernels } from '../../shaders/index.js';
import { isView, kindsWith, LayerConfigError, layerKind, type JsonLayerForm, type Layer, type KernelRef, type ParamTensor, type LayerModule, type NetBuffers, type SpectralNormStage, type Stage, type TensorSpec, type WeightMatrix } from './layer.js';

/** The spectralNorm field of a kind's JSON form (layer.ts JsonLayerForm): true, false or { "gain": g }. */
export const SPECTRAL_NORM_JSON_FIELD: JsonLayerForm['fields'][number] = ['spectralNorm', false, ['boolean', 'object']];

/** A layer's spectralNorm option: true (gain 1, PyTorch's) or { gain } (the layer's Lipschitz bound g: it computes with g·W / σ). */
export type SpectralNormOption = boolean | SpectralNormOptions;

export interface SpectralNormOptions {
  /** W_sn = gain · W / σ; a finite number > 0. */
  gain: number;
}

/** The nets GanConfig.spectralNorm may name. */
export type SpectralNormNets = 'discriminator' | 'generator' | 'both';

const shownValue = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : JSON.stringify(v));

/** A gain as given, checked: a finite number > 0, else `fail` with a message that starts with `where` (e.g. "spectralNorm.gain"). */
export function checkedGain(v: unknown, where: string, fail: (message: string) => never): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`${where} must be a finite number > 0, got ${shownValue(v)}`);
  return v as number;
}

const layerFail = (message: string): never => {
  throw new LayerConfigError(message);
};

/** The gain a layer spec asks for, or null for no spectral norm; LayerConfigError for a bad value or a kind that cannot take it. */
export function spectralNormGain(layer: unknown, module: LayerModule, where: string): number | null {
  const option = (layer as { spectralNorm?: unknown }).spectralNorm;
  if (option === undefined || option === false) return null;
  if (option !== true && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    layerFail(`${where}: spectralNorm must be true, false or { gain } (a finite number > 0), got ${shownValue(option)}`);
  }
  let gain = 1;
  if (option !== true) {
    const extra = Object.keys(option as object).filter((k) => k !== 'gain');
    if (extra.length > 0) layerFail(`${where}: spectralNorm: unknown field ${extra.map((k) => `"${k}"`).join(', ')}; it takes only gain`);
    gain = checkedGain((option as { gain?: unknown }).gain, `${where}: spectralNorm.gain`, layerFail);
  }
  if (!module.weightMatrix) {
    throw new LayerConfigError(`${where}: ${module.type} has no weight to normalise; spectralNorm applies to ${kindsWith((m) => m.weightMatrix !== undefined)}`);
  }
  return gain;
}

/**
 * A factory's spectralNorm field from its options: absent unless asked for, so
 * plain specs stay as they were; { gain: 1 } is stored as true (the same net,
 * description and cache keys). Anything else is kept as given, for Sequential to check.
 */
export function spectralNormField(option: unknown): { spectralNorm?: true | SpectralNormOptions } {
  if (option === undefined || option === false) return {};
  if (option === true) return { spectralNorm: true };
  if (typeof option === 'object' && option !== null && !Array.isArray(option)) {
    const copy = { ...option } as SpectralNormOptions;
    return Object.keys(copy).length === 1 && copy.gain === 1 ? { spectralNorm: true } : { spectralNorm: copy };
  }
  return { spectralNorm: option as never };
}

/** "SpectralNorm(Linear(4, 5))", with ", gain=3" when the gain is not 1; the text as it is for a layer without it. */
export function describeSpectralNorm(layer: unknown, text: string): string {
  const option = (layer as { spectralNorm?: unknown }).spectralNorm;
  if (!option) return text;
  const gain = option === true ? 1 : (option as SpectralNormOptions).gain;
  return gain === 1 ? `SpectralNorm(${text})` : `SpectralNorm(${text}, gain=${gain})`;
}

/**
 * The layers with spectral norm (gain `options.gain`, default 1) on each whose
 * kind can take it (Linear, Conv2d, ConvTranspose2d); the others as they are.
 */
export function withSpectralNorm(layers: readonly Layer[], options: { gain?: number } = {}): Layer[] {
  const gain = options.gain === undefined ? 1 : checkedGain(options.gain, 'withSpectralNorm: gain', layerFail);
  return layers.map((l, i) => {
    const kind = layerKind(l, `layer ${i}`);
    return !isView(kind) && kind.weightMatrix ? ({ ...l, ...spectralNormField({ gain }) } as Layer) : l;
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
 * layer's own, then g·W / σ, then σ, each start aligned by `align`.
 */
export function spectralNormStage(
  matrix: WeightMatrix,
  gain: number,
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
  return { stage: { matrix, gain, weight, u, v, normalizedOffset, sigmaOffset }, scratch: sigmaOffset + 1 - scratchStart };
}

/** Every pipeline a spectrally normalised stage adds. */
export const spectralNormKernelRefs = (s: Stage): KernelRef[] =>
  s.spectralNorm ? ['spectral_norm_power_iteration', 'spectral_norm_weight', 'spectral_norm_backward'].map((entry) => ({ family: spectralNormKernels, entry })) : [];

// spectral_norm.wgsl's SpectralNormParams: the matrix view and the gain, written once when the plan records.
const uniforms = ({ matrix: { rows, cols, rowStride, block, blockStride }, gain }: SpectralNormStage) => ({
  rows,
  cols,
  row_stride: rowStride,
  block,
  block_stride: blockStride,
  gain,
});

function bindings(net: NetBuffers, sn: SpectralNormStage) {
  const size = sn.weight.size;
  return {
    w: floatRange(net.params, sn.weight.offset, size), //            (rows·cols)
    u: floatRange(net.buffers, sn.u.offset, sn.u.size), //         (rows)
    v: floatRange(net.buffers, sn.v.offset, sn.v.size), //         (cols)
    w_sn: floatRange(net.scratch, sn.normalizedOffset, size), //   (rows·cols) g·W / σ
    sigma: floatRange(net.scratch, sn.sigmaOffset, 1), //          (1) σ, without the gain
    dw: floatRange(net.grads, sn.weight.offset, size), //          (rows·cols)
  };
}

async function add(seq: SequenceBuilder, kernels: KernelRegistry, entry: string, sn: SpectralNormStage, buffers: Record<string, GPUBuffer | GPUBufferBinding>, label: string) {
  const k = await kernels.kernel(spectralNormKernels, entry);
  seq.add(k, k.pick(buffers), uniforms(sn), label);
}

/** σ = uᵀWv and g·W / σ into the scratch, before the stage's forward. `net.params` may be another set of weights (the EMA). */
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
