// The embedding example: a page that owns its GPUDevice, imports only the
// package entry point, trains, samples into its own canvas and disposes.
import { test, expect } from '@playwright/test';

test('embedding example: host-owned device, sine preset, 100 steps, curves drawn, device left alive', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto('/examples/embed.html');
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-done', '100', { timeout: 90_000 });
  await expect(status).toContainText(/step 100 · loss D \d+\.\d+ · loss G \d+\.\d+/);
  // Something was drawn: the canvas is not blank.
  const inked = await page.evaluate(() => {
    const c = document.getElementById('plot') as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
  expect(inked).toBeGreaterThan(500);
  expect(errors).toEqual([]);
  await page.screenshot({ path: 'test-results/embed-example.png' });
});
