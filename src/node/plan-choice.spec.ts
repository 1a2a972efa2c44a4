// The measured plan choice (models/gan/plan-choice.ts) end to end in Node
// (Dawn on SwiftShader), on gaussian1d, which the fused plan applies to:
// 'full' times both plans on throwaway trainers and trains with the faster
// (the one its timings name, by the tuner's margin), stores it, and a second
// context reads it without timing; 'cached' follows a stored choice, layered
// included; 'off', a zero budget and an unknown stored name give the fused
// plan; an explicit plan is never timed; the timing leaves the trainer it was
// for as if none had run (same weights as a trainer of the chosen plan built
// after it).
// Runs in a child process so that a Dawn failure cannot take the runner down.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';

const SCRIPT = `
import { createNodeGpuContext, GanTrainer, presets } from '${process.cwd()}/dist/node.js';
import { MemoryTuningStore } from '${process.cwd()}/dist/advanced.js';
const store = new MemoryTuningStore();
const config = (plan) => ({ ...presets.gaussian1d({ batchSize: 16, seed: 5 }), ...(plan ? { plan } : {}) });
const ctxWith = (tune, s = store, extra = {}) => createNodeGpuContext({ tune, tuningStore: s, ...extra }); // the default budget (3 s)
const planDecisions = (ctx) => ctx.tuner.decisions.filter((d) => d.key.startsWith('plan@'));
const out = {};
const t0 = performance.now();

// A cold store, 'full': both plans timed, the faster trained with and stored.
const full = await ctxWith('full');
const chosen = await GanTrainer.create(full, config());
out.fullSeconds = (performance.now() - t0) / 1000;
out.full = { plan: chosen.plan, decisions: planDecisions(full), stored: await store.read(full.tuner.adapter) };
// The timing trainers left nothing behind: the same weights as a trainer of that plan built afresh.
const twin = await GanTrainer.create(full, config(chosen.plan));
await chosen.train(5);
await twin.train(5);
const a = await chosen.readParameters('generator'), b = await twin.readParameters('generator');
out.sameWeights = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// A fresh context on the same store: the stored choice, nothing timed.
const again = await ctxWith('full');
out.again = { plan: (await GanTrainer.create(again, config())).plan, decisions: planDecisions(again) };

// 'cached' follows a stored choice (here the layered plan); an unknown stored name is no choice.
const key = out.full.decisions[0].key;
const layeredStore = new MemoryTuningStore();
const cachedCtx = await ctxWith('cached', layeredStore);
await layeredStore.write(cachedCtx.tuner.adapter, { [key]: 'layered' });
out.cachedLayered = { plan: (await GanTrainer.create(cachedCtx, config())).plan, decisions: planDecisions(cachedCtx) };
const oddStore = new MemoryTuningStore();
const oddCtx = await ctxWith('full', oddStore, { tuningBudgetMs: 0 });
await oddStore.write(oddCtx.tuner.adapter, { [key]: 'warp' });
out.unknownName = { plan: (await GanTrainer.create(oddCtx, config())).plan, decisions: planDecisions(oddCtx), stored: await oddStore.read(oddCtx.tuner.adapter) };

// 'off': the fused plan, untimed; an explicit plan: no choice at all.
const off = await ctxWith('off', new MemoryTuningStore());
out.off = { plan: (await GanTrainer.create(off, config())).plan, decisions: planDecisions(off) };
const explicit = await ctxWith('full'); // its kernels' choices are stored: nothing is timed for them either
out.explicit = { plan: (await GanTrainer.create(explicit, config('layered'))).plan, decisions: planDecisions(explicit) };
out.seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify(out));
process.exit(0);
`;

test('node: plan auto times the fused and layered plans once under tune full, trains with the faster and caches it; cached, off, zero budget and explicit plans never time', () => {
  test.setTimeout(240_000);
  mkdirSync('test-results', { recursive: true });
  const file = 'test-results/plan-choice.mjs';
  writeFileSync(file, SCRIPT);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 230_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(line, r.stdout + r.stderr).toBeDefined();
  const got = JSON.parse(line!);

  // One timed decision, both plans measured, the trainer on the one the rule picks.
  expect(got.full.decisions).toHaveLength(1);
  const [d] = got.full.decisions;
  expect(d.key).toMatch(/^plan@[0-9a-f]{8}\|G=.*\|D=.*\|B=16\|dSteps=1\|loss=bce\|/);
  expect(d.source).toBe('timed');
  expect(d.complete).toBe(true);
  const ms = d.ms as Record<string, number>;
  expect(Object.keys(ms).sort()).toEqual(['fused-mlp', 'layered']);
  for (const t of Object.values(ms)) expect(t > 0 && Number.isFinite(t), JSON.stringify(ms)).toBe(true);
  // The layered plan replaces the default only when 5% faster (runtime/tuner.ts MARGIN).
  expect(d.variant).toBe(ms.layered < 0.95 * ms['fused-mlp'] ? 'layered' : 'fused-mlp');
  expect(got.full.plan).toBe(d.variant);
  expect(got.full.stored[d.key]).toBe(d.variant);
  expect(got.sameWeights, 'the chosen trainer trains as one built without the timing').toBe(true);

  expect(got.again).toEqual({ plan: d.variant, decisions: [{ key: d.key, variant: d.variant, source: 'cache' }] });
  expect(got.cachedLayered).toEqual({ plan: 'layered', decisions: [{ key: d.key, variant: 'layered', source: 'cache' }] });
  expect(got.unknownName.plan).toBe('fused-mlp');
  expect(got.unknownName.decisions).toEqual([{ key: d.key, variant: 'fused-mlp', source: 'default' }]);
  expect(got.unknownName.stored[d.key], 'nothing measured, nothing stored').toBe('warp');
  expect(got.off).toEqual({ plan: 'fused-mlp', decisions: [{ key: d.key, variant: 'fused-mlp', source: 'default' }] });
  expect(got.explicit).toEqual({ plan: 'layered', decisions: [] });
});
