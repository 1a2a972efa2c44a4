// Throughput of the conv2d.wgsl and conv_transpose2d.wgsl entry points on the
// Node WebGPU adapter (SwiftShader on CI machines), at the layers of a DCGAN
// for 28×28 MNIST, in GFLOP/s (2 FLOP per multiply-add of the layer's full
// product B·C_out·H_out·W_out·C_in·kH·kW for conv, B·C_in·H_in·W_in·C_out·kH·kW
// for convT, the same count for forward, backward_input and backward_weight;
// backward_bias counts 1 FLOP per element of dz).
//
//   node scripts/build.mjs && VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/conv-kernels.mjs [options]
//
//   --batch=B       batch size (default 64)
//   --runs=N        timed runs per entry and layer (median printed, default 5)
//   --target-ms=T   each run encodes enough dispatches to take about T ms (default 300)
//   --baseline[=REV]  time both .wgsl files as of git revision REV (default HEAD;
//                   4bb1e2c is the pre-tiling direct gather) instead of the built
//                   library's, dispatched as that version was: one invocation per
//                   output element, 64 per workgroup (bias: one workgroup per channel).
//                   The direct kernels take ~16 CPU-s per dispatch at batch 64 on
//                   the large layers: use --batch=4 (their GFLOP/s barely depends on B)
//   --layers=a,b    layers to time (default: all, named below)
//   --entries=a,b   entry points, without the family prefix (default: forward,
//                   backward_input, backward_weight, backward_bias; also
//                   backward_input_narrow, forward_narrow: skipped where the
//                   family has no such entry)
//   --act=NAME      every layer's activation instead of its own (none, leakyRelu, tanh, ...)
//   --lib=PATH      the bundle to import (default dist/node.js)
//   --json=PATH     also write the rows as JSON
//
// Each layer uses DCGAN's activation and bias (the ACT and HAS_BIAS overrides);
// backward_input of the first layer is timed too, though training never needs it.
// 'GFLOP/s' is from the median wall time of one dispatch (warm: each run
// encodes `dispatches` copies in one pass and waits on onSubmittedWorkDone);
// 'GFLOP/cpu-s' divides by the process CPU time instead (SwiftShader runs
// workgroups on a thread pool; on a shared machine CPU time is the steadier of
// the two, though it also counts the pool's spinning). 'compile ms' is the
// pipeline creation time.
import { execFileSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const root = resolve(import.meta.dirname, '..');
const libPath = resolve(root, args.lib ?? 'dist/node.js');
// The engine's internals (kernels, SequenceBuilder, …) are the advanced entry, built next to node.js.
const advancedPath = resolve(dirname(libPath), 'advanced.js');
const lib = {
  ...(await import(pathToFileURL(libPath).href)),
  ...(existsSync(advancedPath) ? await import(pathToFileURL(advancedPath).href) : {}),
};
const { createNodeGpuContext, SequenceBuilder, createStorageBuffer, kernels } = lib;

const BATCH = Number(args.batch ?? 64);
const RUNS = Number(args.runs ?? 5);
const TARGET_MS = Number(args['target-ms'] ?? 300);
const ENTRIES = (args.entries ?? 'forward,backward_input,backward_weight,backward_bias').split(',');

// ACT codes as in src/shaders/activation-codes.ts.
const ACT = { none: 0, relu: 1, leakyRelu: 2, elu: 3, tanh: 4, sigmoid: 5 };
const LAYERS = [
  // D: nn.Conv2d(1, 64, 4, 2, 1, bias=False) + LeakyReLU(0.2), 28×28 → 14×14
  { name: 'conv1', kind: 'conv2d', cin: 1, cout: 64, hin: 28, hout: 14, act: 'leakyRelu', bias: false },
  // D: nn.Conv2d(64, 128, 4, 2, 1, bias=False), then BatchNorm2d: 14×14 → 7×7
  { name: 'conv2', kind: 'conv2d', cin: 64, cout: 128, hin: 14, hout: 7, act: 'none', bias: false },
  // G: nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), then BatchNorm2d: 7×7 → 14×14
  { name: 'convT1', kind: 'conv_transpose2d', cin: 128, cout: 64, hin: 7, hout: 14, act: 'none', bias: false },
  // G: nn.ConvTranspose2d(64, 1, 4, 2, 1) + Tanh: 14×14 → 28×28
  { name: 'convT2', kind: 'conv_transpose2d', cin: 64, cout: 1, hin: 14, hout: 28, act: 'tanh', bias: true },
  // cdcganSmall's D: nn.Conv2d(11, 8, 4, 2, 1) + LeakyReLU(0.2), 28×28 → 14×14, on [fake; real] (2 × its batch 32);
  // dx for all 11 input channels (cc1), and for the image channel only (cc1dx1, dx_channels = 1: what G's update needs)
  { name: 'cc1', kind: 'conv2d', cin: 11, cout: 8, hin: 28, hout: 14, act: 'leakyRelu', bias: true, batch: 64 },
  { name: 'cc1dx1', kind: 'conv2d', cin: 11, cout: 8, hin: 28, hout: 14, act: 'leakyRelu', bias: true, batch: 64, dx: 1 },
  // cdcganSmall's G: nn.ConvTranspose2d(8, 1, 4, 2, 1) + Tanh, 14×14 → 28×28, batch 32
  { name: 'ccT2', kind: 'conv_transpose2d', cin: 8, cout: 1, hin: 14, hout: 28, act: 'tanh', bias: true, batch: 32 },
].filter((l) => !args.layers || args.layers.split(',').includes(l.name));

let families = { conv2d: kernels.conv2dKernels, conv_transpose2d: kernels.convTranspose2dKernels };
let variantName = 'library (dist)';
if (args.baseline) {
  const rev = args.baseline === true ? 'HEAD' : args.baseline;
  const sourceOf = (file) => execFileSync('git', ['show', `${rev}:src/shaders/${file}`], { cwd: root, encoding: 'utf8' });
  const flat = (count) => {
    const groups = Math.ceil(count / 64);
    return groups <= 65535 ? [groups, 1, 1] : [65535, Math.ceil(groups / 65535), 1];
  };
  const directDispatch = (prefix, wCount) => ({
    [`${prefix}_forward`]: (u) => flat(u.batch * u.out_channels * u.out_height * u.out_width),
    [`${prefix}_backward_input`]: (u) => flat(u.batch * u.in_channels * u.in_height * u.in_width),
    [`${prefix}_backward_weight`]: (u) => flat(wCount(u)),
    [`${prefix}_backward_bias`]: (u) => [u.out_channels, 1, 1],
  });
  const weights = (u) => u.out_channels * u.in_channels * u.kernel_height * u.kernel_width;
  families = {
    conv2d: { name: 'conv2d_baseline', source: sourceOf('conv2d.wgsl'), dispatch: directDispatch('conv2d', weights) },
    conv_transpose2d: {
      name: 'conv_transpose2d_baseline',
      source: sourceOf('conv_transpose2d.wgsl'),
      dispatch: directDispatch('conv_transpose2d', weights),
    },
  };
  variantName = `git ${rev} (direct gather)`;
}

const ctx = await createNodeGpuContext();
const { device } = ctx;
console.log(`adapter: ${ctx.adapterName}; kernels: ${variantName}; batch ${BATCH}; median of ${RUNS} runs`);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function randomBuffer(name, n) {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
  return createStorageBuffer(device, name, n, data);
}

async function timeSequence(recorded, count) {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let i = 0; i < count; i++) recorded.encode(pass);
  pass.end();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  const cpu = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
}

const rows = [];
for (const layer of LAYERS) {
  const B = layer.batch ?? BATCH;
  const dxChannels = layer.dx ?? layer.cin;
  const k = 4;
  const { cin, cout, hin, hout } = layer;
  const xCount = B * cin * hin * hin;
  const yCount = B * cout * hout * hout;
  const wCount = cin * cout * k * k;
  const buffers = {
    x: randomBuffer('x', xCount),
    w: randomBuffer('w', wCount),
    bias: randomBuffer('bias', cout),
    y: randomBuffer('y', yCount),
    y_saved: randomBuffer('y_saved', yCount),
    dy: randomBuffer('dy', yCount),
    dx: randomBuffer('dx', xCount),
    dw: randomBuffer('dw', wCount),
    dbias: randomBuffer('dbias', cout),
  };
  const uniforms = {
    batch: B,
    in_channels: cin,
    out_channels: cout,
    in_height: hin,
    in_width: hin,
    out_height: hout,
    out_width: hout,
    kernel_height: k,
    kernel_width: k,
    stride: 2,
    padding: 1,
    ...(layer.kind === 'conv2d' ? { dx_channels: dxChannels } : {}),
    slope: 0.2,
  };
  const macs = layer.kind === 'conv2d' ? B * cout * hout * hout * cin * k * k : B * cin * hin * hin * cout * k * k;
  const overrides = { ACT: ACT[args.act ?? layer.act], HAS_BIAS: layer.bias ? 1 : 0 };
  for (const e of ENTRIES) {
    const entry = `${layer.kind}_${e}`;
    if (!(entry in families[layer.kind].dispatch)) continue; // e.g. forward_narrow of conv2d
    const c0 = performance.now();
    const kernel = await ctx.kernels.kernel(families[layer.kind], entry, overrides);
    const compileMs = performance.now() - c0;
    const bound = Object.fromEntries(kernel.info.bindings.filter((b) => b.kind !== 'uniform').map((b) => [b.name, buffers[b.name]]));
    const seq = new SequenceBuilder(device, entry);
    seq.add(kernel, bound, uniforms, entry);
    const recorded = seq.build();
    await timeSequence(recorded, 1); // warm-up (first dispatch pays for lazy JIT work)
    const once = (await timeSequence(recorded, 1)).wall;
    const count = Math.max(1, Math.min(500, Math.round(TARGET_MS / Math.max(once, 0.01))));
    const wall = [];
    const cpu = [];
    for (let r = 0; r < RUNS; r++) {
      const t = await timeSequence(recorded, count);
      wall.push(t.wall / count);
      cpu.push(t.cpu / count);
    }
    // backward_input with dx_channels < C_in computes that share of the product.
    const flops = e === 'backward_bias' ? yCount : e.startsWith('backward_input') ? (2 * macs * dxChannels) / cin : 2 * macs;
    const ms = median(wall);
    const cpuMs = median(cpu);
    rows.push({
      layer: `${layer.name} ${cin}→${cout} ${hin}→${hout} b${B}`,
      entry: e,
      MFLOP: (flops / 1e6).toFixed(1),
      ms: ms.toFixed(2),
      'GFLOP/s': (flops / (ms * 1e6)).toFixed(3),
      'cpu ms': cpuMs.toFixed(2),
      'GFLOP/cpu-s': (flops / (cpuMs * 1e6)).toFixed(3),
      dispatches: count,
      'compile ms': Math.round(compileMs),
    });
    console.log(JSON.stringify(rows.at(-1)));
    recorded.destroy();
  }
  for (const b of Object.values(buffers)) b.destroy();
}
console.table(rows);
if (args.json) writeFileSync(args.json, JSON.stringify({ kernels: variantName, batch: BATCH, rows }, null, 1));
process.exit(0);
