// What each op of fused_mlp_gan.wgsl costs, at the 1-D Gaussian's shapes
// (batch 100, so D's rows are 200; widths 50): one dispatch runs the same op
// --repeat times (each with its barrier), and the time per op is the fastest
// of --runs dispatches, this machine's noise being one-sided. Both entry
// points by default: 'narrow' (4 invocations, the CPU-adapter entry) and
// 'wide' (64), which is where the header's barrier figures come from.
//
//   npm run bench:fused-ops -- [--entries narrow,wide] [--ops gemm_forward,act_backward_elu] [--runs 9] [--repeat 20]
//
// Node's WebGPU adapter (SwiftShader on CI machines: set VK_ICD_FILENAMES if
// it is not found, see src/node/device.ts).
import { parseArgs } from 'node:util';
import { createNodeGpuContext } from '../dist/node.js';
import { kernels, packStructArray, structLayout } from '../dist/advanced.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: 'narrow,wide' },
    ops: { type: 'string', default: '' },
    runs: { type: 'string', default: '9' },
    repeat: { type: 'string', default: '20' },
  },
});
const NONE = 0xffffffff;
const X = 0; // work offsets: inputs at 0, weights at 20000, outputs at 40000
const W = 20000;
const Y = 40000;
// Op records as fused-mlp-plan.ts builds them (kinds: see the kernel's OP_* constants).
const OPS = {
  empty: { kind: 99 }, // no op: the barrier and the interpreter's own cost
  copy_params: { kind: 1, n: 2880, c: Y },
  uniform_noise: { kind: 2, n: 100, c: Y, k: 1, f0: 0, f1: 1 },
  gemm_forward: { kind: 5, m: 200, n: 50, k: 50, a: X, a_m: 50, a_k: 1, b: W, b_n: 50, b_k: 1, c: Y, c_m: 50, bias: NONE },
  gemm_forward_k1: { kind: 5, m: 100, n: 50, k: 1, a: X, a_m: 1, a_k: 1, b: W, b_n: 1, b_k: 1, c: Y, c_m: 50, bias: NONE },
  gemm_dw: { kind: 5, m: 50, n: 50, k: 200, a: X, a_m: 1, a_k: 50, b: W, b_n: 1, b_k: 50, c: Y, c_m: 50, bias: NONE },
  gemv_last_layer: { kind: 11, m: 200, n: 1, k: 50, a: X, a_m: 50, a_k: 1, b: W, b_n: 50, b_k: 1, c: Y, c_m: 1, bias: NONE },
  act_forward_elu: { kind: 6, n: 10000, a: Y, c: Y, act: 3, f0: 1 },
  act_backward_elu: { kind: 7, n: 10000, a: X, b: W, c: W, act: 3, f0: 1 },
  bias_grad: { kind: 8, m: 200, n: 50, a: X, c: Y },
  bce: { kind: 9, m: 200, n: 100, a: X, c: Y, f0: 0, f1: 1, f2: 0.01 },
  adam: { kind: 10 },
};
const names = values.ops ? values.ops.split(',') : Object.keys(OPS);
const runs = Number(values.runs);
const repeat = Number(values.repeat);

const ctx = await createNodeGpuContext();
const { device } = ctx;
const family = kernels.fusedMlpGanKernels;
const layout = structLayout(family, 'Op');
const storage = (floats) => device.createBuffer({ size: floats * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const params = { work: storage(1 << 18), state: storage(8), stats: storage(8), data: storage(4), frozen_params: storage(4096) };
const trained = { trained_params: storage(4096), trained_grads: storage(4096), trained_exp_avg: storage(4096), trained_exp_avg_sq: storage(4096) };

console.log(`fused_mlp_gan ops on ${ctx.adapterName}: µs per op (with its barrier), fastest of ${runs} dispatches of ${repeat}\n`);
console.log(`| op | ${values.entries.split(',').join(' | ')} |`);
console.log(`| --- |${values.entries.split(',').map(() => ' --- |').join('')}`);
const pipelines = {};
for (const entry of values.entries.split(',')) {
  pipelines[entry] = await ctx.kernels.kernel(family, entry === 'narrow' ? 'fused_mlp_gan_update_narrow' : 'fused_mlp_gan_update');
}
for (const name of names) {
  const cells = [];
  for (const kernel of Object.values(pipelines)) {
    const blank = Object.fromEntries(layout.members.map((m) => [m.name, 0]));
    const record = { ...blank, barrier: 1, ...OPS[name] };
    const packed = packStructArray(layout, Array.from({ length: repeat }, () => record), name);
    const program = storage(packed.byteLength / 4);
    device.queue.writeBuffer(program, 0, packed);
    const phase = { op_first: 0, op_count: repeat, phase: 0, seed: 1, count: 2880, grads_at: 0, loss_at: 100000, advances_step: 0, lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8, weight_decay: 0, decoupled: 0, schedule_kind: 0, schedule_steps: 1, schedule_final: 1 };
    const uniformLayout = kernel.info.uniform;
    const uniforms = device.createBuffer({ size: uniformLayout.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(uniforms, 0, packStructArray(uniformLayout, [phase], 'phase'));
    const bindGroup = kernel.bindGroup({ phase: uniforms, program, ...params, ...trained });
    const dispatch = async () => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await dispatch();
    let best = Infinity;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      await dispatch();
      best = Math.min(best, performance.now() - t);
    }
    cells.push(((best * 1000) / repeat).toFixed(1));
    program.destroy();
    uniforms.destroy();
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
process.exit(0);
