// Our engine on a real GPU in Node (Dawn on Vulkan), next to TF.js's webgpu
// backend on the same Dawn in the same process. Used on the lent NVIDIA
// machine (bench/device-run.sh, which ends by running this); runs anywhere Node
// finds an adapter (--quick: tiny sizes, to check the script on SwiftShader).
//
//   node bench/gpu-node.mjs [--only peer,matmul,tune,profile] [--quick] [--seconds 2] [--out DIR] [--peak-tflops 67]
//
// Parts (--only, comma-separated; the default is the four first):
//   peer     W1 mnistMlp b128, W2 dcgan28 b64, W3 gaussian1d b100, W1 b1024, W2 b512: steps/s and time to
//            first step of ours (tuned kernels, cache in DIR/tuning.json) and of TF.js webgpu (bench/lib/tfjs-node.mjs)
//   matmul   linear.wgsl's three products at 128×1024×1024, 1024³, 4096³, today's variant and the tuned one, as a
//            share of the device's fp32 peak (--peak-tflops, else from the adapter name: H100 SXM and H200 67 TFLOP/s
//            fp32 without tensor cores, NVIDIA's H100 and H200 datasheets; unknown devices get no share)
//   tune     time to first step with 'off', then 'full' with a cold cache (a fresh file), then 'full' again on it, each on a
//            fresh context: what tuning costs a first build, and the choices it made
//   profile  one W1 and one W2 step dispatch by dispatch (timestamp queries without Dawn's quantization)
//   speed    (not default) every preset at its own batch and a bigger one
//   quality  (not default) the digit bars of issue 12: each digit preset of --presets × --objectives × --seeds
//            trained to --quality-steps (or --train-seconds, whichever comes first), scored every --eval-every
//            steps and at the end with the shipped digit classifier (classifier-FID against the 2,000 held-out
//            digits, classes ≥ 5%, conditional accuracy); every evaluation is a JSON line and a table row.
//            The bars: bash bench/device-run.sh --only quality --presets mnistMlp,cdcgan
// Every measurement is one JSON line, printed and appended to DIR/gpu-node.jsonl (DIR: --out, else $OUT, else
// bench/results); the markdown tables are printed at the end and written to DIR/gpu-node.md.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as lib from '../dist/node.js';
import * as advanced from '../dist/advanced.js';
import { matmulSweep, measureOurs, profileStep } from './lib/bench-fns.mjs';
import { nodeProfileContext, profileMarkdown } from './lib/profile-node.mjs';

const { Classifier, GanTrainer, createNodeGpuContext, digitQuality, metrics, presets, FileTuningStore } = lib;
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    'train-seconds': { type: 'string', default: '60' },
    'quality-steps': { type: 'string', default: '10000' },
    'eval-every': { type: 'string', default: '2000' },
    seeds: { type: 'string', default: '0,1,2' },
    objectives: { type: 'string', default: 'bce' },
    out: { type: 'string', default: process.env.OUT || 'bench/results' },
    only: { type: 'string', default: 'peer,matmul,tune,profile' },
    presets: { type: 'string', default: 'gaussian1d,mnistMlp,dcgan28,cdcganSmall,cdcgan' },
    quick: { type: 'boolean', default: false },
    'peak-tflops': { type: 'string' },
  },
});
const QUICK = values.quick;
const SECONDS = QUICK ? 0.5 : Number(values.seconds);
const TRAIN_SECONDS = Number(values['train-seconds']);
const QUALITY_STEPS = Number(values['quality-steps']);
const EVAL_EVERY = Number(values['eval-every']);
const parts = new Set(values.only.split(','));
const OUT = values.out;
mkdirSync(OUT, { recursive: true });
const ctx = await createNodeGpuContext({ tuningStore: new FileTuningStore(join(OUT, 'tuning.json')) });
const device = ctx.adapterName;
// fp32 peak (no tensor cores) from NVIDIA's datasheets: H100 SXM5 67 TFLOP/s (PCIe 51), H200 SXM 67.
const PEAKS = [[/h200/i, 67], [/h100/i, 67]];
const peakTflops = values['peak-tflops'] ? Number(values['peak-tflops']) : (PEAKS.find(([re]) => re.test(device))?.[1] ?? null);
const base = { date: new Date().toISOString(), device, runtime: 'node-dawn', cpus: cpus().length, quick: QUICK };
const rows = [];
const emit = (row) => {
  rows.push(row);
  const line = JSON.stringify({ ...base, ...row });
  console.log(line);
  appendFileSync(join(OUT, 'gpu-node.jsonl'), line + '\n');
};
console.log(`adapter: ${device}; tune '${ctx.tuner.mode}'; fp32 peak ${peakTflops ?? 'unknown'} TFLOP/s`);
const { train, holdout } = presets.splitDigits(presets.decodeDigits(new Uint8Array(readFileSync('dist/data/mnist-digits.bin'))));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// TF.js's workloads take the digits in [-1, 1] (bench/tfjs-page.js's loadDigits); DigitData holds [0, 1].
const digitsInRange = { pixels: Float32Array.from(train.pixels, (p) => p * 2 - 1), rows: train.rows };

const WORKLOADS = QUICK
  ? [['W3', 'gaussian1d', 16], ['W1', 'mnistMlp', 8]]
  : [['W1', 'mnistMlp', 128], ['W2', 'dcgan28', 64], ['W3', 'gaussian1d', 100], ['W1', 'mnistMlp', 1024], ['W2', 'dcgan28', 512]];

if (parts.has('peer')) {
  // TF.js on its own Dawn instance (its own device), in this process; the bundled copy travels in dist/.
  const tfjsModule = existsSync('dist/bench/tfjs-node.mjs') ? '../dist/bench/tfjs-node.mjs' : './lib/tfjs-node.mjs';
  const { loadTfjsWebgpu, measureTfjs } = await import(tfjsModule);
  const dawn = await import('webgpu');
  let tfjs = null;
  try {
    tfjs = await loadTfjsWebgpu(dawn.create([]));
    console.log(`TF.js ${tfjs.version} webgpu on ${tfjs.adapter}`);
  } catch (e) {
    emit({ kind: 'peer', engine: 'tfjs-webgpu', error: String(e?.message ?? e) });
  }
  for (const [workload, preset, batch] of WORKLOADS) {
    const ours = await measureOurs(lib, ctx, preset, train, { batchSize: batch, windowSeconds: SECONDS, windows: QUICK ? 1 : 3 });
    emit({ kind: 'peer', engine: 'ours', workload, preset, batch, stepsPerSecond: ours.stepsPerSecond, windows: ours.windows, firstStepMs: ours.firstStepMs, dispatchesPerStep: ours.dispatchesPerStep, plan: ours.plan });
    if (!tfjs) continue;
    try {
      const r = await measureTfjs(tfjs.tf, preset, digitsInRange, batch, { windowSeconds: SECONDS, windows: QUICK ? 1 : 3 });
      emit({ kind: 'peer', engine: 'tfjs-webgpu', tfjsVersion: tfjs.version, workload, preset, batch, ...r });
    } catch (e) {
      emit({ kind: 'peer', engine: 'tfjs-webgpu', workload, preset, batch, error: String(e?.message ?? e).split('\n')[0] });
    }
  }
}

if (parts.has('matmul')) {
  const shapes = QUICK ? [[37, 131, 67], [128, 256, 256]] : [[128, 1024, 1024], [1024, 1024, 1024], [4096, 4096, 4096]];
  for (const variant of ['default', 'tuned']) {
    for (const r of await matmulSweep(advanced, ctx, { shapes, variant, targetMs: QUICK ? 50 : 500 })) {
      const tflops = r.gflops / 1000;
      emit({ kind: 'matmul', variant, ...r, tflops, peakTflops, shareOfPeak: peakTflops ? tflops / peakTflops : null });
    }
  }
}

if (parts.has('tune')) {
  const cases = QUICK ? [['mnistMlp', 8]] : [['mnistMlp', 128], ['dcgan28', 64]];
  for (const [preset, batch] of cases) {
    const file = join(mkdtempSync(join(tmpdir(), 'webgpu-gan-tune-')), 'tuning.json');
    // The second 'full' build reads what the first stored (only shapes it finished within its budget).
    for (const [mode, label] of [['off', 'off'], ['full', 'full, cold cache'], ['full', 'full, 2nd build, same cache']]) {
      const c = await createNodeGpuContext({ tune: mode, tuningStore: new FileTuningStore(file) });
      const t0 = performance.now();
      const trainer = await GanTrainer.create(c, presets.preset(preset, { digits: train, batchSize: batch }));
      await trainer.train(1);
      const firstStepMs = performance.now() - t0;
      const choices = {};
      for (const d of c.tuner.decisions) choices[d.variant] = (choices[d.variant] ?? 0) + 1;
      emit({ kind: 'tune', preset, batch, mode: label, firstStepMs, candidatesTimed: c.tuner.timedCandidates, budgetMs: c.tuner.budgetMs, choices, decisions: c.tuner.decisions });
      trainer.dispose();
      c.dispose();
    }
  }
}

if (parts.has('profile')) {
  const pctx = await nodeProfileContext(lib);
  for (const [workload, preset, batch] of QUICK ? [['W1', 'mnistMlp', 8]] : [['W1', 'mnistMlp', 128], ['W2', 'dcgan28', 64]]) {
    const p = await profileStep(lib, pctx, preset, train, { batchSize: batch, reps: QUICK ? 2 : 5 });
    emit({ kind: 'profile', workload, batch, adapter: pctx.adapterName, runtime: 'node-dawn', ...p, rows: p.rows.slice(0, 40) });
    console.log(profileMarkdown({ ...p, runtime: 'node-dawn', adapter: pctx.adapterName }, 15));
  }
  pctx.dispose();
}

/** Steps/s over 3 windows of ~SECONDS each, after the first step (timed: pipeline compiles) and 3 warm-up steps. */
async function speed(name, batchSize, stepsPerSubmit = 16) {
  const t0 = performance.now();
  const trainer = await GanTrainer.create(ctx, presets.preset(name, { digits: train, batchSize }));
  await trainer.train(1);
  const firstStepMs = performance.now() - t0;
  await trainer.train(3);
  const windows = [];
  let chunk = 8;
  while (windows.length < 3) {
    const s = performance.now();
    await trainer.train(chunk, { stepsPerSubmit });
    const dt = (performance.now() - s) / 1000;
    if (dt >= SECONDS || chunk >= 1 << 16) windows.push(chunk / dt);
    else chunk = Math.ceil(chunk * Math.min(8, (SECONDS / dt) * 1.1));
  }
  emit({ kind: 'speed', preset: name, batchSize, stepsPerSecond: median(windows), windows, firstStepMs, dispatchesPerStep: trainer.dispatchesPerStep, plan: trainer.plan, stepsPerSubmit });
  trainer.dispose();
}

/**
 * One digit run: `name` with `objective` and `seed`, scored at step 0, every EVAL_EVERY steps and at the
 * end (QUALITY_STEPS, or the 100-step chunk in which TRAIN_SECONDS of training run out): classifier-FID,
 * coverage and (conditional) accuracy on 2,000 samples, each a 'quality' row. A run that halts on a
 * non-finite loss is scored on the weights it kept and ends there.
 */
async function quality(name, objective, seed, classifier, reference, fidFloor) {
  const trainer = await GanTrainer.create(ctx, presets.preset(name, { digits: train, seed, objective }));
  let trainSeconds = 0;
  let steps = 0;
  let halted = null;
  const evaluate = async () => {
    const q = await digitQuality.evaluateDigitGan(trainer, classifier, reference);
    emit({ kind: 'quality', preset: name, objective, seed, steps, trainSeconds, halted, fid: q.fid, fidFloor, classesCovered: q.coverage.classesCovered, klToUniform: q.coverage.klToUniform, conditionalAccuracy: q.conditionalAccuracy, stats: trainer.latestStats });
  };
  await evaluate();
  // Chunks of 100 steps, so that the time cap ends a run within a chunk of it (then evaluated where it stopped).
  while (steps < QUALITY_STEPS && trainSeconds < TRAIN_SECONDS && !halted) {
    const next = Math.min(QUALITY_STEPS, steps + EVAL_EVERY);
    while (steps < next && trainSeconds < TRAIN_SECONDS && !halted) {
      const chunk = Math.min(100, next - steps);
      const t0 = performance.now();
      try {
        await trainer.train(chunk, { stepsPerSubmit: 25 });
        steps += chunk;
      } catch (e) {
        if (!(e instanceof lib.NonFiniteLossError)) throw e;
        halted = { step: e.step, phase: e.phase };
        steps = e.step;
      }
      trainSeconds += (performance.now() - t0) / 1000;
    }
    await evaluate();
  }
  trainer.dispose();
}

if (parts.has('speed')) {
  const BATCHES = { gaussian1d: [100, 4096], mnistMlp: [128, 1024], dcgan28: [64, 512], cdcganSmall: [32, 256], cdcgan: [64] };
  for (const name of values.presets.split(',')) {
    for (const b of BATCHES[name]) await speed(name, b);
  }
}
if (parts.has('quality')) {
  const net = digitQuality.digitClassifierNet();
  const classifier = await Classifier.create(ctx, digitQuality.digitClassifierConfig(train), digitQuality.decodeClassifierWeights(net, new Uint8Array(readFileSync('weights/digit-classifier.safetensors'))));
  const reference = await digitQuality.digitFeatureStatistics(classifier, holdout);
  const slice = { pixels: train.pixels.slice(0, 2000 * 784), labels: train.labels.slice(0, 2000), rows: 2000 };
  const fidFloor = metrics.frechetDistance(await digitQuality.digitFeatureStatistics(classifier, slice), reference);
  for (const name of values.presets.split(',').filter((n) => ['mnistMlp', 'dcgan28', 'cdcgan', 'cdcganSmall'].includes(n))) {
    for (const objective of values.objectives.split(',')) {
      for (const seed of values.seeds.split(',').map(Number)) await quality(name, objective, seed, classifier, reference, fidFloor);
    }
  }
  classifier.dispose();
}

// ---- Markdown
const f = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(d));
const md = [`GPU bench (${device}, Node + Dawn, ${base.date}${QUICK ? ', --quick sizes' : ''})`, ''];
const peer = rows.filter((r) => r.kind === 'peer' && r.workload);
if (peer.length) {
  md.push('| workload | batch | ours steps/s (plan, dispatches/step) | TF.js webgpu steps/s | ours ÷ TF.js | first step ours / TF.js (s) |', '| --- | --- | --- | --- | --- | --- |');
  for (const [workload, preset, batch] of WORKLOADS) {
    const o = peer.find((r) => r.engine === 'ours' && r.preset === preset && r.batch === batch);
    const t = peer.find((r) => r.engine === 'tfjs-webgpu' && r.preset === preset && r.batch === batch);
    const ratio = o && t?.stepsPerSecond ? `${f(o.stepsPerSecond / t.stepsPerSecond, 2)}×` : (t?.error ? `TF.js failed: ${t.error.slice(0, 60)}` : '–');
    md.push(`| ${workload} ${preset} | ${batch} | ${f(o?.stepsPerSecond, 2)} (${o?.plan ?? '?'}, ${o?.dispatchesPerStep ?? '?'}) | ${f(t?.stepsPerSecond, 2)} | ${ratio} | ${f(o?.firstStepMs / 1000, 2)} / ${f(t?.firstStepMs / 1000, 2)} |`);
  }
  md.push('');
}
const mm = rows.filter((r) => r.kind === 'matmul');
if (mm.length) {
  md.push(`| shape B×K×N | entry | variant | kernel | ms | TFLOP/s | of fp32 peak (${peakTflops ?? '?'} TFLOP/s) |`, '| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of mm) md.push(`| ${r.shape} | ${r.entry} | ${r.variant} | ${r.kernel} | ${f(r.msPerDispatch, 3)} | ${f(r.tflops, 3)} | ${r.shareOfPeak === null ? '–' : `${f(r.shareOfPeak * 100, 1)}%`} |`);
  md.push('');
}
const tune = rows.filter((r) => r.kind === 'tune');
if (tune.length) {
  md.push('| preset | batch | tune | first step (s) | candidates timed | variants chosen |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of tune) md.push(`| ${r.preset} | ${r.batch} | ${r.mode} | ${f(r.firstStepMs / 1000, 2)} | ${r.candidatesTimed} | ${Object.entries(r.choices).map(([k, v]) => `${k} ×${v}`).join(', ')} |`);
  md.push('');
}
const qualityRows = rows.filter((r) => r.kind === 'quality');
if (qualityRows.length) {
  md.push(`Digit runs, every evaluation (FID floor ${f(qualityRows[0].fidFloor, 2)}); cells: FID · classes ≥ 5% · conditional accuracy`, '');
  md.push('| preset | objective | seed | evaluations (step: FID · classes · accuracy) | train s |', '| --- | --- | --- | --- | --- |');
  const runs = new Map();
  for (const r of qualityRows) {
    const key = `${r.preset}|${r.objective}|${r.seed}`;
    runs.set(key, [...(runs.get(key) ?? []), r]);
  }
  for (const evals of runs.values()) {
    const r = evals[evals.length - 1];
    const cells = evals.map((e) => `${e.steps}: ${f(e.fid)} · ${e.classesCovered} · ${e.conditionalAccuracy === null || e.conditionalAccuracy === undefined ? '–' : `${f(e.conditionalAccuracy * 100)}%`}`);
    md.push(`| ${r.preset} | ${r.objective} | ${r.seed} | ${cells.join(' — ')}${r.halted ? ` (halted at ${r.halted.step})` : ''} | ${f(r.trainSeconds)} |`);
  }
  md.push('');
}
const text = md.join('\n');
console.log('\n' + text);
writeFileSync(join(OUT, 'gpu-node.md'), text + '\n');
ctx.dispose();
process.exit(0);
