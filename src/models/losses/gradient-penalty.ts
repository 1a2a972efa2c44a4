// Gradient penalties on the critic, added to D's loss in each D update
// (GanConfig.penalty):
//
//   'wgan-gp' (Gulrajani et al. 2017)  P = λ · mean_b (‖∇ₓD(x̂_b)‖ − 1)²,  x̂_b = ε_b x_b + (1 − ε_b) G(z_b), ε_b ~ U[0, 1]
//   'r1'      (Mescheder et al. 2018)  P = γ/2 · mean_b ‖∇ₓD(x_b)‖²       on the real rows
//
// A conditional critic D(x, y) reads [x; K label planes]: the point keeps the
// real row's labels (x̂ interpolates the samples only) and ∇ₓ is taken over x
// alone, so the norm and ḡ leave the label planes out (ḡ = 0 there).
//
// ∂P/∂θ needs the gradient of an input gradient: a double backward. For a
// critic of stages z_i = A_i(W_i, a_i) + b_i, a_{i+1} = φ_i(z_i), with A_i
// linear in W_i and in a_i (Linear, Conv2d, ConvTranspose2d: LayerModule.bilinear),
// writing F_i(v) = A_i(W_i, v), Bx_i(δ) = A_iᵀ δ and BW_i(δ, v) = ∂⟨δ, A_i(W, v)⟩/∂W,
// which are the layer's own forward and backward run without bias and activation:
//
//   backward   e_L = 1;  δ_i = e_i ⊙ φ_i'(y_i);  e_{i−1} = Bx_i(δ_i);  g = Bx_0(δ_0);  ḡ = ∂P/∂g
//   its adjoint δ̄_0 = F_0(ḡ), W̄_0 += BW_0(δ_0, ḡ); for i = 0 …: ē_i = δ̄_i ⊙ φ_i'(y_i),
//              z̄_i = δ̄_i ⊙ e_i ⊙ φ_i''(y_i), δ̄_{i+1} = F_{i+1}(ē_i), W̄_{i+1} += BW_{i+1}(δ_{i+1}, ē_i)
//   forward's  for i = L … 0: W̄_i += BW_i(Z̃_i, a_i), b̄_i += Σ Z̃_i, Z̃_{i−1} = z̄_{i−1} + Bx_i(Z̃_i) ⊙ φ_{i−1}'(y_{i−1})
//   adjoint    (Z̃_L = z̄_L)
//
// The two kinds of weight terms go to two scratch gradients, which are summed,
// taken through spectral norm's σ where a layer has it, and added to D's
// gradients before the update closes. src/reference/gradient-penalty.ts is the float64 twin.
import { createStorageBuffer, floatRange } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { ACTIVATION_CODE, PENALTY_KIND } from '../../shaders/constants.js';
import { gradientPenaltyKernels, randomKernels } from '../../shaders/index.js';
import { kindsWith, type KernelRef, type NetBuffers, type Stage } from '../layers/layer.js';
import type { NetGpu } from '../layers/net-gpu.js';
import type { Sequential } from '../layers/sequential.js';
import { encodeSpectralNormBackward } from '../layers/spectral-norm.js';

export type PenaltyName = 'wgan-gp' | 'r1';

/** GanConfig.penalty: a name, or { name, weight } (λ for 'wgan-gp', γ for 'r1'; 10 by default for both). */
export type PenaltySpec = PenaltyName | { name: PenaltyName; weight?: number };

export interface ResolvedPenalty {
  name: PenaltyName;
  weight: number;
}

const DEFAULT_WEIGHT: Record<PenaltyName, number> = { 'wgan-gp': 10, r1: 10 };

/** The penalties, for menus: name, title and default weight. */
export const penaltyInfo = (): { name: PenaltyName; title: string; weight: number }[] => [
  { name: 'wgan-gp', title: 'WGAN-GP: λ(‖∇D(x̂)‖ − 1)² at interpolates', weight: DEFAULT_WEIGHT['wgan-gp'] },
  { name: 'r1', title: 'R1: γ/2 ‖∇D(x)‖² at the reals', weight: DEFAULT_WEIGHT.r1 },
];

/** The penalty's options, checked (throwing through `fail`, which names the field). */
export function resolvePenalty(spec: unknown, fail: (message: string) => never): ResolvedPenalty {
  const o = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof o !== 'object' || o === null) fail(`penalty must be 'wgan-gp', 'r1' or { name, weight }, got ${JSON.stringify(spec)}`);
  const { name, weight, ...rest } = o as { name?: unknown; weight?: unknown };
  if (name !== 'wgan-gp' && name !== 'r1') fail(`penalty.name must be 'wgan-gp' or 'r1', got ${JSON.stringify(name)}`);
  if (Object.keys(rest).length) fail(`penalty has unknown option(s) ${Object.keys(rest).join(', ')}; it takes name, weight`);
  const w = weight ?? DEFAULT_WEIGHT[name as PenaltyName];
  if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) fail(`penalty.weight must be a finite number > 0, got ${JSON.stringify(weight)}`);
  return { name: name as PenaltyName, weight: w as number };
}

/** Why this critic cannot take a gradient penalty, or null when it can. */
export function penaltyIneligibility(D: Sequential): string | null {
  for (const s of D.stages) {
    if (s.module.bilinear) continue;
    const why = s.module.penaltyRefusal ?? `it has no double backward (the penalty runs ${kindsWith((m) => m.bilinear === true)} layers with fused activations)`;
    return `discriminator '${D.name}' layer ${s.layerIndex} is ${s.module.type}: a gradient penalty cannot go through it, since ${why}`;
  }
  return null;
}

/**
 * P and ḡ = ∂P/∂g from the input gradients g (rows, cols), in float64
 * (gradient_penalty.wgsl's penalty_rows). The norm covers each row's first
 * `imageCols` columns, the sample; a conditional critic's label planes after them are left out.
 */
export function penaltyRows(g: Float64Array, rows: number, cols: number, r: ResolvedPenalty, imageCols = cols): { penalty: number; gBar: Float64Array } {
  const scale = r.weight / rows;
  const gBar = new Float64Array(g.length);
  let p = 0;
  for (let b = 0; b < rows; b++) {
    let sq = 0;
    for (let c = 0; c < imageCols; c++) sq += g[b * cols + c] ** 2;
    const n = Math.sqrt(sq);
    const coef = r.name === 'wgan-gp' ? (2 * scale * (n - 1)) / Math.max(n, 1e-12) : scale;
    p += r.name === 'wgan-gp' ? (n - 1) ** 2 : 0.5 * sq;
    for (let c = 0; c < imageCols; c++) gBar[b * cols + c] = coef * g[b * cols + c];
  }
  return { penalty: scale * p, gBar };
}

/** A stage as the double backward runs it: no activation, and no bias where `bias` is false. */
export function bareStage(s: Stage, bias: boolean): Stage {
  return { ...s, activation: 'none', slope: 0, params: bias ? s.params : s.params.filter((p) => p.local !== 'bias') };
}

const channelsOf = (s: Stage): number => (s.input.image ? s.input.image[0] : s.input.features);

/** Where one penalised update finds its samples and writes its results. */
export interface PenaltyIo {
  /** D's input batch (2B, DX): fake rows [0, B), real rows [B, 2B); a conditional critic's rows end in label planes. */
  samples: GPUBuffer;
  /** D's loss_out [loss, outA, outB, 0]: the penalty is added to the loss. */
  lossOut: GPUBuffer;
  state: GPUBuffer;
  seed: number;
  /** The Philox stream of ε (WGAN-GP). */
  stream: number;
}

/** The penalty's GPU buffers for one critic and batch, created once; encode() records one penalised update. */
export class GradientPenaltyGpu {
  /** Every buffer it created (the plan destroys them with its own). */
  readonly owned: GPUBuffer[] = [];
  private readonly eps: GPUBuffer; //        (B)
  private readonly xHat: GPUBuffer; //       (B, X)
  private readonly output: GPUBuffer; //     (B, 1) D(x̂)
  private readonly g: GPUBuffer; //          (B, X) ∇ₓD(x̂)
  private readonly gBar: GPUBuffer; //       (B, X)
  /** Per stage i, (B, n_i): e_i (the last stage's all ones), δ_i, δ̄_i, ē_i (later ã), z̄_i (later Z̃_i). */
  private readonly e: GPUBuffer[];
  private readonly delta: GPUBuffer[];
  private readonly deltaBar: GPUBuffer[];
  private readonly eBar: GPUBuffer[];
  private readonly zBar: GPUBuffer[];
  /** (P) the two kinds of weight terms, summed into D's gradients. */
  private readonly fromBackward: GPUBuffer;
  private readonly fromForward: GPUBuffer;

  constructor(
    device: GPUDevice,
    private readonly D: NetGpu,
    private readonly batch: number,
    private readonly r: ResolvedPenalty,
    /** The sample's columns at the start of each of D's input rows (D.net.inputSize unless D is conditional). */
    private readonly imageCols: number = D.net.inputSize,
  ) {
    const B = batch;
    const X = D.net.inputSize;
    const make = (label: string, floats: number, data?: Float32Array) => {
      const b = createStorageBuffer(device, `penalty.${label}`, floats, data);
      this.owned.push(b);
      return b;
    };
    this.eps = r.name === 'r1' ? make('eps', B, new Float32Array(B).fill(1)) : make('eps', B);
    this.xHat = make('x_hat', B * X);
    this.output = make('output', B * D.net.outputSize);
    this.g = make('grad_x', B * X);
    this.gBar = make('grad_x_bar', B * X);
    const stages = D.net.stages;
    const width = (s: Stage) => B * s.output.features;
    this.e = stages.map((s, i) => (i === stages.length - 1 ? make(`e${i}`, width(s), new Float32Array(width(s)).fill(1)) : make(`e${i}`, width(s))));
    this.delta = stages.map((s, i) => make(`delta${i}`, width(s)));
    this.deltaBar = stages.map((s, i) => make(`delta_bar${i}`, width(s)));
    this.eBar = stages.map((s, i) => make(`e_bar${i}`, width(s)));
    this.zBar = stages.map((s, i) => make(`z_bar${i}`, width(s)));
    this.fromBackward = make('grads_from_backward', D.net.parameterCount);
    this.fromForward = make('grads_from_forward', D.net.parameterCount);
  }

  /** The pipelines it adds to the critic's own (whose forward and backward it runs). */
  static kernels(r: ResolvedPenalty): KernelRef[] {
    const entries = ['penalty_interpolate', 'penalty_act_grad', 'penalty_act_grad_add', 'penalty_act_second', 'penalty_accumulate', 'penalty_rows'];
    return [...entries.map((entry) => ({ family: gradientPenaltyKernels, entry })), ...(r.name === 'wgan-gp' ? [{ family: randomKernels, entry: 'random_uniform' }] : [])];
  }

  async encode(seq: SequenceBuilder, kernels: KernelRegistry, io: PenaltyIo): Promise<void> {
    const { D, batch: B, r } = this;
    const X = D.net.inputSize;
    const stages = D.net.stages;
    const L = stages.length;
    const k = (entry: string) => kernels.kernel(gradientPenaltyKernels, entry);
    // The point: x̂ between the fakes and the reals (WGAN-GP), or the reals themselves (R1: ε = 1, set once).
    if (r.name === 'wgan-gp') {
      const uniform = await kernels.kernel(randomKernels, 'random_uniform');
      seq.add(uniform, { state: io.state, out: this.eps }, { seed: io.seed, stream: io.stream, count: B, offset: 0, a: 0, b: 1 }, 'penalty.eps');
    }
    seq.add(await k('penalty_interpolate'), { samples: io.samples, eps: this.eps, x_hat: this.xHat }, { rows: B, cols: X, image_cols: this.imageCols }, 'penalty.x_hat');
    const x = this.xHat;
    await D.encodeForward(seq, kernels, B, x, this.output, D.activations, 'train', 1);
    const y = (i: number) => (i === L - 1 ? this.output : D.activations[i]);
    const a = (i: number) => (i === 0 ? x : D.activations[i - 1]);
    const act = (s: Stage) => ({ act: ACTIVATION_CODE[s.activation], slope: s.slope });
    const count = (s: Stage) => B * s.output.features;
    const elementwise = async (entry: string, s: Stage, buffers: Record<string, GPUBuffer | GPUBufferBinding>, label: string) =>
      seq.add(await k(entry), buffers, { count: count(s), ...act(s) }, `penalty.${label}`);
    const withGrads = (grads: GPUBuffer): NetBuffers => ({ params: D.params, grads, buffers: D.buffers, scratch: D.scratch, zeros: D.zeros });
    // The layer's own passes without activation: Bx (input gradient), BW (into `grads`), F (forward).
    const backward = (i: number, bias: boolean, dy: GPUBuffer, input: GPUBuffer, dx: GPUBuffer | null, grads: GPUBuffer | null, label: string) =>
      stages[i].module.gpu.backward({
        seq, kernels, net: withGrads(grads ?? this.fromForward), stage: bareStage(stages[i], bias), batch: B, groups: 1,
        x: input, y: y(i), dy, dx, dxChannels: channelsOf(stages[i]), weightGrads: grads !== null, label: `penalty.${label}`,
      });
    const forward = (i: number, input: GPUBuffer, out: GPUBuffer, label: string) =>
      stages[i].module.gpu.forward({ seq, kernels, net: D, stage: bareStage(stages[i], false), batch: B, groups: 1, x: input, y: out, mode: 'train', label: `penalty.${label}` });

    // The backward of D's sum of outputs: δ_i and e_i, then g.
    for (let i = L - 1; i >= 0; i--) {
      await elementwise('penalty_act_grad', stages[i], { a: this.e[i], y: y(i), out: this.delta[i] }, `delta${i}`);
      await backward(i, false, this.delta[i], a(i), i > 0 ? this.e[i - 1] : this.g, null, `e${i - 1}`);
    }
    seq.add(await k('penalty_rows'), { grad_x: this.g, grad_x_bar: this.gBar, loss_out: io.lossOut }, { rows: B, cols: X, image_cols: this.imageCols, kind: PENALTY_KIND[r.name === 'wgan-gp' ? 'wganGp' : 'r1'], weight: r.weight }, 'penalty.rows');
    // Its adjoint.
    await forward(0, this.gBar, this.deltaBar[0], 'delta_bar0');
    await backward(0, false, this.delta[0], this.gBar, null, this.fromBackward, 'w_bar0');
    for (let i = 0; i < L; i++) {
      if (i < L - 1) await elementwise('penalty_act_grad', stages[i], { a: this.deltaBar[i], y: y(i), out: this.eBar[i] }, `e_bar${i}`);
      await elementwise('penalty_act_second', stages[i], { a: this.deltaBar[i], b: this.e[i], y: y(i), out: this.zBar[i] }, `z_bar${i}`);
      if (i < L - 1) {
        await forward(i + 1, this.eBar[i], this.deltaBar[i + 1], `delta_bar${i + 1}`);
        await backward(i + 1, false, this.delta[i + 1], this.eBar[i], null, this.fromBackward, `w_bar${i + 1}`);
      }
    }
    // The forward's adjoint, seeded at every stage by z̄ (ē's buffers are free again and take ã).
    for (let i = L - 1; i >= 0; i--) {
      await backward(i, true, this.zBar[i], a(i), i > 0 ? this.eBar[i - 1] : null, this.fromForward, `z_tilde${i}`);
      if (i > 0) await elementwise('penalty_act_grad_add', stages[i - 1], { a: this.eBar[i - 1], y: y(i - 1), out: this.zBar[i - 1] }, `z_tilde${i - 1}`);
    }
    const P = D.net.parameterCount;
    const accumulate = await k('penalty_accumulate');
    seq.add(accumulate, { a: this.fromBackward, out: this.fromForward }, { count: P }, 'penalty.w_bar');
    for (const s of stages) {
      if (s.spectralNorm) await encodeSpectralNormBackward(seq, kernels, withGrads(this.fromForward), s, `penalty.${s.layerIndex}.spectral_norm_backward`);
    }
    seq.add(accumulate, { a: this.fromForward, out: D.grads }, { count: P }, 'penalty.grads');
  }
}
