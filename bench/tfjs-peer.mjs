// Our engine next to TF.js (webgpu and wasm backends) on the same workloads,
// in one headless Chromium process and run.
//   node scripts/build.mjs && node bench/tfjs-peer.mjs [--seconds 12] [--workloads mnistMlp,gaussian1d]
//     [--backends ours,webgpu,wasm[,wasm-threads]] [--budget 120] [--timeout 200]
//     [--tfjs-flags '{"WEBGPU_MATMUL_PROGRAM_TYPE":3}']   (tf.env() flags, for diagnosis; default: none)
// --seconds is the total of the 3 timed windows per run (each ~seconds/3).
// Our engine: bench/lib/engine-measure.mjs (bench/presets.mjs's protocol) on
// /test/support/harness.html. TF.js: bench/tfjs-page.js (bundled here into
// dist/bench/, with the wasm backend's .wasm files copied next to it) on
// /bench/tfjs.html, one fresh tab per (backend, workload). A slow TF.js run does
// fewer warm-up steps and stops taking windows past --budget seconds; a run that
// fails or passes --timeout seconds is recorded with its error instead of a number.
// wasm-threads (opt-in) is the wasm backend in a cross-origin isolated tab, so
// that it loads the threaded SIMD build.
// Results are appended as JSON lines to bench/results/tfjs-peer.jsonl.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from '../scripts/chromium.mjs';
import { measureEngine } from './lib/engine-measure.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    workloads: { type: 'string', default: 'mnistMlp,gaussian1d' },
    backends: { type: 'string', default: 'ours,webgpu,wasm' },
    budget: { type: 'string', default: '120' },
    timeout: { type: 'string', default: '200' },
    'tfjs-flags': { type: 'string', default: '{}' },
  },
});
const SECONDS = Number(values.seconds);
const WORKLOADS = values.workloads.split(',');
const BACKENDS = values.backends.split(',');
const BUDGET_S = Number(values.budget);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const TFJS_FLAGS = JSON.parse(values['tfjs-flags']);
const PORT = 8791;

if (!existsSync('dist/test/harness.js') || !existsSync('dist/data/mnist-digits.bin')) {
  throw new Error('run `node scripts/build.mjs` first (dist/test/harness.js and dist/data/mnist-digits.bin are missing)');
}
// The TF.js page, and the wasm backend's binaries (the server refuses node_modules paths).
await build({
  entryPoints: { 'tfjs-page': 'bench/tfjs-page.js' },
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outdir: 'dist/bench', logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDist, f), join('dist/bench', f));
}

const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms))]);
const errorText = (e) => String(e?.message ?? e).split('\n').slice(0, 6).join('\n');

const server = spawn(process.execPath, ['scripts/serve.mjs', `--port=${PORT}`], { stdio: 'ignore' });
const results = [];
let browser;
try {
  await new Promise((r) => setTimeout(r, 500));
  browser = await chromium.launch({ executablePath: await findChromium(), args: CHROMIUM_WEBGPU_ARGS });
  const chromiumVersion = browser.version();
  const tab = async (path, ready, isolated = false) => {
    const page = await browser.newPage();
    // wasm-threads: the threaded wasm build needs SharedArrayBuffer, i.e. a
    // cross-origin isolated page; scripts/serve.mjs sends no COOP/COEP, so add them here.
    if (isolated) {
      await page.route('**/*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({
          response,
          headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
        });
      });
    }
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300)); });
    page.on('pageerror', (e) => consoleErrors.push(String(e).slice(0, 300)));
    await page.goto(`http://localhost:${PORT}${path}`);
    await page.waitForFunction(ready, undefined, { timeout: 60000 });
    return { page, consoleErrors };
  };

  for (const workload of WORKLOADS) {
    for (const backend of BACKENDS) {
      const label = `${backend} ${workload}`;
      const t = performance.now();
      let page;
      let consoleErrors = [];
      let r;
      try {
        if (backend === 'ours') {
          ({ page, consoleErrors } = await tab('/test/support/harness.html', () => window.harnessReady !== undefined));
          r = await withTimeout(
            page.evaluate(
              async ({ name, seconds, measureSource }) => {
                const { lib, ctx } = window.harness;
                let digits;
                if (name === 'mnistMlp') {
                  const bytes = new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer());
                  digits = lib.presets.decodeDigits(bytes);
                }
                const measureFn = new Function(`return (${measureSource})`)();
                const out = await measureFn(lib, ctx, name, digits, seconds);
                return { backend: 'ours', adapter: window.harness.adapterName, ...out };
              },
              { name: workload, seconds: SECONDS, measureSource: measureEngine.toString() },
            ),
            TIMEOUT_MS,
            label,
          );
        } else {
          ({ page, consoleErrors } = await tab('/bench/tfjs.html', () => window.tfjsPeerReady === true, backend === 'wasm-threads'));
          r = await withTimeout(
            page.evaluate((o) => window.tfjsPeer.run(o), { backend, workload, windowSeconds: SECONDS / 3, budgetSeconds: BUDGET_S, flags: TFJS_FLAGS }),
            TIMEOUT_MS,
            label,
          );
        }
      } catch (e) {
        r = { backend: backend === 'ours' ? 'ours' : `tfjs-${backend}`, preset: workload, error: errorText(e) };
      }
      if (consoleErrors.length) r.consoleErrors = consoleErrors.slice(0, 5);
      r.wallSeconds = (performance.now() - t) / 1000;
      await page?.close().catch(() => {});
      results.push({ runtime: 'chromium', chromiumVersion, ...r });
      console.error(r.error ? `${label}: ERROR ${r.error}` : `${label}: ${r.stepsPerSecond?.toFixed(3)} steps/s (${r.wallSeconds.toFixed(0)} s)`);
    }
  }
} finally {
  await browser?.close().catch(() => {});
  server.kill();
}

// ours/peer from the same run, on each result of a peer.
for (const r of results) {
  const ours = results.find((o) => o.backend === 'ours' && o.preset === r.preset && o.stepsPerSecond);
  if (r.backend !== 'ours' && ours && r.stepsPerSecond) r.oursOverPeer = ours.stepsPerSecond / r.stepsPerSecond;
}
const date = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
for (const r of results) {
  const protocol = { windowTargetSeconds: SECONDS / 3, ...(r.backend === 'ours' ? {} : { budgetSeconds: BUDGET_S }) };
  appendFileSync('bench/results/tfjs-peer.jsonl', JSON.stringify({ date, ...protocol, ...r }) + '\n');
}

const f = (x, d = 2) => (x === undefined ? '' : x.toFixed(d));
console.log(`Chromium ${results[0]?.chromiumVersion ?? '?'} headless, ${date}; window target ${f(SECONDS / 3, 1)} s`);
console.log('| workload | engine | steps/s (median) | windows (steps/s) | first step (ms) | ours/peer | notes |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const notes = r.error
    ? `ERROR: ${r.error.replace(/\n/g, ' ').replace(/\|/g, '\\|').slice(0, 200)}`
    : [
        r.adapter && `adapter ${r.adapter}`,
        r.wasmSimd !== undefined && `simd ${r.wasmSimd}, threads ${r.wasmThreads}`,
        r.windowSteps && `steps/window ${r.windowSteps.join(', ')}`,
        r.tfjsFlags && `flags ${JSON.stringify(r.tfjsFlags)}`,
        r.backendInitMs !== undefined && `backend init ${r.backendInitMs.toFixed(0)} ms`,
        r.warmupSteps !== undefined && `${r.warmupSteps} warm-up steps`,
        r.lastGLoss !== undefined && `last G loss ${r.lastGLoss.toFixed(3)}`,
        r.partial,
        r.dispatchesPerStep && `${r.dispatchesPerStep} dispatches/step`,
      ].filter(Boolean).join('; ');
  console.log(
    `| ${r.preset} | ${r.backend} | ${r.error || r.stepsPerSecond === undefined ? '—' : f(r.stepsPerSecond, 3)} | ${(r.windows ?? []).map((w) => f(w, 3)).join(', ')} | ${f(r.firstStepMs, 0)} | ${f(r.oursOverPeer)} | ${notes} |`,
  );
}
process.exit(0);
