// Throughput of the four linear.wgsl entry points on the Node WebGPU adapter
// (SwiftShader on CI machines), in GFLOP/s (2 FLOP per multiply-add; the bias
// reduction counts 1 FLOP per element of dz).
//
//   node scripts/build.mjs && node bench/linear-kernels.mjs [options]
//
//   --runs=N        timed runs per entry and shape (median printed, default 5)
//   --target-ms=T   each run encodes enough dispatches to take about T ms (default 300)
//   --baseline[=REV]  time src/shaders/linear.wgsl as of git revision REV (default
//                   HEAD; 9ac42ba is the pre-rewrite kernel) instead of the built
//                   library's, dispatched from its TILE_ROWS / TILE_COLS on 4×4 workgroups
//   --variant=F     time the family exported as `default` by module F
//                   ({ source, dispatch } as in src/shaders/index.ts)
//   --shapes=B,K,N;…  shapes to time (default 16,1024,1024;128,1024,1024;128,784,256;100,50,50)
//   --entries=a,b   entry points (default: all four)
//   --variants[=a,b]  time every tuning variant of each product entry (linearKernels.tuning:
//                   the entry point and overrides the tuner would compile), or only those named;
//                   rows are labelled entry/variant (library kernels only)
//   --act=N         the forward's activation code (default 1, ReLU): the `act` uniform, or the
//                   ACT override of a baseline kernel from before it became a uniform
//   --lib=PATH      the bundle to import (default dist/node.js)
//   --json=PATH     also write the rows as JSON
//
// 'GFLOP/s' is from the median wall time of one dispatch (warm: each run
// encodes `dispatches` copies in one pass and waits on onSubmittedWorkDone),
// 'best GFLOP/s' from the fastest run;
// 'GFLOP/cpu-s' divides by the process CPU time instead (SwiftShader runs
// workgroups on a thread pool; on a shared machine CPU time is the steadier of
// the two, though it also counts the pool's spinning). 'compile ms' is the
// pipeline creation time, shown for the first shape only (then cached).
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

const RUNS = Number(args.runs ?? 5);
const TARGET_MS = Number(args['target-ms'] ?? 300);
const ACT = Number(args.act ?? 1);
const ENTRIES = (args.entries ?? 'linear_forward,linear_backward_input,linear_backward_weight,linear_backward_bias').split(',');
const SHAPES = (args.shapes ?? '16,1024,1024;128,1024,1024;128,784,256;100,50,50')
  .split(';')
  .map((s) => s.split(',').map(Number))
  .map(([B, K, N]) => ({ B, K, N }));

let family = kernels.linearKernels;
let variantName = 'library (dist)';
if (args.baseline) {
  const rev = args.baseline === true ? 'HEAD' : args.baseline;
  const source = execFileSync('git', ['show', `${rev}:src/shaders/linear.wgsl`], { cwd: root, encoding: 'utf8' });
  const tile = (name) => Number(source.match(new RegExp(`const ${name}: u32 = (\\d+)u;`))[1]);
  const [tileRows, tileCols] = [tile('TILE_ROWS'), tile('TILE_COLS')];
  const grid = (cols, rows) => [Math.ceil(cols / (4 * tileCols)), Math.ceil(rows / (4 * tileRows)), 1];
  family = {
    name: 'linear_baseline',
    source,
    dispatch: {
      linear_forward: (u) => grid(u.out_features, u.batch),
      linear_backward_input: (u) => grid(u.in_features, u.batch),
      linear_backward_weight: (u) => grid(u.in_features, u.out_features),
      linear_backward_bias: (u) => [Math.ceil(u.out_features / 64), 1, 1],
    },
  };
  variantName = `git ${rev} (${tileRows}×${tileCols} tiles)`;
} else if (args.variant) {
  family = { name: `linear_variant`, ...(await import(pathToFileURL(resolve(args.variant)).href)).default };
  variantName = args.variant;
}

// What to time per shape: each entry as the library compiles it by default, or with --variants
// each tuning variant of it (entry point + overrides), the entries without variants as they are.
const variantFilter = typeof args.variants === 'string' ? new Set(args.variants.split(',')) : null;
const runs = ENTRIES.flatMap((entry) => {
  const variants = args.variants ? family.tuning?.variants?.[entry] : null;
  if (!variants?.length) return [{ label: entry, entry, kernelEntry: entry, overrides: {} }];
  return variants
    .filter((v) => !variantFilter || variantFilter.has(v.name))
    .map((v) => ({ label: `${entry}/${v.name}`, entry, kernelEntry: v.entry, overrides: v.overrides }));
});

const ctx = await createNodeGpuContext();
const { device } = ctx;
console.log(`adapter: ${ctx.adapterName}; kernels: ${variantName}; ACT=${ACT}; median of ${RUNS} runs`);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const flops = (entry, { B, K, N }) => (entry === 'linear_backward_bias' ? B * N : 2 * B * K * N);

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
const compiled = new Set();
for (const shape of SHAPES) {
  const { B, K, N } = shape;
  const buffers = {
    x: randomBuffer('x', B * K),
    w: randomBuffer('w', N * K),
    bias: randomBuffer('bias', N),
    y: randomBuffer('y', B * N),
    y_saved: randomBuffer('y_saved', B * N), // the old kernels' names for what dz is now
    dy: randomBuffer('dy', B * N),
    dz: randomBuffer('dz', B * N),
    dx: randomBuffer('dx', B * K),
    dw: randomBuffer('dw', N * K),
    dbias: randomBuffer('dbias', N),
  };
  for (const { label, entry, kernelEntry, overrides } of runs) {
    const c0 = performance.now();
    const actIsOverride = family.source.includes('override ACT');
    const kernel = await ctx.kernels.kernel(family, kernelEntry, { ...overrides, ...(actIsOverride ? { ACT } : {}) });
    const uniforms = { batch: B, in_features: K, out_features: N, ...(actIsOverride ? {} : { act: ACT }), slope: 0.2 };
    const compileMs = performance.now() - c0;
    const bound = Object.fromEntries(kernel.info.bindings.filter((b) => b.kind !== 'uniform').map((b) => [b.name, buffers[b.name]]));
    const seq = new SequenceBuilder(device, label);
    seq.add(kernel, bound, uniforms, label);
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
    const ms = median(wall);
    const cpuMs = median(cpu);
    rows.push({
      entry: label,
      shape: `${B}×${K}×${N}`,
      ms: ms.toFixed(3),
      'GFLOP/s': (flops(entry, shape) / (ms * 1e6)).toFixed(2),
      'best GFLOP/s': (flops(entry, shape) / (Math.min(...wall) * 1e6)).toFixed(2),
      'cpu ms': cpuMs.toFixed(3),
      'GFLOP/cpu-s': (flops(entry, shape) / (cpuMs * 1e6)).toFixed(2),
      dispatches: count,
      'compile ms': compiled.has(label) ? '' : Math.round(compileMs),
    });
    compiled.add(label);
    recorded.destroy();
  }
  for (const b of Object.values(buffers)) b.destroy();
}
console.table(rows);
if (args.json) writeFileSync(args.json, JSON.stringify({ kernels: variantName, act: ACT, rows }, null, 1));
process.exit(0);
