// Sequential net: validated layer list, its flat parameter layout (PyTorch
// state_dict names) and the fused stages the GPU runs.
import { GanConfigError } from '../runtime/errors.js';
import type { ActivationName } from '../shaders/activation-codes.js';
import { philox4x32_10 } from '../reference/random.js';
import { ACTIVATIONS, type Layer } from './layers.js';

/** Tensor offsets in the flat buffer are multiples of 64 floats: storage bindings need 256-byte offsets. */
export const PARAM_ALIGN_FLOATS = 64;

export interface ParamTensor {
  /** PyTorch state_dict name of the equivalent nn.Sequential, e.g. "0.weight". */
  name: string;
  shape: number[];
  /** Offset in floats into the net's flat parameter buffer. */
  offset: number;
  size: number;
}

/** What the GPU runs: a linear layer with the activation after it fused, or a lone activation. */
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
  | { kind: 'activation'; layerIndex: number; features: number; activation: ActivationName; slope: number };

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export class Sequential {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly parameters: readonly ParamTensor[];
  /** Floats in the flat parameter buffer, padding included. */
  readonly parameterCount: number;
  readonly stages: readonly Stage[];

  constructor(
    readonly name: string,
    readonly layers: readonly Layer[],
  ) {
    if (layers.length === 0) throw new GanConfigError(`${name}: a Sequential needs at least one layer`);
    const first = layers.find((l) => l.type === 'linear');
    if (!first || first.type !== 'linear') throw new GanConfigError(`${name}: needs at least one Linear layer`);

    const parameters: ParamTensor[] = [];
    const stages: Stage[] = [];
    let offset = 0;
    let features = first.inFeatures;
    const add = (tensorName: string, shape: number[]): ParamTensor => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = { name: tensorName, shape, offset, size };
      offset = alignUp(offset + size, PARAM_ALIGN_FLOATS);
      parameters.push(t);
      return t;
    };

    layers.forEach((layer, i) => {
      const where = `${name} layer ${i}`;
      if (layer.type === 'linear') {
        for (const [k, v] of [['inFeatures', layer.inFeatures], ['outFeatures', layer.outFeatures]] as const) {
          if (!Number.isInteger(v) || v < 1) throw new GanConfigError(`${where} (Linear): ${k} must be a positive integer, got ${v}`);
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
      } else if (layer.type === 'activation') {
        if (!(ACTIVATIONS as readonly string[]).includes(layer.activation)) {
          throw new GanConfigError(`${where}: unknown activation '${layer.activation}'; expected one of ${ACTIVATIONS.join(', ')}`);
        }
        if ((layer.activation === 'leakyRelu' || layer.activation === 'elu') && !(layer.slope > 0)) {
          throw new GanConfigError(`${where} (${layer.activation}): slope/alpha must be > 0, got ${layer.slope}`);
        }
        const prev = stages[stages.length - 1];
        if (prev && prev.kind === 'linear' && prev.activation === 'none') {
          prev.activation = layer.activation;
          prev.slope = layer.slope;
        } else {
          stages.push({ kind: 'activation', layerIndex: i, features, activation: layer.activation, slope: layer.slope });
        }
      } else {
        throw new GanConfigError(`${where}: unknown layer type '${(layer as { type: string }).type}'`);
      }
    });
    this.inputSize = first.inFeatures;
    this.outputSize = features;
    this.parameters = parameters;
    this.parameterCount = Math.max(offset, PARAM_ALIGN_FLOATS);
    this.stages = stages;
  }

  /**
   * PyTorch's default Linear init, U(−1/√in, 1/√in) for weight and bias,
   * drawn from Philox keyed by `seed` so that the same seed gives the same net.
   */
  initialParameters(seed: number): Float32Array {
    const flat = new Float32Array(this.parameterCount);
    let block = 0;
    for (const stage of this.stages) {
      if (stage.kind !== 'linear') continue;
      const bound = 1 / Math.sqrt(stage.inFeatures);
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
    return this.layers
      .map((l) => (l.type === 'linear' ? `Linear(${l.inFeatures}, ${l.outFeatures}${l.bias ? '' : ', bias=False'})` : l.activation))
      .join(' → ');
  }
}
