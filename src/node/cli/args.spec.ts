// The CLI's checks, called directly (no GPU, no child process): the command
// line, numbers, config files (every kind of mistake), the run description a
// checkpoint carries, and the filter for Dawn's stderr lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { encodeSafetensors } from '../../io/safetensors.js';
import { COMMAND_SPECS, intOption, parseCommandLine } from './args.js';
import { withRunDescription } from './checkpoint-files.js';
import { dataChecksum } from './data.js';
import { checkpointInfo, infoText } from './info.js';
import { parseConfigFile } from './config-file.js';
import { UsageError } from './errors.js';
import { stderrLineFilter } from './output.js';
import { planRun, readRunDescription, RUN_METADATA_KEY, runConfig } from './run.js';
import { parseSafetensors } from '../../io/safetensors.js';

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

test('parseCommandLine: commands, positionals, the old form of train, and one-line errors for everything else', () => {
  expect(parseCommandLine(['train', '--steps', '5'])).toMatchObject({ command: 'train', help: false, values: { steps: '5' } });
  expect(parseCommandLine(['--preset', 'sine'])).toMatchObject({ command: 'train', values: { preset: 'sine' } });
  expect(parseCommandLine(['resume', 'a.safetensors', '--steps=3'])).toMatchObject({ command: 'resume', positionals: ['a.safetensors'], values: { steps: '3' } });
  expect(parseCommandLine(['info', '-h'])).toMatchObject({ command: 'info', help: true });
  expect(parseCommandLine(['--help'])).toEqual({ command: null, help: true });
  expect(usageError(() => parseCommandLine([]))).toBe('expected a command: train, resume, sample, eval, info (webgpu-gan --help lists them)');
  expect(usageError(() => parseCommandLine(['trian']))).toBe("unknown command 'trian'; expected one of train, resume, sample, eval, info");
  expect(usageError(() => parseCommandLine(['sample', 'x', '--count', '3']))).toBe(
    "sample: unknown option '--count'; expected one of --help, --n, --out, --labels, --columns (webgpu-gan sample --help)",
  );
  expect(usageError(() => parseCommandLine(['train', '--steps']))).toBe('train: option --steps needs a value (webgpu-gan train --help)');
  expect(usageError(() => parseCommandLine(['info', 'a', '--json=yes']))).toBe('info: option --json takes no value (webgpu-gan info --help)');
  expect(usageError(() => parseCommandLine(['eval']))).toBe('eval: expected CHECKPOINT (webgpu-gan eval --help)');
  expect(usageError(() => parseCommandLine(['info', 'a', 'b']))).toBe("info: unexpected argument 'b'; expected CHECKPOINT and options (webgpu-gan info --help)");
  expect(usageError(() => parseCommandLine(['train', 'extra']))).toBe("train: unexpected argument 'extra'; expected options (webgpu-gan train --help)");
  for (const spec of Object.values(COMMAND_SPECS)) expect(spec.help).toMatch(/^Usage: webgpu-gan \w+/);
});

test('intOption: integers at or above a minimum, everything else a UsageError that shows what was given', () => {
  expect(intOption('train', 'steps', '12', 1)).toBe(12);
  expect(intOption('train', 'steps', undefined, 1)).toBeUndefined();
  expect(intOption('train', 'keep', '0', 0)).toBe(0);
  expect(usageError(() => intOption('train', 'steps', '0', 1))).toBe("train: --steps must be a positive integer, got '0'");
  expect(usageError(() => intOption('train', 'steps', '1e3', 1))).toBe("train: --steps must be a positive integer, got '1e3'");
  expect(usageError(() => intOption('train', 'steps', '2.5', 1))).toBe("train: --steps must be a positive integer, got '2.5'");
  expect(usageError(() => intOption('train', 'save-every', '-1', 0))).toBe("train: --save-every must be a non-negative integer, got '-1'");
  expect(usageError(() => intOption('train', 'steps', '99999999999999999999', 1))).toMatch(/must be a positive integer/);
});

const GOOD = {
  generator: [{ layer: 'Linear', inFeatures: 2, outFeatures: 8 }, 'ReLU', { layer: 'Linear', inFeatures: 8, outFeatures: 4 }, 'Tanh'],
  discriminator: [{ layer: 'Linear', inFeatures: 4, outFeatures: 8 }, { layer: 'LeakyReLU', negativeSlope: 0.2 }, { layer: 'Linear', inFeatures: 8, outFeatures: 1 }],
  noise: { distribution: 'normal', mean: 0, std: 1 },
  batchSize: 4,
  optimizerD: { lr: 1e-3 },
  optimizerG: { lr: 1e-3 },
};

test('config files: the layer factories by name with their fields, nets with an inputShape, and the GanConfig fields', () => {
  const file = parseConfigFile(JSON.stringify({ ...GOOD, steps: 7, seed: 3, statsEvery: 2, data: 'x.npy' }), '/tmp/cfg/net.json');
  const c = file.build();
  expect(c.generator.describe()).toBe('Linear(2, 8) → relu → Linear(8, 4) → tanh');
  expect(c.discriminator.describe()).toBe('Linear(4, 8) → leakyRelu → Linear(8, 1)');
  expect([c.batchSize, c.seed, c.statsEvery, file.steps]).toEqual([4, 3, 2, 7]);
  expect(file.data).toEqual({ kind: 'files', path: '/tmp/cfg/x.npy' });
  const conv = parseConfigFile(
    JSON.stringify({
      ...GOOD,
      generator: [{ layer: 'Linear', inFeatures: 2 + 3, outFeatures: 16 }, { layer: 'Unflatten', channels: 4, height: 2, width: 2 }, { layer: 'BatchNorm', channels: 4 }, 'ReLU',
        { layer: 'ConvTranspose2d', inChannels: 4, outChannels: 1, kernel: 4, stride: 2, padding: 1 }, 'Tanh'],
      discriminator: { inputShape: [1 + 3, 4, 4], layers: [{ layer: 'Conv2d', inChannels: 1 + 3, outChannels: 2, kernel: 4, stride: 2, padding: 1, bias: false }, { layer: 'ELU', alpha: 0.5 }, 'Flatten', { layer: 'Linear', inFeatures: 8, outFeatures: 1 }] },
      classes: 3,
    }),
    'conv.json',
  );
  expect(conv.build().discriminator.describe()).toBe('[4×4×4] Conv2d(4, 2, 4, stride=2, padding=1, bias=False) → elu → Flatten() → Linear(8, 1)');
  expect(conv.classes).toBe(3);
  // spectralNorm: true or { "gain" } on a layer, or for whole nets.
  const sn = parseConfigFile(
    JSON.stringify({ ...GOOD, discriminator: [{ layer: 'Linear', inFeatures: 4, outFeatures: 8, spectralNorm: { gain: 3 } }, 'ReLU', { layer: 'Linear', inFeatures: 8, outFeatures: 1, spectralNorm: true }] }),
    'sn.json',
  );
  expect(sn.build().discriminator.describe()).toBe('SpectralNorm(Linear(4, 8), gain=3) → relu → SpectralNorm(Linear(8, 1))');
  expect(parseConfigFile(JSON.stringify({ ...GOOD, spectralNorm: { nets: 'generator', gain: 2 } }), 'sn.json').build().spectralNorm).toEqual({ nets: 'generator', gain: 2 });
});

test('config files: every mistake is a UsageError naming the file, the place, what was wrong and what was expected', () => {
  const bad = (edit: Record<string, unknown>, text?: string) => usageError(() => parseConfigFile(text ?? JSON.stringify({ ...GOOD, ...edit }), 'net.json'));
  expect(bad({}, '{ "generator": [ }')).toMatch(/^net\.json: not valid JSON \(/);
  expect(bad({}, '[1]')).toBe('net.json: expected a JSON object with generator, discriminator, noise, batchSize, optimizerD, optimizerG; got an array');
  expect(bad({ lr: 1 })).toMatch(/^net\.json: unknown field "lr"; expected generator, discriminator, noise, batchSize, /);
  expect(bad({}, JSON.stringify({ ...GOOD, noise: undefined, batchSize: undefined }))).toBe('net.json: missing field "noise", "batchSize"');
  expect(bad({ generator: [] })).toBe('net.json: generator must be a non-empty list of layers (or { "inputShape", "layers" }), got an array');
  // The names come from the layer registry (in registration order): every factory, each once.
  const dense = bad({ generator: [{ layer: 'Dense', units: 3 }] });
  expect(dense).toMatch(/^net\.json: generator layer 0: unknown layer "Dense"; expected one of [A-Za-z0-9]+(, [A-Za-z0-9]+)*$/);
  expect(dense.split('expected one of ')[1].split(', ').sort()).toEqual(
    ['BatchNorm', 'Conv2d', 'ConvTranspose2d', 'ELU', 'Flatten', 'LeakyReLU', 'Linear', 'ReLU', 'Sigmoid', 'Tanh', 'Unflatten'],
  );
  expect(bad({ generator: ['Relu'] })).toMatch(/^net\.json: generator layer 0: unknown layer "Relu"; expected one of /);
  expect(bad({ generator: [{ inFeatures: 2 }] })).toMatch(/^net\.json: generator layer 0: missing "layer" \(one of ([A-Za-z0-9]+, )+[A-Za-z0-9]+\)$/);
  expect(bad({ generator: [{ layer: 'Linear', inFeatures: 2 }] })).toBe('net.json: generator layer 0 (Linear): missing field "outFeatures"; Linear takes inFeatures, outFeatures, bias, spectralNorm');
  expect(bad({ generator: [{ layer: 'Linear', inFeatures: 2, outFeatures: 4, out: 3 }] })).toBe('net.json: generator layer 0 (Linear): unknown field "out"; Linear takes inFeatures, outFeatures, bias, spectralNorm');
  expect(bad({ generator: [{ layer: 'Linear', inFeatures: '2', outFeatures: 4 }] })).toBe('net.json: generator layer 0 (Linear): "inFeatures" must be a number, got the string "2"');
  expect(bad({ discriminator: [{ layer: 'Linear', inFeatures: 4, outFeatures: 1, spectralNorm: 3 }] })).toBe(
    'net.json: discriminator layer 0 (Linear): "spectralNorm" must be a boolean or an object, got number 3',
  );
  expect(bad({ discriminator: [{ layer: 'Linear', inFeatures: 4, outFeatures: 1, spectralNorm: { gain: 0 } }] })).toBe(
    'net.json: discriminator layer 0: spectralNorm.gain must be a finite number > 0, got 0',
  );
  expect(bad({ discriminator: { inputShape: [4, 1, 1], layers: [{ layer: 'Conv2d', inChannels: 4, outChannels: 1, kernel: 1, spectralNorm: { scale: 2 } }, 'Flatten'] } })).toMatch(/^net\.json: discriminator layer 0: spectralNorm: unknown field "scale"; it takes only gain$/);
  expect(bad({ spectralNorm: { nets: 'discriminator', gain: -1 } })).toBe('net.json: spectralNorm.gain must be a finite number > 0, got -1');
  expect(bad({ generator: [{ layer: 'ReLU', slope: 1 }] })).toBe('net.json: generator layer 0 (ReLU): unknown field "slope"; ReLU takes no fields');
  expect(bad({ generator: [3] })).toBe('net.json: generator layer 0: expected { "layer": NAME, ...fields } or a layer name, got number 3');
  expect(bad({ discriminator: { inputShape: [1, 28], layers: [] } })).toBe('net.json: discriminator.inputShape must be 3 positive integers [C, H, W], got [1,28]');
  expect(bad({ discriminator: { shape: [1, 2, 2], layers: ['ReLU'] } })).toBe('net.json: discriminator: unknown field "shape"; expected "layers" and optionally "inputShape"');
  // The library's own checks, with the file's name in front.
  expect(bad({ generator: [{ layer: 'Linear', inFeatures: 2, outFeatures: 8 }, { layer: 'Linear', inFeatures: 9, outFeatures: 4 }] })).toBe(
    'net.json: generator layer 1 (Linear 9→4): expects 9 input features but the layer before it gives 8',
  );
  expect(bad({ discriminator: [{ layer: 'Linear', inFeatures: 3, outFeatures: 1 }] })).toBe(
    "net.json: generator 'generator' outputs 4 features per sample, so discriminator 'discriminator' must take 4, but it expects 3",
  );
  expect(bad({ batchSize: 0 })).toBe('net.json: batchSize must be a positive integer, got 0');
  expect(bad({ noise: { distribution: 'cauchy' } })).toBe('net.json: noise: unknown distribution "cauchy"; expected uniform or normal');
  expect(bad({ optimizerG: { lr: -1 } })).toMatch(/^net\.json: optimizerG/);
  expect(bad({ loss: 'hinge2' })).toMatch(/^net\.json: loss "hinge2" is not known; expected one of /);
  expect(bad({ steps: 0 })).toBe('net.json: "steps" must be a positive integer, got number 0');
  expect(bad({ classes: 1.5 })).toBe('net.json: "classes" must be an integer in 1…256, got number 1.5');
  expect(bad({ data: 5 })).toMatch(/^net\.json: "data" must be "mnist", a path, /);
  expect(bad({ data: { path: 'x.npy', range: 'wide' } })).toBe('net.json: data.range must be one of tanh, unit, raw, got the string "wide"');
  expect(bad({ data: { kind: 'normal', mean: 0 } })).toBe('net.json: data.std must be a finite number, got nothing');
  expect(bad({ data: { kind: 'normal', mean: 0, std: 1 } })).toBe("net.json: data: a normal distribution is 1-D but the generator outputs 4 features");
  expect(bad({ classes: 2 })).toBe("net.json: condition: generator 'generator' takes 2 inputs, which leaves no room for noise next to 2 one-hot label values");
});

test('planRun: what train was asked for, checked before any data is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-gan-plan-'));
  try {
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, new Uint8Array(0));
    expect(planRun('train', {})).toEqual({ run: { version: 1, name: 'gaussian1d', preset: 'gaussian1d', seed: 0, steps: 2000, batch: undefined } });
    expect(planRun('train', { preset: 'mnistMlp', steps: 5, seed: 2 }).source).toEqual({ kind: 'mnist', range: 'unit' });
    const p = planRun('train', { configPath: join(dir, 'net.json'), configText: JSON.stringify(GOOD), data: npy, range: 'unit', batch: 2 });
    expect(p.run).toMatchObject({ name: 'net', seed: 0, steps: 1000, batch: 2 });
    expect(p.source).toEqual({ kind: 'npy', path: npy, range: 'unit' });
    expect(p.config!.json).toEqual(GOOD);
    const u = (o: Parameters<typeof planRun>[1]) => usageError(() => planRun('train', o));
    expect(u({ preset: 'mnist' })).toMatch(/^train: unknown preset 'mnist'; expected one of gaussian1d, /);
    expect(u({ preset: 'sine', data: npy })).toBe("train: preset 'sine' makes its own data; --data goes with mnistMlp, dcgan28, cdcgan, cdcganSmall or --config");
    expect(u({ preset: 'mnistMlp', range: 'raw' })).toBe("train: --range is for --config runs; preset 'mnistMlp' scales its data itself");
    expect(u({ preset: 'mnistMlp', configPath: 'a.json', configText: '{}' })).toBe('train: give --preset or --config, not both');
    expect(u({ preset: 'mnistMlp', labels: npy })).toBe('train: --labels needs --data');
    expect(u({ preset: 'mnistMlp', data: join(dir, 'nope.idx') })).toBe(`train: --data '${join(dir, 'nope.idx')}' does not exist; expected mnist, an IDX file, a .npy file or a folder of PNGs`);
    expect(u({ preset: 'mnistMlp', data: npy, labels: join(dir, 'l.npy') })).toBe(`train: --labels '${join(dir, 'l.npy')}' does not exist; expected an IDX or .npy file`);
    expect(u({ preset: 'mnistMlp', data: dir, labels: npy })).toBe('train: --labels does not go with a folder of PNGs; put each class in a subfolder of it instead');
    expect(u({ preset: 'cdcgan', data: 'mnist', labels: npy })).toBe('train: --labels does not go with --data mnist (the digits have their labels)');
    expect(u({ configPath: 'net.json', configText: JSON.stringify(GOOD) })).toBe('train: net.json has no "data"; give --data (mnist, an IDX or .npy file, or a folder of PNGs)');
    // --objective: recorded in the run (so resume rebuilds the same GAN), 'bce' being the preset's own.
    expect(planRun('train', { preset: 'ring8', objective: 'wgan-gp' }).run.objective).toBe('wgan-gp');
    expect(planRun('train', { preset: 'ring8', objective: 'bce' }).run).not.toHaveProperty('objective');
    expect(runConfig(planRun('train', { preset: 'ring8', objective: 'hinge-sn' }), null)).toMatchObject({ loss: 'hinge', spectralNorm: 'discriminator' });
    expect(u({ preset: 'ring8', objective: 'wgan' })).toBe("train: unknown --objective 'wgan'; expected one of bce, hinge-sn, wgan-gp");
    expect(u({ configPath: 'net.json', configText: JSON.stringify(GOOD), objective: 'wgan-gp' })).toBe(
      'train: --objective is for presets; a config file names its own loss, penalty and spectralNorm',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run description rides in the checkpoint metadata beside the library\'s keys, and a bad one is a CheckpointError', () => {
  const run = { version: 1, name: 'net', config: { path: 'net.json', json: GOOD }, seed: 1, batch: 4, steps: 9 };
  const bytes = withRunDescription(encodeSafetensors(new Map([['a', { shape: [1], data: Float32Array.of(2) }]]), { format: 'webgpu-gan', step: '3' }), run);
  const file = parseSafetensors(bytes);
  expect(file.metadata.format).toBe('webgpu-gan');
  expect(file.metadata.step).toBe('3');
  expect(readRunDescription(file.metadata, 'c.safetensors')).toEqual(run);
  // Rebuilt on stand-in data when the data is not needed: a config run without its data file.
  const plan = { run, config: parseConfigFile(JSON.stringify(GOOD), 'net.json') };
  const config = runConfig(plan, null);
  expect(config.data).toMatchObject({ kind: 'dataset', rows: 4, cols: 4 });
  const bad = (m: Record<string, string>) => {
    try {
      readRunDescription(m, 'c.safetensors');
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    return 'read';
  };
  expect(bad({ format: 'webgpu-gan' })).toBe(`CheckpointError: c.safetensors: has no __metadata__["${RUN_METADATA_KEY}"] (a webgpu-gan checkpoint saved by the library, not by this CLI); the CLI cannot tell which nets and data to rebuild`);
  expect(bad({})).toMatch(/\(not a checkpoint of this CLI\)/);
  expect(bad({ [RUN_METADATA_KEY]: '{' })).toMatch(/^CheckpointError: c\.safetensors: __metadata__\["webgpu-gan\.run"\] is not valid JSON/);
  expect(bad({ [RUN_METADATA_KEY]: JSON.stringify({ ...run, version: 2 }) })).toBe('CheckpointError: c.safetensors: __metadata__["webgpu-gan.run"] has version 2; this CLI reads version 1');
  expect(bad({ [RUN_METADATA_KEY]: JSON.stringify({ ...run, preset: 'sine' }) })).toBe('CheckpointError: c.safetensors: __metadata__["webgpu-gan.run"] must name a preset or hold a config');
  expect(bad({ [RUN_METADATA_KEY]: JSON.stringify({ ...run, seed: -1 }) })).toBe('CheckpointError: c.safetensors: __metadata__["webgpu-gan.run"] has a bad seed: -1');
});

test("the stderr filter drops Dawn's driver-search warnings (and the blank line after each) and passes everything else", () => {
  const kept: string[] = [];
  const line = stderrLineFilter((l) => kept.push(l));
  for (const l of [
    'Warning: vkCreateInstance: Found no drivers!',
    '',
    'Warning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
    '    at CheckVkSuccessImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)',
    '',
    'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
    'TypeError: something real',
    '',
    '    at main (file.js:1:1)',
    'Warning: vkCreateInstance: something new',
  ]) line(l);
  expect(kept).toEqual(['TypeError: something real', '', '    at main (file.js:1:1)', 'Warning: vkCreateInstance: something new']);
});

test('the data checksum changes with any value or label, the sign of a value included', () => {
  const set = { values: Float32Array.of(-0.5, 0.25, 1, -1), labels: Uint8Array.of(0, 1), rows: 2, shape: [2, 1, 1] as [number, number, number] };
  const base = dataChecksum(set);
  expect(base).toMatch(/^[0-9a-f]{8}$/);
  expect(dataChecksum({ ...set, values: set.values.slice() })).toBe(base);
  expect(dataChecksum({ ...set, values: set.values.map((v) => -v) })).not.toBe(base);
  expect(dataChecksum({ ...set, values: Float32Array.of(-0.5, 0.25, 1, -0.99999994) })).not.toBe(base);
  expect(dataChecksum({ ...set, labels: Uint8Array.of(1, 0) })).not.toBe(base);
  expect(dataChecksum({ ...set, labels: undefined })).not.toBe(base);
});

test('info lists any safetensors file: a PyTorch state_dict in half precision has tensors and no run', () => {
  // Two F16 tensors: '0.weight' [2, 1] = [1.5, -2] and '0.bias' [1] = [0.5].
  const header = new TextEncoder().encode(JSON.stringify({
    '0.weight': { dtype: 'F16', shape: [2, 1], data_offsets: [0, 4] },
    '0.bias': { dtype: 'F16', shape: [1], data_offsets: [4, 6] },
  }));
  const bytes = new Uint8Array(8 + header.length + 6);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  [0x3e00, 0xc000, 0x3800].forEach((h, i) => view.setUint16(8 + header.length + 2 * i, h, true));
  const info = checkpointInfo('G.safetensors', bytes);
  expect(info).toMatchObject({ format: null, step: null, run: null, values: 3, tensors: [{ name: '0.weight', shape: [2, 1], values: 2 }, { name: '0.bias', shape: [1], values: 1 }] });
  expect(infoText(info)).toBe(`file           G.safetensors (${bytes.length} bytes)\ntensors        2, 3 values\n  0.weight  [2, 1]\n  0.bias    [1]`);
});
