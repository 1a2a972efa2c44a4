// The fused plan for small MLP GANs: each phase of the step description
// (step.ts) is ONE dispatch of fused_mlp_gan.wgsl, which runs a program of
// ops built here once. Layers and the loss give their own ops (their modules'
// `fused`); the draws of a phase read only the step counter and write their
// own tensors, so they join the phase's opening group, with the weight copies.
//
// Everything the program touches lives in one `work` buffer (WorkLayout).
import { createStorageBuffer } from '../../runtime/buffers.js';
import type { GpuContext } from '../../runtime/device.js';
import { packStructArray, structLayout, type UniformValues } from '../../runtime/kernel.js';
import { SequenceBuilder } from '../../runtime/recorder.js';
import { fusedMlpGanKernels } from '../../shaders/index.js';
import { alone, FUSED_OP, FUSED_OP_FIELDS, group, type FusedOp, type OpRecord } from '../layers/fused-ops.js';
import type { NetGpu } from '../layers/net-gpu.js';
import type { Sequential } from '../layers/sequential.js';
import type { NetName, ResolvedGanConfig } from './config.js';
import { WorkLayout } from './fused-mlp-eligibility.js';
import type { RecordedPhases, StepPlanInputs } from './plan.js';
import { describeStep, type OpHandlers } from './step.js';

/** The kernel's entry point for this adapter: one SIMD group on CPU adapters, 64 invocations on GPUs. */
export function fusedMlpEntry(ctx: GpuContext): 'fused_mlp_gan_update' | 'fused_mlp_gan_update_narrow' {
  return ctx.softwareAdapter ? 'fused_mlp_gan_update_narrow' : 'fused_mlp_gan_update';
}

/** Where one net's pass reads and writes in `work`. */
interface NetTensors {
  net: Sequential;
  weights: number;
  input: number;
  output: number;
  acts: number[]; //     outputs of all stages but the last
  actGrads: number[]; // gradients of those outputs
}

function forwardOps(t: NetTensors, rows: number): FusedOp[] {
  const stages = t.net.stages;
  return stages.flatMap((s, i) => {
    const x = i === 0 ? t.input : t.acts[i - 1];
    const y = i === stages.length - 1 ? t.output : t.acts[i];
    return s.module.fused!.forward(s, { x, y, dy: -1, dx: null, weights: t.weights, grads: null }, rows);
  });
}

/** Backward from dOutput: parameter gradients when `grads` is set, the input gradient when dInput is not null. */
function backwardOps(t: NetTensors, rows: number, dOutput: number, dInput: number | null, grads: number | null): FusedOp[] {
  const stages = t.net.stages;
  const ops: FusedOp[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const last = i === stages.length - 1;
    const tensors = {
      x: i === 0 ? t.input : t.acts[i - 1],
      y: last ? t.output : t.acts[i],
      dy: last ? dOutput : t.actGrads[i],
      dx: i === 0 ? dInput : t.actGrads[i - 1],
      weights: t.weights,
      grads,
    };
    ops.push(...stages[i].module.fused!.backward(stages[i], tensors, rows));
  }
  return ops;
}

/** The trained net's buffers, under the kernel's binding names. */
function trainedBindings(n: NetGpu) {
  const [expAvg, expAvgSq] = n.slots;
  return { trained_params: n.params, trained_grads: n.grads, trained_exp_avg: expAvg, trained_exp_avg_sq: expAvgSq };
}

/** Builds the program, the work buffer and one recorded dispatch per phase. */
export async function buildFusedMlpPhases({ ctx, c, G, D, state, stats, data }: StepPlanInputs): Promise<RecordedPhases> {
  const { device, kernels } = ctx;
  const kernel = await kernels.kernel(fusedMlpGanKernels, fusedMlpEntry(ctx));
  const B = c.batchSize;
  const { noise: Z, sample: X } = c.shapes;
  const w = new WorkLayout(c);
  const gTensors: NetTensors = { net: c.generator, weights: w.gWeights, input: w.z, output: w.dInput, acts: w.gActs, actGrads: w.gActGrads };
  const dLast = w.dActs.length - 1;
  const dTensors: NetTensors = {
    net: c.discriminator,
    weights: w.dWeights,
    input: w.dInput,
    output: w.dActs[dLast],
    acts: w.dActs.slice(0, dLast),
    actGrads: w.dActGrads.slice(0, dLast),
  };
  const loss = { logits: w.dActs[dLast], dlogits: w.dActGrads[dLast] };
  const weightsOf: Record<NetName, number> = { generator: w.gWeights, discriminator: w.dWeights };
  const paramsOf: Record<NetName, number> = { generator: c.generator.parameterCount, discriminator: c.discriminator.parameterCount };
  const lossModule = c.loss.module.fused!;
  const rowsOf = (r: 'fake' | 'fakeAndReal') => (r === 'fake' ? B : 2 * B);

  const phases = describeStep(c);
  const programs: FusedOp[][] = phases.map((phase) => {
    const other: NetName = phase.net === 'generator' ? 'discriminator' : 'generator';
    const opening: OpRecord[] = [
      { kind: FUSED_OP.copyTrained, n: paramsOf[phase.net], c: weightsOf[phase.net] },
      { kind: FUSED_OP.copyFrozen, n: paramsOf[other], c: weightsOf[other] },
    ];
    const handlers: OpHandlers<FusedOp[]> = {
      drawNoise({ stream }) {
        const n = c.noise;
        if (n.distribution === 'uniform') opening.push({ kind: FUSED_OP.uniform, n: B * Z, c: w.z, k: stream, f0: n.low, f1: n.high });
        else if (n.distribution === 'normal') opening.push({ kind: FUSED_OP.normal, n: B * Z, c: w.z, k: stream, f0: n.mean, f1: n.std });
        else throw new Error('fused plan: no host noise'); // excluded by fusedMlpIneligibility
        return [];
      },
      drawReal({ stream }) {
        const d = c.data;
        if (d.kind === 'normal') opening.push({ kind: FUSED_OP.normal, n: B * X, c: w.dInput + B * X, k: stream, f0: d.mean, f1: d.std });
        else if (d.kind === 'dataset') opening.push({ kind: FUSED_OP.gather, m: B, n: X, k: stream, b: d.rows, c: w.dInput + B * X });
        else throw new Error('fused plan: no host data'); // excluded by fusedMlpIneligibility
        return [];
      },
      forwardG: () => forwardOps(gTensors, B),
      forwardD: ({ rows }) => forwardOps(dTensors, rowsOf(rows)),
      loss: ({ part }) => (part === 'discriminator' ? lossModule.discriminator(loss, B, c.loss.options) : lossModule.generator(loss, B, c.loss.options)),
      backwardD: ({ rows, weights, input }) => backwardOps(dTensors, rowsOf(rows), loss.dlogits, input ? w.dInputGrad : null, weights ? w.dGrads : null),
      backwardG: () => backwardOps(gTensors, B, w.dInputGrad, null, w.gGrads),
      // The kernel's UPDATE op closes the update and then runs the optimizer: one op for both.
      close: () => [],
      update: () => alone({ kind: FUSED_OP.update }),
      // Excluded by fusedMlpIneligibility.
      penalty: () => {
        throw new Error('fused plan: no gradient penalty');
      },
      powerIteration: () => {
        throw new Error('fused plan: no spectral norm');
      },
      constrain: () => {
        throw new Error('fused plan: no weight constraints');
      },
      average: () => {
        throw new Error('fused plan: no weight averages');
      },
    };
    const body = phase.ops.flatMap((op, i) => {
      if (op.op === 'close' && phase.ops[i + 1]?.op !== 'update') throw new Error(`fused plan: ${phase.label}: 'close' must be followed by 'update'`);
      return (handlers[op.op] as (o: typeof op) => FusedOp[])(op);
    });
    return [...group(opening), ...body];
  });

  const records = programs.flat().map((op) => Object.fromEntries(FUSED_OP_FIELDS.map((f) => [f, op[f] ?? 0])) as UniformValues);
  const packed = packStructArray(structLayout(fusedMlpGanKernels, 'Op'), records, 'fused_mlp_gan program');
  const program = createStorageBuffer(device, 'fused_mlp_gan.program', packed.byteLength / 4, new Uint8Array(packed));
  const work = createStorageBuffer(device, 'fused_mlp_gan.work', w.size);
  const noData = data ? null : createStorageBuffer(device, 'fused_mlp_gan.no_data', 4);
  const shared = { program, work, state, stats, data: data ?? (noData as GPUBuffer) };
  const nets = { generator: G, discriminator: D };
  const gradsOf: Record<NetName, number> = { generator: w.gGrads, discriminator: w.dGrads };

  let first = 0;
  const recorded = phases.map((phase, i) => {
    const seq = new SequenceBuilder(device, phase.label);
    const trained = nets[phase.net];
    const frozen = nets[phase.net === 'generator' ? 'discriminator' : 'generator'];
    const optimizer = c.optimizers[phase.net];
    const uniforms = {
      op_first: first,
      op_count: programs[i].length,
      seed: c.seed,
      loss_at: w.loss,
      phase: phase.index,
      advances_step: phase.advancesStep ? 1 : 0,
      count: paramsOf[phase.net],
      grads_at: gradsOf[phase.net],
      ...optimizer.module.fused!.uniforms(optimizer.hyper),
    };
    seq.add(kernel, { ...shared, ...trainedBindings(trained), frozen_params: frozen.params }, uniforms, 'fused');
    first += programs[i].length;
    return seq.build();
  });
  return { phases: recorded, owned: [program, work, ...(noData ? [noData] : [])] };
}

export type { ResolvedGanConfig };
