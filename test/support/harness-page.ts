// The page every browser test drives: one WebGPU device for the whole test
// worker, creation counters on it, and a generic kernel runner that binds
// arrays by their WGSL names (layouts and uniforms come from reflection).
import * as lib from '../../src/index.js';
import * as advanced from '../../src/advanced.js';
import { createGpuContext, type GpuContext } from '../../src/runtime/device.js';
import { createStorageBuffer, readFloats } from '../../src/runtime/buffers.js';
import { SequenceBuilder } from '../../src/runtime/recorder.js';
import type { KernelFamily } from '../../src/runtime/kernel.js';
import * as shaders from '../../src/shaders/index.js';
import type { Harness, KernelRun, CreationCounts } from './harness-types.js';

const FAMILIES: Record<string, KernelFamily> = Object.fromEntries(
  Object.values(shaders)
    .filter((v): v is KernelFamily => typeof v === 'object' && v !== null && 'source' in v && 'dispatch' in v)
    .map((f) => [f.name, f]),
);

const COUNTED = [
  'createBuffer',
  'createBindGroup',
  'createBindGroupLayout',
  'createPipelineLayout',
  'createComputePipeline',
  'createComputePipelineAsync',
  'createShaderModule',
] as const;

/** Wraps the device's create* methods so tests can count what a training step creates. */
function countCreations(device: GPUDevice): CreationCounts {
  const counts = Object.fromEntries(COUNTED.map((k) => [k, 0])) as CreationCounts;
  for (const name of COUNTED) {
    const original = (device[name] as (...a: unknown[]) => unknown).bind(device);
    (device as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      counts[name]++;
      return original(...args);
    };
  }
  return counts;
}

async function runKernel(ctx: GpuContext, run: KernelRun): Promise<Record<string, number[]>> {
  const family = FAMILIES[run.family];
  if (!family) throw new Error(`no kernel family '${run.family}'`);
  const kernel = await ctx.kernels.kernel(family, run.entry, run.overrides ?? {}, run.feature);
  const { device } = ctx;
  const buffers: Record<string, GPUBuffer> = {};
  for (const b of kernel.info.bindings) {
    if (b.kind === 'uniform') continue;
    const input = run.inputs[b.name] ?? run.uintInputs?.[b.name];
    const outputLength = run.outputs[b.name];
    if (!input && outputLength === undefined) throw new Error(`${run.entry}: binding '${b.name}' has no data`);
    let data: ArrayBufferView;
    if (run.uintInputs?.[b.name]) data = new Uint32Array(run.uintInputs[b.name]);
    else if (input) data = new Float32Array(input);
    else data = new Float32Array(outputLength).fill(NaN); // unwritten outputs stay NaN and fail the comparison
    const length = Math.max(data.byteLength / 4, outputLength ?? 0);
    buffers[b.name] = createStorageBuffer(device, b.name, length, data);
  }
  const seq = new SequenceBuilder(device, run.entry);
  seq.add(kernel, buffers, kernel.info.uniform ? (run.uniforms ?? {}) : null, run.entry);
  const recorded = seq.build();
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  recorded.encode(pass);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const out: Record<string, number[]> = {};
  for (const [name, length] of Object.entries(run.outputs)) {
    out[name] = Array.from(await readFloats(device, buffers[name], length));
  }
  for (const b of Object.values(buffers)) b.destroy();
  recorded.destroy();
  return out;
}

async function main(): Promise<void> {
  const ctx = await createGpuContext();
  const counts = countCreations(ctx.device);
  const harness: Harness = {
    lib,
    advanced,
    ctx,
    counts,
    adapterName: ctx.adapterName,
    runKernel: (run) => runKernel(ctx, run),
  };
  window.harness = harness;
}

main().then(
  () => (window.harnessReady = 'ok'),
  (e: unknown) => (window.harnessReady = String(e instanceof Error ? `${e.name}: ${e.message}` : e)),
);
