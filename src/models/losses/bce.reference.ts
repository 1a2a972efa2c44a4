// CPU reference (float64) for bce_with_logits.wgsl.
import type { Vec } from '../layers/activation.reference.js';

export interface BceOptions {
  firstRows: number;
  targetFirst: number;
  targetRest: number;
  scale: number;
}

export interface BceResult {
  loss: number;
  dlogits: Vec;
  meanProbFirst: number;
  meanProbRest: number;
}

const sigmoid = (l: number): number => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l)));

/** Written from the definition −[t·log σ(l) + (1−t)·log(1−σ(l))], with log σ(l) = −log1p(e^−l) for stability. */
export function bceWithLogits(logits: Vec, o: BceOptions): BceResult {
  let loss = 0;
  let probFirst = 0;
  let probRest = 0;
  const dlogits = new Float64Array(logits.length);
  logits.forEach((l, i) => {
    const first = i < o.firstRows;
    const t = first ? o.targetFirst : o.targetRest;
    const logP = l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
    const log1mP = l >= 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l));
    loss += -(t * logP + (1 - t) * log1mP);
    const p = sigmoid(l);
    dlogits[i] = o.scale * (p - t);
    if (first) probFirst += p;
    else probRest += p;
  });
  const rest = logits.length - o.firstRows;
  return {
    loss: o.scale * loss,
    dlogits,
    meanProbFirst: o.firstRows > 0 ? probFirst / o.firstRows : 0,
    meanProbRest: rest > 0 ? probRest / rest : 0,
  };
}
