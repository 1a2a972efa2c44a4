// BCE with logits, the original GAN loss with the non-saturating generator
// loss (Goodfellow et al. 2014), on bce_with_logits.wgsl (loss and gradient
// in one pass, stable at |logit| = 100):
//
//   D: −log σ(D(x))·t − log(1 − σ(D(x)))·(1 − t) − log(1 − σ(D(G(z))))    t = realLabel (1: no smoothing)
//   G: −log σ(D(G(z)))
//
// each a mean over the batch; D's output is a logit and reports σ of it.
import { bceWithLogitsKernels } from '../../shaders/index.js';
import { alone, FUSED_OP } from '../layers/fused-ops.js';
import { bceWithLogits } from './bce.reference.js';
import { registerLoss } from './loss.js';

declare module './loss.js' {
  interface GanLosses {
    bce: BceLossOptions;
  }
}

export interface BceLossOptions {
  /** Target for real samples in the D loss: 1 = none, 0.9 = one-sided label smoothing. Default 1. */
  realLabel?: number;
}

interface ResolvedBce {
  realLabel: number;
}

const sigmoid = (l: number): number => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l)));

export const bceLoss = registerLoss<ResolvedBce>({
  name: 'bce',
  title: 'BCE with logits (non-saturating G loss)',
  output: 'logit',
  present: sigmoid,
  readout: () => ({ neutral: 0.5, neutralText: '0.5', generatorLossText: '−log D(x), the non-saturating loss' }),
  resolve(o, fail) {
    const unknown = Object.keys(o).filter((k) => k !== 'realLabel');
    if (unknown.length) fail(`unknown option(s) ${unknown.join(', ')}; it takes realLabel`);
    const realLabel = o.realLabel ?? 1;
    if (typeof realLabel !== 'number' || !(realLabel > 0 && realLabel <= 1)) fail(`realLabel must be a number in (0, 1], got ${JSON.stringify(realLabel)}`);
    return { realLabel: realLabel as number };
  },
  kernels: () => [{ family: bceWithLogitsKernels, entry: 'bce_with_logits_forward_backward' }],
  async encodeDiscriminator(seq, kernels, { logits, dlogits, lossOut }, B, r) {
    const u = { rows: 2 * B, first_rows: B, target_first: 0, target_rest: r.realLabel, scale: 1 / B };
    const k = await kernels.kernelFor(bceWithLogitsKernels, 'bce_with_logits_forward_backward', u); // the variant tuned for this row count
    seq.add(k, { logits, dlogits, loss_out: lossOut }, u, 'loss');
  },
  async encodeGenerator(seq, kernels, { logits, dlogits, lossOut }, B) {
    const u = { rows: B, first_rows: B, target_first: 1, target_rest: 1, scale: 1 / B };
    const k = await kernels.kernelFor(bceWithLogitsKernels, 'bce_with_logits_forward_backward', u);
    seq.add(k, { logits, dlogits, loss_out: lossOut }, u, 'loss');
  },
  reference: {
    discriminator(out, B, r) {
      const b = bceWithLogits(out, { firstRows: B, targetFirst: 0, targetRest: r.realLabel, scale: 1 / B });
      return { loss: b.loss, dlogits: b.dlogits, outA: b.meanProbFirst, outB: b.meanProbRest };
    },
    generator(out, B) {
      const b = bceWithLogits(out, { firstRows: B, targetFirst: 1, targetRest: 1, scale: 1 / B });
      return { loss: b.loss, dlogits: b.dlogits, outA: b.meanProbFirst, outB: b.meanProbRest };
    },
  },
  fused: {
    discriminator: (t, B, r) => alone({ kind: FUSED_OP.bce, m: 2 * B, n: B, a: t.logits, c: t.dlogits, f0: 0, f1: r.realLabel, f2: 1 / B }),
    generator: (t, B) => alone({ kind: FUSED_OP.bce, m: B, n: B, a: t.logits, c: t.dlogits, f0: 1, f1: 1, f2: 1 / B }),
  },
});
