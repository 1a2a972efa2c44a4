// The demo page (demo/index.html): it starts on the WebGPU adapter, trains
// when played, stops when paused, switches presets, and logs no errors.
// Screenshots land in test-results/ for a person to look at.
import { test, expect, type Page } from '@playwright/test';

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return problems;
}

const stepsOf = (page: Page) => async () => Number((await page.locator('#steps').textContent())?.replace(/,/g, ''));
const lossPointsOf = (page: Page) => async () => Number(await page.locator('#loss-chart').getAttribute('data-points'));

/** Plays until the step counter and the loss chart have moved, then pauses and checks that the counter stays put. */
async function playAndPause(page: Page, minSteps: number): Promise<void> {
  const status = page.locator('#status');
  const steps = stepsOf(page);
  const points = lossPointsOf(page);
  const pointsBefore = await points();
  await page.click('#play');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect.poll(steps, { timeout: 25_000 }).toBeGreaterThanOrEqual(minSteps);
  await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(pointsBefore);
  await expect(page.locator('#rate')).toHaveText(/^\d+(\.\d+)?$/);

  await page.click('#pause');
  await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 10_000 });
  const first = await steps();
  await page.waitForTimeout(1000);
  expect(await steps(), 'the step counter must not move while paused').toBe(first);
  expect(first).toBeGreaterThanOrEqual(minSteps);
}

test('demo trains gaussian1d and sine live, pauses, and shows the adapter', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = collectProblems(page);
  await page.setViewportSize({ width: 1280, height: 960 });
  await page.goto('/demo/index.html');

  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await expect(page.locator('#fatal')).toBeHidden();
  const adapter = (await page.locator('#adapter').textContent())?.trim() ?? '';
  expect(adapter, 'the adapter name is shown').not.toMatch(/^(…|none|unknown adapter)?$/);
  expect(await stepsOf(page)()).toBe(0);
  await expect(page.locator('#dist-title')).toHaveText(/real vs generated/);

  await playAndPause(page, 20);
  await expect(page.locator('#stat-lossD')).toHaveText(/^-?\d/);
  const paused = await stepsOf(page)();
  await page.click('#step');
  await expect(status).toHaveAttribute('data-state', 'paused');
  await expect.poll(stepsOf(page), { timeout: 10_000 }).toBe(paused + 1);
  await expect(page.locator('#dist-note')).toHaveText(/Generated: mean/);
  await page.screenshot({ path: 'test-results/demo-gaussian1d.png', fullPage: true });

  await page.selectOption('#preset', 'sine');
  await expect(page.locator('#dist-title')).toHaveText(/Curves/, { timeout: 30_000 });
  await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await expect(page.locator('#lr-d')).toHaveValue('0.0002');
  expect(await stepsOf(page)()).toBe(0);
  expect(await lossPointsOf(page)()).toBe(0);

  await playAndPause(page, 20);
  await expect(page.locator('#dist-note')).toHaveText(/D's mean probability/);
  await page.screenshot({ path: 'test-results/demo-sine.png', fullPage: true });

  expect(problems).toEqual([]);
});

test('demo explains what to do when WebGPU is missing', async ({ page }) => {
  const problems = collectProblems(page);
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/demo/index.html');
  await expect(page.locator('#fatal')).toBeVisible();
  await expect(page.locator('#fatal-message')).toContainText('navigator.gpu is undefined');
  await expect(page.locator('#app')).toBeHidden();
  await page.screenshot({ path: 'test-results/demo-no-webgpu.png' });
  expect(problems).toEqual([]);
});
