// What D's output means under the trainer's loss, for the views, as the loss
// module says (its readout): a probability (discriminate() gives σ of D's
// logit) or a critic's score (given as is), where the heatmap turns white, and
// G's loss as a function of D's output (the plane's arrows follow −∇ of it).
import type { GanTrainer } from '../../src/index.js';
import type { DiscriminatorOutput } from '../protocol.js';

export interface DOutputInfo {
  output: DiscriminatorOutput;
  /** The loss's title. */
  title: string;
  /** D's output at the heatmap's white: a probability's 0.5, a loss's boundary, or null (the middle of the grid's range). */
  neutral: number | null;
  /** Why it is white there, for the caption. */
  neutralText: string;
  /** G's loss on one sample as a function of D's output as discriminate() gives it. */
  gLoss(d: number): number;
  gLossText: string;
}

const EPS = 1e-7;

/** The module's readout, and G's loss from its float64 reference on one output (the presented value mapped back to D's raw output). */
export function dOutputInfo(trainer: GanTrainer): DOutputInfo {
  const { module, options } = trainer.config.loss;
  const output = trainer.discriminatorOutput;
  const readout = module.readout(options);
  const raw = output === 'logit'
    ? (d: number) => {
        const p = Math.min(1 - EPS, Math.max(EPS, d));
        return Math.log(p / (1 - p));
      }
    : (d: number) => d;
  return {
    output,
    title: module.title,
    neutral: readout.neutral,
    neutralText: readout.neutralText,
    gLoss: (d) => module.reference.generator(Float64Array.of(raw(d)), 1, options).loss,
    gLossText: readout.generatorLossText,
  };
}

/** G's weights the views sample with: the moving average when the run keeps one. */
export const viewWeights = (trainer: GanTrainer): 'ema' | 'trained' => (trainer.config.ema ? 'ema' : 'trained');

/** A caption's words on which G the view shows. */
export function weightsText(trainer: GanTrainer): string {
  const ema = trainer.config.ema;
  if (!ema) return '';
  const lag = Math.round(1 / (1 - ema.decay));
  return ` G here is the exponential moving average of its weights (EMA, decay ${ema.decay}; it trails the trained G by about ${lag.toLocaleString('en-US')} updates).`;
}
