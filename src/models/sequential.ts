// Sequential net: validated layer list, its flat parameter layout (PyTorch
// state_dict names) and the fused stages the GPU runs.
import { GanConfigError } from '../runtime/errors.js';
import type { ActivationName } from '../shaders/activation-codes.js';
import { philox4x32_10 } from '../reference/random.js';
import { ACTIVATIONS, type Layer } from './layers.js';

/** Tensor offsets in the flat buffer are multiples of 64 floats: storage bindings need 256-byte offsets. */
export const PARAM_ALIGN_FLOATS = 64;

/** Where running_var starts after a BatchNorm stage's running_mean in the running-statistics buffer. */
export const runningVarOffset = (channels: number): number => Math.ceil(channels / PARAM_ALIGN_FLOATS) * PARAM_ALIGN_FLOATS;

export interface ParamTensor {
  /** PyTorch state_dict name of the equivalent nn.Sequential, e.g. "0.weight". */
  name: string;
  shape: number[];
  /** Offset in floats into the net's flat parameter buffer. */
  offset: number;
  size: number;
}

/** A convolution stage's geometry (square kernel, same stride/padding both ways). */
export interface ConvGeometry {
  inChannels: number;
  outChannels: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  kernel: number;
  stride: number;
  padding: number;
}

interface ConvStageFields extends ConvGeometry {
  layerIndex: number;
  activation: ActivationName;
  slope: number;
  weight: ParamTensor;
  bias: ParamTensor | null;
}

/**
 * What the GPU runs: a linear, conv, transposed conv or batch norm layer with
 * the activation after it fused, or a lone activation. Flatten / Unflatten
 * are views and make no stage: they only change the shape the next layer sees.
 */
export type Stage =
  | {
      kind: 'linear';
      layerIndex: number;
      inFeatures: number;
      outFeatures: number;
      activation: ActivationName;
      slope: number;
      weight: ParamTensor;
      bias: ParamTensor | null;
    }
  | (ConvStageFields & { kind: 'conv2d' })
  | (ConvStageFields & { kind: 'convTranspose2d' })
  | {
      kind: 'batchnorm';
      layerIndex: number;
      channels: number;
      /** H·W for BatchNorm2d, 1 for BatchNorm1d. */
      spatial: number;
      eps: number;
      momentum: number;
      activation: ActivationName;
      slope: number;
      /** γ ("<i>.weight") and β ("<i>.bias"). */
      weight: ParamTensor;
      bias: ParamTensor;
      /** Offset in floats into the net's running-statistics buffer: running_mean (C), then running_var at +runningVarOffset. */
      runningOffset: number;
    }
  | { kind: 'activation'; layerIndex: number; features: number; activation: ActivationName; slope: number };

/** Per-sample floats a stage outputs. */
export function stageWidth(s: Stage): number {
  switch (s.kind) {
    case 'linear':
      return s.outFeatures;
    case 'conv2d':
    case 'convTranspose2d':
      return s.outChannels * s.outHeight * s.outWidth;
    case 'batchnorm':
      return s.channels * s.spatial;
    case 'activation':
      return s.features;
  }
}

/** Weight fan-in, for PyTorch's default U(−1/√fan_in, 1/√fan_in) init. */
function fanIn(s: Stage): number {
  if (s.kind === 'linear') return s.inFeatures;
  // nn.ConvTranspose2d's weight is (inC, outC, k, k): PyTorch takes fan_in from dim 1, i.e. outC·k².
  if (s.kind === 'conv2d') return s.inChannels * s.kernel * s.kernel;
  if (s.kind === 'convTranspose2d') return s.outChannels * s.kernel * s.kernel;
  return 1;
}

/** Activation shape: (C, H, W) for images, null for flat features. */
type ImageShape = [number, number, number];

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export interface SequentialOptions {
  /** (C, H, W) of each input sample, for nets whose first layer takes images; inputSize = C·H·W. */
  inputShape?: readonly [number, number, number];
}

export class Sequential {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly inputShape: readonly [number, number, number] | null;
  /** (C, H, W) of each output sample, or null when the output is flat. */
  readonly outputShape: readonly [number, number, number] | null;
  readonly parameters: readonly ParamTensor[];
  /** Floats in the flat parameter buffer, padding included. */
  readonly parameterCount: number;
  readonly stages: readonly Stage[];
  /**
   * Floats in the net's BatchNorm running-statistics buffer (not trained, not
   * in the Adam buffer): per BatchNorm stage running_mean then running_var,
   * each at a 64-float aligned offset. 0 when there is no BatchNorm.
   */
  readonly runningStatsCount: number;

  constructor(
    readonly name: string,
    readonly layers: readonly Layer[],
    options: SequentialOptions = {},
  ) {
    if (layers.length === 0) throw new GanConfigError(`${name}: a Sequential needs at least one layer`);
    const parameters: ParamTensor[] = [];
    const stages: Stage[] = [];
    let offset = 0;
    let runningOffset = 0;
    let shape: ImageShape | null = null;
    let features: number;
    const inputShape = options.inputShape ?? null;
    if (inputShape) {
      if (inputShape.length !== 3 || !inputShape.every((v) => Number.isInteger(v) && v >= 1)) {
        throw new GanConfigError(`${name}: inputShape must be 3 positive integers [C, H, W], got [${inputShape.join(', ')}]`);
      }
      shape = [inputShape[0], inputShape[1], inputShape[2]];
      features = shape[0] * shape[1] * shape[2];
    } else {
      const first = layers.find((l) => l.type !== 'activation');
      if (!first || first.type !== 'linear') {
        throw new GanConfigError(
          `${name}: without an inputShape the first layer with weights must be Linear; ` +
            `give { inputShape: [C, H, W] } for a net that starts on images`,
        );
      }
      features = first.inFeatures;
    }
    const inputSize = features;
    const add = (tensorName: string, tensorShape: number[]): ParamTensor => {
      const size = tensorShape.reduce((a, b) => a * b, 1);
      const t = { name: tensorName, shape: tensorShape, offset, size };
      offset = alignUp(offset + size, PARAM_ALIGN_FLOATS);
      parameters.push(t);
      return t;
    };
    const shapeText = (): string => (shape ? `(${shape.join(', ')})` : `${features} flat features`);
    const positive = (where: string, pairs: [string, number][], min = 1): void => {
      for (const [k, v] of pairs) {
        if (!Number.isInteger(v) || v < min) throw new GanConfigError(`${where}: ${k} must be an integer ≥ ${min}, got ${v}`);
      }
    };

    layers.forEach((layer, i) => {
      const where = `${name} layer ${i}`;
      if (layer.type === 'linear') {
        positive(`${where} (Linear)`, [['inFeatures', layer.inFeatures], ['outFeatures', layer.outFeatures]]);
        if (shape) {
          throw new GanConfigError(
            `${where} (Linear ${layer.inFeatures}→${layer.outFeatures}): expects flat features but gets an image ${shapeText()}; add Flatten() before it`,
          );
        }
        if (layer.inFeatures !== features) {
          throw new GanConfigError(
            `${where} (Linear ${layer.inFeatures}→${layer.outFeatures}): expects ${layer.inFeatures} input features ` +
              `but the layer before it gives ${features}`,
          );
        }
        const weight = add(`${i}.weight`, [layer.outFeatures, layer.inFeatures]);
        const bias = layer.bias ? add(`${i}.bias`, [layer.outFeatures]) : null;
        stages.push({
          kind: 'linear',
          layerIndex: i,
          inFeatures: layer.inFeatures,
          outFeatures: layer.outFeatures,
          activation: 'none',
          slope: 0,
          weight,
          bias,
        });
        features = layer.outFeatures;
      } else if (layer.type === 'conv2d' || layer.type === 'convTranspose2d') {
        const kind = layer.type === 'conv2d' ? 'Conv2d' : 'ConvTranspose2d';
        const desc = `${where} (${kind} ${layer.inChannels}→${layer.outChannels}, k${layer.kernel} s${layer.stride} p${layer.padding})`;
        positive(desc, [['inChannels', layer.inChannels], ['outChannels', layer.outChannels], ['kernel', layer.kernel], ['stride', layer.stride]]);
        positive(desc, [['padding', layer.padding]], 0);
        if (!shape) {
          throw new GanConfigError(`${desc}: expects an image (C, H, W) but gets ${shapeText()}; add Unflatten(C, H, W) before it or give an inputShape`);
        }
        if (shape[0] !== layer.inChannels) {
          throw new GanConfigError(`${desc}: expects ${layer.inChannels} input channels but gets ${shapeText()}`);
        }
        const [, H, W] = shape;
        const k = layer.kernel;
        const s = layer.stride;
        const p = layer.padding;
        const outHeight = layer.type === 'conv2d' ? Math.floor((H + 2 * p - k) / s) + 1 : (H - 1) * s - 2 * p + k;
        const outWidth = layer.type === 'conv2d' ? Math.floor((W + 2 * p - k) / s) + 1 : (W - 1) * s - 2 * p + k;
        if (outHeight < 1 || outWidth < 1) {
          throw new GanConfigError(`${desc}: input ${shapeText()} gives an empty output ${outHeight}×${outWidth}`);
        }
        if (layer.type === 'convTranspose2d' && p >= k) {
          throw new GanConfigError(`${desc}: padding must be < kernel`);
        }
        const weight =
          layer.type === 'conv2d'
            ? add(`${i}.weight`, [layer.outChannels, layer.inChannels, k, k])
            : add(`${i}.weight`, [layer.inChannels, layer.outChannels, k, k]);
        const bias = layer.bias ? add(`${i}.bias`, [layer.outChannels]) : null;
        stages.push({
          kind: layer.type,
          layerIndex: i,
          activation: 'none',
          slope: 0,
          weight,
          bias,
          inChannels: layer.inChannels,
          outChannels: layer.outChannels,
          inHeight: H,
          inWidth: W,
          outHeight,
          outWidth,
          kernel: k,
          stride: s,
          padding: p,
        });
        shape = [layer.outChannels, outHeight, outWidth];
        features = layer.outChannels * outHeight * outWidth;
      } else if (layer.type === 'batchnorm') {
        const desc = `${where} (BatchNorm(${layer.channels}))`;
        positive(desc, [['channels', layer.channels]]);
        if (!(layer.eps > 0) || !(layer.momentum >= 0 && layer.momentum <= 1)) {
          throw new GanConfigError(`${desc}: eps must be > 0 and momentum in [0, 1], got eps ${layer.eps}, momentum ${layer.momentum}`);
        }
        const channels = shape ? shape[0] : features;
        if (channels !== layer.channels) {
          throw new GanConfigError(`${desc}: expects ${layer.channels} channels but gets ${shapeText()}`);
        }
        const weight = add(`${i}.weight`, [layer.channels]);
        const bias = add(`${i}.bias`, [layer.channels]);
        stages.push({
          kind: 'batchnorm',
          layerIndex: i,
          channels: layer.channels,
          spatial: shape ? shape[1] * shape[2] : 1,
          eps: layer.eps,
          momentum: layer.momentum,
          activation: 'none',
          slope: 0,
          weight,
          bias,
          runningOffset,
        });
        runningOffset += 2 * alignUp(layer.channels, PARAM_ALIGN_FLOATS);
      } else if (layer.type === 'unflatten') {
        const desc = `${where} (Unflatten(${layer.channels}, ${layer.height}, ${layer.width}))`;
        positive(desc, [['channels', layer.channels], ['height', layer.height], ['width', layer.width]]);
        if (shape) throw new GanConfigError(`${desc}: expects flat features but gets an image ${shapeText()}`);
        if (layer.channels * layer.height * layer.width !== features) {
          throw new GanConfigError(`${desc}: needs ${layer.channels * layer.height * layer.width} features but gets ${features}`);
        }
        shape = [layer.channels, layer.height, layer.width];
      } else if (layer.type === 'flatten') {
        shape = null;
      } else if (layer.type === 'activation') {
        if (!(ACTIVATIONS as readonly string[]).includes(layer.activation)) {
          throw new GanConfigError(`${where}: unknown activation '${layer.activation}'; expected one of ${ACTIVATIONS.join(', ')}`);
        }
        if ((layer.activation === 'leakyRelu' || layer.activation === 'elu') && !(layer.slope > 0)) {
          throw new GanConfigError(`${where} (${layer.activation}): slope/alpha must be > 0, got ${layer.slope}`);
        }
        const prev = stages[stages.length - 1];
        if (prev && prev.kind !== 'activation' && prev.activation === 'none') {
          prev.activation = layer.activation;
          prev.slope = layer.slope;
        } else {
          stages.push({ kind: 'activation', layerIndex: i, features, activation: layer.activation, slope: layer.slope });
        }
      } else {
        throw new GanConfigError(`${where}: unknown layer type '${(layer as { type: string }).type}'`);
      }
    });
    if (stages.length === 0) throw new GanConfigError(`${name}: needs at least one layer that computes (not only views)`);
    this.inputSize = inputSize;
    this.inputShape = inputShape ? [inputShape[0], inputShape[1], inputShape[2]] : null;
    this.outputSize = features;
    this.outputShape = shape;
    this.parameters = parameters;
    this.parameterCount = Math.max(offset, PARAM_ALIGN_FLOATS);
    this.stages = stages;
    this.runningStatsCount = runningOffset;
  }

  /**
   * The BatchNorm buffers, under PyTorch's state_dict names ("<i>.running_mean",
   * "<i>.running_var"), with offsets into the running-statistics buffer.
   */
  get runningTensors(): ParamTensor[] {
    return this.stages.flatMap((s) =>
      s.kind !== 'batchnorm'
        ? []
        : [
            { name: `${s.layerIndex}.running_mean`, shape: [s.channels], offset: s.runningOffset, size: s.channels },
            { name: `${s.layerIndex}.running_var`, shape: [s.channels], offset: s.runningOffset + runningVarOffset(s.channels), size: s.channels },
          ],
    );
  }

  /** Initial running statistics, as PyTorch: running_mean 0, running_var 1. */
  initialRunningStats(): Float32Array {
    const r = new Float32Array(Math.max(this.runningStatsCount, PARAM_ALIGN_FLOATS));
    for (const s of this.stages) {
      if (s.kind !== 'batchnorm') continue;
      r.fill(1, s.runningOffset + runningVarOffset(s.channels), s.runningOffset + runningVarOffset(s.channels) + s.channels);
    }
    return r;
  }

  /**
   * PyTorch's default Linear / Conv init, U(−1/√fan_in, 1/√fan_in) for weight
   * and bias, drawn from Philox keyed by `seed` so that the same seed gives
   * the same net; BatchNorm γ = 1, β = 0.
   */
  initialParameters(seed: number): Float32Array {
    const flat = new Float32Array(this.parameterCount);
    let block = 0;
    for (const stage of this.stages) {
      if (stage.kind === 'activation') continue;
      if (stage.kind === 'batchnorm') {
        flat.fill(1, stage.weight.offset, stage.weight.offset + stage.weight.size);
        continue;
      }
      const bound = 1 / Math.sqrt(fanIn(stage));
      for (const t of stage.bias ? [stage.weight, stage.bias] : [stage.weight]) {
        for (let i = 0; i < t.size; i += 4) {
          const bits = philox4x32_10([block++, stage.layerIndex, 0x1417, 0], [seed >>> 0, 0]);
          for (let j = 0; j < 4 && i + j < t.size; j++) {
            flat[t.offset + i + j] = ((bits[j] >>> 8) * 2 ** -24 * 2 - 1) * bound;
          }
        }
      }
    }
    return flat;
  }

  describe(): string {
    const conv = (l: { inChannels: number; outChannels: number; kernel: number; stride: number; padding: number; bias: boolean }) =>
      `${l.inChannels}, ${l.outChannels}, ${l.kernel}, stride=${l.stride}, padding=${l.padding}${l.bias ? '' : ', bias=False'}`;
    const text = this.layers
      .map((l) => {
        switch (l.type) {
          case 'linear':
            return `Linear(${l.inFeatures}, ${l.outFeatures}${l.bias ? '' : ', bias=False'})`;
          case 'conv2d':
            return `Conv2d(${conv(l)})`;
          case 'convTranspose2d':
            return `ConvTranspose2d(${conv(l)})`;
          case 'batchnorm':
            return `BatchNorm(${l.channels})`;
          case 'unflatten':
            return `Unflatten(${l.channels}, ${l.height}, ${l.width})`;
          case 'flatten':
            return 'Flatten()';
          default:
            return l.activation;
        }
      })
      .join(' → ');
    return this.inputShape ? `[${this.inputShape.join('×')}] ${text}` : text;
  }
}
