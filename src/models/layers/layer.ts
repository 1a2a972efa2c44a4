// What a layer kind is: one LayerModule per kind (linear.ts, conv2d.ts, …)
// holds everything about it — validation and shape inference, its tensors
// under PyTorch's names, the kernels it needs, its forward and backward
// encoders, its float64 CPU reference, its description, its multiply-adds and
// whether the fused MLP plan can run it. Sequential, the GPU net, the CPU
// reference net and the fused plan are loops over stages that ask their
// module; nothing outside a kind's file branches on the kind. index.ts
// registers the kinds.
import { floatRange } from '../../runtime/buffers.js';
import { ConfigError } from '../../runtime/errors.js';
import type { KernelFamily, KernelRegistry, Overrides } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import type { ActivationName } from '../../shaders/constants.js';
import type { FusedOp } from './fused-ops.js';

/** Thrown for a net whose layers do not fit together or have bad options; names the layer and the shapes. */
export class LayerConfigError extends ConfigError {
  override name = 'LayerConfigError';
}

/** Layer specs are plain data (`type` plus options), so a net can be described, sent to a worker and rebuilt. */
export interface LayerSpec {
  type: string;
}

/**
 * The spec type of every registered kind, by `type`: each kind's module adds
 * its own (`declare module './layer.js' { interface LayerSpecs { linear: LinearLayer } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LayerSpecs {}

/** Any registered layer's spec. */
export type Layer = LayerSpecs[keyof LayerSpecs];

/** The per-sample shape between two layers: flat features, or an image (C, H, W) with features = C·H·W. */
export interface SampleShape {
  features: number;
  image: readonly [number, number, number] | null;
}

export const flatShape = (features: number): SampleShape => ({ features, image: null });
export const imageShape = (c: number, h: number, w: number): SampleShape => ({ features: c * h * w, image: [c, h, w] });
export const showShape = (s: SampleShape): string => (s.image ? `(${s.image.join(', ')})` : `${s.features} flat features`);

/** How a parameter tensor starts: PyTorch's U(−1/√fan_in, 1/√fan_in), or a constant. */
/** How a tensor starts: PyTorch's U(−1/√fan_in, 1/√fan_in), a constant, or a random unit vector (spectral norm's u and v). */
export type TensorInit = 'fan-in-uniform' | 'ones' | 'zeros' | 'unit-normal';

/**
 * How a layer's weight is read as the matrix spectral normalisation works on
 * (torch.nn.utils.spectral_norm's reshape, dim 0 first; dim 1 for
 * ConvTranspose2d): element (r, c) is at r·rowStride + ⌊c / block⌋·blockStride + c mod block.
 */
export interface WeightMatrix {
  rows: number;
  cols: number;
  rowStride: number;
  block: number;
  blockStride: number;
}

/** A stage whose weight is spectrally normalised (spectral-norm.ts): its gain g, and where W, u, v, g·W / σ and σ live. */
export interface SpectralNormStage {
  matrix: WeightMatrix;
  /** The layer's Lipschitz bound: it computes with g·W / σ (1: as torch.nn.utils.spectral_norm). */
  gain: number;
  /** The trained weight, saved as weight_orig (in the parameters). */
  weight: ParamTensor;
  /** weight_u (rows) and weight_v (cols), in the net's buffers. */
  u: ParamTensor;
  v: ParamTensor;
  /** Offsets in the net's scratch of g·W / σ (weight.size floats), which the layer computes with, and of σ (without the gain). */
  normalizedOffset: number;
  sigmaOffset: number;
}

/** A tensor a layer declares: its local name ("weight"), shape and initial values. */
export interface TensorSpec {
  name: string;
  shape: number[];
  init: TensorInit;
}

/** A tensor placed in one of the net's flat buffers. */
export interface ParamTensor {
  /** PyTorch state_dict name within the net, e.g. "0.weight". */
  name: string;
  /** The layer's own name for it, e.g. "weight". */
  local: string;
  shape: number[];
  /** Offset in floats into its flat buffer (a multiple of PARAM_ALIGN_FLOATS). */
  offset: number;
  size: number;
}

/** What a layer that computes makes of its spec and input: its geometry, output, tensors and options. */
export interface ComputeBuild<G> {
  geometry: G;
  output: SampleShape;
  /** Trained tensors, in the net's parameter buffer (and the optimizer's state). */
  params: TensorSpec[];
  /** Tensors kept across steps but not trained (BatchNorm's running statistics), saved in checkpoints. */
  buffers?: TensorSpec[];
  /** Floats of per-forward scratch the backward reads (BatchNorm's batch statistics). */
  scratch?: number;
  /** Fan-in for 'fan-in-uniform' tensors. */
  fanIn?: number;
  /** An activation right after this layer runs inside its kernels instead of as a stage of its own. */
  fusesActivation: boolean;
}

/** One computing stage of a Sequential: a layer with the activation after it fused, or a lone activation. */
export interface Stage<G = unknown> {
  readonly module: LayerModule<LayerSpec, G>;
  /** Index of the layer in the Sequential (the state_dict prefix). */
  readonly layerIndex: number;
  readonly input: SampleShape;
  readonly output: SampleShape;
  readonly geometry: G;
  readonly activation: ActivationName;
  /** LeakyReLU negative slope or ELU alpha of the fused activation; 0 for the others. */
  readonly slope: number;
  readonly params: readonly ParamTensor[];
  readonly buffers: readonly ParamTensor[];
  /** Offset of this stage's scratch in the net's scratch buffer, per group (see NetGpu). */
  readonly scratchOffset: number;
  readonly scratch: number;
  readonly fanIn: number;
  /** Its weight is used as g·W / σ (the layer's spectralNorm option), or null. */
  readonly spectralNorm: SpectralNormStage | null;
}

/** A stage's tensor by its local name; throws if the layer has none of that name. */
export function tensorOf(tensors: readonly ParamTensor[], local: string): ParamTensor {
  const t = tensors.find((p) => p.local === local);
  if (!t) throw new Error(`no tensor '${local}' among ${tensors.map((p) => p.name).join(', ')}`);
  return t;
}
export const param = (s: Stage, local: string): ParamTensor => tensorOf(s.params, local);
export const maybeParam = (s: Stage, local: string): ParamTensor | null => s.params.find((p) => p.local === local) ?? null;

/** The weight a stage's kernels compute with: g·W / σ in the scratch of a spectrally normalised stage, else its 'weight' parameter. */
export function weightBinding(net: NetBuffers, s: Stage): GPUBufferBinding {
  const w = param(s, 'weight');
  return s.spectralNorm ? floatRange(net.scratch, s.spectralNorm.normalizedOffset, w.size) : floatRange(net.params, w.offset, w.size);
}

/** The weight a stage's float64 reference computes with: g·W / σ of the forward (ReferenceIo.normalized), else its 'weight' parameter. */
export function referenceWeight(s: Stage, io: ReferenceIo): Float64Array {
  if (s.spectralNorm) {
    const n = io.normalized.get(s.layerIndex);
    if (!n) throw new Error(`layer ${s.layerIndex}: its spectrally normalised weight was not formed before it ran`);
    return n.weight;
  }
  const w = param(s, 'weight');
  return io.net.params.subarray(w.offset, w.offset + w.size);
}

/** 'train': BatchNorm normalises by the batch and updates its running statistics; 'eval': it uses them and updates nothing. */
export type ForwardMode = 'train' | 'eval';

/** A pipeline a stage may use: compiled up front so that every compile runs in parallel. */
export interface KernelRef {
  family: KernelFamily;
  entry: string;
  overrides?: Overrides;
}

/** The net's GPU buffers a stage's encoders bind ranges of. */
export interface NetBuffers {
  params: GPUBuffer; //  (P) flat, tensors at aligned offsets
  grads: GPUBuffer; //   (P)
  buffers: GPUBuffer; // (R) running statistics
  scratch: GPUBuffer; // per-forward scratch
  zeros: GPUBuffer; //   (widest stage) zeros, bound where a layer has no bias
}

interface PassCommon<G> {
  seq: SequenceBuilder;
  kernels: KernelRegistry;
  net: NetBuffers;
  stage: Stage<G>;
  batch: number;
  /** Equal groups of rows normalised apart (BatchNorm; D's [fake; real] is 2). */
  groups: number;
  label: string;
}

export interface ForwardPass<G> extends PassCommon<G> {
  x: GPUBuffer; // (batch, input.features)
  y: GPUBuffer; // (batch, output.features)
  mode: ForwardMode;
}

export interface BackwardPass<G> extends PassCommon<G> {
  x: GPUBuffer; //  (batch, input.features) the forward's input
  y: GPUBuffer; //  (batch, output.features) the forward's output
  dy: GPUBuffer; // (batch, output.features); may be overwritten (dz is formed in place)
  /** (batch, dxChannels, H, W) or (batch, input.features); null: nobody needs the input gradient. */
  dx: GPUBuffer | null;
  /** Leading input channels to compute dx for (all of them unless the module has partialInputGrad). */
  dxChannels: number;
  /** Write the parameter gradients into net.grads (the net is trained in this phase). */
  weightGrads: boolean;
}

export interface LayerGpu<G> {
  /** Every pipeline forward / backward may use for this stage. */
  kernels(stage: Stage<G>, dxChannels: number): KernelRef[];
  forward(pass: ForwardPass<G>): Promise<void>;
  backward(pass: BackwardPass<G>): Promise<void>;
}

/** Float64 state of a net on the CPU, in the same flat layouts as on the GPU. */
export interface ReferenceNet {
  params: Float64Array;
  /** Running statistics (Sequential.bufferCount floats), updated in place by training-mode forwards. */
  buffers: Float64Array;
}

export interface ReferenceIo {
  net: ReferenceNet;
  batch: number;
  groups: number;
  mode: ForwardMode;
  /** What this stage's forward keeps for its backward (BatchNorm: each group's mean and invstd). */
  saved: Map<Stage, unknown>;
  /** W / σ and σ of each spectrally normalised stage, by layer index, formed before it runs. */
  normalized: Map<number, { weight: Float64Array; sigma: number }>;
}

export interface LayerReference<G> {
  /** y (batch, output.features) from x. */
  forward(stage: Stage<G>, x: Float64Array, io: ReferenceIo): Float64Array;
  /** dx from dy; writes parameter gradients into `grads` (the flat layout) when given. */
  backward(stage: Stage<G>, x: Float64Array, y: Float64Array, dy: Float64Array, grads: Float64Array | null, io: ReferenceIo): Float64Array;
}

/** Where a stage's tensors sit in the fused plan's `work` buffer (offsets in floats). */
export interface FusedStageTensors {
  x: number;
  y: number;
  dy: number;
  dx: number | null;
  /** The net's weights (its parameter layout starts here). */
  weights: number;
  /** The net's gradients, or null when this phase does not train it. */
  grads: number | null;
}

export interface LayerFused<G> {
  forward(stage: Stage<G>, t: FusedStageTensors, rows: number): FusedOp[];
  backward(stage: Stage<G>, t: FusedStageTensors, rows: number): FusedOp[];
}

/** Multiply-adds per row of a stage's products (FLOP counts, the fused plan's size limit). */
export interface StageMacs {
  forward: number;
  backwardInput: number;
  backwardWeight: number;
}

export interface LayerModule<L extends LayerSpec = LayerSpec, G = unknown> {
  readonly type: L['type'];
  /** Its JSON forms by factory name (e.g. Linear; the activation kind has one per activation). */
  readonly json?: Record<string, JsonLayerForm>;
  /** PyTorch-style text, e.g. "Linear(784, 256)". */
  describe(layer: L): string;
  /** Checks the layer against the shape it receives (throwing LayerConfigError that names `where`). */
  build(layer: L, input: SampleShape, where: string): ComputeBuild<G>;
  /** A layer that fixes the net's input when it comes first (Linear: its in_features); without it a net needs an inputShape. */
  impliedInput?(layer: L): SampleShape;
  /** Activation layers: what they apply. Such a layer fuses into the stage before it when that stage takes one. */
  activationOf?(layer: L, where: string): { activation: ActivationName; slope: number };
  /** The backward can compute dx for the leading channels only (a conditional D's image, not its label planes). */
  readonly partialInputGrad?: boolean;
  /**
   * Its output before the activation is z = A(W, x) + bias with A linear in W and in x (Linear, the convolutions):
   * a gradient penalty's double backward then needs nothing but the kind's own forward and backward, run
   * without activation (models/losses/gradient-penalty.ts). Absent: a penalised critic cannot have it.
   */
  readonly bilinear?: boolean;
  /** Why a gradient penalty cannot go through this kind, where there is more to say than that it is not bilinear. */
  readonly penaltyRefusal?: string;
  /** One sample's output depends on the other samples of its batch (batch statistics): what a critic for a penalty or for spectral norm goes without. */
  readonly batchCoupled?: boolean;
  /** Its 'weight' as spectral norm's matrix; absent: the kind cannot take { spectralNorm: true }. */
  weightMatrix?(geometry: G): WeightMatrix;
  macs(stage: Stage<G>): StageMacs;
  readonly gpu: LayerGpu<G>;
  readonly reference: LayerReference<G>;
  /** Absent: the fused MLP plan cannot run this kind (fusedMlpIneligibility says so). */
  readonly fused?: LayerFused<G>;
}

/** A JSON field's type as a config file checks it ('object': a plain object, checked further by the layer). */
export type JsonFieldType = 'number' | 'boolean' | 'object';

/**
 * How a kind appears in a JSON config file (the CLI's --config): as
 * { "layer": NAME, ...fields } with the fields of the factory of that name,
 * or just "NAME" when none is required.
 */
export interface JsonLayerForm {
  /** [field, required, JSON type(s)] for each field the factory takes (spectralNorm: true or { "gain": 3 }). */
  fields: [name: string, required: boolean, type: JsonFieldType | readonly JsonFieldType[]][];
  /** The spec from fields already checked against `fields`. */
  make(fields: Record<string, unknown>): LayerSpec;
}

/** A layer that only reshapes (Flatten, Unflatten): no stage, no kernel, no tensor. */
export interface ViewModule<L extends LayerSpec = LayerSpec> {
  readonly type: L['type'];
  /** Its JSON forms by factory name (e.g. Flatten). */
  readonly json?: Record<string, JsonLayerForm>;
  describe(layer: L): string;
  /** The shape after the view; throws LayerConfigError naming `where` when it does not fit. */
  view(layer: L, input: SampleShape, where: string): SampleShape;
}

export type LayerKind = LayerModule | ViewModule;

const registry = new Map<string, LayerKind>();

function register<K extends { type: string }>(kind: K): K {
  if (registry.has(kind.type)) throw new Error(`layer kind '${kind.type}' is registered twice`);
  registry.set(kind.type, kind as unknown as LayerKind);
  return kind;
}

/** Adds a layer kind that computes. Kinds are looked up by their spec's `type`. */
export const registerLayer = <L extends LayerSpec, G>(module: LayerModule<L, G>): LayerModule<L, G> => register(module);
/** Adds a layer kind that only reshapes. */
export const registerView = <L extends LayerSpec>(module: ViewModule<L>): ViewModule<L> => register(module);

/** The kind of a layer spec; LayerConfigError naming `where` for an unknown kind. */
export function layerKind(layer: LayerSpec, where: string): LayerKind {
  const k = layer && typeof layer === 'object' ? registry.get(layer.type) : undefined;
  if (!k) {
    const got = layer && typeof layer === 'object' ? `type '${String(layer.type)}'` : JSON.stringify(layer);
    throw new LayerConfigError(`${where}: unknown layer ${got}; expected one of ${layerKinds().join(', ')}`);
  }
  return k;
}

export const isView = (k: LayerKind): k is ViewModule => 'view' in k;

/** Every registered kind's JSON forms, by factory name. */
export const jsonLayerForms = (): Record<string, JsonLayerForm> => Object.assign({}, ...[...registry.values()].map((k) => k.json ?? {}));
export const layerKinds = (): string[] => [...registry.keys()];

/** Factory names (Linear, Conv2d, …) of the registered kinds that compute and have `trait`, for messages. */
export function kindsWith(trait: (m: LayerModule) => boolean): string {
  const names = [...registry.values()].filter((k): k is LayerModule => !isView(k) && trait(k)).flatMap((m) => Object.keys(m.json ?? {}));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}
