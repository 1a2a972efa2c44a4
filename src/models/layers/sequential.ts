// Sequential: a validated list of layers, its flat tensor layouts (PyTorch
// state_dict names) and the stages the GPU runs. Each layer's kind checks it
// against the shape it receives and declares its tensors (layer.ts); an
// activation after a layer that takes one fuses into it.
import { philox4x32_10, randomNormal } from '../../runtime/philox.js';
import type { ActivationName } from '../../shaders/constants.js';
import './index.js'; // registers the built-in layer kinds
import {
  imageShape,
  isView,
  layerKind,
  LayerConfigError,
  type ComputeBuild,
  type Layer,
  type LayerModule,
  type LayerSpec,
  type ParamTensor,
  type SampleShape,
  type Stage,
  type TensorInit,
  type TensorSpec,
} from './layer.js';
import { describeSpectralNorm, SPECTRAL_NORM_WEIGHT_NAME, spectralNormBuffers, spectralNormGain, spectralNormStage } from './spectral-norm.js';

/** Tensor offsets in the flat buffers are multiples of 64 floats: storage bindings need 256-byte offsets. */
export const PARAM_ALIGN_FLOATS = 64;
const alignUp = (n: number): number => Math.ceil(n / PARAM_ALIGN_FLOATS) * PARAM_ALIGN_FLOATS;

export interface SequentialOptions {
  /** (C, H, W) of each input sample, for nets whose first layer takes images; inputSize = C·H·W. */
  inputShape?: readonly [number, number, number];
}

/** Places tensors one after another at aligned offsets, remembering how each starts. */
class FlatLayout {
  size = 0;
  readonly tensors: ParamTensor[] = [];
  readonly inits = new Map<ParamTensor, TensorInit>();
  /** `savedAs` renames tensors in the state_dict (spectral norm's weight → weight_orig); the layer keeps its local name. */
  place(layerIndex: number, specs: readonly TensorSpec[], savedAs: Record<string, string> = {}): ParamTensor[] {
    return specs.map((t) => {
      const size = t.shape.reduce((a, b) => a * b, 1);
      const placed = { name: `${layerIndex}.${savedAs[t.name] ?? t.name}`, local: t.name, shape: [...t.shape], offset: this.size, size };
      this.size = alignUp(this.size + size);
      this.tensors.push(placed);
      this.inits.set(placed, t.init);
      return placed;
    });
  }
}

interface MutableStage extends Stage {
  activation: ActivationName;
  slope: number;
}

export class Sequential {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly inputShape: readonly [number, number, number] | null;
  /** (C, H, W) of each output sample, or null when the output is flat. */
  readonly outputShape: readonly [number, number, number] | null;
  /** Trained tensors in the flat parameter buffer. */
  readonly parameters: readonly ParamTensor[];
  /** Floats in the flat parameter buffer, padding included. */
  readonly parameterCount: number;
  /** Tensors kept but not trained (BatchNorm running statistics), in the flat buffer of buffers. */
  readonly buffers: readonly ParamTensor[];
  /** Floats in the buffer of buffers (at least PARAM_ALIGN_FLOATS, so it can always be bound). */
  readonly bufferCount: number;
  /** Floats of per-forward scratch (BatchNorm batch statistics). */
  readonly scratchCount: number;
  readonly stages: readonly Stage[];
  private readonly inits: ReadonlyMap<ParamTensor, TensorInit>;

  constructor(
    readonly name: string,
    readonly layers: readonly Layer[],
    options: SequentialOptions = {},
  ) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new LayerConfigError(`${name}: a Sequential needs a non-empty array of layers, got ${Array.isArray(layers) ? 'an empty array' : JSON.stringify(layers)}`);
    }
    const inputShape = options.inputShape ?? null;
    let shape = inputShape ? checkInputShape(name, inputShape) : impliedInput(name, layers);
    const params = new FlatLayout();
    const buffers = new FlatLayout();
    let scratch = 0;
    const stages: (MutableStage & { fuses: boolean })[] = [];
    layers.forEach((layer, i) => {
      const where = `${name} layer ${i}`;
      const kind = layerKind(layer, where);
      if (isView(kind)) {
        shape = kind.view(layer, shape, where);
        return;
      }
      const act = kind.activationOf?.(layer, where) ?? null;
      const prev = stages[stages.length - 1];
      if (act && prev && prev.fuses && prev.activation === 'none') {
        prev.activation = act.activation;
        prev.slope = act.slope;
        return;
      }
      const b: ComputeBuild<unknown> = kind.build(layer, shape, where);
      const gain = spectralNormGain(layer, kind as LayerModule, where);
      const matrix = gain !== null ? (kind as LayerModule).weightMatrix!(b.geometry) : null;
      const placedParams = params.place(i, b.params, matrix ? { weight: SPECTRAL_NORM_WEIGHT_NAME } : {});
      const placedBuffers = buffers.place(i, [...(b.buffers ?? []), ...(matrix ? spectralNormBuffers(matrix) : [])]);
      const sn = matrix ? spectralNormStage(matrix, gain!, placedParams, placedBuffers, scratch, b.scratch ?? 0, alignUp) : null;
      const stage: MutableStage & { fuses: boolean } = {
        module: kind as LayerModule,
        layerIndex: i,
        input: shape,
        output: b.output,
        geometry: b.geometry,
        activation: act?.activation ?? 'none',
        slope: act?.slope ?? 0,
        params: placedParams,
        buffers: placedBuffers,
        scratchOffset: scratch,
        scratch: sn ? sn.scratch : (b.scratch ?? 0),
        fanIn: b.fanIn ?? 1,
        spectralNorm: sn ? sn.stage : null,
        fuses: b.fusesActivation,
      };
      scratch = alignUp(scratch + stage.scratch);
      stages.push(stage);
      shape = b.output;
    });
    if (stages.length === 0) throw new LayerConfigError(`${name}: needs at least one layer that computes (not only views)`);
    this.inputShape = inputShape ? [inputShape[0], inputShape[1], inputShape[2]] : null;
    this.inputSize = stages[0].input.features;
    this.outputSize = shape.features;
    this.outputShape = shape.image;
    this.parameters = params.tensors;
    this.parameterCount = Math.max(params.size, PARAM_ALIGN_FLOATS);
    this.buffers = buffers.tensors;
    this.bufferCount = Math.max(buffers.size, PARAM_ALIGN_FLOATS);
    this.scratchCount = Math.max(scratch, PARAM_ALIGN_FLOATS);
    this.stages = stages.map(({ fuses: _, ...s }) => Object.freeze(s as Stage));
    this.inits = new Map([...params.inits, ...buffers.inits]);
  }

  /**
   * Initial buffers: BatchNorm's running_mean 0 and running_var 1, as PyTorch;
   * spectral norm's u and v random unit vectors, drawn from Philox keyed by
   * the layer and tensor (not the seed), so that a net starts them the same way every time.
   */
  initialBuffers(): Float32Array {
    const flat = new Float32Array(this.bufferCount);
    for (const s of this.stages) {
      s.buffers.forEach((t, j) => {
        const init = this.inits.get(t);
        if (init === 'ones') flat.fill(1, t.offset, t.offset + t.size);
        if (init !== 'unit-normal') return;
        const a = randomNormal({ seed: 0x5eed, step: s.layerIndex, stream: 0x5a + j }, t.size, 0, 1);
        const norm = Math.sqrt(a.reduce((sum, x) => sum + x * x, 0));
        a.forEach((x, k) => (flat[t.offset + k] = x / norm));
      });
    }
    return flat;
  }

  /**
   * PyTorch's default Linear / Conv init, U(−1/√fan_in, 1/√fan_in) for weight
   * and bias, drawn from Philox keyed by `seed` so that the same seed gives
   * the same net; constant tensors (BatchNorm γ = 1, β = 0) as declared.
   */
  initialParameters(seed: number): Float32Array {
    const flat = new Float32Array(this.parameterCount);
    let block = 0;
    for (const stage of this.stages) {
      const bound = 1 / Math.sqrt(stage.fanIn);
      for (const t of stage.params) {
        const init = this.inits.get(t);
        if (init === 'ones') flat.fill(1, t.offset, t.offset + t.size);
        if (init !== 'fan-in-uniform') continue;
        for (let i = 0; i < t.size; i += 4) {
          const bits = philox4x32_10([block++, stage.layerIndex, 0x1417, 0], [seed >>> 0, 0]);
          for (let j = 0; j < 4 && i + j < t.size; j++) flat[t.offset + i + j] = ((bits[j] >>> 8) * 2 ** -24 * 2 - 1) * bound;
        }
      }
    }
    return flat;
  }

  /** The layers as PyTorch would print them (checkpoints record it and compare it on load). */
  describe(): string {
    const describe = (l: Layer, i: number): string => {
      return describeSpectralNorm(l, layerKind(l, `${this.name} layer ${i}`).describe(l as never));
    };
    const text = this.layers.map(describe).join(' → ');
    return this.inputShape ? `[${this.inputShape.join('×')}] ${text}` : text;
  }
}

function checkInputShape(name: string, s: readonly number[]): SampleShape {
  if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new LayerConfigError(`${name}: inputShape must be 3 positive integers [C, H, W], got ${JSON.stringify(s)}`);
  }
  return imageShape(s[0], s[1], s[2]);
}

/** Without an inputShape, the first layer that computes must fix the input (Linear: its in_features). */
function impliedInput(name: string, layers: readonly LayerSpec[]): SampleShape {
  for (const [i, layer] of layers.entries()) {
    const kind = layerKind(layer, `${name} layer ${i}`);
    if (!isView(kind) && kind.activationOf) continue;
    if (!isView(kind) && kind.impliedInput) return kind.impliedInput(layer);
    break;
  }
  throw new LayerConfigError(
    `${name}: without an inputShape the first layer with weights must be Linear; give { inputShape: [C, H, W] } for a net that starts on images`,
  );
}

