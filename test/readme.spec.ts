// The README's library example runs as written (its import line mapped to the
// bundle the page already loaded).
import { readFileSync } from 'node:fs';
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
