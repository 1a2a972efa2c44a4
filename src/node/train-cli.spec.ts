// The Node path: Dawn through the `webgpu` package, found without any
// environment set up by hand, training presets from the command line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { PNG } from 'pngjs';
import { test, expect } from '@playwright/test';

const OUT = 'test-results/node-train';

function train(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // No VK_ICD_FILENAMES: the library must find a Vulkan driver (SwiftShader here) by itself.
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  const r = spawnSync(process.execPath, ['dist/train.js', ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lossLines(stdout: string): number[][] {
  return stdout
    .split('\n')
    .filter((l) => /^step +\d+ /.test(l))
    .map((l) => [...l.matchAll(/loss [DG] (\S+)/g)].map((m) => Number(m[1])));
}

test.beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

test('node train: --preset mnistMlp --steps 20 --batch 16 prints finite losses and writes a 10×10 PNG grid of 28×28 digits', async () => {
  test.setTimeout(300_000);
  const r = train(['--preset', 'mnistMlp', '--steps', '20', '--batch', '16', '--out', OUT]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/adapter: .+/);
  const losses = lossLines(r.stdout);
  expect(losses.length).toBe(2); // statsEvery 10 → steps 10 and 20
  expect(losses.flat().every(Number.isFinite)).toBe(true);
  const png = PNG.sync.read(readFileSync(`${OUT}/mnistMlp-20.png`));
  expect([png.width, png.height]).toEqual([10 * 30 + 2, 10 * 30 + 2]);
  // Generated pixels are not a blank image: several distinct gray levels.
  const grays = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) grays.add(png.data[i]);
  expect(grays.size).toBeGreaterThan(16);
});

test('node train: --preset gaussian1d --steps 50 reports statistics of 10,000 generated values', async () => {
  test.setTimeout(120_000);
  const r = train(['--preset', 'gaussian1d', '--steps', '50', '--out', OUT]);
  expect(r.status, r.stderr).toBe(0);
  const m = r.stdout.match(/generated 10000 values: mean (\S+), std (\S+)/);
  expect(m).not.toBeNull();
  expect(Number.isFinite(Number(m![1])) && Number(m![2]) >= 0).toBe(true);
});

test('node train: an unknown preset fails with a clear message and exit code 2', () => {
  const r = train(['--preset', 'cifar10']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("unknown preset 'cifar10'; expected one of gaussian1d, sine, mnistMlp");
});
