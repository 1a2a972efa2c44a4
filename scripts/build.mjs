// Bundles the library (browser + Node), the test harness page and the demo.
// .wgsl files are bundled as text.
import { build } from 'esbuild';

const common = { bundle: true, format: 'esm', sourcemap: true, loader: { '.wgsl': 'text' }, logLevel: 'warning' };

await Promise.all([
  build({ ...common, platform: 'browser', target: 'es2022', entryPoints: { index: 'src/index.ts' }, outdir: 'dist' }),
  build({
    ...common,
    platform: 'browser',
    target: 'es2022',
    entryPoints: { 'test/harness': 'test/support/harness-page.ts', 'demo/main': 'demo/main.ts' },
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
