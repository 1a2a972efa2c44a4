// The 2-D toy presets: small ELU MLPs on the sets of data/toy2d.ts, with
// learning rates measured per set. Re-exports the sets, so that `toy2d` is
// one namespace for both.
import { ELU, Linear, type Layer } from '../models/layers/index.js';
import { Sequential } from '../models/layers/sequential.js';
import type { GanConfig, NoiseSpec } from '../models/gan/config.js';
import { toy2dData, TOY2D_ROWS, type Strokes, type Toy2dSet } from '../data/toy2d.js';

export * from '../data/toy2d.js';

export interface Toy2dOptions {
  seed?: number;
  batchSize?: number;
  /** Hidden layer widths of G and D (default [64, 64]). */
  hiddenG?: readonly number[];
  hiddenD?: readonly number[];
  noise?: NoiseSpec;
  /** The strokes of the `drawn` set (default DEFAULT_STROKES). */
  strokes?: Strokes;
}

/** An MLP in → hidden… → out with ELU between layers and a linear output. */
export function mlp(name: string, inputs: number, hidden: readonly number[], outputs: number): Sequential {
  const layers: Layer[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(Linear(width, h), ELU());
    width = h;
  }
  layers.push(Linear(width, outputs));
  return new Sequential(name, layers);
}

/**
 * Adam learning rates (D, G) per set. Measured on SwiftShader (Node, seeds 0
 * and 1 for ring8, seed 0 otherwise), fraction of 1000 real points with a
 * generated one within 0.15 ("recall") and of generated points within 0.15
 * of a real one ("precision"):
 *   ring8  2e-3/2e-3: recall 0.99 from step 750, precision 0.36 → 0.53 at 2000
 *          (1e-3/1e-3: recall 1.00 from step 500, precision 0.31 → 0.49);
 *   twoMoons 2e-3/1e-3: recall 0.96, precision 0.78 at step 2000;
 *   grid25 2e-3/1e-3: recall 0.7–0.9, precision ~0.2 through 2000 steps (it
 *          is the hard one: several modes are still bridged by G).
 */
export const TOY2D_LEARNING_RATES: Record<Toy2dSet, { lrD: number; lrG: number }> = {
  ring8: { lrD: 2e-3, lrG: 2e-3 },
  grid25: { lrD: 2e-3, lrG: 1e-3 },
  twoMoons: { lrD: 2e-3, lrG: 1e-3 },
  drawn: { lrD: 2e-3, lrG: 1e-3 },
};

/**
 * A 2-D toy preset: G 2-64-64-2 and D 2-64-64-1 (ELU), noise N(0, 1)², batch
 * 256, Adam with betas (0.5, 0.999) at TOY2D_LEARNING_RATES, BCE with logits.
 */
export function toy2d(set: Toy2dSet, o: Toy2dOptions = {}): GanConfig {
  const seed = o.seed ?? 0;
  const lr = TOY2D_LEARNING_RATES[set];
  return {
    generator: mlp('generator', 2, o.hiddenG ?? [64, 64], 2),
    discriminator: mlp('discriminator', 2, o.hiddenD ?? [64, 64], 1),
    noise: o.noise ?? { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: toy2dData(set, seed, o.strokes), rows: TOY2D_ROWS, cols: 2 },
    batchSize: o.batchSize ?? 256,
    dSteps: 1,
    optimizerD: { lr: lr.lrD, beta1: 0.5, beta2: 0.999 },
    optimizerG: { lr: lr.lrG, beta1: 0.5, beta2: 0.999 },
    seed,
    statsEvery: 25,
  };
}
