// What a GAN trainer reports every statsEvery steps, from the bookkeeping's
// per-phase sums (models/optim/bookkeeping.ts): D is phase 0, G phase 1.
import type { TrainReport } from '../optim/bookkeeping.js';
import { PHASE_INDEX } from './step.js';

/** Means over the steps since the previous report. */
export interface TrainingStats {
  /** Training steps completed on the GPU when this was read. */
  step: number;
  lossD: number;
  lossG: number;
  /** Mean D(x) on real data, as the loss presents D's output (BCE: a probability). */
  dReal: number;
  /** Mean D(G(z)) on fakes in the D updates. */
  dFake: number;
  gradNormD: number;
  gradNormG: number;
  /** How many D and G updates these means cover. */
  updatesD: number;
  updatesG: number;
}

/** The report as TrainingStats, or null when it covers no update. */
export function ganStats(r: TrainReport): TrainingStats | null {
  const d = r.phases[PHASE_INDEX.discriminator];
  const g = r.phases[PHASE_INDEX.generator];
  if (d.count === 0 && g.count === 0) return null;
  return {
    step: r.step,
    lossD: d.loss,
    lossG: g.loss,
    dReal: d.outB,
    dFake: d.outA,
    gradNormD: d.gradNorm,
    gradNormG: g.gradNorm,
    updatesD: d.count,
    updatesG: g.count,
  };
}
