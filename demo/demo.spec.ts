// The demo page (demo/index.html): the engine starts in a Web Worker on the
// WebGPU adapter, trains when played, stops when paused, switches presets,
// saves and loads checkpoints, downloads the view as PNG, trains with another
// loss and an EMA of G (the views then say D's output is a score), falls back
// to the main thread when the worker has no WebGPU, and logs no errors.
// Screenshots land in test-results/demo-*.png for a person to look at.
import { readFileSync, writeFileSync } from 'node:fs';
import { test, expect, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return problems;
}

const stepsOf = (page: Page) => async () => Number((await page.locator('#steps').textContent())?.replace(/,/g, ''));
const pointsOf = (page: Page, chart: string) => async () => Number(await page.locator(chart).getAttribute('data-points'));

async function openDemo(page: Page, query = ''): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 960 });
  await page.goto(`/demo/index.html${query}`);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  await expect(page.locator('#fatal')).toBeHidden();
  const adapter = (await page.locator('#adapter').textContent())?.trim() ?? '';
  expect(adapter, 'the adapter name is shown').not.toMatch(/^(…|none|unknown adapter)?$/);
}

async function pickPreset(page: Page, preset: string, buildMs = 60_000): Promise<void> {
  await page.selectOption('#preset', preset);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused', { timeout: buildMs });
  await expect.poll(stepsOf(page), { timeout: 10_000 }).toBe(0);
  expect(await pointsOf(page, '#loss-chart')()).toBe(0);
}

/** Plays until the step counter and `charts` have moved, then pauses and checks that the counter stays put. */
async function playAndPause(page: Page, minSteps: number, charts: string[]): Promise<void> {
  const status = page.locator('#status');
  const steps = stepsOf(page);
  const before = await Promise.all(charts.map((c) => pointsOf(page, c)()));
  await page.click('#play');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect.poll(steps, { timeout: 40_000 }).toBeGreaterThanOrEqual(minSteps);
  for (const [i, c] of charts.entries()) await expect.poll(pointsOf(page, c), { timeout: 15_000 }).toBeGreaterThan(before[i]);
  await expect(page.locator('#rate')).toHaveText(/^\d+(\.\d+)?$/);

  await page.click('#pause');
  await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 15_000 });
  const first = await steps();
  const points = await pointsOf(page, '#loss-chart')();
  await page.waitForTimeout(1000);
  expect(await steps(), 'the step counter must not move while paused').toBe(first);
  expect(await pointsOf(page, '#loss-chart')(), 'the charts must not move while paused').toBe(points);
  expect(first).toBeGreaterThanOrEqual(minSteps);
}

test('demo trains gaussian1d and the ring of 8 Gaussians in a worker; checkpoint and PNG round-trip', async ({ page }, info) => {
  test.setTimeout(240_000);
  const problems = collectProblems(page);
  await openDemo(page);
  await expect(page.locator('#engine-where')).toHaveText('a Web Worker');
  expect(await stepsOf(page)()).toBe(0);
  await expect(page.locator('#dist-title')).toHaveText(/real vs generated/);
  await expect(page.locator('#config-summary')).toContainText('fused-mlp plan, 2 dispatches per step');
  await expect(page.locator('#load-trained'), 'gaussian1d ships no trained weights').toBeHidden();

  await playAndPause(page, 20, ['#loss-chart', '#dout-chart', '#grad-chart']);
  await expect(page.locator('#stat-lossD')).toHaveText(/^-?\d/);
  const paused = await stepsOf(page)();
  await page.click('#step');
  await expect.poll(stepsOf(page), { timeout: 10_000 }).toBe(paused + 1);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused');
  await expect(page.locator('#dist-note')).toHaveText(/Generated: mean/);
  await page.screenshot({ path: 'test-results/demo-gaussian1d.png', fullPage: true });

  await pickPreset(page, 'ring8');
  await expect(page.locator('#lr-d')).toHaveValue('0.002');
  await expect(page.locator('#plane')).toBeVisible();
  await expect(page.locator('#dist-chart')).toBeHidden();
  await playAndPause(page, 20, ['#loss-chart', '#divergence-chart']);
  await expect(page.locator('#dist-note')).toHaveText(/KL\(real‖G\) ≈ \d+\.\d+, JS ≈ \d+\.\d+ nats/);
  await page.screenshot({ path: 'test-results/demo-ring8.png', fullPage: true });

  // PNG of the view, drawn by the engine into its OffscreenCanvas.
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
  expect(png.suggestedFilename()).toMatch(/^ring8-step\d+\.png$/);
  const pngBytes = readFileSync(await png.path());
  expect([...pngBytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

  // Save, train on, load: the counter goes back to the saved step.
  const saved = await stepsOf(page)();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  expect(download.suggestedFilename()).toBe(`ring8-step${saved}.safetensors`);
  const file = info.outputPath('ring8.safetensors');
  await download.saveAs(file);
  await page.click('#step');
  await expect.poll(stepsOf(page), { timeout: 10_000 }).toBe(saved + 1);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused');
  await page.setInputFiles('#load-file', file);
  await expect(page.locator('#file-note')).toHaveText(`Loaded: the run continues from step ${saved}.`, { timeout: 15_000 });
  await expect.poll(stepsOf(page), { timeout: 10_000 }).toBe(saved);

  // A broken file is refused whole, with the loader's reason.
  const bad = info.outputPath('bad.safetensors');
  writeFileSync(bad, readFileSync(file).subarray(0, 100));
  await page.setInputFiles('#load-file', bad);
  await expect(page.locator('#error')).toContainText('Checkpoint not loaded', { timeout: 15_000 });
  expect(await stepsOf(page)()).toBe(saved);

  expect(problems).toEqual([]);
});

test('demo trains ring8 with the hinge loss, an EMA of G, spectral norm and R1 on D: the menus list the library, the views say score', async ({ page }) => {
  // Hinge, EMA, spectral norm and a penalty train on the layered plan: a few steps per second on SwiftShader.
  test.setTimeout(180_000);
  const problems = collectProblems(page);
  await openDemo(page);
  await pickPreset(page, 'ring8');
  const values = (select: string) => page.locator(`${select} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(await values('#loss'), 'every loss of lossNames()').toEqual(expect.arrayContaining(['bce', 'bce-minimax', 'lsgan', 'hinge', 'wgan']));
  expect(await values('#optimizer-d')).toContain('adam');
  expect(await values('#optimizer-g')).toEqual(await values('#optimizer-d'));
  await expect(page.locator('#loss')).toHaveValue('bce');
  await expect(page.locator('#ema')).not.toBeChecked();
  await expect(page.locator('#dist-caption')).toContainText("the discriminator's probability that x is real");
  await expect(page.locator('#config-summary')).toContainText('fused-mlp plan');

  await page.selectOption('#loss', 'hinge');
  await expect(page.locator('#loss-note')).toContainText('D is a critic: it outputs a score');
  await page.check('#ema');
  await expect(page.locator('#ema-decay')).toBeEnabled();
  await expect(page.locator('#ema-decay')).toHaveValue('0.999');
  await expect(page.locator('#spectral-norm')).not.toBeChecked();
  await page.check('#spectral-norm');
  expect(await values('#penalty')).toEqual(['', 'wgan-gp', 'r1']);
  await expect(page.locator('#penalty')).toHaveValue('');
  await page.selectOption('#penalty', 'r1');
  await expect(page.locator('#pending-hint')).toHaveClass(/pending/);
  await page.click('#reset');
  const summary = page.locator('#config-summary');
  await expect(summary).toContainText('loss: hinge (D outputs a score)', { timeout: 60_000 });
  await expect(summary).toContainText('EMA of G, decay 0.999');
  await expect(summary).toContainText(/D 2→\d+.*elu, spectral norm\)/);
  await expect(summary).toContainText('r1 penalty, weight 10');
  await expect(summary).toContainText(/layered plan, \d+ dispatches per step/);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  await expect(page.locator('#pending-hint')).not.toHaveClass(/pending/);

  const caption = page.locator('#dist-caption');
  await expect(caption).toContainText("the critic's score (higher = more real) under the hinge loss");
  await expect(caption).not.toContainText('probability');
  await expect(caption).toContainText('moving average of its weights');
  await expect(page.locator('#dout-hint')).toContainText('mean critic score');
  await expect(page.locator('#loss-hint')).toContainText('hinge loss');

  await playAndPause(page, 10, ['#loss-chart', '#dout-chart', '#divergence-chart']);
  await expect(page.locator('#dist-note')).toHaveText(/Heatmap: critic scores from -?[\d.e+-]+ \(orange\) to -?[\d.e+-]+ \(teal\)/);
  await expect(page.locator('#stat-dReal')).toHaveText(/^-?\d/);
  await page.screenshot({ path: 'test-results/demo-ring8-hinge-ema.png', fullPage: true });
  expect(problems).toEqual([]);
});

/** Pixels of an element's screenshot darker than near-white (the engine draws ink dark on white). */
async function inkedPixels(el: Locator): Promise<{ inked: number; total: number }> {
  const png = PNG.sync.read(await el.screenshot());
  let inked = 0;
  for (let i = 0; i < png.data.length; i += 4) if ((png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3 < 200) inked++;
  return { inked, total: png.width * png.height };
}

test('demo trains cdcganSmall on the digits: conv controls, a 10-row class grid and the interpolation drawn by generate()', async ({ page }) => {
  // Conv pipelines compile slowly on SwiftShader (seconds each) and a step takes ~1 s: two single steps only.
  test.setTimeout(300_000);
  const problems = collectProblems(page);
  await openDemo(page);
  await pickPreset(page, 'cdcganSmall', 180_000);
  await expect(page.locator('#config-summary')).toContainText('ConvTranspose2d(16, 8, 4, stride=2, padding=1, bias=False)');
  await expect(page.locator('#config-summary')).toContainText('one-hot class (10)');
  await expect(page.locator('#config-summary')).toContainText(/layered plan, \d+ dispatches per step/);
  await expect(page.locator('#lr-d')).toHaveValue('0.001');
  await expect(page.locator('#widths'), 'layer widths do not apply to conv presets').toBeHidden();
  await expect(page.locator('#widths-note')).toBeVisible();
  await expect(page.locator('#images')).toBeVisible();
  await expect(page.locator('#dist-caption')).toContainText('one row per class (0–9)');
  // The grid's path: the GPU one where this browser can show a WebGPU canvas (not headless SwiftShader), else the CPU one.
  await expect(page.locator('#dist-caption')).toContainText(/drawn on the (GPU|CPU)/);

  for (const n of [1, 2]) {
    await page.click('#step');
    await expect.poll(stepsOf(page), { timeout: 60_000 }).toBe(n);
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  }
  const grid = page.locator('#images');
  await expect(grid).toHaveAttribute('data-step', '2', { timeout: 30_000 });
  await expect(grid).toHaveAttribute('data-rows', '10');
  await expect(grid).toHaveAttribute('data-cols', '10');
  await expect(page.locator('#dist-note')).toHaveText('Generator at step 2.');
  const g = await inkedPixels(grid);
  expect(g.inked, 'the grid canvas is drawn').toBeGreaterThan(g.total * 0.2);
  const strip = await inkedPixels(page.locator('#interpolation'));
  expect(strip.inked, 'the interpolation strip is drawn').toBeGreaterThan(strip.total * 0.2);
  await expect(page.locator('#stat-lossD')).toHaveText(/^-?\d/);
  await page.screenshot({ path: 'test-results/demo-cdcganSmall.png', fullPage: true });

  // The shipped trained weights: the button rebuilds the preset at its defaults and loads them into it.
  await page.click('#load-trained');
  await expect(page.locator('#file-note')).toHaveText(/^Loaded: the run continues from step [\d,]+\.$/, { timeout: 120_000 });
  const trainedStep = await stepsOf(page)();
  expect(trainedStep, 'the step the weights were trained to').toBeGreaterThan(1000);
  await expect(grid).toHaveAttribute('data-step', String(trainedStep), { timeout: 30_000 });
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused');
  await page.screenshot({ path: 'test-results/demo-cdcganSmall-trained.png', fullPage: true });

  // Back to an MLP preset: the widths come back; it ships no trained weights.
  await pickPreset(page, 'mnistMlp', 120_000);
  await expect(page.locator('#load-trained')).toBeHidden();
  await expect(page.locator('#widths')).toBeVisible();
  await expect(page.locator('#hidden-g')).toHaveValue('1024, 1024');
  await expect(grid, 'an unconditional grid: 8×8 fixed noise vectors').toHaveAttribute('data-rows', '8', { timeout: 30_000 });
  await expect(grid).toHaveAttribute('data-step', '0');
  expect(problems).toEqual([]);
});

test('demo falls back to the main thread when the worker has no WebGPU, and trains a drawn shape', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = collectProblems(page);
  // Workers get WebGPU taken away before the engine's module loads.
  await page.addInitScript(() => {
    const Original = Worker;
    class NoGpuWorker extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        const src = `Object.defineProperty(WorkerNavigator.prototype, 'gpu', { get: () => undefined });
          await import(${JSON.stringify(new URL(url, location.href).href)});`;
        super(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), options);
      }
    }
    window.Worker = NoGpuWorker;
  });
  await openDemo(page);
  await expect(page.locator('#engine-where')).toHaveText('the main thread');
  await expect(page.locator('#engine-where')).toHaveAttribute('title', /navigator\.gpu is undefined/);

  await pickPreset(page, 'drawn');
  await expect(page.locator('#draw-tools')).toBeVisible();
  await page.fill('#batch', '64');
  await page.click('#draw-toggle');
  const box = await page.locator('#draw-pad').boundingBox();
  if (!box) throw new Error('no drawing pad');
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.25 + i * 0.05), box.y + box.height * (0.5 - i * 0.03));
  await page.mouse.up();
  await expect(page.locator('#draw-pad'), 'the first stroke replaces the example drawing').toHaveAttribute('data-strokes', '1');
  await page.click('#draw-train');
  await expect(page.locator('#config-summary')).toContainText('batch 64', { timeout: 30_000 });
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await playAndPause(page, 10, ['#loss-chart', '#divergence-chart']);
  await page.screenshot({ path: 'test-results/demo-drawn-main-thread.png', fullPage: true });
  expect(problems).toEqual([]);
});

test('demo explains what to do when WebGPU is missing', async ({ page }) => {
  const problems = collectProblems(page);
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    Object.defineProperty(window, 'Worker', { value: undefined });
  });
  await page.goto('/demo/index.html');
  await expect(page.locator('#fatal')).toBeVisible();
  await expect(page.locator('#fatal-message')).toContainText('navigator.gpu is undefined');
  await expect(page.locator('#fatal')).toContainText('Chrome or Edge 113+');
  await expect(page.locator('#app')).toBeHidden();
  await page.screenshot({ path: 'test-results/demo-no-webgpu.png' });
  expect(problems).toEqual([]);
});
