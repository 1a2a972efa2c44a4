// LSGAN (Mao et al. 2017): least squares against targets, on gan_loss.wgsl:
//
//   D: ½ E[(D(x) − b)²] + ½ E[(D(G(z)) − a)²]        G: ½ E[(D(G(z)) − c)²]
//
// with a = 0, b = 1, c = 1 by default (the paper's 0-1 coding). D's output is a score.
import { numberOption, onlyOptions, partLoss } from './gan-loss-kernel.js';
import { registerLoss } from './loss.js';

declare module './loss.js' {
  interface GanLosses {
    lsgan: LsganOptions;
  }
}

export interface LsganOptions {
  /** D's target for fakes (default 0). */
  a?: number;
  /** D's target for real samples (default 1). */
  b?: number;
  /** G's target for its fakes (default 1). */
  c?: number;
}

export const lsganLoss = registerLoss(
  partLoss<Required<LsganOptions>>({
    name: 'lsgan',
    title: 'least squares (LSGAN)',
    output: 'score',
    resolve(o, fail) {
      onlyOptions(o, ['a', 'b', 'c'], fail);
      const any = () => true;
      const r = { a: numberOption(o, 'a', 0, any, 'a finite number', fail), b: numberOption(o, 'b', 1, any, 'a finite number', fail), c: numberOption(o, 'c', 1, any, 'a finite number', fail) };
      if (r.a === r.b) fail(`a (the fake target) and b (the real target) must differ, both are ${r.a}`);
      return r;
    },
    readout: ({ a, b, c }) => ({
      neutral: (a + b) / 2,
      neutralText: `${(a + b) / 2}, midway between the fake target a = ${a} and the real target b = ${b}`,
      generatorLossText: `½(D(x) − ${c})², towards G's target c = ${c}`,
    }),
    discriminator: (r) => ({ kind: 'squared', fake: r.a, real: r.b }),
    generator: (r) => ({ kind: 'squared', fake: r.c, real: 0 }),
  }),
);
