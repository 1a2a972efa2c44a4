// Float64 reference of a gradient penalty and its gradient with respect to the
// critic's weights: the double backward of models/losses/gradient-penalty.ts
// (whose header has the math), step for step, with each layer's own float64
// forward and backward run without bias and activation.
import { activationGradFromOutput, activationSecondFromOutput } from '../models/layers/activation.reference.js';
import type { Stage } from '../models/layers/layer.js';
import type { Sequential } from '../models/layers/sequential.js';
import { spectralNormBackward } from '../models/layers/spectral-norm.reference.js';
import { bareStage, penaltyRows, type ResolvedPenalty } from '../models/losses/gradient-penalty.js';
import { referenceForward, type ReferenceNet } from './net.js';

const mapWith = (a: Float64Array, y: Float64Array, f: (a: number, y: number, i: number) => number): Float64Array => a.map((v, i) => f(v, y[i], i));

/**
 * P at the points `x` (rows, D.inputSize) and ∂P/∂(D's parameters) in their
 * flat layout, the norm over each row's first `imageCols` columns (a
 * conditional critic's label planes follow them). D's buffers (spectral
 * norm's u, v) are read, not changed.
 */
export function referencePenalty(
  D: Sequential,
  state: ReferenceNet,
  x: Float64Array,
  rows: number,
  r: ResolvedPenalty,
  imageCols = D.inputSize,
): { penalty: number; grads: Float64Array } {
  const trace = referenceForward(D, state, x, rows, 'train', 1);
  const { io } = trace;
  const stages = D.stages;
  const L = stages.length;
  const a = (i: number) => trace.outs[i];
  const y = (i: number) => trace.outs[i + 1];
  const d1 = (s: Stage) => (v: number, yy: number) => v * activationGradFromOutput(s.activation, yy, s.slope);
  const Bx = (i: number, dy: Float64Array) => stages[i].module.reference.backward(bareStage(stages[i], false), a(i), y(i), dy, null, io);
  const BW = (i: number, dy: Float64Array, input: Float64Array, into: Float64Array) => {
    const tmp = new Float64Array(into.length);
    stages[i].module.reference.backward(bareStage(stages[i], false), input, y(i), dy, tmp, io);
    for (let k = 0; k < into.length; k++) into[k] += tmp[k];
  };
  const F = (i: number, input: Float64Array) => stages[i].module.reference.forward(bareStage(stages[i], false), input, io);

  // Backward of Σ D(x): e_i, δ_i, then g.
  const e: Float64Array[] = new Array(L);
  const delta: Float64Array[] = new Array(L);
  e[L - 1] = new Float64Array(y(L - 1).length).fill(1);
  let g: Float64Array = new Float64Array(0);
  for (let i = L - 1; i >= 0; i--) {
    delta[i] = mapWith(e[i], y(i), d1(stages[i]));
    const prev = Bx(i, delta[i]);
    if (i > 0) e[i - 1] = prev;
    else g = prev;
  }
  const X = D.inputSize;
  const { penalty, gBar } = penaltyRows(g, rows, X, r, imageCols);

  // Its adjoint.
  const fromBackward = new Float64Array(state.params.length);
  const zBar: Float64Array[] = new Array(L);
  let deltaBar: Float64Array = F(0, gBar);
  BW(0, delta[0], gBar, fromBackward);
  for (let i = 0; i < L; i++) {
    const s = stages[i];
    zBar[i] = mapWith(deltaBar, y(i), (v, yy, k) => v * e[i][k] * activationSecondFromOutput(s.activation, yy, s.slope));
    if (i < L - 1) {
      const eBar = mapWith(deltaBar, y(i), d1(s));
      BW(i + 1, delta[i + 1], eBar, fromBackward);
      deltaBar = F(i + 1, eBar);
    }
  }

  // The forward's adjoint, seeded by z̄ at every stage.
  const grads = new Float64Array(state.params.length);
  let zTilde: Float64Array = zBar[L - 1];
  for (let i = L - 1; i >= 0; i--) {
    const tmp = new Float64Array(grads.length);
    const dx = stages[i].module.reference.backward(bareStage(stages[i], true), a(i), y(i), zTilde, tmp, io);
    for (let k = 0; k < grads.length; k++) grads[k] += tmp[k];
    if (i > 0) {
      const prev = stages[i - 1];
      zTilde = mapWith(dx, y(i - 1), (v, yy, k) => zBar[i - 1][k] + v * activationGradFromOutput(prev.activation, yy, prev.slope));
    }
  }
  for (let k = 0; k < grads.length; k++) grads[k] += fromBackward[k];
  // Through σ where a layer is spectrally normalised (u, v held, as in its forward).
  for (const s of stages) {
    const sn = s.spectralNorm;
    if (!sn) continue;
    const { weight, sigma } = io.normalized.get(s.layerIndex)!;
    const slice = (arr: Float64Array, t: { offset: number; size: number }) => arr.subarray(t.offset, t.offset + t.size);
    grads.set(spectralNormBackward(sn.matrix, slice(grads, sn.weight), weight, slice(state.buffers, sn.u), slice(state.buffers, sn.v), sigma, sn.gain), sn.weight.offset);
  }
  return { penalty, grads };
}
