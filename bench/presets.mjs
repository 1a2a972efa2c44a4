// Steps/s of each preset, in headless Chromium and in Node (Dawn), same run.
//   node bench/presets.mjs [--seconds 10] [--presets gaussian1d,sine,mnistMlp]
// Protocol: build the trainer (timed: time to first step includes pipeline
// compiles), 3 warm-up steps, then timed windows of ~seconds/3 each ending in
// train()'s own wait for the GPU; report the median window. Results are
// appended as JSON lines to bench/results/presets.jsonl.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from '../scripts/chromium.mjs';
import { measureEngine } from './lib/engine-measure.mjs';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '9' }, presets: { type: 'string', default: 'gaussian1d,sine,mnistMlp' } },
});
const SECONDS = Number(values.seconds);
const PRESETS = values.presets.split(',');
const PORT = 8790;

const server = spawn(process.execPath, ['scripts/serve.mjs', `--port=${PORT}`], { stdio: 'ignore' });
const results = [];
try {
  await new Promise((r) => setTimeout(r, 500));
  const browser = await chromium.launch({ executablePath: await findChromium(), args: CHROMIUM_WEBGPU_ARGS });
  const page = await browser.newPage();
  await page.goto(`http://localhost:${PORT}/test/support/harness.html`);
  await page.waitForFunction(() => window.harnessReady !== undefined);
  const adapter = await page.evaluate(() => window.harness.adapterName);
  for (const name of PRESETS) {
    const r = await page.evaluate(
      async ({ name, seconds, measureSource }) => {
        const { lib, ctx } = window.harness;
        let digits;
        if (name === 'mnistMlp') {
          const bytes = new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer());
          digits = lib.presets.decodeDigits(bytes);
        }
        const measureFn = new Function(`return (${measureSource})`)();
        return measureFn(lib, ctx, name, digits, seconds);
      },
      { name, seconds: SECONDS, measureSource: measureEngine.toString() },
    );
    results.push({ runtime: 'chromium', adapter, ...r });
    console.error(`chromium ${name}: ${r.stepsPerSecond.toFixed(2)} steps/s`);
  }
  await browser.close();

  const lib = { ...(await import('../dist/node.js')), ...(await import('../dist/advanced.js')) };
  const ctx = await lib.createNodeGpuContext();
  for (const name of PRESETS) {
    const digits = name === 'mnistMlp' ? lib.loadMnistDigits() : undefined;
    const r = await measureEngine(lib, ctx, name, digits, SECONDS);
    results.push({ runtime: 'node-dawn', adapter: ctx.adapterName, ...r });
    console.error(`node ${name}: ${r.stepsPerSecond.toFixed(2)} steps/s`);
  }
  ctx.dispose();
} finally {
  server.kill();
}

const date = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
for (const r of results) appendFileSync('bench/results/presets.jsonl', JSON.stringify({ date, ...r }) + '\n');
console.log('| runtime | preset | steps/s (median) | windows | first step (ms) | dispatches/step |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.runtime} | ${r.preset} | ${r.stepsPerSecond.toFixed(2)} | ${r.windows.map((w) => w.toFixed(2)).join(', ')} | ${r.firstStepMs.toFixed(0)} | ${r.dispatchesPerStep} |`,
  );
}
process.exit(0);
