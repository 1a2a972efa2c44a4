// The README's library examples run as written: the browser one with its import
// line mapped to the bundle the page already loaded, the Node one in a child
// process with its import mapped to this checkout's dist/node.js.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test, expect } from './support/fixtures.js';

test('README example: gaussian1d, 200 steps, stats and 10,000 samples', async ({ gpu }) => {
  test.setTimeout(180_000);
  const readme = readFileSync('README.md', 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("from 'webgpu-gan'"));
  expect(block, 'README has a ```ts example importing webgpu-gan').toBeDefined();
  const [importLine, ...body] = block!.split('\n');
  const names = importLine.match(/import \{ (.+) \} from 'webgpu-gan';/)![1];
  const source = `const { ${names} } = window.harness.lib;\nconst logs = [];\nconst console = { log: (...a) => logs.push(a) };\n${body.join('\n')}\nreturn { logs, samples: Array.from(samples) };`;
  const result = await gpu.page.evaluate(async (src) => {
    const run = new Function(`return (async () => { ${src} })();`) as () => Promise<{ logs: number[][]; samples: number[] }>;
    return run();
  }, source);
  expect(result.samples).toHaveLength(10_000);
  expect(result.samples.every(Number.isFinite)).toBe(true);
  expect(result.logs.length).toBeGreaterThan(0);
  const last = result.logs[result.logs.length - 1];
  expect(last[0]).toBe(200);
  expect(last.slice(1).every(Number.isFinite)).toBe(true);
});

test('README Node example: gaussian1d in Node (Dawn), 2,000 steps, 10,000 samples, exits on its own', () => {
  test.setTimeout(300_000);
  const readme = readFileSync('README.md', 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("from 'webgpu-gan/node'"));
  expect(block, "README has a ```ts example importing webgpu-gan/node").toBeDefined();
  // The import mapped to this checkout's build; one line added to report what it made.
  const source = block!.replace("from 'webgpu-gan/node'", `from '${process.cwd()}/dist/node.js'`) +
    'console.log(JSON.stringify({ n: samples.length, finite: samples.every(Number.isFinite), mean: samples.reduce((a, b) => a + b, 0) / samples.length }));\n';
  mkdirSync('test-results', { recursive: true });
  const file = 'test-results/readme-node-example.mjs';
  writeFileSync(file, source);
  // No process.exit in the example: it must end by itself once the trainer and context are disposed.
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 280_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(line, r.stdout + r.stderr).toBeDefined();
  const got = JSON.parse(line!) as { n: number; finite: boolean; mean: number };
  expect(got.n).toBe(10_000);
  expect(got.finite).toBe(true);
  // gaussian1d's data is N(4, 1.25): after 2,000 steps the samples sit near it (the browser test checks 4 ± 0.2 at more steps).
  expect(Math.abs(got.mean - 4)).toBeLessThan(0.5);
});
