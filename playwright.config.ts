import { register } from 'node:module';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from './scripts/chromium.mjs';

// Specs import library modules that import their .wgsl kernels (as text): every test process loads this config first.
register('./test/support/wgsl-loader.mjs', import.meta.url);

const PORT = Number(process.env.TEST_PORT ?? 8731);

export default defineConfig({
  // Specs live next to their code (src/**/x.spec.ts beside x.ts; demo/, examples/), cross-cutting ones in test/.
  testDir: '.',
  testMatch: '**/*.spec.ts',
  testIgnore: ['**/node_modules/**', 'dist/**'],
  // SwiftShader runs on the CPU: one worker, so tests don't fight over 2 cores.
  workers: 1,
  fullyParallel: false,
  timeout: 5 * 60_000,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./test/support/summary-reporter.ts']],
  globalSetup: './test/support/global-setup.ts',
  webServer: {
    command: `node scripts/serve.mjs --port=${PORT} --strict-port`,
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
