// The hinge loss (Lim & Ye 2017; SAGAN, BigGAN), on gan_loss.wgsl:
//
//   D: E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]        G: −E[D(G(z))]
//
// D's output is a score (it pairs well with spectral norm on D).
import { onlyOptions, partLoss } from './gan-loss-kernel.js';
import { registerLoss } from './loss.js';

declare module './loss.js' {
  interface GanLosses {
    hinge: Record<string, never>;
  }
}

export const hingeLoss = registerLoss(
  partLoss<Record<string, never>>({
    name: 'hinge',
    title: 'hinge',
    output: 'score',
    resolve(o, fail) {
      onlyOptions(o, [], fail);
      return {};
    },
    readout: () => ({ neutral: 0, neutralText: '0, between the hinge margins (real ≥ 1, fake ≤ −1)', generatorLossText: "−D(x), up the critic's score" }),
    discriminator: () => ({ kind: 'hinge', fake: -1, real: 1 }),
    generator: () => ({ kind: 'linear', fake: 1, real: 0 }),
  }),
);
