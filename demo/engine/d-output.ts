// What D's output means under the trainer's loss, for the views: a
// probability (BCE: discriminate() gives σ of D's logit) or a critic's score
// (LSGAN, hinge, WGAN: unbounded, given as is), where the heatmap turns white,
// and G's loss as a function of D's output (the plane's arrows follow −∇ of it).
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
const nonSaturating = (d: number): number => -Math.log(Math.max(EPS, d));

export function dOutputInfo(trainer: GanTrainer): DOutputInfo {
  const loss = trainer.config.loss;
  const title = loss.module.title;
  const output = trainer.discriminatorOutput;
  switch (loss.module.name) {
    case 'bce-minimax':
      return {
        output, title, neutral: 0.5, neutralText: '0.5',
        gLoss: (d) => Math.log(Math.max(EPS, 1 - d)),
        gLossText: 'log(1 − D(x)), the minimax loss (flat where D is sure a point is fake)',
      };
    case 'lsgan': {
      const { a, b, c } = loss.options as { a: number; b: number; c: number };
      const mid = (a + b) / 2;
      return {
        output, title, neutral: mid, neutralText: `${mid}, midway between the fake target a = ${a} and the real target b = ${b}`,
        gLoss: (d) => 0.5 * (d - c) ** 2,
        gLossText: `½(D(x) − ${c})², towards G's target c = ${c}`,
      };
    }
    case 'hinge':
      return {
        output, title, neutral: 0, neutralText: '0, between the hinge margins (real ≥ 1, fake ≤ −1)',
        gLoss: (d) => -d, gLossText: '−D(x), up the critic\'s score',
      };
    case 'wgan':
      return {
        output, title, neutral: null,
        neutralText: 'the middle of the grid\'s range (a WGAN critic\'s scores have no fixed zero: only differences count)',
        gLoss: (d) => -d, gLossText: '−D(x), up the critic\'s score',
      };
    default:
      return output === 'logit'
        ? { output, title, neutral: 0.5, neutralText: '0.5', gLoss: nonSaturating, gLossText: '−log D(x), the non-saturating loss' }
        : { output, title, neutral: null, neutralText: 'the middle of the grid\'s range', gLoss: (d) => -d, gLossText: '−D(x)' };
  }
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
