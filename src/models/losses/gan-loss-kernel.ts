// Encoding gan_loss.wgsl for the losses built on it (lsgan.ts, hinge.ts,
// wgan.ts, bce-minimax.ts): each gives the per-row kind and targets of its D
// part (rows [fake (B); real (B)]) and its G part (B fakes).
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { GAN_LOSS_KIND, GAN_LOSS_PRESENT } from '../../shaders/constants.js';
import { ganLossKernels } from '../../shaders/index.js';
import type { KernelRef } from '../layers/layer.js';
import { ganLoss, type GanLossKind } from './gan-loss.reference.js';
import type { GanLossModule, LossBuffers, LossResult } from './loss.js';

/** One part of a loss: its per-row loss and the targets of the fake and real rows. */
export interface LossPart {
  kind: GanLossKind;
  /** Target of the fake rows. */
  fake: number;
  /** Target of the real rows (the D part only). */
  real: number;
}

export const ganLossKernelRefs = (): KernelRef[] => [{ family: ganLossKernels, entry: 'gan_loss_forward_backward' }];

/** Records one part over `rows` outputs of which the first `fakeRows` are fakes; a mean over B = fakeRows. */
export async function encodeGanLoss(
  seq: SequenceBuilder,
  kernels: KernelRegistry,
  io: LossBuffers,
  part: LossPart,
  rows: number,
  fakeRows: number,
  present: 'raw' | 'sigmoid',
): Promise<void> {
  const u = {
    rows,
    first_rows: fakeRows,
    kind: GAN_LOSS_KIND[part.kind],
    present: GAN_LOSS_PRESENT[present],
    y_first: part.fake,
    y_rest: part.real,
    scale: 1 / fakeRows,
  };
  const k = await kernels.kernelFor(ganLossKernels, 'gan_loss_forward_backward', u); // the variant tuned for this row count
  seq.add(k, { logits: io.logits, dlogits: io.dlogits, loss_out: io.lossOut }, u, 'loss');
}

/** The same in float64. */
export const ganLossPart = (outputs: Float64Array, part: LossPart, fakeRows: number, present: 'raw' | 'sigmoid'): LossResult =>
  ganLoss(outputs, { kind: part.kind, firstRows: fakeRows, yFirst: part.fake, yRest: part.real, scale: 1 / fakeRows, present });

export interface PartLossSpec<R> {
  name: string;
  title: string;
  output: 'logit' | 'score';
  resolve(options: Record<string, unknown>, fail: (message: string) => never): R;
  /** The D part: targets of the fake and real rows. */
  discriminator(r: R): LossPart;
  /** The G part: the target of the fakes. */
  generator(r: R): LossPart;
  constraint?: GanLossModule<R>['constraint'];
  readout: GanLossModule<R>['readout'];
}

/** A loss module whose two parts are rows of gan_loss.wgsl. */
export function partLoss<R>(spec: PartLossSpec<R>): GanLossModule<R> {
  const present = spec.output === 'logit' ? 'sigmoid' : 'raw';
  const sigmoid = (l: number): number => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l)));
  return {
    name: spec.name,
    title: spec.title,
    output: spec.output,
    present: spec.output === 'logit' ? sigmoid : (l) => l,
    resolve: spec.resolve,
    readout: spec.readout,
    kernels: ganLossKernelRefs,
    encodeDiscriminator: (seq, kernels, io, B, r) => encodeGanLoss(seq, kernels, io, spec.discriminator(r), 2 * B, B, present),
    encodeGenerator: (seq, kernels, io, B, r) => encodeGanLoss(seq, kernels, io, spec.generator(r), B, B, present),
    reference: {
      discriminator: (out, B, r) => ganLossPart(out, spec.discriminator(r), B, present),
      generator: (out, B, r) => ganLossPart(out, spec.generator(r), B, present),
    },
    ...(spec.constraint ? { constraint: spec.constraint } : {}),
  };
}

/** A number option with a default, checked; `fail` names the option. */
export function numberOption(o: Record<string, unknown>, key: string, fallback: number, ok: (v: number) => boolean, expected: string, fail: (m: string) => never): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(`${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Refuses options a loss does not take. */
export function onlyOptions(o: Record<string, unknown>, known: readonly string[], fail: (m: string) => never): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) fail(`unknown option(s) ${unknown.join(', ')}; it takes ${known.length ? known.join(', ') : 'none'}`);
}
