// Linear: nn.Linear, weight (out, in), on linear.wgsl, with the activation
// after it fused:
//
//   y = act(x·wᵀ + bias)      dz = dy ⊙ act'(y) (in place)
//   dx = dz·w                 dw = dzᵀ·x        dbias = Σ_rows dz
// dw and dbias are one dispatch where the tuner picked a kernel that writes both for the shape.
import { floatRange } from '../../runtime/buffers.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import { activationKernels, linearKernels, linearWritesBias } from '../../shaders/index.js';
import { alone, FUSED_NONE, FUSED_OP, group, product, type OpRecord } from './fused-ops.js';
import { flatShape, LayerConfigError, maybeParam, param, referenceWeight, registerLayer, showShape, weightBinding, type Stage } from './layer.js';
import { linearBackwardBias, linearBackwardInput, linearBackwardWeight, linearForward, linearPreactivationGrad } from './linear.reference.js';
import { SPECTRAL_NORM_JSON_FIELD, spectralNormField, type SpectralNormOption, type SpectralNormOptions } from './spectral-norm.js';

declare module './layer.js' {
  interface LayerSpecs {
    linear: LinearLayer;
  }
}

export interface LinearLayer {
  type: 'linear';
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  /** Compute with W / σ(W) (spectral-norm.ts), as torch.nn.utils.spectral_norm; { gain: g }: with g·W / σ(W). */
  spectralNorm?: true | SpectralNormOptions;
}

export function Linear(inFeatures: number, outFeatures: number, options: { bias?: boolean; spectralNorm?: SpectralNormOption } = {}): LinearLayer {
  return { type: 'linear', inFeatures, outFeatures, bias: options.bias ?? true, ...spectralNormField(options.spectralNorm) };
}

interface LinearGeometry {
  inFeatures: number;
  outFeatures: number;
}

export function checkPositive(where: string, pairs: [string, number][], min = 1): void {
  for (const [k, v] of pairs) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new LayerConfigError(`${where}: ${k} must be an integer ≥ ${min}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    }
  }
}

const uniforms = (s: Stage<LinearGeometry>, batch: number) => ({
  batch,
  in_features: s.geometry.inFeatures,
  out_features: s.geometry.outFeatures,
  act: ACTIVATION_CODE[s.activation],
  slope: s.slope,
});

export const linearModule = registerLayer<LinearLayer, LinearGeometry>({
  type: 'linear',
  json: {
    Linear: {
      fields: [['inFeatures', true, 'number'], ['outFeatures', true, 'number'], ['bias', false, 'boolean'], SPECTRAL_NORM_JSON_FIELD],
      make: (f) => Linear(f.inFeatures as number, f.outFeatures as number, { bias: f.bias as boolean | undefined, spectralNorm: f.spectralNorm as SpectralNormOption | undefined }),
    },
  },
  describe: (l) => `Linear(${l.inFeatures}, ${l.outFeatures}${l.bias ? '' : ', bias=False'})`,
  impliedInput: (l) => flatShape(l.inFeatures),
  build(l, input, where) {
    const desc = `${where} (Linear ${l.inFeatures}→${l.outFeatures})`;
    checkPositive(`${where} (Linear)`, [['inFeatures', l.inFeatures], ['outFeatures', l.outFeatures]]);
    if (input.image) throw new LayerConfigError(`${desc}: expects flat features but gets an image ${showShape(input)}; add Flatten() before it`);
    if (l.inFeatures !== input.features) {
      throw new LayerConfigError(`${desc}: expects ${l.inFeatures} input features but the layer before it gives ${input.features}`);
    }
    return {
      geometry: { inFeatures: l.inFeatures, outFeatures: l.outFeatures },
      output: flatShape(l.outFeatures),
      params: [
        { name: 'weight', shape: [l.outFeatures, l.inFeatures], init: 'fan-in-uniform' },
        ...(l.bias ? [{ name: 'bias', shape: [l.outFeatures], init: 'fan-in-uniform' as const }] : []),
      ],
      fanIn: l.inFeatures,
      fusesActivation: true,
    };
  },
  bilinear: true,
  weightMatrix: (g) => ({ rows: g.outFeatures, cols: g.inFeatures, rowStride: g.inFeatures, block: 1, blockStride: 1 }),
  macs: ({ geometry: g }) => ({ forward: g.inFeatures * g.outFeatures, backwardInput: g.inFeatures * g.outFeatures, backwardWeight: g.inFeatures * g.outFeatures }),
  gpu: {
    kernels: (s) => [
      // The activation is a uniform of these (linear.wgsl): one pipeline each, whatever the activation.
      ...['linear_forward', 'linear_backward_input', 'linear_backward_weight', 'linear_backward_bias'].map((entry) => ({ family: linearKernels, entry })),
      ...(s.activation !== 'none' ? [{ family: activationKernels, entry: 'activation_backward_inplace' }] : []),
    ],
    async forward({ seq, kernels, net, stage, batch, x, y, label }) {
      const k = await kernels.kernelFor(linearKernels, 'linear_forward', uniforms(stage, batch)); // the variant tuned for this shape
      const w = param(stage, 'weight');
      const b = maybeParam(stage, 'bias');
      const bias = b ? floatRange(net.params, b.offset, b.size) : net.zeros;
      seq.add(k, { x, w: weightBinding(net, stage), bias, y }, uniforms(stage, batch), label);
    },
    async backward({ seq, kernels, net, stage, batch, x, y, dy, dx, weightGrads, label }) {
      const u = uniforms(stage, batch);
      const w = param(stage, 'weight');
      const b = maybeParam(stage, 'bias');
      // dz = dy ⊙ act'(y), in place: the products read dz (linear.wgsl), and dy is not needed again.
      if (stage.activation !== 'none') {
        const k = await kernels.kernel(activationKernels, 'activation_backward_inplace');
        seq.add(k, { y_saved: y, dz: dy }, { count: batch * stage.output.features, act: u.act, slope: u.slope }, `${label}.dz`);
      }
      if (weightGrads) {
        const dw = floatRange(net.grads, w.offset, w.size);
        if (b) {
          // dw and dbias: the variant tuned for this shape is a plain product (then dbias is a dispatch
          // of its own, as without tuning) or one that writes dbias too (shaders/index.ts: linearWritesBias).
          const dbias = floatRange(net.grads, b.offset, b.size);
          const kw = await kernels.kernelFor(linearKernels, 'linear_backward_weight_bias', u);
          if (linearWritesBias(kw)) {
            seq.add(kw, { x, dz: dy, dw, dbias }, u, `${label}.backward_weight_bias`);
          } else {
            seq.add(kw, { x, dz: dy, dw }, u, `${label}.backward_weight`);
            const kb = await kernels.kernelFor(linearKernels, 'linear_backward_bias', u);
            seq.add(kb, { dz: dy, dbias }, u, `${label}.backward_bias`);
          }
        } else {
          const kw = await kernels.kernelFor(linearKernels, 'linear_backward_weight', u);
          seq.add(kw, { x, dz: dy, dw }, u, `${label}.backward_weight`);
        }
      }
      if (dx) {
        const ki = await kernels.kernelFor(linearKernels, 'linear_backward_input', u);
        seq.add(ki, { w: weightBinding(net, stage), dz: dy, dx }, u, `${label}.backward_input`);
      }
    },
  },
  reference: {
    forward(s, x, io) {
      const { net, batch } = io;
      const b = maybeParam(s, 'bias');
      const bias = b ? net.params.subarray(b.offset, b.offset + b.size) : new Float64Array(s.geometry.outFeatures);
      return linearForward({ batch, ...s.geometry }, x, referenceWeight(s, io), bias, s.activation, s.slope);
    },
    backward(s, x, y, dy, grads, io) {
      const { batch } = io;
      const shape = { batch, ...s.geometry };
      const w = param(s, 'weight');
      const b = maybeParam(s, 'bias');
      const dz = linearPreactivationGrad(y, dy, s.activation, s.slope);
      if (grads) {
        grads.set(linearBackwardWeight(shape, dz, x), w.offset);
        if (b) grads.set(linearBackwardBias(shape, dz), b.offset);
      }
      return linearBackwardInput(shape, dz, referenceWeight(s, io));
    },
  },
  fused: {
    forward(s, t, rows) {
      const { inFeatures: K, outFeatures: N } = s.geometry;
      const b = maybeParam(s, 'bias');
      const bias = b ? t.weights + b.offset : FUSED_NONE;
      const w = t.weights + param(s, 'weight').offset;
      const ops = alone(product({ m: rows, n: N, k: K, a: t.x, a_m: K, a_k: 1, b: w, b_n: K, b_k: 1, c: t.y, c_m: N, bias }));
      // The activation runs on y in place, as an op of its own (fused_mlp_gan.wgsl's finish4 says why).
      if (s.activation !== 'none') {
        ops.push(...alone({ kind: FUSED_OP.actForward, n: rows * N, a: t.y, c: t.y, act: ACTIVATION_CODE[s.activation], f0: s.slope }));
      }
      return ops;
    },
    backward(s, t, rows) {
      const { inFeatures: K, outFeatures: N } = s.geometry;
      const w = param(s, 'weight');
      const b = maybeParam(s, 'bias');
      const ops = s.activation === 'none' ? [] : alone({ kind: FUSED_OP.actBackward, n: rows * N, a: t.y, b: t.dy, c: t.dy, act: ACTIVATION_CODE[s.activation], f0: s.slope });
      // dz = dy in place; then the products, independent of each other.
      const products: OpRecord[] = [];
      if (t.grads !== null) {
        products.push(product({ m: N, n: K, k: rows, a: t.dy, a_m: 1, a_k: N, b: t.x, b_n: 1, b_k: K, c: t.grads + w.offset, c_m: K }));
        if (b) products.push({ kind: FUSED_OP.biasGrad, m: rows, n: N, a: t.dy, c: t.grads + b.offset });
      }
      if (t.dx !== null) {
        products.push(product({ m: rows, n: K, k: N, a: t.dy, a_m: N, a_k: 1, b: t.weights + w.offset, b_n: 1, b_k: K, c: t.dx, c_m: K }));
      }
      if (products.length) ops.push(...group(products));
      return ops;
    },
  },
});
