// The one description of a GAN training step. The layered plan, the fused
// MLP plan and the float64 reference trainer all walk these phases and ops in
// this order, each in its own medium (dispatches, program records, float64
// calls), so they cannot drift apart.
//
// One step, B = batch:
//   every update first   one power iteration of each spectrally normalised net (u, v),
//                        as PyTorch iterates on each training-mode forward
//   D update (× dSteps)  draw z, G(z) → fake rows; draw the real rows;
//                        D on [fake; real] (BatchNorm: two groups);
//                        the loss's D part; backward through D (weights);
//                        a gradient penalty's value and double backward (config.penalty)
//   G update             draw z, G(z); D on the fakes; the loss's G part;
//                        backward through D (input gradient only) and G (weights)
//   each update then     closes (gradient norm, halting rule, counters, stats) and updates;
//                        a loss with a constraint on a net applies it after that net's
//                        update (WGAN's clipping of D), and an EMA of G follows G's update
//
// The halting rule: an update is applied only while training has not halted
// and both its loss and the gradient norm of the trained net are finite;
// otherwise training halts at this step, and every later update is skipped,
// so the weights are those of the last good update. It is the same rule in
// all three (update_bookkeeping.wgsl, reference/train_state.ts).
import type { NetName, ResolvedGanConfig } from './config.js';

/** Philox stream ids: D update j draws noise from 2j and real rows from 2j+1; the G update from 2·dSteps. */
export const noiseStreamD = (j: number): number => 2 * j;
export const realStreamD = (j: number): number => 2 * j + 1;
export const noiseStreamG = (dSteps: number): number => 2 * dSteps;
/** Fake-label draws of a conditional GAN use their update's noise stream with this bit set. */
export const LABEL_STREAM_BIT = 0x8000;
/** ε of D update j's gradient penalty (WGAN-GP) is drawn from this stream. */
export const penaltyStreamD = (j: number): number => 0x4000 | j;
/** Streams ≥ this are for sampling outside training. */
export const SAMPLE_STREAM = 0x10000;

export type StepOp =
  /** One power iteration of the net's spectrally normalised layers (their u and v), unless training has halted. */
  | { op: 'powerIteration'; net: NetName }
  /** z (B, Z) from the noise distribution; a conditional GAN also draws fake labels and forms [z; onehot(y)]. `update`: D updates 0 …, G dSteps. */
  | { op: 'drawNoise'; stream: number; update: number }
  /** G on the drawn input → the fake rows [0, B) of D's sample batch. */
  | { op: 'forwardG' }
  /** B real rows (and their labels) → rows [B, 2B) of D's sample batch. */
  | { op: 'drawReal'; stream: number; update: number }
  /** D on the fakes alone (B rows) or on [fake; real] (2B rows, two BatchNorm groups) → its outputs. */
  | { op: 'forwardD'; rows: 'fake' | 'fakeAndReal' }
  /** The loss's D or G part: loss_out and ∂loss/∂outputs. */
  | { op: 'loss'; part: NetName }
  /** D's backward: its weight gradients and/or its input gradient (for G). */
  | { op: 'backwardD'; rows: 'fake' | 'fakeAndReal'; weights: boolean; input: boolean }
  /** The gradient penalty (config.penalty): its value joins D's loss, its gradient D's gradients (a double backward). */
  | { op: 'penalty'; stream: number }
  /** G's backward from D's input gradient: G's weight gradients. */
  | { op: 'backwardG' }
  /** Gradient norm of the trained net and the halting rule; advances its counters and stats. */
  | { op: 'close'; net: NetName }
  /** The trained net's optimizer, unless training has halted. */
  | { op: 'update'; net: NetName }
  /** The loss's constraint on the net just updated (WGAN: clip D's weights), unless training has halted. */
  | { op: 'constrain'; net: NetName }
  /** The exponential moving average of the net's weights (config.ema), unless training has halted. */
  | { op: 'average'; net: NetName };

export interface Phase {
  label: string;
  /** The net this phase trains. */
  net: NetName;
  /** The optimizer phase index: D = 0, G = 1 (training state slots, stats). */
  index: number;
  /** The phase that ends a training step advances the step counter. */
  advancesStep: boolean;
  ops: readonly StepOp[];
}

export const PHASE_INDEX: Record<NetName, number> = { discriminator: 0, generator: 1 };
export const PHASE_NAME: readonly NetName[] = ['discriminator', 'generator'];

/** What the step description depends on. */
export type StepConfig = Pick<ResolvedGanConfig, 'dSteps' | 'loss' | 'ema' | 'generator' | 'discriminator' | 'penalty'>;

/** The phases of one training step. */
export function describeStep(c: StepConfig): Phase[] {
  const after = (net: NetName): StepOp[] => [
    ...(c.loss.module.constraint?.net === net ? [{ op: 'constrain', net } as const] : []),
    ...(net === 'generator' && c.ema ? [{ op: 'average', net } as const] : []),
  ];
  const normalized = (['generator', 'discriminator'] as const).filter((net) => c[net].stages.some((s) => s.spectralNorm));
  const powerIterations: StepOp[] = normalized.map((net) => ({ op: 'powerIteration', net }));
  const phases: Phase[] = [];
  for (let j = 0; j < c.dSteps; j++) {
    phases.push({
      label: `d_update${j}`,
      net: 'discriminator',
      index: PHASE_INDEX.discriminator,
      advancesStep: false,
      ops: [
        ...powerIterations,
        { op: 'drawNoise', stream: noiseStreamD(j), update: j },
        { op: 'forwardG' },
        { op: 'drawReal', stream: realStreamD(j), update: j },
        { op: 'forwardD', rows: 'fakeAndReal' },
        { op: 'loss', part: 'discriminator' },
        { op: 'backwardD', rows: 'fakeAndReal', weights: true, input: false },
        ...(c.penalty ? [{ op: 'penalty', stream: penaltyStreamD(j) } as const] : []),
        { op: 'close', net: 'discriminator' },
        { op: 'update', net: 'discriminator' },
        ...after('discriminator'),
      ],
    });
  }
  phases.push({
    label: 'g_update',
    net: 'generator',
    index: PHASE_INDEX.generator,
    advancesStep: true,
    ops: [
      ...powerIterations,
      { op: 'drawNoise', stream: noiseStreamG(c.dSteps), update: c.dSteps },
      { op: 'forwardG' },
      { op: 'forwardD', rows: 'fake' },
      { op: 'loss', part: 'generator' },
      { op: 'backwardD', rows: 'fake', weights: false, input: true },
      { op: 'backwardG' },
      { op: 'close', net: 'generator' },
      { op: 'update', net: 'generator' },
      ...after('generator'),
    ],
  });
  return phases;
}

/** The ops of a kind, typed, for interpreters that handle each op in a table keyed by its name. */
export type OpOf<K extends StepOp['op']> = Extract<StepOp, { op: K }>;
export type OpHandlers<R> = { [K in StepOp['op']]: (op: OpOf<K>) => R };

/** Runs `handlers[op.op](op)` for each op in order. */
export function walkOps<R>(ops: readonly StepOp[], handlers: OpHandlers<R>): R[] {
  return ops.map((op) => (handlers[op.op] as (o: StepOp) => R)(op));
}
