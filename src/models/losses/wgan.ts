// WGAN (Arjovsky et al. 2017): the critic's estimate of the Wasserstein-1
// distance, on gan_loss.wgsl, with the critic's weights clipped to
// [−clip, clip] after each of its updates (param_ops.wgsl's clamp_params):
//
//   D: E[D(G(z))] − E[D(x)]        G: −E[D(G(z))]
//
// D's output is a score. The paper trains it with RMSprop (lr 5e-5) and 5
// critic updates per G update (dSteps: 5).
import { paramOpsKernels } from '../../shaders/index.js';
import { numberOption, onlyOptions, partLoss } from './gan-loss-kernel.js';
import { registerLoss } from './loss.js';

declare module './loss.js' {
  interface GanLosses {
    wgan: WganOptions;
  }
}

export interface WganOptions {
  /** The critic's weights are clipped to [−clip, clip] after each update (default 0.01). */
  clip?: number;
}

export const wganLoss = registerLoss(
  partLoss<Required<WganOptions>>({
    name: 'wgan',
    title: 'Wasserstein (WGAN, weight clipping)',
    output: 'score',
    resolve(o, fail) {
      onlyOptions(o, ['clip'], fail);
      return { clip: numberOption(o, 'clip', 0.01, (v) => v > 0, 'a number > 0', fail) };
    },
    readout: () => ({
      neutral: null,
      neutralText: "the middle of the grid's range (a WGAN critic's scores have no fixed zero: only differences count)",
      generatorLossText: "−D(x), up the critic's score",
    }),
    discriminator: () => ({ kind: 'linear', fake: -1, real: 1 }),
    generator: () => ({ kind: 'linear', fake: 1, real: 0 }),
    constraint: {
      net: 'discriminator',
      kernels: () => [{ family: paramOpsKernels, entry: 'clamp_params' }],
      async encode(seq, kernels, io, r) {
        const k = await kernels.kernel(paramOpsKernels, 'clamp_params');
        seq.add(k, { params: io.params, state: io.state }, { count: io.count, limit: r.clip }, 'clip');
      },
      reference(params, r) {
        const limit = Math.fround(r.clip);
        for (let i = 0; i < params.length; i++) params[i] = Math.min(limit, Math.max(-limit, params[i]));
      },
    },
  }),
);
