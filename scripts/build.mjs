// Bundles the library (browser + Node), the test harness page and the demo.
// .wgsl files are bundled as text.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const common = { bundle: true, format: 'esm', sourcemap: true, loader: { '.wgsl': 'text' }, logLevel: 'warning' };

await Promise.all([
  build({ ...common, platform: 'browser', target: 'es2022', entryPoints: { index: 'src/index.ts' }, outdir: 'dist' }),
  build({
    ...common,
    platform: 'browser',
    target: 'es2022',
    entryPoints: { 'test/harness': 'test/support/harness-page.ts', 'demo/main': 'demo/main.ts', 'demo/worker': 'demo/engine/worker.ts' },
    outdir: 'dist',
  }),
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    entryPoints: { node: 'src/node/index.ts', train: 'src/node/train-cli.ts' },
    outdir: 'dist',
    external: ['webgpu', 'pngjs', 'mnist'],
    // wgsl_reflect's "main" is CommonJS inside a "type": "module" package; its ESM build is the one that loads.
    mainFields: ['module', 'main'],
  }),
]);

// The 10,000 digits of the `mnist` package as one binary for pages to fetch:
// 784 u8 pixels (0-255) per row, then one u8 label per row. Built once.
const digitsFile = 'dist/data/mnist-digits.bin';
if (!existsSync(digitsFile)) {
  const require = createRequire(import.meta.url);
  const perDigit = [];
  for (let d = 0; d < 10; d++) perDigit.push(JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')).data);
  const rows = perDigit.reduce((n, raw) => n + raw.length / 784, 0);
  const bytes = new Uint8Array(rows * 785);
  let row = 0;
  perDigit.forEach((raw, digit) => {
    for (let i = 0; i < raw.length; i++) bytes[row * 784 + i] = Math.round(raw[i] * 255);
    bytes.fill(digit, rows * 784 + row, rows * 784 + row + raw.length / 784);
    row += raw.length / 784;
  });
  mkdirSync('dist/data', { recursive: true });
  writeFileSync(digitsFile, bytes);
}
