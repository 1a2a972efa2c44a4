// The fused plan for small MLP GANs: each optimizer phase (a D update or the
// G update) is ONE dispatch of fused_mlp_gan.wgsl, which runs a program of
// ops built here once. Same draws, same losses, same Adam as the layered plan
// in layered-plan.ts; see the kernel's header for the ops and why this exists.
//
// Everything the program touches lives in one `work` buffer (WorkLayout,
// fused-mlp-eligibility.ts).
import { createStorageBuffer } from '../runtime/buffers.js';
import type { GpuContext } from '../runtime/device.js';
import { packStructArray, structLayout, type UniformValues } from '../runtime/kernel.js';
import { SequenceBuilder, type RecordedSequence } from '../runtime/recorder.js';
import { STATE } from '../runtime/stats.js';
import { ACTIVATION_CODE, fusedMlpGanKernels } from '../shaders/index.js';
import { noiseStreamD, noiseStreamG, realStreamD, type ResolvedAdam, type ResolvedGanConfig } from './config.js';
import type { NetGpu } from './net-gpu.js';
import type { RecordedPhases, StepPlanInputs } from './step-plan.js';
import { WorkLayout } from './fused-mlp-eligibility.js';
import type { Sequential } from './sequential.js';

const OP = {
  copyTrained: 0,
  copyFrozen: 1,
  uniform: 2,
  normal: 3,
  gather: 4,
  gemm: 5,
  actForward: 6,
  actBackward: 7,
  biasGrad: 8,
  bce: 9,
  adam: 10,
  gemv: 11,
} as const;
/** No bias (the kernel's NONE). */
const NONE = 0xffffffff;

/** One record of the kernel's `program` (struct Op); fields a kind does not use stay 0. */
type Op = Partial<Record<'m' | 'n' | 'k' | 'a' | 'a_m' | 'a_k' | 'b' | 'b_n' | 'b_k' | 'c' | 'c_m' | 'bias' | 'act' | 'f0' | 'f1' | 'f2', number>> & {
  kind: number;
};
const OP_FIELDS = ['kind', 'barrier', 'm', 'n', 'k', 'a', 'a_m', 'a_k', 'b', 'b_n', 'b_k', 'c', 'c_m', 'bias', 'act', 'f0', 'f1', 'f2'] as const;

/** C (m, n) = A·Btᵀ as in the kernel's GEMM; with one output row or column, its GEMV. */
interface Product {
  m: number;
  n: number;
  k: number;
  a: number;
  a_m: number;
  a_k: number;
  b: number;
  b_n: number;
  b_k: number;
  c: number;
  c_m: number;
  /** Forward: the bias offset. */
  bias?: number;
}
function product(p: Product): Op {
  return { kind: p.m === 1 || p.n === 1 ? OP.gemv : OP.gemm, ...p, bias: p.bias ?? NONE };
}

/** The kernel's entry point for this adapter: one SIMD group on CPU adapters, 64 invocations on GPUs. */
export function fusedMlpEntry(ctx: GpuContext): 'fused_mlp_gan_update' | 'fused_mlp_gan_update_narrow' {
  return ctx.softwareAdapter ? 'fused_mlp_gan_update_narrow' : 'fused_mlp_gan_update';
}

/** Where one net's pass reads and writes in `work`. */
interface NetTensors {
  net: Sequential;
  weights: number;
  grads: number | null; // null: this phase does not train the net
  input: number;
  output: number;
  acts: number[]; //     outputs of all stages but the last
  actGrads: number[]; // gradients of those outputs
}

/** Marks all ops but the last of an independent group as needing no barrier after them. */
function group(ops: Op[]): (Op & { barrier: number })[] {
  return ops.map((op, i) => ({ ...op, barrier: i === ops.length - 1 ? 1 : 0 }));
}
const alone = (op: Op) => group([op]);

function forwardOps(t: NetTensors, rows: number): (Op & { barrier: number })[] {
  const stages = t.net.stages;
  return stages.flatMap((s, i) => {
    const x = i === 0 ? t.input : t.acts[i - 1];
    const y = i === stages.length - 1 ? t.output : t.acts[i];
    const act = ACTIVATION_CODE[s.activation];
    if (s.kind === 'linear') {
      const K = s.inFeatures;
      const N = s.outFeatures;
      const bias = s.bias ? t.weights + s.bias.offset : NONE;
      const ops = alone(product({ m: rows, n: N, k: K, a: x, a_m: K, a_k: 1, b: t.weights + s.weight.offset, b_n: K, b_k: 1, c: y, c_m: N, bias }));
      // The activation runs on y in place, as an op of its own (the kernel's finish4 says why).
      if (s.activation !== 'none') ops.push(...alone({ kind: OP.actForward, n: rows * N, a: y, c: y, act, f0: s.slope }));
      return ops;
    }
    if (s.kind === 'activation') return alone({ kind: OP.actForward, n: rows * s.features, a: x, c: y, act, f0: s.slope });
    throw new Error(`fused plan: stage kind ${s.kind}`); // excluded by fusedMlpIneligibility
  });
}

/**
 * Backward from dOutput: dz = dy ⊙ act'(y) in place (ACT_BACKWARD; not in the
 * products' epilogue, where on SwiftShader it would cost every product the
 * masked loads), then parameter gradients when t.grads is set and the input
 * gradient when dInput is not null.
 */
function backwardOps(t: NetTensors, rows: number, dOutput: number, dInput: number | null): (Op & { barrier: number })[] {
  const stages = t.net.stages;
  const ops: (Op & { barrier: number })[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i];
    const last = i === stages.length - 1;
    const x = i === 0 ? t.input : t.acts[i - 1];
    const y = last ? t.output : t.acts[i];
    const dy = last ? dOutput : t.actGrads[i];
    const dx = i === 0 ? dInput : t.actGrads[i - 1];
    const act = ACTIVATION_CODE[s.activation];
    if (s.kind === 'activation') {
      if (dx !== null) ops.push(...alone({ kind: OP.actBackward, n: rows * s.features, a: y, b: dy, c: dx, act, f0: s.slope }));
      continue;
    }
    if (s.kind !== 'linear') throw new Error(`fused plan: stage kind ${s.kind}`);
    const K = s.inFeatures;
    const N = s.outFeatures;
    if (s.activation !== 'none') ops.push(...alone({ kind: OP.actBackward, n: rows * N, a: y, b: dy, c: dy, act, f0: s.slope }));
    const products: Op[] = [];
    if (t.grads !== null) {
      products.push(product({ m: N, n: K, k: rows, a: dy, a_m: 1, a_k: N, b: x, b_n: 1, b_k: K, c: t.grads + s.weight.offset, c_m: K }));
      if (s.bias) products.push({ kind: OP.biasGrad, m: rows, n: N, a: dy, c: t.grads + s.bias.offset });
    }
    if (dx !== null) products.push(product({ m: rows, n: K, k: N, a: dy, a_m: N, a_k: 1, b: t.weights + s.weight.offset, b_n: 1, b_k: K, c: dx, c_m: K }));
    if (products.length) ops.push(...group(products));
  }
  return ops;
}

/** The trained net's buffers, under the kernel's binding names. */
function trainedBindings(n: NetGpu) {
  return { trained_params: n.params, trained_grads: n.grads, trained_exp_avg: n.expAvg, trained_exp_avg_sq: n.expAvgSq };
}

function adamUniforms(a: ResolvedAdam) {
  return { lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps, weight_decay: a.weightDecay };
}

/** Builds the program, the work buffer and one recorded dispatch per phase. */
export async function buildFusedMlpPhases({ ctx, c, G, D, state, stats, data }: StepPlanInputs): Promise<RecordedPhases> {
  const { device, kernels } = ctx;
  const kernel = await kernels.kernel(fusedMlpGanKernels, fusedMlpEntry(ctx));
  const B = c.batchSize;
  const { noise: Z, sample: X } = c.shapes;
  const w = new WorkLayout(c);
  const gTensors = (grads: number | null): NetTensors => ({
    net: c.generator, weights: w.gWeights, grads, input: w.z, output: w.dInput, acts: w.gActs, actGrads: w.gActGrads,
  });
  const dAll = w.dActs.length - 1;
  const dTensors = (grads: number | null): NetTensors => ({
    net: c.discriminator, weights: w.dWeights, grads, input: w.dInput, output: w.dActs[dAll], acts: w.dActs.slice(0, dAll), actGrads: w.dActGrads.slice(0, dAll),
  });
  const noise = (stream: number): Op =>
    c.noise.distribution === 'uniform'
      ? { kind: OP.uniform, n: B * Z, c: w.z, k: stream, f0: c.noise.low, f1: c.noise.high }
      : { kind: OP.normal, n: B * Z, c: w.z, k: stream, f0: c.noise.mean, f1: c.noise.std };
  const real = (stream: number): Op =>
    c.data.kind === 'normal'
      ? { kind: OP.normal, n: B * X, c: w.dInput + B * X, k: stream, f0: c.data.mean, f1: c.data.std }
      : { kind: OP.gather, m: B, n: X, k: stream, b: c.data.rows, c: w.dInput + B * X };
  const logits = w.dActs[dAll];
  const dlogits = w.dActGrads[dAll];

  const programs: (Op & { barrier: number })[][] = [];
  for (let j = 0; j < c.dSteps; j++) {
    programs.push([
      ...group([
        { kind: OP.copyTrained, n: c.discriminator.parameterCount, c: w.dWeights },
        { kind: OP.copyFrozen, n: c.generator.parameterCount, c: w.gWeights },
        noise(noiseStreamD(j)),
        real(realStreamD(j)),
      ]),
      ...forwardOps(gTensors(null), B),
      ...forwardOps(dTensors(null), 2 * B),
      ...alone({ kind: OP.bce, m: 2 * B, n: B, a: logits, c: dlogits, f0: 0, f1: c.realLabel, f2: 1 / B }),
      ...backwardOps(dTensors(w.dGrads), 2 * B, dlogits, null),
      ...alone({ kind: OP.adam }),
    ]);
  }
  programs.push([
    ...group([
      { kind: OP.copyTrained, n: c.generator.parameterCount, c: w.gWeights },
      { kind: OP.copyFrozen, n: c.discriminator.parameterCount, c: w.dWeights },
      noise(noiseStreamG(c.dSteps)),
    ]),
    ...forwardOps(gTensors(null), B),
    ...forwardOps(dTensors(null), B),
    ...alone({ kind: OP.bce, m: B, n: B, a: logits, c: dlogits, f0: 1, f1: 1, f2: 1 / B }),
    ...backwardOps(dTensors(null), B, dlogits, w.dInputGrad),
    ...backwardOps(gTensors(w.gGrads), B, w.dInputGrad, null),
    ...alone({ kind: OP.adam }),
  ]);

  const records = programs.flat().map((op) => Object.fromEntries(OP_FIELDS.map((f) => [f, op[f] ?? 0])) as UniformValues);
  const packed = packStructArray(structLayout(fusedMlpGanKernels, 'Op'), records, 'fused_mlp_gan program');
  const program = createStorageBuffer(device, 'fused_mlp_gan.program', packed.byteLength / 4, new Uint8Array(packed));
  const work = createStorageBuffer(device, 'fused_mlp_gan.work', w.size);
  const noData = data ? null : createStorageBuffer(device, 'fused_mlp_gan.no_data', 4);
  const shared = { program, work, state, stats, data: data ?? (noData as GPUBuffer) };

  let first = 0;
  const phase = (index: number, label: string, trained: NetGpu, frozen: NetGpu, uniforms: UniformValues): RecordedSequence => {
    const seq = new SequenceBuilder(device, label);
    const count = programs[index].length;
    seq.add(kernel, { ...shared, ...trainedBindings(trained), frozen_params: frozen.params }, { op_first: first, op_count: count, seed: c.seed, loss_at: w.loss, ...uniforms }, 'fused');
    first += count;
    return seq.build();
  };
  const dUniforms = { phase: 0, count: c.discriminator.parameterCount, grads_at: w.dGrads, step_slot: STATE.adamStepD, ...adamUniforms(c.adamD) };
  const dPhases = Array.from({ length: c.dSteps }, (_, j) => phase(j, `d_update${j}`, D, G, dUniforms));
  const gUniforms = { phase: 1, count: c.generator.parameterCount, grads_at: w.gGrads, step_slot: STATE.adamStepG, ...adamUniforms(c.adamG) };
  const gPhase = phase(c.dSteps, 'g_update', G, D, gUniforms);
  return { dPhases, gPhase, owned: [program, work, ...(noData ? [noData] : [])] };
}
