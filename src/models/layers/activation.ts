// Activation layers: ReLU, LeakyReLU, ELU, Tanh, Sigmoid. After a layer that
// takes one (Linear, convolutions, BatchNorm) an activation runs inside that
// layer's kernels; elsewhere (first in a net, or after another activation) it
// is a stage of its own on activation.wgsl:
//
//   forward  y = act(x)      backward  dx = dy ⊙ act'(x), written from the saved output y
import { ACTIVATION_CODE, type ActivationName } from '../../shaders/constants.js';
import { activationKernels } from '../../shaders/index.js';
import { activationBackwardInput, activationForward } from './activation.reference.js';
import { alone, FUSED_OP } from './fused-ops.js';
import { LayerConfigError, registerLayer, type LayerModule } from './layer.js';

/** Activations a layer can apply ('none' is the absence of one). */
export const ACTIVATIONS = ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid'] as const;

declare module './layer.js' {
  interface LayerSpecs {
    activation: ActivationLayer;
  }
}

export interface ActivationLayer {
  type: 'activation';
  activation: Exclude<ActivationName, 'none'>;
  /** LeakyReLU negative slope or ELU alpha; 0 for the others. */
  slope: number;
}

export const ReLU = (): ActivationLayer => ({ type: 'activation', activation: 'relu', slope: 0 });
export const LeakyReLU = (negativeSlope = 0.01): ActivationLayer => ({ type: 'activation', activation: 'leakyRelu', slope: negativeSlope });
export const ELU = (alpha = 1): ActivationLayer => ({ type: 'activation', activation: 'elu', slope: alpha });
export const Tanh = (): ActivationLayer => ({ type: 'activation', activation: 'tanh', slope: 0 });
export const Sigmoid = (): ActivationLayer => ({ type: 'activation', activation: 'sigmoid', slope: 0 });

function checkActivation(l: ActivationLayer, where: string): void {
  if (!(ACTIVATIONS as readonly string[]).includes(l.activation)) {
    throw new LayerConfigError(`${where}: unknown activation '${l.activation}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  if ((l.activation === 'leakyRelu' || l.activation === 'elu') && !(l.slope > 0)) {
    throw new LayerConfigError(`${where} (${l.activation}): slope/alpha must be > 0, got ${l.slope}`);
  }
}

export const activationModule = registerLayer<ActivationLayer, null>({
  type: 'activation',
  json: {
    ReLU: { fields: [], make: () => ReLU() },
    LeakyReLU: { fields: [['negativeSlope', false, 'number']], make: (f) => LeakyReLU(f.negativeSlope as number | undefined) },
    ELU: { fields: [['alpha', false, 'number']], make: (f) => ELU(f.alpha as number | undefined) },
    Tanh: { fields: [], make: () => Tanh() },
    Sigmoid: { fields: [], make: () => Sigmoid() },
  },
  // Checkpoints record the nets' descriptions and compare them on load: keep this text stable.
  describe: (l) => l.activation,
  activationOf(l, where) {
    checkActivation(l, where);
    return { activation: l.activation, slope: l.slope };
  },
  build(l, input, where) {
    checkActivation(l, where);
    // A lone activation stage: its activation is the stage's (Sequential sets it), and it absorbs no other.
    return { geometry: null, output: input, params: [], fusesActivation: false };
  },
  macs: () => ({ forward: 0, backwardInput: 0, backwardWeight: 0 }),
  gpu: {
    kernels: () => [
      { family: activationKernels, entry: 'activation_forward' },
      { family: activationKernels, entry: 'activation_backward_input' },
    ],
    async forward({ seq, kernels, stage, batch, x, y, label }) {
      const k = await kernels.kernel(activationKernels, 'activation_forward');
      seq.add(k, { x, y }, { count: batch * stage.output.features, act: ACTIVATION_CODE[stage.activation], slope: stage.slope }, label);
    },
    async backward({ seq, kernels, stage, batch, y, dy, dx, label }) {
      if (!dx) return; // no parameters: only the input gradient, if someone needs it
      const k = await kernels.kernel(activationKernels, 'activation_backward_input');
      const u = { count: batch * stage.output.features, act: ACTIVATION_CODE[stage.activation], slope: stage.slope };
      seq.add(k, { y_saved: y, dy, dx }, u, `${label}.backward_input`);
    },
  },
  reference: {
    forward: (s, x) => activationForward(s.activation, x, s.slope),
    backward: (s, _x, y, dy) => activationBackwardInput(s.activation, y, dy, s.slope),
  },
  fused: {
    forward: (s, t, rows) => alone({ kind: FUSED_OP.actForward, n: rows * s.output.features, a: t.x, c: t.y, act: ACTIVATION_CODE[s.activation], f0: s.slope }),
    backward: (s, t, rows) =>
      t.dx === null ? [] : alone({ kind: FUSED_OP.actBackward, n: rows * s.output.features, a: t.y, b: t.dy, c: t.dx, act: ACTIVATION_CODE[s.activation], f0: s.slope }),
  },
});
