// The candidates of the GAN loss kernels (bce_with_logits, gan_loss) and of the
// close of an update (train_state's grad_sq_close: the gradient norm's partial
// sums with train_state_update after them, or both in one dispatch), timed by
// the kernel tuner itself ('full' on a fresh context per run: the same scratch
// buffers, repetitions and timestamps it uses while a plan records), at a few
// sizes: the loss over 2B rows (D's step), the norm and close over P parameters.
//
//   node scripts/build.mjs && node bench/update-reductions.mjs [--runs=N] [--rows=a,b] [--counts=a,b]
//
//   --runs=N       fresh contexts, each timing every candidate once (default 3); the minimum is printed
//   --rows=…       loss row counts (default 16,200,600)
//   --counts=…     parameter counts (default 2880,70001,1000000,3500000)
//
// Milliseconds per dispatch (min over runs); SwiftShader's timestamps tick every
// 65.5 µs, so a dispatch shorter than that reads as one tick.
import { createNodeGpuContext } from '../dist/node.js';
import { kernels as K, MemoryTuningStore } from '../dist/advanced.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const list = (s, d) => (s ? s.split(',').map(Number) : d);
const runs = Number(args.runs ?? 3);
const rows = list(args.rows, [16, 200, 600]);
const counts = list(args.counts, [2880, 70001, 1_000_000, 3_500_000]);
const dispatches = [
  ...rows.map((r) => [K.bceWithLogitsKernels, 'bce_with_logits_forward_backward', { rows: r, first_rows: r / 2, target_first: 0, target_rest: 1, scale: 2 / r }]),
  ...rows.map((r) => [K.ganLossKernels, 'gan_loss_forward_backward', { rows: r, first_rows: r / 2, kind: 1, present: 0, y_first: -1, y_rest: 1, scale: 2 / r }]),
  ...counts.map((count) => [K.trainStateKernels, 'grad_sq_close', { count, phase: 0, advances_step: 0 }]),
];
const best = new Map(); // key → { candidate → min ms }
let adapter = '';
for (let run = 0; run < runs; run++) {
  const ctx = await createNodeGpuContext({ tune: 'full', tuningStore: new MemoryTuningStore(), tuningBudgetMs: 1e9 });
  adapter = ctx.adapterName;
  const end = ctx.kernels.beginTuning();
  for (const [family, entry, u] of dispatches) await ctx.kernels.kernelFor(family, entry, u);
  end();
  for (const d of ctx.tuner.decisions) {
    const key = d.key.replace(/@[0-9a-f]+/, '');
    const row = best.get(key) ?? {};
    for (const [name, ms] of Object.entries(d.ms ?? {})) row[name] = Math.min(row[name] ?? Infinity, ms);
    best.set(key, row);
  }
  ctx.dispose();
}
console.log(`${adapter}: ms per dispatch, min of ${runs} tuner runs (first column: today's kernel)`);
for (const [key, row] of best) console.log(`${key}  ` + Object.entries(row).map(([n, ms]) => `${n} ${ms.toFixed(3)}`).join('  '));
process.exit(0);
