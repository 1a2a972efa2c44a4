// The Wasserstein critic loss without weight clipping (Gulrajani et al. 2017),
// on gan_loss.wgsl: the critic's Lipschitz bound comes from elsewhere — a
// gradient penalty (GanConfig.penalty: 'wgan-gp', the WGAN-GP setup) or
// spectral norm on its layers:
//
//   D: E[D(G(z))] − E[D(x)]        G: −E[D(G(z))]
//
// 'wgan' is the same loss with the critic's weights clipped.
import { onlyOptions, partLoss } from './gan-loss-kernel.js';
import { registerLoss } from './loss.js';

declare module './loss.js' {
  interface GanLosses {
    wasserstein: Record<string, never>;
  }
}

export const wassersteinLoss = registerLoss(
  partLoss<Record<string, never>>({
    name: 'wasserstein',
    title: 'Wasserstein (no clipping: with a gradient penalty or spectral norm)',
    output: 'score',
    resolve(o, fail) {
      onlyOptions(o, [], fail);
      return {};
    },
    readout: () => ({
      neutral: null,
      neutralText: "the middle of the grid's range (a Wasserstein critic's scores have no fixed zero: only differences count)",
      generatorLossText: "−D(x), up the critic's score",
    }),
    discriminator: () => ({ kind: 'linear', fake: -1, real: 1 }),
    generator: () => ({ kind: 'linear', fake: 1, real: 0 }),
  }),
);
