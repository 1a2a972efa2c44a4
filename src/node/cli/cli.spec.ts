// The webgpu-gan command end to end: dist/train.js run as a user runs it
// (Node, Dawn on SwiftShader, no VK_ICD_FILENAMES so that the driver search
// and its stderr lines happen). Usage errors before any GPU work; train 20 +
// resume 10 = train 30 bit for bit; Ctrl-C saves and resumes; info without a
// GPU; config files on .npy and PNG data; sample; eval; the progress bar;
// Dawn's harmless stderr lines filtered.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { test, expect } from '@playwright/test';
import { encodeNpy, parseNpy } from '../../io/npy.js';
import { parseSafetensors } from '../../io/safetensors.js';

const OUT = 'test-results/node-cli';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e = { ...process.env, ...extra };
  if (!('VK_ICD_FILENAMES' in extra)) delete e.VK_ICD_FILENAMES;
  return e;
};

function cli(args: string[], extra: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, ['dist/train.js', ...args], { env: env(extra), encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const statsSteps = (stdout: string): number[] => [...stdout.matchAll(/^step +(\d+) +loss D \S+ +loss G \S+/gm)].map((m) => Number(m[1]));

test.beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

test('bad command lines exit 2 with one line on stderr saying what was expected, before any GPU work; --help exits 0', () => {
  const badJson = join(OUT, 'bad.json');
  writeFileSync(badJson, '{ "generator": [ }');
  const cases: [string[], RegExp][] = [
    [[], /^webgpu-gan: expected a command: train, resume, sample, eval, info/],
    [['fit'], /^webgpu-gan: unknown command 'fit'; expected one of train, resume, sample, eval, info$/],
    [['train', '--epochs', '3'], /^webgpu-gan: train: unknown option '--epochs'; expected one of --help, --steps, /],
    [['train', '--steps', 'ten'], /^webgpu-gan: train: --steps must be a positive integer, got 'ten'$/],
    [['train', '--batch', '0'], /^webgpu-gan: train: --batch must be a positive integer, got '0'$/],
    [['train', '--progress', 'fancy'], /^webgpu-gan: train: --progress must be one of auto, always, never, got 'fancy'$/],
    [['--preset', 'cifar10'], /^webgpu-gan: train: unknown preset 'cifar10'; expected one of gaussian1d, sine, mnistMlp/],
    [['train', '--preset', 'mnistMlp', '--data', 'nowhere.idx'], /^webgpu-gan: train: --data 'nowhere\.idx' does not exist; expected mnist, an IDX file, a \.npy file or a folder of PNGs$/],
    [['train', '--config', badJson], /^webgpu-gan: test-results\/node-cli\/bad\.json: not valid JSON \(/],
    [['resume', 'nowhere.safetensors'], /^webgpu-gan: resume: the checkpoint 'nowhere\.safetensors' does not exist; expected a file$/],
    [['sample'], /^webgpu-gan: sample: expected CHECKPOINT \(webgpu-gan sample --help\)$/],
    [['eval', badJson], /^CheckpointError: test-results\/node-cli\/bad\.json: the header length field says /],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    const what = args.join(' ') || '(nothing)';
    expect(r.status, `${what}: ${r.stderr}`).toBe(2);
    expect(r.stdout, what).toBe(''); // no "adapter:" line: no GPU was asked for
    expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
    expect(r.stderr.trimEnd(), what).toMatch(message);
  }
  for (const command of ['train', 'resume', 'sample', 'eval', 'info']) {
    const r = cli([command, '--help']);
    expect(r.status, command).toBe(0);
    expect(r.stdout, command).toMatch(new RegExp(`^Usage: webgpu-gan ${command} `));
  }
  const overview = cli(['--help']);
  expect(overview.status).toBe(0);
  expect(overview.stdout).toMatch(/^Usage: webgpu-gan <command>/);
  expect(overview.stdout).toContain('vkCreateInstance: Found no drivers!'); // the note on Dawn's stderr lines
});

test('train 20 steps + resume 10 gives bit for bit the checkpoint of train 30 (gaussian1d, batch 8); --save-every and --keep; no Dawn noise on stderr', () => {
  test.setTimeout(240_000);
  const [a, b] = [join(OUT, 'a'), join(OUT, 'b')];
  const first = cli(['train', '--preset', 'gaussian1d', '--batch', '8', '--steps', '20', '--save-every', '10', '--keep', '1', '--log-every', '5', '--out', a]);
  expect(first.status, first.stderr).toBe(0);
  expect(statsSteps(first.stdout)).toEqual([5, 10, 15, 20]);
  expect(first.stdout).toContain(`saved ${a}/gaussian1d-10.safetensors (step 10)`);
  expect(existsSync(join(a, 'gaussian1d-10.safetensors'))).toBe(false); // --keep 1
  expect(first.stderr).not.toMatch(/vkCreateInstance|CheckVkSuccessImpl/);
  expect(first.stderr).toBe('');

  const resumed = cli(['resume', join(a, 'gaussian1d-20.safetensors'), '--steps', '10']);
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.stdout).toContain(`resumed ${a}/gaussian1d-20.safetensors at step 20; training to step 30`);
  expect(resumed.stdout).toContain(`saved ${a}/gaussian1d-30.safetensors (step 30)`);

  const straight = cli(['train', '--preset', 'gaussian1d', '--batch', '8', '--steps', '30', '--out', b]);
  expect(straight.status, straight.stderr).toBe(0);
  const viaResume = parseSafetensors(readFileSync(join(a, 'gaussian1d-30.safetensors')));
  const direct = parseSafetensors(readFileSync(join(b, 'gaussian1d-30.safetensors')));
  expect(viaResume.metadata).toEqual(direct.metadata);
  expect(viaResume.metadata.step).toBe('30');
  expect([...viaResume.tensors.keys()]).toEqual([...direct.tensors.keys()]);
  expect(viaResume.tensors.size).toBe(36); // G, D, and Adam's two slots of each
  for (const [name, t] of direct.tensors) {
    const u = new Uint32Array(viaResume.tensors.get(name)!.data.buffer);
    expect([...u], name).toEqual([...new Uint32Array(t.data.buffer)]); // the float bits
  }
  // The parameters moved from step 20 to 30 (so the equality above is not of two untrained nets).
  const at20 = parseSafetensors(readFileSync(join(a, 'gaussian1d-20.safetensors')));
  expect(at20.tensors.get('generator.0.weight')!.data).not.toEqual(direct.tensors.get('generator.0.weight')!.data);

  // A run that reached its --steps needs --steps to go on.
  const again = cli(['resume', join(b, 'gaussian1d-30.safetensors')]);
  expect(again.status).toBe(2);
  expect(again.stderr).toBe(`webgpu-gan: resume: ${b}/gaussian1d-30.safetensors is at step 30, the end of its run (--steps 30); give --steps N to train N more\n`);
});

test('Ctrl-C stops the run, saves a checkpoint and exits 130; resume carries on from it; info reads it without a GPU', async () => {
  test.setTimeout(240_000);
  const dir = join(OUT, 'interrupted');
  const child = spawn(process.execPath, ['dist/train.js', 'train', '--preset', 'gaussian1d', '--batch', '8', '--steps', '1000000', '--log-every', '25', '--out', dir], { env: env() });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (statsSteps(stdout).length >= 2 && !child.killed) child.kill('SIGINT');
    });
    child.on('close', (c) => resolve(c));
  });
  expect(code, stderr).toBe(130);
  const m = /interrupted at step (\d+) \(\d+ of 1000000 steps done\); saved (\S+)\ncontinue with: webgpu-gan resume (\S+)\n/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  const step = Number(m![1]);
  expect(step).toBeGreaterThanOrEqual(50);
  expect(step).toBeLessThan(1000000);
  const ckpt = m![2];
  expect(ckpt).toBe(join(dir, `gaussian1d-${step}.safetensors`));
  expect(parseSafetensors(readFileSync(ckpt)).metadata.step).toBe(String(step));
  // No temporary file is left beside it.
  expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.trim().split('\n')).toEqual([`gaussian1d-${step}.safetensors`]);

  const resumed = cli(['resume', ckpt, '--steps', '5']);
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(existsSync(join(dir, `gaussian1d-${step + 5}.safetensors`))).toBe(true);

  // info: no GPU at all (a Vulkan driver that does not exist would fail any GPU command).
  const noGpu = { VK_ICD_FILENAMES: '/nonexistent/icd.json', WEBGPU_GAN_RAW_STDERR: '1' };
  const info = cli(['info', ckpt], noGpu);
  expect(info.status, info.stderr).toBe(0);
  expect(info.stdout).toContain(`step           ${step}, seed 0`);
  expect(info.stdout).toContain('run            preset gaussian1d, seed 0, batch 8, run to step 1000000; data: its own');
  expect(info.stdout).toContain('generator      Linear(1, 50) → elu → Linear(50, 50) → elu → Linear(50, 1)');
  expect(info.stdout).toMatch(/^ {2}generator\.0\.weight +\[50, 1\]$/m);
  expect(info.stdout).toMatch(/^ {2}discriminator_adam\.exp_avg_sq\.4\.bias +\[1\]$/m);
  const json = JSON.parse(cli(['info', ckpt, '--json'], noGpu).stdout);
  expect(json).toMatchObject({ step, seed: 0, run: { preset: 'gaussian1d', batch: 8 } });
  expect(json.tensors).toHaveLength(36);
  expect(cli(['sample', ckpt], noGpu).status).toBe(1); // a GPU command does fail there
});

test('a config file on .npy images with labels: a conditional GAN trains, prints stats and a progress bar, saves a grid; sample writes .npy and .png', () => {
  test.setTimeout(240_000);
  const dir = join(OUT, 'npy-run');
  mkdirSync(dir, { recursive: true });
  // 16 images of 1×4×4: class 0 dark, class 1 bright.
  const labels = Uint8Array.from({ length: 16 }, (_, i) => i % 2);
  const pixels = Uint8Array.from({ length: 16 * 16 }, (_, i) => (labels[Math.floor(i / 16)] ? 200 : 30) + (i % 16));
  writeFileSync(join(dir, 'x.npy'), encodeNpy(pixels, [16, 1, 4, 4]));
  writeFileSync(join(dir, 'y.npy'), encodeNpy(labels, [16]));
  const config = {
    generator: [{ layer: 'Linear', inFeatures: 4 + 2, outFeatures: 16 }, 'Tanh'],
    discriminator: [{ layer: 'Linear', inFeatures: 16 + 2, outFeatures: 8 }, { layer: 'LeakyReLU', negativeSlope: 0.2 }, { layer: 'Linear', inFeatures: 8, outFeatures: 1 }],
    noise: { distribution: 'normal', mean: 0, std: 1 },
    batchSize: 4,
    optimizerD: { lr: 0.001, beta1: 0.5 },
    optimizerG: { lr: 0.001, beta1: 0.5 },
    classes: 2,
    data: { path: 'x.npy', labels: 'y.npy' },
  };
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(config));
  const r = cli(['train', '--config', join(dir, 'tiny.json'), '--steps', '6', '--log-every', '3', '--progress', 'always', '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  expect(statsSteps(r.stdout)).toEqual([3, 6]);
  expect(r.stderr).toMatch(/\| step 6\/6 \| [\d.]+ steps\/s \| ETA \d+s/); // cli-progress, drawn on a pipe because --progress always
  expect(r.stdout).toContain(`wrote ${dir}/tiny-6.png (row i: label i mod 2)`);
  const grid = PNG.sync.read(readFileSync(join(dir, 'tiny-6.png')));
  expect([grid.width, grid.height]).toEqual([10 * 6 + 2, 10 * 6 + 2]);
  const ckpt = join(dir, 'tiny-6.safetensors');
  const run = JSON.parse(parseSafetensors(readFileSync(ckpt)).metadata['webgpu-gan.run']);
  expect(run.data).toMatchObject({ kind: 'npy', path: join(process.cwd(), dir, 'x.npy'), rows: 16, shape: [1, 4, 4], range: 'tanh', labelled: true });

  const s = cli(['sample', ckpt, '--n', '6', '--labels', '1', '--out', join(dir, 'ones')]);
  expect(s.status, s.stderr).toBe(0);
  const samples = parseNpy(readFileSync(join(dir, 'ones.npy')));
  expect(samples.dtype).toBe('f4');
  expect(samples.shape).toEqual([6, 1, 4, 4]);
  expect([...samples.data].every((v) => v >= -1 && v <= 1)).toBe(true); // G ends in Tanh
  const png = PNG.sync.read(readFileSync(join(dir, 'ones.png')));
  expect([png.width, png.height]).toEqual([3 * 6 + 2, 2 * 6 + 2]); // √6 → 3 columns, 2 rows
  const bad = cli(['sample', ckpt, '--labels', '2']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toBe("webgpu-gan: sample: --labels: '2' is not a class of this GAN (integers 0…1)\n");
  // Data that moved can be named on resume, but it must be the same data.
  writeFileSync(join(dir, 'other.npy'), encodeNpy(pixels.map((p) => 255 - p), [16, 1, 4, 4]));
  const other = cli(['resume', ckpt, '--steps', '1', '--data', join(dir, 'other.npy'), '--labels', join(dir, 'y.npy')]);
  expect(other.status).toBe(2);
  expect(other.stdout).toBe('');
  expect(other.stderr).toMatch(/^DataError: resume .*tiny-6\.safetensors: .*other\.npy is not the data the run began on \(.*x\.npy\) \(checksum [0-9a-f]{8}, recorded [0-9a-f]{8}\); resuming on other data would not continue the run\n$/);
});

test('a folder of RGB PNGs trains a config whose generator makes 3×2×2 images; data that does not fit the generator is exit 2 before the GPU', () => {
  test.setTimeout(240_000);
  const dir = join(OUT, 'png-run');
  mkdirSync(join(dir, 'images'), { recursive: true });
  for (let k = 0; k < 6; k++) {
    const p = new PNG({ width: 2, height: 2 });
    for (let i = 0; i < 4; i++) p.data.set([40 * k, 255 - 40 * k, 60 * i, 255], 4 * i);
    writeFileSync(join(dir, 'images', `${k}.png`), PNG.sync.write(p));
  }
  const config = {
    generator: [{ layer: 'Linear', inFeatures: 3, outFeatures: 12 }, 'Sigmoid'],
    discriminator: [{ layer: 'Linear', inFeatures: 12, outFeatures: 1 }],
    noise: { distribution: 'uniform', low: -1, high: 1 },
    batchSize: 3,
    optimizerD: { lr: 0.001 },
    optimizerG: { lr: 0.001 },
    data: { path: 'images', range: 'unit' },
  };
  writeFileSync(join(dir, 'rgb.json'), JSON.stringify(config));
  const r = cli(['train', '--config', join(dir, 'rgb.json'), '--steps', '2', '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  const grid = PNG.sync.read(readFileSync(join(dir, 'rgb-2.png')));
  expect([grid.width, grid.height]).toEqual([10 * 4 + 2, 10 * 4 + 2]);
  // Colored pixels: R, G and B differ somewhere inside the first cell.
  const at = 4 * (2 * grid.width + 2);
  expect(new Set([grid.data[at], grid.data[at + 1], grid.data[at + 2]]).size).toBeGreaterThan(1);

  writeFileSync(join(dir, 'wide.json'), JSON.stringify({ ...config, generator: [{ layer: 'Linear', inFeatures: 3, outFeatures: 16 }], discriminator: [{ layer: 'Linear', inFeatures: 16, outFeatures: 1 }] }));
  const wide = cli(['train', '--config', join(dir, 'wide.json'), '--steps', '2', '--out', dir]);
  expect(wide.status).toBe(2);
  expect(wide.stdout).toBe('');
  expect(wide.stderr).toBe("GanConfigError: data: rows have 12 features but generator 'generator' outputs 16\n");
});

test('eval prints the digit metrics of a digit GAN checkpoint as JSON; a GAN of other samples is exit 2', () => {
  test.setTimeout(300_000);
  const dir = join(OUT, 'eval-run');
  mkdirSync(dir, { recursive: true });
  const config = {
    generator: [{ layer: 'Linear', inFeatures: 8, outFeatures: 784 }, 'Tanh'],
    discriminator: [{ layer: 'Linear', inFeatures: 784, outFeatures: 1 }],
    noise: { distribution: 'normal', mean: 0, std: 1 },
    batchSize: 8,
    optimizerD: { lr: 0.001 },
    optimizerG: { lr: 0.001 },
    data: 'mnist',
  };
  writeFileSync(join(dir, 'digits.json'), JSON.stringify(config));
  const r = cli(['train', '--config', join(dir, 'digits.json'), '--steps', '2', '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  const e = cli(['eval', join(dir, 'digits-2.safetensors'), '--samples', '100']);
  expect(e.status, e.stderr).toBe(0);
  const q = JSON.parse(e.stdout);
  expect(q).toMatchObject({ checkpoint: join(dir, 'digits-2.safetensors'), step: 2, samples: 100, heldOutDigits: 2000, conditionalAccuracy: null });
  expect(Number.isFinite(q.fid) && q.fid > 0).toBe(true);
  expect(q.coverage.histogram).toHaveLength(10);
  expect(q.coverage.histogram.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
  expect(cli(['train', '--steps', '1', '--out', dir]).status).toBe(0);
  const other = cli(['eval', join(dir, 'gaussian1d-1.safetensors')]);
  expect(other.status).toBe(2);
  expect(other.stderr).toMatch(/^webgpu-gan: eval: .*gaussian1d-1\.safetensors makes 1 samples; the digit metrics need 28×28 one-channel digits\n$/);
});
