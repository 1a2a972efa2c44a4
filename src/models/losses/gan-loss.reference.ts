// CPU reference (float64) for gan_loss.wgsl, written from each loss's
// definition: rows [0, firstRows) are fakes with target yFirst, the rest reals
// with yRest; loss = scale·Σℓ, dlogits = scale·dℓ/dl, outA / outB the mean
// presented output (σ(l) for a logit, l for a score) over each part.
import type { LossResult } from './loss.js';

export type GanLossKind = 'squared' | 'hinge' | 'linear' | 'logOneMinusSigmoid';

export interface GanLossRows {
  kind: GanLossKind;
  firstRows: number;
  yFirst: number;
  yRest: number;
  scale: number;
  present: 'raw' | 'sigmoid';
}

const sigmoid = (l: number): number => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l)));

/** ℓ and dℓ/dl of one output. */
export function rowLoss(kind: GanLossKind, l: number, y: number): [number, number] {
  switch (kind) {
    case 'squared':
      return [0.5 * (l - y) ** 2, l - y];
    case 'hinge':
      return 1 - y * l > 0 ? [1 - y * l, -y] : [0, 0];
    case 'linear':
      return [-y * l, -y];
    case 'logOneMinusSigmoid':
      // log(1 − σ(l)): for l ≥ 0, −l − log(1 + e^−l); for l < 0, −log(1 + e^l).
      return [l >= 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l)), -sigmoid(l)];
  }
}

export function ganLoss(outputs: Float64Array, o: GanLossRows): LossResult {
  let loss = 0;
  let first = 0;
  let rest = 0;
  const dlogits = new Float64Array(outputs.length);
  outputs.forEach((l, i) => {
    const isFirst = i < o.firstRows;
    const [v, d] = rowLoss(o.kind, l, isFirst ? o.yFirst : o.yRest);
    loss += v;
    dlogits[i] = o.scale * d;
    const p = o.present === 'sigmoid' ? sigmoid(l) : l;
    if (isFirst) first += p;
    else rest += p;
  });
  const restRows = outputs.length - o.firstRows;
  return { loss: o.scale * loss, dlogits, outA: o.firstRows > 0 ? first / o.firstRows : 0, outB: restRows > 0 ? rest / restRows : 0 };
}
