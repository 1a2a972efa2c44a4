// The kernel tuner end to end in Node (Dawn on SwiftShader), with the JSON
// file cache: 'full' times every linear candidate of each shape (products, the
// fused dw + dbias forms, bias gradient, the subgroup forms included where the device has them), and
// those of the loss and of the gradient norm's partial sums, while the
// trainer is built and stores the winners; a second context with the same
// adapter and shapes times nothing and gets the same choices; a corrupt
// cache file is ignored with a warning; 'off' and 'cached' never time; a zero
// budget times nothing and stores nothing; training on tuned variants gives
// the default variants' weights up to float rounding; no GPU object is
// created per step; a bad mode or budget is a TuningConfigError naming what it takes.
// Runs in a child process so that a Dawn failure cannot take the runner down.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import * as shaders from '../shaders/index.js';
import type { KernelFamily } from '../runtime/kernel.js';

/** index.ts's kernel families by name: a tuning key names its family and entry. */
const FAMILIES = new Map(
  Object.values(shaders)
    .filter((v): v is KernelFamily => typeof v === 'object' && v !== null && 'source' in v && 'dispatch' in v)
    .map((f) => [f.name, f]),
);

const SCRIPT = `
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createNodeGpuContext, GanTrainer, presets, FileTuningStore, ConfigError } from '${process.cwd()}/dist/node.js';
const path = process.argv[2];
const config = () => ({ ...presets.gaussian1d({ batchSize: 8, seed: 3 }), plan: 'layered' });
const ctxWith = (tune, extra = {}) => createNodeGpuContext({ tune, tuningStore: new FileTuningStore(path), tuningBudgetMs: 600000, ...extra });
const summary = (ctx) => ({ timed: ctx.tuner.timedCandidates, decisions: ctx.tuner.decisions });
const warnings = [];
const warn = console.warn;
console.warn = (...a) => { warnings.push(a.join(' ')); };
const out = {};

// A cold cache with 'full': every candidate of each shape timed, winners stored.
const full = await ctxWith('full');
const t0 = performance.now();
const tuned = await GanTrainer.create(full, config());
out.buildMs = performance.now() - t0;
out.full = summary(full);
out.subgroups = full.features.has('subgroups');
out.adapterName = full.adapterName;
out.file = JSON.parse(readFileSync(path, 'utf8'));
// No GPU object is created per step on tuned kernels.
const COUNTED = ['createBuffer', 'createBindGroup', 'createComputePipeline', 'createComputePipelineAsync', 'createShaderModule', 'createQuerySet'];
let created = 0;
for (const name of COUNTED) { const f = full.device[name].bind(full.device); full.device[name] = (...a) => { created++; return f(...a); }; }
await tuned.train(2);
const warm = created;
await tuned.train(6, { stepsPerSubmit: 2 });
out.createdPerSteps = created - warm;

// Same adapter and shapes, a fresh context: nothing timed, the same choices.
const again = await ctxWith('full');
await GanTrainer.create(again, config());
out.again = summary(again);

// The tuned weights against the default variants' ('off'), 3 steps each from the same seed.
const off = await ctxWith('off');
const plain = await GanTrainer.create(off, config());
out.off = summary(off);
const fresh = await GanTrainer.create(full, config()); // full's choices, from memory
await plain.train(3);
await fresh.train(3);
const a = await fresh.readParameters('generator'), b = await plain.readParameters('generator');
out.maxWeightDiff = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
out.finite = Array.from(a).every(Number.isFinite);

// A corrupt file: a warning, today's variants, no crash; 'cached' never times.
writeFileSync(path, '{"version": 1, "adapters": {"x": [tr');
const w0 = warnings.length;
const cached = await ctxWith('cached');
await GanTrainer.create(cached, config());
out.corrupt = { ...summary(cached), warnings: warnings.slice(w0) };

// 'full' with no budget: the defaults, nothing timed, the (corrupt) file left as it was.
const broke = await ctxWith('full', { tuningBudgetMs: 0 });
await GanTrainer.create(broke, config());
out.noBudget = { ...summary(broke), fileAfter: readFileSync(path, 'utf8') };

try {
  await createNodeGpuContext({ tune: 'fast' });
  out.badMode = 'accepted';
} catch (e) {
  out.badMode = { name: e.name, message: e.message, configError: e instanceof ConfigError };
}
try {
  await createNodeGpuContext({ tuningBudgetMs: -1 });
  out.badBudget = 'accepted';
} catch (e) {
  out.badBudget = { name: e.name, message: e.message };
}
console.warn = warn;
console.log(JSON.stringify(out));
process.exit(0);
`;

/** runtime/tuner.ts's MARGIN: a candidate replaces the default only when it takes under this share of its time. */
const TUNER_MARGIN = 0.95;

test('node: the tuner times linear candidates once, caches the winners in a JSON file, and reuses them; corrupt files, off, cached and zero budgets never time', () => {
  test.setTimeout(300_000);
  mkdirSync('test-results', { recursive: true });
  const file = 'test-results/tuning.mjs';
  writeFileSync(file, SCRIPT);
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-gan-tuning-'));
  const cachePath = join(dir, 'nested', 'tuning.json');
  try {
    const r = spawnSync(process.execPath, [file, cachePath], { encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    expect(line, r.stdout + r.stderr).toBeDefined();
    const got = JSON.parse(line!);
    type Decision = { key: string; variant: string; source: string; ms?: Record<string, number>; complete?: boolean };

    // gaussian1d's layered step records linear products and bias gradients at several shapes; each
    // timed once, every candidate of its entry: the products' 6 shapes; linear_backward_bias today's
    // kernel, its tree forms and its subgroup forms (the Node device has 'subgroups' where the adapter
    // offers it, as SwiftShader does: createGpuContext requests it).
    if (/swiftshader/i.test(got.adapterName)) expect(got.subgroups, got.adapterName).toBe(true);
    // A key is `<family>@<hash>.<entry>|<shape>`; its candidates, those the device can run, in order.
    const parts = (key: string) => /^(\w+)@[0-9a-f]+\.(\w+)\|/.exec(key) ?? ['', '?', '?'];
    const entryOf = (key: string) => parts(key)[2];
    const candidates = (key: string) =>
      (FAMILIES.get(parts(key)[1])?.tuning?.variants[entryOf(key)] ?? [])
        .filter((v) => !v.requires || (v.requires === 'subgroups' && got.subgroups))
        .map((v) => v.name);
    const BIAS = candidates('linear@0.linear_backward_bias|');
    expect(BIAS).toEqual(['thread.wg64', 'tree.wg64', 'tree.wg128', 'tree.wg256', ...(got.subgroups ? ['subgroup.wg64', 'subgroup.wg128', 'subgroup.wg256'] : [])]);
    const timed: Decision[] = got.full.decisions.filter((d: Decision) => d.source === 'timed');
    // The defaults table of the adapter's kind (SwiftShader: 'software'), which 'off' runs and 'full' must beat by the margin.
    const kind = /swiftshader/i.test(got.adapterName) ? 'software' : null;
    const shipped = (key: string) => (kind ? FAMILIES.get(parts(key)[1])?.tuning?.defaults?.[kind]?.[entryOf(key)] : undefined);
    expect(timed.length).toBeGreaterThanOrEqual(6);
    // gaussian1d's linears all have a bias: their dw is linear_backward_weight_bias's (the products, then their +bias
    // twins, which write dbias too). A shape whose winner writes dbias records no bias reduction, so
    // linear_backward_bias is decided for exactly the shapes whose winner is a plain product.
    const weightBias = timed.filter((d) => entryOf(d.key) === 'linear_backward_weight_bias');
    expect(weightBias.length).toBeGreaterThanOrEqual(1);
    expect(candidates(weightBias[0].key).filter((name) => name.endsWith('+bias')).length).toBeGreaterThanOrEqual(2);
    const shapeOf = (key: string) => key.slice(key.indexOf('|'));
    const writesBias = (d: Decision) =>
      shaders.LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(shaders.linearKernels.tuning!.variants.linear_backward_weight_bias!.find((v) => v.name === d.variant)!.entry);
    const biasShapes = new Set(timed.filter((d) => entryOf(d.key) === 'linear_backward_bias').map((d) => shapeOf(d.key)));
    for (const d of weightBias) expect(biasShapes.has(shapeOf(d.key)), JSON.stringify(d)).toBe(!writesBias(d));
    expect(new Set(timed.map((d) => d.key)).size).toBe(timed.length);
    // The loss (BCE: the D step's 2B rows and the G step's B) and the gradient norm's partial sums are
    // timed too, their tree and subgroup forms included.
    const LOSS = ['tree.wg256', 'tree.wg64', 'tree.wg128', ...(got.subgroups ? ['subgroup.wg64', 'subgroup.wg128', 'subgroup.wg256'] : [])];
    expect(candidates('bce_with_logits@0.bce_with_logits_forward_backward|')).toEqual(LOSS);
    expect(timed.filter((d) => entryOf(d.key) === 'bce_with_logits_forward_backward').map((d) => d.key.slice(d.key.indexOf('|'))).sort()).toEqual(['|rows=16', '|rows=8']);
    // The close of each update: the partial sums' candidates (each with its close alongside), then the one-dispatch closes.
    const CLOSES = ['close.tree.wg64', 'close.tree.wg128', 'close.tree.wg256', ...(got.subgroups ? ['close.subgroup.wg64', 'close.subgroup.wg128', 'close.subgroup.wg256'] : [])];
    expect(candidates('train_state@0.grad_sq_close|')).toEqual(['thread.wg64', ...BIAS.slice(1), ...CLOSES]);
    expect(timed.filter((d) => entryOf(d.key) === 'grad_sq_close').length).toBeGreaterThanOrEqual(1);
    for (const d of timed) {
      expect(d.complete, d.key).toBe(true);
      expect(candidates(d.key).length, d.key).toBeGreaterThanOrEqual(2);
      expect(Object.keys(d.ms!).sort(), d.key).toEqual([...candidates(d.key)].sort());
      expect(Object.values(d.ms!).every((ms) => ms > 0 && Number.isFinite(ms)), JSON.stringify(d.ms)).toBe(true);
      // The winner is the fastest, or the default (the shipped table's for this adapter kind, else the first
      // candidate) when nothing beat it by the tuner's margin: a candidate 2% faster than a shipped default keeps it.
      const best = Math.min(...Object.values(d.ms!));
      const fallback = shipped(d.key) ?? candidates(d.key)[0];
      if (d.variant === fallback) expect(best, JSON.stringify(d)).toBeGreaterThanOrEqual(TUNER_MARGIN * d.ms![fallback]);
      else expect(d.ms![d.variant], JSON.stringify(d)).toBe(best);
    }
    expect(got.full.timed).toBe(timed.reduce((n, d) => n + candidates(d.key).length, 0));
    const adapters = Object.values(got.file.adapters) as Record<string, string>[];
    expect(got.file.version).toBe(1);
    expect(adapters).toHaveLength(1);
    expect(adapters[0]).toEqual(Object.fromEntries(timed.map((d) => [d.key, d.variant])));
    expect(got.createdPerSteps).toBe(0);

    expect(got.again.timed).toBe(0);
    const chosen = (ds: Decision[]) => Object.fromEntries(ds.map((d) => [d.key, d.variant]));
    expect(got.again.decisions.every((d: Decision) => d.source === 'cache')).toBe(true);
    expect(chosen(got.again.decisions)).toEqual(chosen(timed));

    expect(got.off.timed).toBe(0);
    // 'off' runs the shipped defaults table of the adapter's kind (SwiftShader: 'software'), else each entry's first candidate.
    expect(got.off.decisions.some((d: Decision) => shipped(d.key) !== undefined) || kind === null, 'the software table names some entry of this GAN').toBe(true);
    expect(got.off.decisions.every((d: Decision) => d.source === 'default' && d.variant === (shipped(d.key) ?? candidates(d.key)[0]))).toBe(true);
    expect(got.finite).toBe(true);
    expect(got.maxWeightDiff).toBeLessThanOrEqual(1e-6);

    expect(got.corrupt.timed).toBe(0);
    expect(got.corrupt.decisions.every((d: Decision) => d.source === 'default')).toBe(true);
    expect(got.corrupt.warnings.some((w: string) => /tuning cache .* is corrupt/.test(w)), JSON.stringify(got.corrupt.warnings)).toBe(true);

    expect(got.noBudget.timed).toBe(0);
    expect(got.noBudget.fileAfter).toBe('{"version": 1, "adapters": {"x": [tr');

    expect(got.badMode).toEqual({ name: 'TuningConfigError', configError: true, message: "tune must be one of 'off', 'cached', 'full'; got 'fast'" });
    expect(got.badBudget).toEqual({ name: 'TuningConfigError', message: 'tuningBudgetMs must be a number ≥ 0 (milliseconds), got -1' });
    console.log(`tuning build on SwiftShader: ${got.buildMs.toFixed(0)} ms for ${got.full.timed} candidate timings; max |Δw| tuned vs off ${got.maxWeightDiff}; winners ${JSON.stringify(chosen(timed))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
