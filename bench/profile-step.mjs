// Where one training step's time goes: per-dispatch GPU times of a preset's
// step, sorted by cost, with each dispatch's and each kernel's share.
//
//   node scripts/build.mjs && node bench/profile-step.mjs --preset mnistMlp [--runtime node|chromium]
//     [--reps 5] [--top 25] [--no-timestamps] [--json PATH]
//
// The step's dispatches are GanTrainer's recorded sequences (its private
// dPhases and gPhase, reached from plain JS), replayed one dispatch per compute
// pass with timestampWrites when the adapter has 'timestamp-query' (Node: Dawn
// with allow_unsafe_apis and no timestamp quantization; Chromium: launched with
// --enable-dawn-features=allow_unsafe_apis and --enable-webgpu-developer-features),
// median over --reps steps; otherwise each dispatch is its own submit +
// onSubmittedWorkDone, median of 3 (that includes a submit's overhead).
// 'step wall' is a normal train() step (all dispatches in one pass) for
// comparison with the sum of the dispatches.
// Presets: gaussian1d (W3), mnistMlp (W1), dcgan28 (W2), or any other preset;
// W1 / W2 / W3 are accepted too.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { profileStep, shipFunctions } from './lib/bench-fns.mjs';
import { nodeProfileContext, profileMarkdown } from './lib/profile-node.mjs';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'mnistMlp' },
    runtime: { type: 'string', default: 'node' },
    reps: { type: 'string', default: '5' },
    top: { type: 'string', default: '25' },
    'no-timestamps': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const WORKLOADS = { W1: 'mnistMlp', W2: 'dcgan28', W3: 'gaussian1d' };
const preset = WORKLOADS[values.preset] ?? values.preset;
const opts = { reps: Number(values.reps), noTimestamps: values['no-timestamps'] };

async function inNode() {
  const lib = { ...(await import('../dist/node.js')), ...(await import('../dist/advanced.js')) };
  const ctx = await nodeProfileContext(lib);
  const digits = lib.presets.DIGIT_PRESETS.includes(preset) ? lib.loadMnistDigits() : undefined;
  return { runtime: 'node-dawn', adapter: ctx.adapterName, ...(await profileStep(lib, ctx, preset, digits, opts)) };
}

async function inChromium() {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_WEBGPU_ARGS, findChromium } = await import('../scripts/chromium.mjs');
  const PORT = 8793;
  const server = spawn(process.execPath, ['scripts/serve.mjs', `--port=${PORT}`], { stdio: 'ignore' });
  let browser;
  try {
    await new Promise((r) => setTimeout(r, 500));
    browser = await chromium.launch({
      executablePath: await findChromium(),
      args: [...CHROMIUM_WEBGPU_ARGS, '--enable-dawn-features=allow_unsafe_apis', '--enable-webgpu-developer-features'],
    });
    const page = await browser.newPage();
    await page.goto(`http://localhost:${PORT}/test/support/harness.html`);
    await page.waitForFunction(() => window.harnessReady !== undefined, undefined, { timeout: 60000 });
    await page.addScriptTag({ content: shipFunctions() });
    const r = await page.evaluate(
      async ({ name, opts }) => {
        const { lib, ctx } = window.harness;
        let digits;
        if (lib.presets.DIGIT_PRESETS.includes(name)) {
          digits = lib.presets.decodeDigits(new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer()));
        }
        return { adapter: ctx.adapterName, ...(await window.benchFns.profileStep(lib, ctx, name, digits, opts)) };
      },
      { name: preset, opts },
    );
    return { runtime: 'chromium', chromiumVersion: browser.version(), ...r };
  } finally {
    await browser?.close().catch(() => {});
    server.kill();
  }
}

{
  const p = values.runtime === 'chromium' ? await inChromium() : await inNode();
  console.log(profileMarkdown(p, Number(values.top)));
  if (values.json) writeFileSync(values.json, JSON.stringify(p, null, 1));
  process.exit(0);
}
