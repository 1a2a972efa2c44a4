// A/B of two builds of the library in one Node process (Dawn): windows of
// `steps` training steps of a preset, alternating A and B, `rounds` each, so
// that the shared machine's drift hits both alike (run-to-run noise here is up
// to 2×; within one process the two builds agree to a few percent).
//
//   node bench/ab.mjs --a=/path/to/other/checkout/dist/node.js [--b=dist/node.js] [--preset mnistMlp] [--steps 4] [--rounds 6]
//        [--tune-b full|cached|off] [--tuning-cache /tmp/tuning.json]
//
// --tune-b builds B's context with that kernel-tuning mode (runtime/tuner.ts) and
// its cache file (default: a fresh temporary one, so nothing cached from earlier
// runs is used); B's build time, and the variants it chose, are printed.
//
// Build both first (node scripts/build.mjs in each checkout). Prints each
// window's steps/s, the medians and B / A.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values: o } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: 'dist/node.js' },
    preset: { type: 'string', default: 'mnistMlp' },
    steps: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '6' },
    'tune-b': { type: 'string' },
    'tuning-cache': { type: 'string' },
  },
});
if (!o.a) throw new Error('--a=<path to the other build of dist/node.js> is required');
const A = await import(pathToFileURL(resolve(o.a)).href);
const B = await import(pathToFileURL(resolve(o.b)).href);
const preset = o.preset;
const steps = Number(o.steps);
const rounds = Number(o.rounds);
const ctxA = await A.createNodeGpuContext();
const tuneB = o['tune-b'];
const cachePath = o['tuning-cache'] ?? `${(await import('node:os')).tmpdir()}/webgpu-gan-ab-${process.pid}.json`;
const ctxB = await B.createNodeGpuContext(tuneB ? { tune: tuneB, tuningStore: new B.FileTuningStore(cachePath) } : {});
const digitsA = A.presets.splitDigits(A.loadMnistDigits()).train;
const mk = async (lib, ctx, digits) => {
  const t = await lib.GanTrainer.create(ctx, lib.presets.preset(preset, { digits }));
  await t.train(2);
  return t;
};
let t0 = performance.now();
const ta = await mk(A, ctxA, digitsA);
const firstA = performance.now() - t0;
t0 = performance.now();
const tb = await mk(B, ctxB, digitsA);
const firstB = performance.now() - t0;
console.log(preset, `build + 2 steps: A ${(firstA / 1000).toFixed(1)} s, B ${(firstB / 1000).toFixed(1)} s`);
if (ctxB.tuner) {
  const chosen = {};
  for (const d of ctxB.tuner.decisions) chosen[`${d.variant} (${d.source})`] = (chosen[`${d.variant} (${d.source})`] ?? 0) + 1;
  console.log(preset, `B tune '${ctxB.tuner.mode}': ${ctxB.tuner.timedCandidates} candidates timed; choices ${JSON.stringify(chosen)}`);
}
const time = async (t) => { const t0 = performance.now(); await t.train(steps); return steps / ((performance.now() - t0) / 1000); };
const ra = [], rb = [];
for (let i = 0; i < rounds; i++) {
  ra.push(await time(ta));
  rb.push(await time(tb));
}
const med = (x) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log(preset, 'A', ra.map((v) => v.toFixed(3)).join(' '), 'median', med(ra).toFixed(3));
console.log(preset, 'B', rb.map((v) => v.toFixed(3)).join(' '), 'median', med(rb).toFixed(3), 'ratio', (med(rb) / med(ra)).toFixed(3));
process.exit(0);
