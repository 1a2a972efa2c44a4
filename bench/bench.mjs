// `npm run bench`: our engine next to TF.js 4.x on three workloads, in one
// headless Chromium process and run (same adapter), and in Node (Dawn); a
// matmul sweep of our linear kernel for our own ceiling; a 2,000-step
// flatness check; and a per-dispatch profile of each workload's step.
//
//   node scripts/build.mjs && node bench/bench.mjs [options]
//
//   --parts perf,matmul,flat,profile    what to run (default: all four)
//   --workloads W1,W2,W3                W1 mnistMlp, W2 dcgan28, W3 gaussian1d (preset names work too)
//   --engines ours-chromium,ours-node,tfjs-webgpu,tfjs-wasm
//   --windows 3 --window-seconds 4      timed windows per run and their target length
//   --w2-windows 2 --w2-window-seconds 6  the same for W2 (seconds per step on SwiftShader)
//   --cap 75 --w2-cap 150               per (engine, workload) run: no window starts that would end past
//                                       this many seconds from the run's start (at least one is taken);
//                                       a run still going at cap + --grace (120) s is recorded as an error
//   --flat-steps 2000 --flat-warm 200 --flat-workload W3 --flat-engines ours-chromium,ours-node
//   --profile-top 8                     dispatches per workload printed (all are in the JSON)
//   --out bench/results/bench.jsonl
//
// Protocol (ours: bench/lib/bench-fns.mjs measureOurs; TF.js: bench/tfjs-page.js run):
// time to first step = building the nets/trainer (pipeline compiles included)
// + one step + its readback; up to 3 warm-up steps (fewer when slow) give a
// step-time estimate; then windows of n steps sized to the target, each ending
// in one readback (ours: train(n) waits for the GPU and reads its stats;
// TF.js: `await loss.data()`); a window under 0.8 × target is rerun and not
// counted. The median window is reported, with all windows. Each run gets a
// fresh tab (so its own GPUDevice); Node gets a fresh context per workload.
// Memory: JS heap = performance.memory.usedJSHeapSize (Chromium, with
// --enable-precise-memory-info) or process.memoryUsage().heapUsed (Node),
// sampled after the first step and each window; GPU bytes = live
// device.createBuffer sizes (wrapped), peak; TF.js also reports tf.memory().
// FLOPs/step: matmul and convolution products only, 2 FLOP per multiply-add:
// a D update is G forward (B) + D forward, weight grads and input grads past
// its first layer (2B rows: fake and real); a G update is G forward + D
// forward + D input grads (B) + G weight grads + G input grads past its first
// layer. Elementwise work (activations, BatchNorm, loss, Adam) is not counted.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from '../scripts/chromium.mjs';
import { flatCheck, matmulSweep, measureOurs, profileStep, shipFunctions, stepFlops, trackDevice } from './lib/bench-fns.mjs';
import { nodeProfileContext, profileMarkdown } from './lib/profile-node.mjs';

const { values: A } = parseArgs({
  options: {
    parts: { type: 'string', default: 'perf,matmul,flat,profile' },
    workloads: { type: 'string', default: 'W1,W2,W3' },
    engines: { type: 'string', default: 'ours-chromium,ours-node,tfjs-webgpu,tfjs-wasm' },
    windows: { type: 'string', default: '3' },
    'window-seconds': { type: 'string', default: '4' },
    'w2-windows': { type: 'string', default: '2' },
    'w2-window-seconds': { type: 'string', default: '6' },
    cap: { type: 'string', default: '75' },
    'w2-cap': { type: 'string', default: '150' },
    grace: { type: 'string', default: '120' },
    'flat-steps': { type: 'string', default: '2000' },
    'flat-warm': { type: 'string', default: '200' },
    'flat-workload': { type: 'string', default: 'W3' },
    'flat-engines': { type: 'string', default: 'ours-chromium,ours-node' },
    'profile-top': { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench/results/bench.jsonl' },
  },
});
const WL = { W1: 'mnistMlp', W2: 'dcgan28', W3: 'gaussian1d' };
const ID = Object.fromEntries(Object.entries(WL).map(([k, v]) => [v, k]));
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const PARTS = new Set(list(A.parts));
const WORKLOADS = list(A.workloads).map((w) => WL[w] ?? w);
const ENGINES = list(A.engines);
const FLAT_PRESET = WL[A['flat-workload']] ?? A['flat-workload'];
const FLAT_ENGINES = list(A['flat-engines']);
const GRACE_S = Number(A.grace);
const runOpts = (preset) =>
  preset === 'dcgan28'
    ? { windows: Number(A['w2-windows']), windowSeconds: Number(A['w2-window-seconds']), capSeconds: Number(A['w2-cap']) }
    : { windows: Number(A.windows), windowSeconds: Number(A['window-seconds']), capSeconds: Number(A.cap) };
const needsDigits = (p) => p !== 'gaussian1d' && p !== 'sine';
const PORT = 8792;
const started = performance.now();
const log = (...a) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s]`, ...a);

const cpus = os.cpus();
const machine = {
  cpus: cpus.length,
  cpuModel: cpus[0]?.model,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
};
const loadStart = os.loadavg();

// Node-side library: FLOPs come from the same preset configs as the runs.
const lib = { ...(await import('../dist/node.js')), ...(await import('../dist/advanced.js')) };
const nodeDigits = WORKLOADS.some(needsDigits) || needsDigits(FLAT_PRESET) ? lib.loadMnistDigits() : undefined;
const flops = Object.fromEntries(WORKLOADS.map((p) => [p, stepFlops(lib.presets.preset(p, { digits: nodeDigits }))]));

const results = []; // perf rows
const matmul = {}; // runtime → rows
const flat = [];
const profiles = [];
const errorText = (e) => String(e?.message ?? e).split('\n').slice(0, 4).join(' ').slice(0, 400);
const withTimeout = (promise, s, what) =>
  Promise.race([promise, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: no result after ${s} s`)), s * 1000))]);

// ---- Chromium: ours (test harness page) and TF.js (bench/tfjs.html), one browser ----
const chromiumEngines = ENGINES.filter((e) => e !== 'ours-node');
const chromiumWanted =
  (PARTS.has('perf') && chromiumEngines.length > 0) || PARTS.has('matmul') || (PARTS.has('flat') && FLAT_ENGINES.includes('ours-chromium'));
let chromiumVersion;
let chromiumAdapter;
if (chromiumWanted) {
  if (chromiumEngines.some((e) => e.startsWith('tfjs-'))) {
    await build({
      entryPoints: { 'tfjs-page': 'bench/tfjs-page.js' },
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outdir: 'dist/bench', logLevel: 'warning',
    });
    const require = createRequire(import.meta.url);
    const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      copyFileSync(join(wasmDist, f), join('dist/bench', f));
    }
  }
  const server = spawn(process.execPath, ['scripts/serve.mjs', `--port=${PORT}`], { stdio: 'ignore' });
  let browser;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const launch = async () =>
      chromium.launch({
        executablePath: await findChromium(),
        args: [...CHROMIUM_WEBGPU_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
      });
    browser = await launch();
    chromiumVersion = browser.version();
    const tab = async (path, ready) => {
      const page = await browser.newPage();
      const consoleErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300)); });
      page.on('pageerror', (e) => consoleErrors.push(String(e).slice(0, 300)));
      await page.goto(`http://localhost:${PORT}${path}`);
      await page.waitForFunction(ready, undefined, { timeout: 60000 });
      return { page, consoleErrors };
    };
    /** A harness tab with the bench functions, our device tracked and (when needed) the digits decoded. */
    const oursTab = async (withDigits) => {
      const t = await tab('/test/support/harness.html', () => window.harnessReady !== undefined);
      const ready = await t.page.evaluate(() => window.harnessReady);
      if (ready !== 'ok') throw new Error(`harness: ${ready}`);
      await t.page.addScriptTag({ content: shipFunctions() });
      chromiumAdapter = await t.page.evaluate(async (withDigits) => {
        const { lib, ctx } = window.harness;
        window.benchFns.trackDevice(ctx.device);
        if (withDigits) {
          const bytes = new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer());
          window.benchDigits = lib.presets.decodeDigits(bytes);
        }
        return ctx.adapterName;
      }, withDigits);
      return t;
    };

    if (PARTS.has('matmul')) {
      log('matmul sweep, chromium');
      const { page } = await oursTab(false);
      try {
        matmul.chromium = await withTimeout(page.evaluate(() => window.benchFns.matmulSweep({ ...window.harness.lib, ...window.harness.advanced }, window.harness.ctx)), 300, 'matmul');
      } catch (e) {
        matmul.chromium = { error: errorText(e) };
      }
      await page.close().catch(() => {});
    }

    if (PARTS.has('perf')) {
      for (const preset of WORKLOADS) {
        for (const engine of chromiumEngines) {
          const label = `${engine} ${ID[preset] ?? preset} (${preset})`;
          const o = runOpts(preset);
          log(`${label}: running (windows ${o.windows} × ${o.windowSeconds} s, cap ${o.capSeconds} s)`);
          const t = performance.now();
          let page, consoleErrors = [], r;
          try {
            if (engine === 'ours-chromium') {
              ({ page, consoleErrors } = await oursTab(needsDigits(preset)));
              r = await withTimeout(
                page.evaluate(({ preset, o }) => window.benchFns.measureOurs({ ...window.harness.lib, ...window.harness.advanced }, window.harness.ctx, preset, window.benchDigits, o), { preset, o }),
                o.capSeconds + GRACE_S, label,
              );
              r.adapter = chromiumAdapter;
            } else if (engine.startsWith('tfjs-')) {
              ({ page, consoleErrors } = await tab('/bench/tfjs.html', () => window.tfjsPeerReady === true));
              r = await withTimeout(
                page.evaluate((x) => window.tfjsPeer.run(x), {
                  backend: engine.slice(5), workload: preset, windowSeconds: o.windowSeconds, budgetSeconds: o.capSeconds, windows: o.windows,
                }),
                o.capSeconds + GRACE_S, label,
              );
            } else {
              throw new Error(`unknown engine '${engine}'`);
            }
          } catch (e) {
            r = { error: errorText(e) };
            // What the run had got to (time to first step, windows so far), if the page still answers.
            const p = await withTimeout(
              page?.evaluate(() => {
                const p = window.benchProgress;
                const now = performance.now();
                return p && { ...p, elapsedSeconds: (now - p.startedAt) / 1000, sinceLastStepSeconds: p.lastStepEndAt ? (now - p.lastStepEndAt) / 1000 : undefined };
              }) ?? Promise.resolve(null),
              10, 'progress',
            ).catch(() => null);
            if (p && r.error.includes('no result after')) {
              const { windows = [], stepsDone, firstStepMs, elapsedSeconds, sinceLastStepSeconds, pendingSteps = 1, warmupSteps, warmupStepSeconds } = p;
              r.partialProgress = { firstStepMs, warmupSteps, warmupStepSeconds, windows, stepsDone, elapsedSeconds, sinceLastStepSeconds, pendingSteps };
              if (firstStepMs !== undefined) r.firstStepMs = firstStepMs;
              if (windows.length) {
                r.windows = windows;
                r.stepsPerSecond = [...windows].sort((a, b) => a - b)[Math.floor(windows.length / 2)];
              } else if (warmupStepSeconds?.length) {
                // No window finished: the warm-up steps (each with its readback) are the only steady-state timing.
                r.stepsPerSecond = 1 / Math.min(...warmupStepSeconds);
                r.fromWarmup = true;
              } else if (sinceLastStepSeconds) {
                // No window finished, but the steps in flight (after the first step) have taken this long already.
                r.stepsPerSecondAtMost = pendingSteps / sinceLastStepSeconds;
              }
            }
          }
          if (r.error?.includes('no result after')) {
            // The GPU process would go on with the abandoned run's queued work and slow every later run:
            // start a fresh browser (same executable and flags) for the rest.
            await browser.close().catch(() => {});
            page = undefined;
            browser = await launch();
            r.browserRestarted = true;
          }
          delete r.backend;
          if (consoleErrors.length) r.consoleErrors = consoleErrors.slice(0, 3);
          r.wallSeconds = (performance.now() - t) / 1000;
          await page?.close().catch(() => {});
          results.push({ engine, runtime: 'chromium', workload: ID[preset] ?? preset, preset, chromiumVersion, ...r, protocol: o });
          log(r.error ? `${label}: ERROR ${r.error}` : `${label}: ${r.stepsPerSecond?.toPrecision(4)} steps/s (${r.wallSeconds.toFixed(0)} s)`);
        }
      }
    }

    if (PARTS.has('flat') && FLAT_ENGINES.includes('ours-chromium')) {
      log(`flatness, chromium: ${FLAT_PRESET} ${A['flat-steps']} steps`);
      const { page } = await oursTab(needsDigits(FLAT_PRESET));
      try {
        const r = await withTimeout(
          page.evaluate(
            ({ preset, steps, warm }) =>
              window.benchFns.flatCheck({ ...window.harness.lib, ...window.harness.advanced }, window.harness.ctx, preset, window.benchDigits, { steps, warmSteps: warm, gc: window.gc }),
            { preset: FLAT_PRESET, steps: Number(A['flat-steps']), warm: Number(A['flat-warm']) },
          ),
          900, 'flat',
        );
        flat.push({ engine: 'ours-chromium', runtime: 'chromium', adapter: chromiumAdapter, ...r });
      } catch (e) {
        flat.push({ engine: 'ours-chromium', runtime: 'chromium', preset: FLAT_PRESET, error: errorText(e) });
      }
      await page.close().catch(() => {});
    }
  } finally {
    await browser?.close().catch(() => {});
    server.kill();
  }
}

// ---- Node (Dawn) ----
let nodeAdapter;
const nodeCtx = async () => {
  const ctx = await lib.createNodeGpuContext();
  trackDevice(ctx.device);
  nodeAdapter = ctx.adapterName;
  return ctx;
};
if (PARTS.has('matmul')) {
  log('matmul sweep, node');
  const ctx = await nodeCtx();
  try {
    matmul.node = await matmulSweep(lib, ctx);
  } catch (e) {
    matmul.node = { error: errorText(e) };
  }
  ctx.dispose();
}
if (PARTS.has('perf') && ENGINES.includes('ours-node')) {
  for (const preset of WORKLOADS) {
    const o = runOpts(preset);
    const label = `ours-node ${ID[preset] ?? preset} (${preset})`;
    log(`${label}: running`);
    const t = performance.now();
    const ctx = await nodeCtx();
    let r;
    try {
      r = await measureOurs(lib, ctx, preset, nodeDigits, o);
      r.adapter = ctx.adapterName;
    } catch (e) {
      r = { error: errorText(e) };
    }
    ctx.dispose();
    r.wallSeconds = (performance.now() - t) / 1000;
    results.push({ engine: 'ours-node', runtime: 'node-dawn', workload: ID[preset] ?? preset, ...r, preset, protocol: o });
    log(r.error ? `${label}: ERROR ${r.error}` : `${label}: ${r.stepsPerSecond?.toPrecision(4)} steps/s`);
  }
}
if (PARTS.has('flat') && FLAT_ENGINES.includes('ours-node')) {
  log(`flatness, node: ${FLAT_PRESET} ${A['flat-steps']} steps`);
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const ctx = await nodeCtx();
  try {
    const r = await flatCheck(lib, ctx, FLAT_PRESET, nodeDigits, { steps: Number(A['flat-steps']), warmSteps: Number(A['flat-warm']), gc });
    flat.push({ engine: 'ours-node', runtime: 'node-dawn', adapter: ctx.adapterName, ...r });
  } catch (e) {
    flat.push({ engine: 'ours-node', runtime: 'node-dawn', preset: FLAT_PRESET, error: errorText(e) });
  }
  ctx.dispose();
}
if (PARTS.has('profile')) {
  const ctx = await nodeProfileContext(lib);
  for (const preset of WORKLOADS) {
    log(`profile, node: ${preset}`);
    try {
      profiles.push({ runtime: 'node-dawn', adapter: ctx.adapterName, ...(await profileStep(lib, ctx, preset, nodeDigits, { reps: preset === 'dcgan28' ? 2 : 5 })) });
    } catch (e) {
      profiles.push({ runtime: 'node-dawn', preset, error: errorText(e) });
    }
  }
}

// ---- derived numbers ----
const ceiling = Object.fromEntries(
  Object.entries(matmul).filter(([, rows]) => Array.isArray(rows) && rows.length).map(([rt, rows]) => [rt, Math.max(...rows.map((r) => r.gflops))]),
);
const ceilingFor = (r) => (r.runtime === 'node-dawn' ? ceiling.node : ceiling.chromium);
for (const r of results) {
  const fl = flops[r.preset];
  if (fl) r.flopsPerStep = fl.flopsPerStep;
  if (r.stepsPerSecond && fl) {
    r.gflops = (fl.flopsPerStep * r.stepsPerSecond) / 1e9;
    if (ceilingFor(r)) r.shareOfMatmulCeiling = r.gflops / ceilingFor(r);
  }
  if (r.engine.startsWith('ours') && r.stepsPerSecond) {
    for (const peer of ['tfjs-webgpu', 'tfjs-wasm']) {
      const p = results.find((x) => x.engine === peer && x.preset === r.preset && x.stepsPerSecond);
      if (p) r[`over_${peer}`] = r.stepsPerSecond / p.stepsPerSecond;
      const q = results.find((x) => x.engine === peer && x.preset === r.preset && !x.stepsPerSecond && x.stepsPerSecondAtMost);
      if (q) r[`overAtLeast_${peer}`] = r.stepsPerSecond / q.stepsPerSecondAtMost;
      if (p && r.firstStepMs && p.firstStepMs) r[`firstStepOver_${peer}`] = r.firstStepMs / p.firstStepMs;
    }
  }
}
const loadEnd = os.loadavg();
const date = new Date().toISOString();
const common = { date, machine, loadAvgStart: loadStart, loadAvgEnd: loadEnd, chromiumVersion };
mkdirSync(dirname(A.out), { recursive: true });
const write = (row) => appendFileSync(A.out, JSON.stringify({ ...common, ...row }) + '\n');
for (const r of results) write({ part: 'perf', ...r });
for (const [runtime, rows] of Object.entries(matmul)) write({ part: 'matmul', runtime, adapter: runtime === 'node' ? nodeAdapter : chromiumAdapter, ceilingGflops: ceiling[runtime], rows });
for (const f of flat) write({ part: 'flat', ...f });
for (const p of profiles) write({ part: 'profile', ...p });

// ---- markdown ----
const f = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '' : x.toFixed(d));
const sig = (x, d = 3) => (x === undefined || Number.isNaN(x) ? '' : x >= 100 ? x.toFixed(0) : x.toPrecision(d));
const mb = (b) => (b === undefined || Number.isNaN(b) || b === null ? '' : (b / 2 ** 20).toFixed(1));
const out = [];
const loads = (l) => l.map((x) => x.toFixed(2)).join(' ');
out.push(
  `## webgpu-gan bench, ${date}`,
  '',
  `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.os}, ${machine.totalMemGiB} GiB; Node ${machine.node}` +
    (chromiumVersion ? `; Chromium ${chromiumVersion} headless` : '') +
    `; load average ${loads(loadStart)} at start, ${loads(loadEnd)} at end.`,
  `Adapters: Chromium ${chromiumAdapter ?? '—'}; Node ${nodeAdapter ?? '—'}.`,
  '',
);
if (results.length) {
  out.push(
    '| workload | engine | steps/s (median) | windows (steps/s) | first step (ms) | peak JS heap (MB) | peak GPU (MB) | ours / TF.js webgpu | ours / TF.js wasm | GFLOP/step | GFLOP/s | of matmul ceiling | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of results) {
    const pp = r.partialProgress;
    const notes = r.error
      ? `ERROR: ${r.error.replace(/\|/g, '\\|').slice(0, 160)}` +
        (pp ? `; after ${f(pp.elapsedSeconds, 0)} s it had done: first step ${pp.firstStepMs === undefined ? 'not finished' : f(pp.firstStepMs, 0) + ' ms'}, ${pp.warmupSteps ?? 0} warm-up, ${pp.windows.length} windows; ${f(pp.sinceLastStepSeconds ?? NaN, 0)} s on the last ${pp.pendingSteps} step(s)` : '')
      : [
          r.dispatchesPerStep && `${r.dispatchesPerStep} dispatches/step`,
          r.windowSteps && `steps/window ${r.windowSteps.join(', ')}`,
          r.warmupSteps !== undefined && `${r.warmupSteps} warm-up`,
          r.peakTensorBytes !== undefined && `tf.memory ${mb(r.peakTensorBytes)} MB` + (r.peakGpuTensorBytes !== undefined ? ` (GPU ${mb(r.peakGpuTensorBytes)})` : ''),
          r.wasmSimd !== undefined && `simd ${r.wasmSimd}, threads ${r.wasmThreads}`,
          r.partial,
          r.fromWarmup && 'steps/s from warm-up steps',
        ].filter(Boolean).join('; ');
    const ratio = (k) => (r[k] ? `${f(r[k], r[k] >= 10 ? 0 : 2)}×` : r[k.replace('over_', 'overAtLeast_')] ? `> ${f(r[k.replace('over_', 'overAtLeast_')], 1)}×` : '');
    out.push(
      `| ${r.workload} ${r.preset} | ${r.engine} | ${r.stepsPerSecond ? sig(r.stepsPerSecond) : r.stepsPerSecondAtMost ? `< ${sig(r.stepsPerSecondAtMost)}` : '—'} | ${(r.windows ?? []).map((w) => sig(w)).join(', ')} | ${f(r.firstStepMs, 0)} | ${mb(r.peakHeapBytes)} | ${mb(r.peakGpuBytes)} | ${ratio('over_tfjs-webgpu')} | ${ratio('over_tfjs-wasm')} | ${f((r.flopsPerStep ?? NaN) / 1e9, 3)} | ${f(r.gflops, 2)} | ${r.shareOfMatmulCeiling ? f(r.shareOfMatmulCeiling * 100, 0) + '%' : ''} | ${notes} |`,
    );
  }
  out.push('');
}
if (Object.keys(matmul).length) {
  out.push('Matmul sweep (our linear kernel, ACT none, median dispatch; 2·B·K·N FLOP):', '', '| runtime | entry | B×K×N | ms | GFLOP/s | best GFLOP/s |', '| --- | --- | --- | --- | --- | --- |');
  for (const [rt, rows] of Object.entries(matmul)) {
    if (!Array.isArray(rows)) out.push(`| ${rt} | ERROR ${rows.error} | | | | |`);
    else for (const m of rows) out.push(`| ${rt} | ${m.entry} | ${m.shape} | ${f(m.msPerDispatch, 1)} | ${f(m.gflops)} | ${f(m.bestGflops)} |`);
  }
  out.push('', `Ceiling (best median): ${Object.entries(ceiling).map(([k, v]) => `${k} ${f(v)} GFLOP/s`).join(', ')}.`, '');
}
if (flat.length) {
  out.push(
    'Flatness (creations are device.create* calls between the two points; heap after a GC):',
    '',
    '| runtime | preset | steps | creations/step | JS heap MB (from → to) | GPU MB (from → to) | live buffers |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const x of flat) {
    if (x.error) out.push(`| ${x.runtime} | ${x.preset} | ERROR ${x.error} | | | | |`);
    else
      out.push(
        `| ${x.runtime} | ${x.preset} | ${x.from.step} → ${x.to.step} | ${x.creationsPerStep}${Object.keys(x.createdBetween).length ? ' ' + JSON.stringify(x.createdBetween) : ''} | ${mb(x.from.heapBytes)} → ${mb(x.to.heapBytes)} (${x.heapDeltaBytes >= 0 ? '+' : ''}${(x.heapDeltaBytes / 1024).toFixed(0)} KB) | ${mb(x.from.gpuBytes)} → ${mb(x.to.gpuBytes)} (${x.gpuDeltaBytes >= 0 ? '+' : ''}${x.gpuDeltaBytes} B) | ${x.from.liveBuffers} → ${x.to.liveBuffers} |`,
      );
  }
  out.push('');
}
for (const p of profiles) {
  if (p.error) out.push(`Profile ${p.preset}: ERROR ${p.error}`, '');
  else out.push(profileMarkdown(p, Number(A['profile-top'])), '');
}

// Targets (ours in Chromium against the peers in the same run; flatness from the check above).
const tg = [];
const get = (engine, w) => results.find((r) => r.engine === engine && r.workload === w && !r.error);
const check = (what, ok, detail) => tg.push(`| ${what} | ${ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met'} | ${detail} |`);
const ratioTarget = (w, peer, min, strict = false) => {
  const o = get('ours-chromium', w);
  const p = get(peer, w);
  const what = strict ? `${w}: ours faster than ${peer}` : `${w}: ours ≥ ${min}× ${peer}`;
  if (!WORKLOADS.includes(WL[w]) || !ENGINES.includes(peer) || !ENGINES.includes('ours-chromium')) return;
  if (!o || !p) return check(what, undefined, 'not measured (error)');
  const x = o.stepsPerSecond / p.stepsPerSecond;
  check(what, strict ? x > min : x >= min, `${f(x, 2)}×`);
};
if (results.length) {
  ratioTarget('W1', 'tfjs-webgpu', 8);
  ratioTarget('W1', 'tfjs-wasm', 1, true);
  const w1 = get('ours-chromium', 'W1');
  if (w1 && ceiling.chromium) check('W1: GFLOP/s ≥ 50% of matmul ceiling', w1.shareOfMatmulCeiling === undefined ? undefined : w1.shareOfMatmulCeiling >= 0.5, `${f(w1.gflops)} GFLOP/s = ${f((w1.shareOfMatmulCeiling ?? NaN) * 100, 0)}%`);
  ratioTarget('W2', 'tfjs-webgpu', 9);
  ratioTarget('W3', 'tfjs-webgpu', 150);
  ratioTarget('W3', 'tfjs-wasm', 2);
  for (const w of ['W1', 'W2', 'W3']) {
    const o = get('ours-chromium', w);
    const p = get('tfjs-webgpu', w);
    if (o && p) check(`${w}: first step ≤ 1/3 of TF.js webgpu's`, o.firstStepMs * 3 <= p.firstStepMs, `${f(o.firstStepMs, 0)} vs ${f(p.firstStepMs, 0)} ms (${f(o.firstStepMs / p.firstStepMs, 2)})`);
  }
}
for (const x of flat.filter((x) => !x.error)) {
  check(`${x.runtime}: 0 creations/step after warm-up`, x.creationsPerStep === 0, `${x.creationsPerStep} over ${x.stepsBetween} steps`);
  // "Flat": GPU bytes unchanged, heap within 1 MB (GC noise) between the two points.
  check(`${x.runtime}: JS heap and GPU bytes flat over ${x.to.step} steps`, x.gpuDeltaBytes === 0 && Math.abs(x.heapDeltaBytes) < 2 ** 20, `heap ${(x.heapDeltaBytes / 1024).toFixed(0)} KB, GPU ${x.gpuDeltaBytes} B`);
}
if (tg.length) out.push('Targets:', '', '| target | status | measured |', '| --- | --- | --- |', ...tg, '');
console.log(out.join('\n'));
log(`done; results appended to ${A.out}`);
process.exit(0);
