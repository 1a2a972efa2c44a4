// The embedding example (examples/embed.html): a page that owns its
// GPUDevice, imports only the package entry point, trains the presets it
// offers, pauses, samples into its own canvases and disposes.
// Screenshots land in test-results/embed-*.png for a person to look at.
import { test, expect, type Page } from '@playwright/test';

const stepsOf = (page: Page) => async () => Number(await page.locator('#steps').textContent());
const pointsOf = (page: Page) => async () => Number(await page.locator('#losses').getAttribute('data-points'));

/** Non-transparent pixels of a 2-D canvas of the page. */
const inkOf = (page: Page, id: string) =>
  page.evaluate((id) => {
    const c = document.getElementById(id) as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  }, id);

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
}

test('embedding example: host-owned device, sine preset, 100 steps on load, curves drawn, device left alive', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/examples/embed.html');
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-done', '100', { timeout: 90_000 });
  await expect(status).toContainText(/sine · step 100 · loss D \d+\.\d+ · loss G \d+\.\d+/);
  expect(await inkOf(page, 'plot')).toBeGreaterThan(500);
  await page.screenshot({ path: 'test-results/embed-example.png' });

  // The entry point exports the 2-D toy sets too.
  const exported = await page.evaluate(async () => {
    const lib = await import('/dist/index.js' as string);
    return { sets: lib.toy2d.TOY2D_SETS, presets: lib.presets.PRESETS };
  });
  expect(exported.sets).toEqual(['ring8', 'grid25', 'twoMoons', 'drawn']);
  expect(exported.presets).toEqual(expect.arrayContaining(['gaussian1d', 'sine', 'ring8', 'twoMoons']));

  await page.click('#dispose');
  await expect(status).toHaveAttribute('data-state', 'disposed');
  await expect(status).toContainText("the page's GPUDevice still works");
  expect(errors).toEqual([]);
});

test('embedding example: two presets picked, trained, counter and loss chart advance, pause stops them', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectErrors(page);
  await page.goto('/examples/embed.html');
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-done', '100', { timeout: 90_000 });

  for (const preset of ['ring8', 'gaussian1d']) {
    await page.selectOption('#preset', preset);
    await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
    await expect(status).toContainText(`${preset}: ready`);
    expect(await stepsOf(page)()).toBe(0);
    expect(await pointsOf(page)()).toBe(0);

    await page.click('#play');
    await expect(status).toHaveAttribute('data-state', 'running');
    await expect.poll(stepsOf(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(50);
    await expect.poll(pointsOf(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect(status).toContainText(new RegExp(`${preset} · step \\d+ · loss D`));

    await page.click('#pause');
    await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
    const steps = await stepsOf(page)();
    const points = await pointsOf(page)();
    await page.waitForTimeout(1000);
    expect(await stepsOf(page)(), 'the step counter must not move while paused').toBe(steps);
    expect(await pointsOf(page)(), 'the loss chart must not move while paused').toBe(points);
    expect(await inkOf(page, 'plot')).toBeGreaterThan(200);
    expect(await inkOf(page, 'losses')).toBeGreaterThan(200);
    await page.screenshot({ path: `test-results/embed-${preset}.png` });
  }
  expect(errors).toEqual([]);
});
