import { defineConfig } from '@playwright/test';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from './scripts/chromium.mjs';

const PORT = Number(process.env.TEST_PORT ?? 8731);

export default defineConfig({
  testDir: 'test',
  // SwiftShader runs on the CPU: one worker, so tests don't fight over 2 cores.
  workers: 1,
  fullyParallel: false,
  timeout: 5 * 60_000,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./test/support/summary-reporter.ts']],
  globalSetup: './test/support/global-setup.ts',
  webServer: {
    command: `node scripts/serve.mjs --port=${PORT}`,
    url: `http://localhost:${PORT}/health`,
    reuseExistingServer: !process.env.CI,
  },
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: await findChromium(), args: CHROMIUM_WEBGPU_ARGS },
  },
});
