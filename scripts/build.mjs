// Bundles the library (browser + Node) and the CLI, the test harness page and
// the demo. .wgsl files are bundled as text.
//   node scripts/build.mjs            the bundles (what the tests, demo and bench load)
//   node scripts/build.mjs --types    also the .d.ts files in dist/types (npm pack runs this: "prepack")
// What the package ships is package.json "files": the library and CLI bundles
// (dist/*.js, dist/chunks), dist/types, dist/data and weights; not dist/test,
// dist/demo or source maps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const common = { bundle: true, format: 'esm', loader: { '.wgsl': 'text' }, logLevel: 'warning' };
// The library and CLI bundles are unminified ESM (each module under a `// src/…` comment), so a stack
// trace into them reads as is; their source maps were 3/4 of the package and pointed at src/, which
// the package does not ship. WEBGPU_GAN_SOURCEMAPS=1 adds them for debugging (never packed).
const librarySourcemap = process.env.WEBGPU_GAN_SOURCEMAPS === '1';
// --types (npm pack) builds the declarations first, then the bundles, so that what is packed right
// after is this build's bundles and no others (see the chunk clean-up below).
const forPackage = process.argv.includes('--types');
if (forPackage) buildTypes();

const [library] = await Promise.all([
  // The library's entry points and the CLI in one build with code splitting, so that they share one
  // copy of each module (and of the layer, loss and optimizer registries): importing webgpu-gan/node
  // and webgpu-gan/advanced together sees one engine. Node-only imports stay external and only node.js
  // and train.js reach them (the package's consumer test checks that a browser bundle of 'webgpu-gan'
  // has none). wgsl_reflect is bundled: it is not a dependency of the package.
  build({
    ...common,
    sourcemap: librarySourcemap,
    metafile: true,
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    entryPoints: { index: 'src/index.ts', advanced: 'src/advanced.ts', node: 'src/node/index.ts', train: 'src/node/train-cli.ts' },
    outdir: 'dist',
    external: ['node:*', 'webgpu', 'pngjs', 'mnist', 'cli-progress'],
  }),
  build({
    ...common,
    sourcemap: true,
    platform: 'browser',
    target: 'es2022',
    entryPoints: { 'test/harness': 'test/support/harness-page.ts', 'demo/main': 'demo/main.ts', 'demo/worker': 'demo/engine/worker.ts' },
    outdir: 'dist',
  }),
]);

// Chunk names change with their contents, so earlier builds leave chunks behind that nothing imports
// (and that npm pack would ship). For the package all of them go; otherwise those written in the last
// 10 minutes are kept: another build of this tree may be running next to this one (each test run
// builds), and the entries it wrote need its chunks.
const written = new Set(Object.keys(library.metafile.outputs).map((p) => relative('dist', p)));
if (!librarySourcemap) {
  for (const name of ['index.js.map', 'advanced.js.map', 'node.js.map', 'train.js.map']) rmSync(join('dist', name), { force: true });
}
if (existsSync('dist/chunks')) {
  for (const name of readdirSync('dist/chunks')) {
    const file = join('dist/chunks', name);
    if (!written.has(`chunks/${name}`) && (forPackage || Date.now() - statSync(file).mtimeMs > 10 * 60_000)) rmSync(file, { force: true });
  }
}

// The 10,000 digits of the `mnist` package as one binary for pages to fetch:
// 784 u8 pixels (0-255) per row, then one u8 label per row. Built once.
// The package exports it as webgpu-gan/data/mnist-digits.bin.
const digitsFile = 'dist/data/mnist-digits.bin';
if (!existsSync(digitsFile)) {
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

/**
 * dist/types: the declarations of the three entry points and what they reach (tsconfig.build.json),
 * made to stand on the package's own declared dependencies:
 * - each entry's .d.ts references @webgpu/types (a peer dependency), whose globals (GPUDevice, …)
 *   the declarations use;
 * - type imports from wgsl_reflect, which is bundled into the JS and is not a dependency, become
 *   `unknown` (only internal signatures name its types);
 * - any other import of a package that package.json does not declare fails the build.
 */
function buildTypes() {
  rmSync('dist/types', { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status})`);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const builtins = new Set(builtinModules);
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.d.ts')) files.push(join(dir, e.name));
    }
  };
  walk('dist/types');
  const problems = [];
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    text = text.replace(/^import (type )?\{([^}]*)\} from ['"]wgsl_reflect['"];$/gm, (line, allType, names) => {
      const types = names.split(',').map((n) => n.trim()).filter(Boolean).map((n) => (allType ? n : n.replace(/^type\s+/, '')));
      if (!allType && names.split(',').some((n) => n.trim() && !/^type\s/.test(n.trim()))) {
        problems.push(`${file}: '${line}' imports a value from wgsl_reflect, which the package bundles and does not depend on`);
        return line;
      }
      return types.map((n) => `/** wgsl_reflect's ${n}: wgsl_reflect is bundled into the package's JS, not a dependency. */\ntype ${n} = unknown;`).join('\n');
    });
    for (const [, spec] of text.matchAll(/(?:from\s+|import\s*\(\s*|reference types=)['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!declared.has(name) && name !== 'node') problems.push(`${file}: imports '${spec}', which package.json neither depends on nor lists as a peer`);
    }
    if (['index.d.ts', 'advanced.d.ts', join('node', 'index.d.ts')].includes(relative('dist/types', file)) && !/reference types=["']@webgpu\/types["']/.test(text)) {
      text = `/// <reference types="@webgpu/types" />\n${text}`;
    }
    writeFileSync(file, text);
  }
  if (problems.length > 0) throw new Error(`dist/types:\n  ${problems.join('\n  ')}`);
}
