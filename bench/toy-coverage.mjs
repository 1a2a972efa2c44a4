// Toy mode coverage of each GAN loss (the unrolled-GAN / VEEGAN measure,
// src/eval/toy-coverage.ts): trains the 2-D toy preset (G and D 2-64-64, ELU,
// batch 256; src/presets/toy2d.ts) on ring8 and grid25 with each loss and
// seed, in Node (Dawn), and every --eval-every steps draws 2,500 samples and
// counts the modes covered (≥ 1% of the samples within 3σ) and the share of
// high-quality samples (within 3σ of their nearest mode; 1 − e^(−9/2) ≈ 98.9%
// for the data itself). Every evaluation is kept, step 0 (the untrained G)
// included, never only the best.
//   node scripts/build.mjs && node bench/toy-coverage.mjs [--sets ring8,grid25] [--losses bce,lsgan,hinge,wgan]
//        [--seeds 0,1,2] [--steps 3000] [--eval-every 500]        (npm run bench:toy)
//   node bench/toy-coverage.mjs --table      (only rewrite the table from the run records)
//   --out DIR    records in DIR/toy-coverage/ and the table DIR/toy-coverage.md (default bench/results)
//   node bench/toy-coverage.mjs --import FILE.jsonl   (records another machine returned, one per line, then the table)
// bce, lsgan, hinge and hinge-sn (hinge with spectral norm on D's layers) keep the preset's Adam (betas 0.5, 0.999; lr per set);
// wgan takes the WGAN paper's setup: RMSprop lr 5e-5 for D and G, 5 critic
// updates per G update, weights clipped to ±0.01. A run that halts on a
// non-finite loss (NonFiniteLossError) is recorded as stopped at its step,
// with an evaluation of the weights it kept, and the bench goes on.
// Writes bench/results/toy-coverage/<set>-<loss>-seed<k>.json per run and
// rewrites bench/results/toy-coverage.md from all of them, then prints it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GanTrainer, NonFiniteLossError, createNodeGpuContext, toy2d, toyModeCoverage } from '../dist/node.js';

const SAMPLES = 2500;
const LOSS_ORDER = ['bce', 'lsgan', 'hinge', 'hinge-sn', 'hinge-sn-g3', 'wgan', 'wgan-gp', 'wgan-gp-toy', 'r1'];
const SET_ORDER = ['ring8', 'grid25'];

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: SET_ORDER.join(',') },
    losses: { type: 'string', default: LOSS_ORDER.join(',') },
    seeds: { type: 'string', default: '0,1,2' },
    steps: { type: 'string', default: '3000' },
    'eval-every': { type: 'string', default: '500' },
    table: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    import: { type: 'string' },
  },
});
// Run records in OUT/toy-coverage/, the table OUT/toy-coverage.md (on the lent GPU: $OUT, bench/device-run.sh toy).
const DIR = join(values.out, 'toy-coverage');
const TABLE = join(values.out, 'toy-coverage.md');

/** The Wasserstein critic loss with a λ gradient penalty at interpolates, 5 critic updates, `adam` for D and G. */
const wganGp = (lambda, adam) => ({
  loss: 'wasserstein',
  penalty: { name: 'wgan-gp', weight: lambda },
  optimizerD: adam,
  optimizerG: adam,
  dSteps: 5,
});

/** The loss and optimizer fields each loss trains with, over the preset's. */
function lossSetup(loss) {
  switch (loss) {
    case 'bce':
    case 'lsgan':
    case 'hinge':
      return { loss };
    case 'hinge-sn':
      // Hinge with every D layer spectrally normalised (the SN-GAN setup), the same Adam.
      return { loss: 'hinge', spectralNorm: 'discriminator' };
    case 'hinge-sn-g3':
      // The same with each D layer held to Lipschitz 3 instead of 1 (g·W / σ): at 1 the critic's hinge loss stays near 2
      // and it covers 0–1 ring modes, here and in an independent numpy run (bench/results/hinge-sn-numpy.md).
      return { loss: 'hinge', spectralNorm: { nets: 'discriminator', gain: 3 } };
    case 'wgan':
      return {
        loss: { name: 'wgan', clip: 0.01 },
        optimizerD: { name: 'rmsprop', lr: 5e-5 },
        optimizerG: { name: 'rmsprop', lr: 5e-5 },
        dSteps: 5,
      };
    case 'wgan-gp':
      // The WGAN-GP paper's setup: no clipping, λ = 10, Adam (β 0, 0.9), 5 critic updates; lr 1e-3 for the toy's scale.
      return wganGp(10, { lr: 1e-3, beta1: 0, beta2: 0.9 });
    case 'wgan-gp-toy':
      // WGAN-GP at a toy's scale: λ = 0.1 (the WGAN-GP authors' toy script's), Adam 3e-4 (β 0.5, 0.9), 5 critic updates.
      // On ring8 it covers 4–6/8 at step 1000 (the table) and covered 8/8 at 1500 in a longer run of seed 0,
      // where λ = 10 at lr 1e-3 (β 0, 0.9) covers none at 1000.
      return wganGp(0.1, { lr: 3e-4, beta1: 0.5, beta2: 0.9 });
    case 'r1':
      // The non-saturating BCE loss with R1 (γ = 10) on the reals, the preset's Adam.
      return { loss: 'bce', penalty: { name: 'r1', weight: 10 } };
    default:
      throw new Error(`--losses: unknown loss '${loss}'; expected some of ${LOSS_ORDER.join(', ')}`);
  }
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const byOrder = (order) => (a, b) => {
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || String(a).localeCompare(String(b));
};
const cell = (e) => (e.error ? `– (${e.error})` : `${e.covered}/${e.modes} · ${pct(e.highQuality)}`);

/** Rewrites TABLE from every record in DIR; returns its text. */
function writeTable() {
  const runs = readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')));
  const sets = [...new Set(runs.map((r) => r.set))].sort(byOrder(SET_ORDER));
  const losses = [...new Set(runs.map((r) => r.loss))].sort(byOrder(LOSS_ORDER));
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const stepCounts = [...new Set(runs.map((r) => r.final.step))];
  const adapters = [...new Set(runs.map((r) => r.adapter))];
  const lines = [
    '# Toy mode coverage by GAN loss',
    '',
    `Written by \`bench/toy-coverage.mjs\` from the run records in \`${DIR}/\` (one JSON per run, with every evaluation); do not edit.`,
    `Each cell: modes covered (≥ 1% of ${SAMPLES} samples within 3σ of the mode) / modes · share of samples within 3σ of their nearest mode`,
    '(the data itself scores 1 − e^(−9/2) ≈ 98.9%), after ' +
      (stepCounts.length === 1 ? `${stepCounts[0]} steps` : 'the steps in the cell') +
      `, one per seed (${seeds.join(', ')}). † the run halted on a non-finite loss at that step (its kept weights are scored).`,
    'G and D 2-64-64 ELU MLPs, batch 256; bce/lsgan/hinge: Adam (0.5, 0.999), lr D/G 2e-3/2e-3 (ring8), 2e-3/1e-3 (grid25); hinge-sn: hinge with spectral norm on every D layer; hinge-sn-g3: the same at gain 3 per layer (g·W / σ); wgan: RMSprop 5e-5, 5 critic updates, clip 0.01; wgan-gp: Wasserstein + λ 10 gradient penalty, Adam 1e-3 (β 0, 0.9), 5 critic updates; wgan-gp-toy: the same with λ 0.1 and Adam 3e-4 (β 0.5, 0.9); r1: BCE + R1 (γ 10) with the preset\'s Adam.',
    `Adapter: ${adapters.join('; ')}.`,
    '',
    `| loss | ${sets.map((s) => `${s}: ${seeds.map((k) => `seed ${k}`).join(' | ')}`).join(' | ')} |`,
    `|---|${sets.map(() => seeds.map(() => '---').join('|')).join('|')}|`,
  ];
  for (const loss of losses) {
    const cells = [];
    for (const set of sets) {
      for (const seed of seeds) {
        const r = runs.find((x) => x.set === set && x.loss === loss && x.seed === seed);
        if (!r) cells.push('');
        else cells.push(`${cell(r.final)}${stepCounts.length === 1 ? '' : ` @${r.final.step}`}${r.stopped ? ` †${r.stopped.step}` : ''}`);
      }
    }
    lines.push(`| ${loss} | ${cells.join(' | ')} |`);
  }
  lines.push('', "## Every evaluation (step: covered/modes · high quality (D's loss at the latest stats))", '');
  const sorted = [...runs].sort((a, b) => byOrder(SET_ORDER)(a.set, b.set) || byOrder(LOSS_ORDER)(a.loss, b.loss) || a.seed - b.seed);
  for (const r of sorted) {
    const evals = r.evaluations.map((e) => `${e.step}: ${cell(e)}${typeof e.lossD === 'number' ? ` (D ${e.lossD.toFixed(2)})` : ''}`).join(' — ');
    const stop = r.stopped ? `; halted at step ${r.stopped.step} (${r.stopped.phase})` : '';
    lines.push(`- ${r.set} ${r.loss} seed ${r.seed} (${r.plan}, ${r.stepsDone}/${r.steps} steps, ${r.trainSeconds.toFixed(0)} s training, ${r.wallSeconds.toFixed(0)} s wall${stop}): ${evals}`);
  }
  const text = lines.join('\n') + '\n';
  writeFileSync(TABLE, text);
  return text;
}

mkdirSync(DIR, { recursive: true });
if (values.import) {
  // Records a run elsewhere returned as JSON lines (the lent GPU's $OUT/toy-coverage.jsonl): one file each, then the table.
  for (const line of readFileSync(values.import, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    writeFileSync(join(DIR, `${r.set}-${r.loss}-seed${r.seed}.json`), JSON.stringify(r, null, 1) + '\n');
  }
}
if (values.table || values.import) {
  console.log(writeTable());
  process.exit(0);
}

const sets = values.sets.split(',').filter(Boolean);
const losses = values.losses.split(',').filter(Boolean);
const seeds = values.seeds.split(',').filter(Boolean).map(Number);
const steps = Number(values.steps);
const evalEvery = Number(values['eval-every']);
for (const s of sets) if (!SET_ORDER.includes(s)) throw new Error(`--sets: unknown set '${s}'; expected some of ${SET_ORDER.join(', ')}`);
for (const l of losses) lossSetup(l);
if (!seeds.every((k) => Number.isSafeInteger(k) && k >= 0)) throw new Error(`--seeds: expected non-negative integers, got '${values.seeds}'`);
if (!(Number.isSafeInteger(steps) && steps > 0)) throw new Error(`--steps: expected a positive integer, got '${values.steps}'`);
if (!(Number.isSafeInteger(evalEvery) && evalEvery > 0)) throw new Error(`--eval-every: expected a positive integer, got '${values['eval-every']}'`);

const ctx = await createNodeGpuContext();
console.error(`adapter: ${ctx.adapterName}; ${sets.length * losses.length * seeds.length} runs of ${steps} steps`);
const benchStart = performance.now();

/** One run: build, evaluate at step 0 and every evalEvery steps, stop early on a non-finite loss. */
async function run(set, loss, seed) {
  const runStart = performance.now();
  const config = { ...toy2d.toy2d(set, { seed }), ...lossSetup(loss) };
  const trainer = await GanTrainer.create(ctx, config);
  const buildMs = performance.now() - runStart;
  const evaluations = [];
  let trainSeconds = 0;
  const evaluate = async (step, extra = {}) => {
    const t = performance.now();
    const s = trainer.latestStats;
    const base = { step, trainSeconds, wallSeconds: (performance.now() - runStart) / 1000, lossD: s?.lossD ?? null, lossG: s?.lossG ?? null, ...extra };
    let e;
    try {
      const c = toyModeCoverage(await trainer.sample(SAMPLES), set);
      e = { ...base, covered: c.covered, modes: c.modes, highQuality: c.highQuality, perMode: c.perMode };
    } catch (err) {
      // NaN samples (a diverged G) are a DataError from toyModeCoverage: record them, do not stop the bench.
      e = { ...base, covered: 0, modes: toy2d.TOY2D_MODES[set].centers.length, highQuality: 0, perMode: null, error: `${err.name}: ${err.message}` };
    }
    e.evalMs = performance.now() - t;
    evaluations.push(e);
    console.error(`  ${set} ${loss} seed ${seed} step ${step}: ${cell(e)}  (${trainSeconds.toFixed(1)} s training)`);
  };
  await evaluate(0);
  let stopped = null;
  let done = 0;
  while (done < steps) {
    const chunk = Math.min(evalEvery, steps - done);
    const t = performance.now();
    try {
      await trainer.train(chunk);
    } catch (err) {
      if (!(err instanceof NonFiniteLossError)) throw err;
      trainSeconds += (performance.now() - t) / 1000;
      stopped = { step: err.step, phase: err.phase, message: err.message };
      done = err.step; // the step whose update was refused; the weights are the last finite update's
      console.error(`  ${set} ${loss} seed ${seed}: halted at step ${err.step} (${err.phase})`);
      await evaluate(done, { afterHalt: true });
      break;
    }
    trainSeconds += (performance.now() - t) / 1000;
    done += chunk;
    await evaluate(done);
  }
  const record = {
    date: new Date().toISOString(),
    set,
    loss,
    seed,
    steps,
    evalEvery,
    samples: SAMPLES,
    stepsDone: done,
    runtime: 'node-dawn',
    adapter: ctx.adapterName,
    softwareAdapter: ctx.softwareAdapter,
    cpus: cpus().length,
    plan: trainer.plan,
    config: {
      batchSize: config.batchSize,
      dSteps: config.dSteps ?? 1,
      loss: config.loss,
      optimizerD: config.optimizerD,
      optimizerG: config.optimizerG,
      noise: config.noise,
      generator: 'Linear 2-64, ELU, Linear 64-64, ELU, Linear 64-2',
      discriminator: 'Linear 2-64, ELU, Linear 64-64, ELU, Linear 64-1',
      dataRows: config.data.rows,
      seed: config.seed,
    },
    buildMs,
    trainSeconds,
    wallSeconds: (performance.now() - runStart) / 1000,
    stopped,
    final: evaluations[evaluations.length - 1],
    evaluations,
  };
  trainer.dispose();
  writeFileSync(join(DIR, `${set}-${loss}-seed${seed}.json`), JSON.stringify(record, null, 1) + '\n');
  console.error(`${set} ${loss} seed ${seed} (${record.plan}): ${cell(record.final)} after ${done} steps, ${record.wallSeconds.toFixed(0)} s`);
}

for (const set of sets) for (const loss of losses) for (const seed of seeds) await run(set, loss, seed);
ctx.dispose();
console.error(`all runs: ${((performance.now() - benchStart) / 1000).toFixed(0)} s`);
console.log(writeTable());
process.exit(0);
