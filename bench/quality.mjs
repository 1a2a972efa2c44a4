// Trains a digit preset in headless Chromium (SwiftShader here) and scores it
// with the shipped digit classifier, all on the GPU through the engine:
//   node bench/quality.mjs --preset cdcganSmall --steps 2000 [--eval-every 250] [--seed 0] [--lr 1e-3] [--batch 64]
//   node bench/quality.mjs --table      (only rewrite bench/results/quality.md from the run records)
//   --objective hinge-sn|wgan-gp   trains the preset with that objective (presets/objectives.ts)
//   --checkpoint weights/demo-<preset>.safetensors   also writes the trained state (saveCheckpoint): the
//        demo's "Start from trained weights" loads these files
// Reports classifier-FID against the 2,000 held-out digits next to its floor
// (2,000 training digits vs the held-out ones) and ceiling (the untrained G),
// mode coverage, conditional accuracy (conditional presets), steps and
// training wall time (evaluations excluded). Writes the run's record,
// bench/results/quality/<preset>-<steps>steps-seed<seed>[-lr<lr>].json, with every
// evaluation, and its PNG grid (rows = labels for conditional presets), then
// rewrites bench/results/quality.md from all records (bench/lib/quality-table.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from '../scripts/chromium.mjs';
import { writeImageGrid } from '../dist/node.js';
import { QUALITY_DIR, QUALITY_TABLE, writeQualityTable } from './lib/quality-table.mjs';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'cdcganSmall' },
    steps: { type: 'string', default: '2000' },
    'eval-every': { type: 'string', default: '250' },
    seed: { type: 'string', default: '0' },
    port: { type: 'string', default: '8791' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    checkpoint: { type: 'string' },
    objective: { type: 'string' },
    table: { type: 'boolean', default: false },
  },
});
if (values.table) {
  console.log(`${QUALITY_TABLE}: ${writeQualityTable()} runs`);
  process.exit(0);
}
const preset = values.preset;
const steps = Number(values.steps);
const evalEvery = Number(values['eval-every']);
const seed = Number(values.seed);
const lr = values.lr === undefined ? null : Number(values.lr);
const batchSize = values.batch === undefined ? undefined : Number(values.batch);
const checkpoint = values.checkpoint ?? null;
const objective = values.objective ?? null;
if (!existsSync('weights/digit-classifier.safetensors')) throw new Error('weights/digit-classifier.safetensors is missing: run npm run train:classifier');

const server = spawn(process.execPath, ['scripts/serve.mjs', `--port=${values.port}`], { stdio: 'ignore' });
let browser;
try {
  await new Promise((r) => setTimeout(r, 500));
  browser = await chromium.launch({ executablePath: await findChromium(), args: CHROMIUM_WEBGPU_ARGS });
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`[page] ${m.text()}`));
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(`http://localhost:${values.port}/test/support/harness.html`);
  await page.waitForFunction(() => window.harnessReady !== undefined, null, { timeout: 120_000 });
  const ready = await page.evaluate(() => window.harnessReady);
  if (ready !== 'ok') throw new Error(`WebGPU harness failed: ${ready}`);
  page.setDefaultTimeout(0);
  const report = await page.evaluate(
    async ({ preset, steps, evalEvery, seed, lr, batchSize, checkpoint, objective }) => {
      const { lib, ctx } = window.harness;
      const q = lib.digitQuality;
      const fetchBytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
      const { train, holdout } = lib.presets.splitDigits(lib.presets.decodeDigits(await fetchBytes('/dist/data/mnist-digits.bin')));
      const net = q.digitClassifierNet();
      const weights = q.decodeClassifierWeights(net, await fetchBytes('/weights/digit-classifier.safetensors'));
      const classifier = await lib.Classifier.create(ctx, q.digitClassifierConfig(train), weights);
      const classifierAccuracy = await classifier.accuracy(lib.presets.scaleToTanhRange(holdout.pixels), holdout.labels);
      const reference = await q.digitFeatureStatistics(classifier, holdout);
      const trainSlice = { pixels: train.pixels.slice(0, 2000 * 784), labels: train.labels.slice(0, 2000), rows: 2000 };
      const fidFloor = lib.metrics.frechetDistance(await q.digitFeatureStatistics(classifier, trainSlice), reference);
      console.log(`classifier hold-out accuracy ${(100 * classifierAccuracy).toFixed(2)}%, FID floor (2000 train vs 2000 held-out) ${fidFloor.toFixed(3)}`);

      const config = lib.presets.preset(preset, { digits: train, seed, batchSize, ...(objective ? { objective } : {}) });
      // --lr overrides both Adams' learning rate (tuning runs).
      if (lr !== null) {
        config.optimizerD = { ...config.optimizerD, lr };
        config.optimizerG = { ...config.optimizerG, lr };
      }
      const tBuild = performance.now();
      const trainer = await lib.GanTrainer.create(ctx, config);
      const buildMs = performance.now() - tBuild;
      const evaluations = [];
      const evaluate = async (step, trainSeconds) => {
        const e = await q.evaluateDigitGan(trainer, classifier, reference);
        const s = trainer.latestStats;
        evaluations.push({ step, trainSeconds, fid: e.fid, classesCovered: e.coverage.classesCovered, klToUniform: e.coverage.klToUniform, histogram: e.coverage.histogram, conditionalAccuracy: e.conditionalAccuracy, lossD: s?.lossD ?? null, lossG: s?.lossG ?? null });
        const cond = e.conditionalAccuracy === null ? '' : `  conditional accuracy ${(100 * e.conditionalAccuracy).toFixed(1)}%`;
        console.log(`step ${step} (${trainSeconds.toFixed(0)} s training)  FID ${e.fid.toFixed(3)}  classes ≥5% ${e.coverage.classesCovered}  KL ${e.coverage.klToUniform.toFixed(3)}${cond}`);
      };
      await evaluate(0, 0);
      let trainSeconds = 0;
      for (let done = 0; done < steps; ) {
        const chunk = Math.min(evalEvery, steps - done);
        const t = performance.now();
        await trainer.train(chunk);
        trainSeconds += (performance.now() - t) / 1000;
        done += chunk;
        await evaluate(done, trainSeconds);
      }
      const conditional = trainer.config.shapes.classes > 0;
      const gridLabels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
      const grid = await trainer.sample(100, conditional ? { labels: gridLabels } : {});
      // Base64 keeps a megabyte checkpoint a string on its way out of the page.
      let checkpointBase64 = null;
      if (checkpoint !== null) {
        const bytes = await lib.saveCheckpoint(trainer);
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        checkpointBase64 = btoa(binary);
      }
      const result = {
        preset,
        seed,
        adapter: window.harness.adapterName,
        steps,
        trainSeconds,
        buildMs,
        batchSize: config.batchSize,
        dSteps: config.dSteps ?? 1,
        classifierAccuracy,
        fidFloor,
        fidCeiling: evaluations[0].fid,
        final: evaluations[evaluations.length - 1],
        evaluations,
        grid: Array.from(grid),
        conditional,
        checkpointBase64,
      };
      trainer.dispose();
      classifier.dispose();
      return result;
    },
    { preset, steps, evalEvery, seed, lr, batchSize, checkpoint, objective },
  );

  mkdirSync(QUALITY_DIR, { recursive: true });
  const date = new Date().toISOString();
  const id = `${preset}${objective ? `-${objective}` : ''}-${report.steps}steps-seed${seed}${lr === null ? '' : `-lr${lr}`}${batchSize === undefined ? '' : `-b${batchSize}`}`;
  const png = `${QUALITY_DIR}/${id}.png`;
  writeImageGrid(png, Float32Array.from(report.grid), 100, 28, 28, 10);
  const { grid, checkpointBase64, ...rest } = report;
  if (checkpoint !== null) {
    writeFileSync(checkpoint, Buffer.from(checkpointBase64, 'base64'));
    console.log(`${checkpoint}: the trained state at step ${report.steps}`);
  }
  writeFileSync(`${QUALITY_DIR}/${id}.json`, JSON.stringify({ date, ...rest, lr, objective, png, checkpoint }, null, 1) + '\n');
  const f = report.final;
  console.log(`${id}: FID ${f.fid.toFixed(1)}, ${f.classesCovered} classes, conditional accuracy ${f.conditionalAccuracy ?? '–'}; ${QUALITY_TABLE}: ${writeQualityTable()} runs`);
} finally {
  await browser?.close();
  server.kill();
}
