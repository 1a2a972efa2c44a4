// One page with one WebGPU device per test worker, shared by every test in it.
// No WebGPU adapter is a failure, never a skip: CI has SwiftShader.
import { test as base, expect, type Page } from '@playwright/test';
import type { KernelRun } from './harness-types.js';
export { expect };

export interface GpuPage {
  page: Page;
  runKernel(run: KernelRun): Promise<Record<string, number[]>>;
}

export const test = base.extend<object, { gpu: GpuPage }>({
  gpu: [
    async ({ browser }, use) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') console.log(`[page ${m.type()}] ${m.text()}`);
      });
      await page.goto('/test/support/harness.html');
      await page.waitForFunction(() => window.harnessReady !== undefined, null, { timeout: 60_000 });
      const ready = await page.evaluate(() => window.harnessReady);
      if (ready !== 'ok') throw new Error(`WebGPU harness failed to start: ${ready} ${errors.join('; ')}`);
      await use({ page, runKernel: (run) => page.evaluate((r) => window.harness.runKernel(r), run) });
      await page.close();
    },
    { scope: 'worker' },
  ],
});
