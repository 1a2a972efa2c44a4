// BCE with the minimax generator loss of the original GAN objective
// (Goodfellow et al. 2014), for teaching: G minimises E[log(1 − D(G(z)))],
// which saturates when D rejects G's samples (the gradient −σ(l) vanishes as
// l → −∞). D's loss is BCE as in bce.ts; D's output is a logit.
//
//   D: −E[log σ(D(x))] − E[log(1 − σ(D(G(z))))]        G: E[log(1 − σ(D(G(z))))]
import { bceLoss } from './bce.js';
import { encodeGanLoss, ganLossKernelRefs, ganLossPart, onlyOptions } from './gan-loss-kernel.js';
import { registerLoss } from './loss.js';
import type { BceLossOptions } from './bce.js';
declare module './loss.js' {
  interface GanLosses {
    'bce-minimax': BceLossOptions;
  }
}

const G_PART = { kind: 'logOneMinusSigmoid', fake: 0, real: 0 } as const;

export const bceMinimaxLoss = registerLoss<{ realLabel: number }>({
  name: 'bce-minimax',
  title: 'BCE with logits (minimax G loss)',
  output: 'logit',
  present: bceLoss.present,
  readout: () => ({ neutral: 0.5, neutralText: '0.5', generatorLossText: 'log(1 − D(x)), the minimax loss (flat where D is sure a point is fake)' }),
  resolve(o, fail) {
    onlyOptions(o, ['realLabel'], fail);
    return bceLoss.resolve(o, fail);
  },
  kernels: () => [...bceLoss.kernels(), ...ganLossKernelRefs()],
  encodeDiscriminator: (seq, kernels, io, B, r) => bceLoss.encodeDiscriminator(seq, kernels, io, B, r),
  encodeGenerator: (seq, kernels, io, B) => encodeGanLoss(seq, kernels, io, G_PART, B, B, 'sigmoid'),
  reference: {
    discriminator: (out, B, r) => bceLoss.reference.discriminator(out, B, r),
    generator: (out, B) => ganLossPart(out, G_PART, B, 'sigmoid'),
  },
});
