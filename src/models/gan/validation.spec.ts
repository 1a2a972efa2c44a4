// Bad input, as users write it: every case gets a named error that says what
// was wrong and what was expected, thrown (or, for async calls, rejected)
// before any GPU work: the device's create* counters do not move.
import { test, expect } from '../../../test/support/fixtures.js';

interface Case {
  /** What the case does, for the report. */
  what: string;
  /** The error's name. */
  error: string;
  /** A regular expression for the message. */
  message: string;
}

test('over 80 invalid configs, layers and calls each get a named error before any GPU work', async ({ gpu }) => {
  const results = await gpu.page.evaluate(async () => {
    const { lib, ctx, counts } = window.harness;
    const L = lib;
    const sine = () => L.presets.sine({ batchSize: 8 });
    const g1d = () => L.presets.gaussian1d({ batchSize: 8 });
    const cond = () => {
      const rows = 20;
      return {
        generator: new L.Sequential('generator', [L.Linear(2 + 3, 4), L.Tanh()]),
        discriminator: new L.Sequential('discriminator', [L.Linear(4 + 3, 1)]),
        noise: { distribution: 'normal' as const, mean: 0, std: 1 },
        data: { kind: 'dataset' as const, values: new Float32Array(rows * 4), rows, cols: 4 },
        condition: { classes: 3, labels: new Uint8Array(rows) },
        batchSize: 4,
        optimizerD: { lr: 1e-3 },
        optimizerG: { lr: 1e-3 },
      };
    };
    // Plain objects as a user would write them; `as never` where TypeScript would already refuse them.
    const configs: [string, () => unknown, string, string][] = [
      ['config null', () => null, 'GanConfigError', 'config must be a GanConfig object, got null'],
      ['config undefined', () => undefined, 'GanConfigError', 'config must be a GanConfig object, got nothing'],
      ['config a string', () => 'gaussian1d', 'GanConfigError', 'config must be a GanConfig object, got "gaussian1d"'],
      ['generator missing', () => ({ ...sine(), generator: undefined }), 'GanConfigError', 'generator must be a Sequential, got nothing'],
      ['generator a plain layer array', () => ({ ...sine(), generator: [L.Linear(5, 16)] }), 'GanConfigError', "generator must be a Sequential, got a plain array of 1 layers; wrap it: new Sequential\\('generator', layers\\)"],
      ['generator a number', () => ({ ...sine(), generator: 3 }), 'GanConfigError', 'generator must be a Sequential, got 3'],
      ['discriminator missing', () => ({ ...sine(), discriminator: undefined }), 'GanConfigError', 'discriminator must be a Sequential, got nothing'],
      ['discriminator a plain layer array', () => ({ ...sine(), discriminator: [L.Linear(16, 1)] }), 'GanConfigError', 'discriminator must be a Sequential, got a plain array'],
      ['noise missing', () => ({ ...sine(), noise: undefined }), 'GanConfigError', "noise must be \\{ distribution: 'uniform'"],
      ['noise distribution unknown', () => ({ ...sine(), noise: { distribution: 'cauchy' } }), 'GanConfigError', 'noise: unknown distribution "cauchy"; expected uniform, normal or host'],
      ['uniform low a string', () => ({ ...sine(), noise: { distribution: 'uniform', low: '0', high: 1 } }), 'GanConfigError', 'noise.low must be a finite number, got "0"'],
      ['uniform low ≥ high', () => ({ ...sine(), noise: { distribution: 'uniform', low: 1, high: 1 } }), 'GanConfigError', 'noise: uniform needs low < high, got \\[1, 1\\)'],
      ['normal std 0', () => ({ ...sine(), noise: { distribution: 'normal', mean: 0, std: 0 } }), 'GanConfigError', 'noise: normal needs std > 0, got 0'],
      ['normal mean NaN', () => ({ ...sine(), noise: { distribution: 'normal', mean: NaN, std: 1 } }), 'GanConfigError', 'noise.mean must be a finite number, got NaN'],
      ['data missing', () => ({ ...sine(), data: undefined }), 'GanConfigError', "data must be \\{ kind: 'normal'"],
      ['data kind unknown', () => ({ ...sine(), data: { kind: 'csv' } }), 'GanConfigError', 'data: unknown kind "csv"; expected normal, dataset or host'],
      ['normal data std negative', () => ({ ...g1d(), data: { kind: 'normal', mean: 0, std: -1 } }), 'GanConfigError', 'data: normal needs std > 0, got -1'],
      ['normal data for a 16-wide G', () => ({ ...sine(), data: { kind: 'normal', mean: 0, std: 1 } }), 'GanConfigError', 'a normal distribution is 1-D but the generator outputs 16 features'],
      ['dataset values a plain Array', () => ({ ...sine(), data: { ...sine().data, values: Array.from({ length: 4096 * 16 }, () => 9.35) } }), 'GanConfigError', 'data.values must be a Float32Array, got a plain Array \\(convert it: Float32Array.from\\(values\\)\\)'],
      ['dataset values a Float64Array', () => ({ ...sine(), data: { ...sine().data, values: new Float64Array(4096 * 16) } }), 'GanConfigError', 'data.values must be a Float32Array, got a Float64Array'],
      ['dataset rows a string', () => ({ ...sine(), data: { ...sine().data, rows: '4096' } }), 'GanConfigError', 'data.rows must be a positive integer, got "4096"'],
      ['dataset cols mismatch', () => ({ ...sine(), data: { ...sine().data, cols: 8, rows: 8192 } }), 'GanConfigError', "data: rows have 8 features but generator 'generator' outputs 16"],
      ['dataset values too short', () => ({ ...sine(), data: { ...sine().data, values: new Float32Array(10) } }), 'GanConfigError', 'data: values has 10 numbers, expected rows × cols = 4096 × 16 = 65536'],
      ['dataset NaN', () => ({ ...sine(), data: { ...sine().data, values: new Float32Array(4096 * 16).fill(NaN) } }), 'GanConfigError', 'data: value 0 \\(row 0\\) is NaN, not finite'],
      ['dataset Infinity', () => { const d = sine().data as { values: Float32Array }; d.values[40] = Infinity; return { ...sine(), data: d }; }, 'GanConfigError', 'data: value 40 \\(row 2\\) is Infinity, not finite'],
      ['batchSize a string', () => ({ ...sine(), batchSize: '100' }), 'GanConfigError', 'batchSize must be a positive integer, got "100"'],
      ['batchSize 0', () => ({ ...sine(), batchSize: 0 }), 'GanConfigError', 'batchSize must be a positive integer, got 0'],
      ['batchSize 2.5', () => ({ ...sine(), batchSize: 2.5 }), 'GanConfigError', 'batchSize must be a positive integer, got 2.5'],
      ['batchSize -1', () => ({ ...sine(), batchSize: -1 }), 'GanConfigError', 'batchSize must be a positive integer, got -1'],
      ['batchSize above the rows', () => ({ ...sine(), batchSize: 5000 }), 'GanConfigError', 'batchSize 5000 does not fit the data: the dataset has only 4096 rows'],
      ['dSteps 0', () => ({ ...sine(), dSteps: 0 }), 'GanConfigError', 'dSteps must be a positive integer, got 0'],
      ['dSteps a string', () => ({ ...sine(), dSteps: '2' }), 'GanConfigError', 'dSteps must be a positive integer, got "2"'],
      ['statsEvery 0', () => ({ ...sine(), statsEvery: 0 }), 'GanConfigError', 'statsEvery must be a positive integer, got 0'],
      ['optimizerD missing', () => ({ ...sine(), optimizerD: undefined }), 'GanConfigError', 'optimizerD must be optimizer options such as \\{ lr: 2e-4, beta1: 0.5 \\}, got nothing'],
      ['optimizerD lr -1', () => ({ ...sine(), optimizerD: { lr: -1 } }), 'GanConfigError', 'optimizerD.lr must be a finite number > 0, got -1'],
      ['optimizerD lr a string', () => ({ ...sine(), optimizerD: { lr: '1e-3' } }), 'GanConfigError', 'optimizerD.lr must be a finite number, got "1e-3"'],
      ['optimizerD beta1 1', () => ({ ...sine(), optimizerD: { lr: 1e-3, beta1: 1 } }), 'GanConfigError', 'optimizerD.beta1 must be in \\[0, 1\\), got 1'],
      ['optimizerD beta2 negative', () => ({ ...sine(), optimizerD: { lr: 1e-3, beta2: -0.1 } }), 'GanConfigError', 'optimizerD.beta2 must be in \\[0, 1\\), got -0.1'],
      ['optimizerD eps 0', () => ({ ...sine(), optimizerD: { lr: 1e-3, eps: 0 } }), 'GanConfigError', 'optimizerD.eps must be > 0, got 0'],
      ['optimizerD weightDecay negative', () => ({ ...sine(), optimizerD: { lr: 1e-3, weightDecay: -1 } }), 'GanConfigError', 'optimizerD.weightDecay must be ≥ 0, got -1'],
      ['optimizerD unknown option', () => ({ ...sine(), optimizerD: { lr: 1e-3, momentum: 0.9 } }), 'GanConfigError', 'optimizerD has unknown option\\(s\\) momentum; Adam takes lr, beta1, beta2, eps, weightDecay'],
      ['optimizerD unknown name', () => ({ ...sine(), optimizerD: { name: 'adamx', lr: 1e-3 } }), 'GanConfigError', 'optimizerD.name is "adamx"; expected one of adam'],
      ['optimizerG missing', () => ({ ...sine(), optimizerG: undefined }), 'GanConfigError', 'optimizerG must be optimizer options'],
      ['optimizerG an array', () => ({ ...sine(), optimizerG: [1e-3] }), 'GanConfigError', 'optimizerG must be optimizer options such as .*, got an Array of 1'],
      ['realLabel 1.5', () => ({ ...sine(), realLabel: 1.5 }), 'GanConfigError', "loss 'bce': realLabel must be a number in \\(0, 1\\], got 1.5"],
      ['realLabel 0', () => ({ ...sine(), realLabel: 0 }), 'GanConfigError', "loss 'bce': realLabel must be a number in \\(0, 1\\], got 0"],
      ['realLabel twice', () => ({ ...sine(), realLabel: 0.9, loss: { name: 'bce', realLabel: 0.8 } }), 'GanConfigError', 'realLabel is given twice \\(0.9 and loss.realLabel 0.8\\)'],
      ['loss unknown', () => ({ ...sine(), loss: 'hinge2' }), 'GanConfigError', 'loss "hinge2" is not known; expected one of bce'],
      ['loss name a number', () => ({ ...sine(), loss: { name: 5 } }), 'GanConfigError', 'loss 5 is not known'],
      ['plan unknown', () => ({ ...sine(), plan: 'fastest' }), 'GanConfigError', 'plan must be .*, got "fastest"'],
      ['fused plan for a conv GAN', () => ({ ...cond(), plan: 'fused-mlp' }), 'GanConfigError', "plan 'fused-mlp' cannot train this GAN: the fused plan does not do conditional GANs"],
      ['seed -1', () => ({ ...sine(), seed: -1 }), 'GanConfigError', 'seed must be a u32 integer, got -1'],
      ['seed 2^32', () => ({ ...sine(), seed: 2 ** 32 }), 'GanConfigError', 'seed must be a u32 integer, got 4294967296'],
      ['seed 1.5', () => ({ ...sine(), seed: 1.5 }), 'GanConfigError', 'seed must be a u32 integer, got 1.5'],
      ['D with 2 outputs', () => ({ ...sine(), discriminator: new L.Sequential('discriminator', [L.Linear(16, 2)]) }), 'GanConfigError', "discriminator 'discriminator' must end in 1 logit, but its output has 2 features"],
      ['G output ≠ D input', () => ({ ...sine(), generator: new L.Sequential('generator', [L.Linear(5, 15)]) }), 'GanConfigError', "generator 'generator' outputs 15 features per sample, so discriminator 'discriminator' must take 15, but it expects 16"],
      [
        'condition with normal data',
        () => ({ ...g1d(), generator: new L.Sequential('generator', [L.Linear(3, 1)]), discriminator: new L.Sequential('discriminator', [L.Linear(3, 1)]), condition: { classes: 2, labels: new Uint8Array(1) } }),
        'GanConfigError',
        'needs a dataset with labels, but data is a normal distribution',
      ],
      ['condition labels too short', () => ({ ...cond(), condition: { classes: 3, labels: new Uint8Array(5) } }), 'GanConfigError', 'condition.labels must be a Uint8Array with one label per dataset row \\(20\\), got a Uint8Array of 5 elements'],
      ['condition label out of range', () => { const c = cond(); c.condition.labels[7] = 3; return c; }, 'GanConfigError', 'condition.labels\\[7\\] is 3, outside 0…2'],
      ['condition classes 0', () => ({ ...cond(), condition: { classes: 0, labels: new Uint8Array(20) } }), 'GanConfigError', 'condition.classes must be a positive integer, got 0'],
      ['condition labels a plain Array', () => ({ ...cond(), condition: { classes: 3, labels: new Array(20).fill(0) } }), 'GanConfigError', 'condition.labels must be a Uint8Array .*, got an Array of 20'],
      ['condition without room for noise', () => ({ ...cond(), generator: new L.Sequential('generator', [L.Linear(3, 4), L.Tanh()]) }), 'GanConfigError', "generator 'generator' takes 3 inputs, which leaves no room for noise next to 3 one-hot label values"],
    ];
    const layers: [string, () => unknown, string, string][] = [
      ['Linear in 0', () => new L.Sequential('G', [L.Linear(0, 5)]), 'LayerConfigError', 'G layer 0 \\(Linear\\): inFeatures must be an integer ≥ 1, got 0'],
      ['Linear in a string', () => new L.Sequential('G', [L.Linear('3' as never, 5)]), 'LayerConfigError', 'G layer 0 \\(Linear\\): inFeatures must be an integer ≥ 1, got "3"'],
      ['Linear sizes that do not chain', () => new L.Sequential('D', [L.Linear(16, 32), L.ReLU(), L.Linear(30, 1)]), 'LayerConfigError', 'D layer 2 \\(Linear 30→1\\): expects 30 input features but the layer before it gives 32'],
      ['unknown layer type', () => new L.Sequential('G', [L.Linear(2, 2), { type: 'dropout', p: 0.5 } as never]), 'LayerConfigError', "G layer 1: unknown layer type 'dropout'; expected one of .*linear"],
      ['a layer that is not an object', () => new L.Sequential('G', [L.Linear(2, 2), 7 as never]), 'LayerConfigError', 'G layer 1: unknown layer 7'],
      ['no layers', () => new L.Sequential('G', []), 'LayerConfigError', 'G: a Sequential needs a non-empty array of layers, got an empty array'],
      ['layers not an array', () => new L.Sequential('G', L.Linear(2, 2) as never), 'LayerConfigError', 'G: a Sequential needs a non-empty array of layers'],
      ['unknown activation', () => new L.Sequential('G', [L.Linear(1, 2), { type: 'activation', activation: 'swish', slope: 0 } as never]), 'LayerConfigError', "G layer 1: unknown activation 'swish'; expected one of relu, leakyRelu, elu, tanh, sigmoid"],
      ['LeakyReLU slope 0', () => new L.Sequential('G', [L.Linear(1, 2), L.LeakyReLU(0)]), 'LayerConfigError', 'G layer 1 \\(leakyRelu\\): slope/alpha must be > 0, got 0'],
      ['Conv2d without an inputShape', () => new L.Sequential('D', [L.Conv2d(1, 4, 4)]), 'LayerConfigError', 'without an inputShape the first layer with weights must be Linear'],
      ['inputShape of two numbers', () => new L.Sequential('D', [L.Conv2d(1, 4, 4)], { inputShape: [1, 28] as never }), 'LayerConfigError', 'D: inputShape must be 3 positive integers \\[C, H, W\\], got \\[1,28\\]'],
      ['Conv2d channels mismatch', () => new L.Sequential('D', [L.Conv2d(3, 4, 4)], { inputShape: [1, 12, 12] }), 'LayerConfigError', 'D layer 0 \\(Conv2d 3→4, k4 s1 p0\\): expects 3 input channels but gets \\(1, 12, 12\\)'],
      ['Conv2d negative padding', () => new L.Sequential('D', [L.Conv2d(1, 4, 4, { padding: -1 })], { inputShape: [1, 12, 12] }), 'LayerConfigError', 'padding must be an integer ≥ 0, got -1'],
      ['Conv2d kernel larger than the image', () => new L.Sequential('D', [L.Conv2d(1, 4, 8)], { inputShape: [1, 4, 4] }), 'LayerConfigError', 'gives an empty output'],
      ['ConvTranspose2d padding ≥ kernel', () => new L.Sequential('G', [L.Linear(2, 8), L.Unflatten(2, 2, 2), L.ConvTranspose2d(2, 1, 2, { padding: 2, stride: 3 })]), 'LayerConfigError', 'padding must be < kernel'],
      ['Linear after an image', () => new L.Sequential('D', [L.Conv2d(1, 4, 4), L.Linear(36, 1)], { inputShape: [1, 6, 6] }), 'LayerConfigError', 'expects flat features but gets an image \\(4, 3, 3\\); add Flatten\\(\\) before it'],
      ['Unflatten of the wrong size', () => new L.Sequential('G', [L.Linear(4, 70), L.Unflatten(8, 3, 3)]), 'LayerConfigError', 'G layer 1 \\(Unflatten\\(8, 3, 3\\)\\): needs 72 features but gets 70'],
      ['BatchNorm channels mismatch', () => new L.Sequential('G', [L.Linear(4, 72), L.Unflatten(8, 3, 3), L.BatchNorm(4)]), 'LayerConfigError', 'G layer 2 \\(BatchNorm\\(4\\)\\): expects 4 channels but gets \\(8, 3, 3\\)'],
      ['BatchNorm eps 0', () => new L.Sequential('G', [L.Linear(4, 8), L.BatchNorm(8, { eps: 0 })]), 'LayerConfigError', 'eps must be > 0 and momentum in \\[0, 1\\], got eps 0, momentum 0.1'],
      ['only views', () => new L.Sequential('G', [L.Flatten()], { inputShape: [1, 2, 2] }), 'LayerConfigError', 'G: needs at least one layer that computes'],
    ];
    const out: { what: string; name: string; message: string }[] = [];
    const attempt = async (what: string, f: () => unknown) => {
      try {
        await f();
        out.push({ what, name: 'no error', message: '' });
      } catch (e) {
        out.push({ what, name: (e as Error).name, message: (e as Error).message });
      }
    };
    const before = { ...counts };
    for (const [what, make] of configs) await attempt(what, () => L.GanTrainer.create(ctx, make() as never));
    for (const [what, make] of layers) await attempt(what, make);
    const createdByRejections = JSON.stringify(counts) !== JSON.stringify(before);
    // Calls on a working trainer: checked before they reach the GPU.
    const trainer = await L.GanTrainer.create(ctx, g1d());
    const conditional = await L.GanTrainer.create(ctx, cond());
    const withTrainer = { ...counts };
    const calls: [string, () => unknown, string, string][] = [
      ['init weights of the wrong length', () => L.GanTrainer.create(ctx, g1d(), { generator: new Float32Array(3) }), 'GanConfigError', "generator 'generator': parameters must be a Float32Array of \\d+ floats \\(its flat layout\\), got 3"],
      ['init weights a plain array', () => L.GanTrainer.create(ctx, g1d(), { discriminator: [1, 2] as never }), 'GanConfigError', 'got an Array of 2'],
      ['train(-1)', () => trainer.train(-1), 'GanConfigError', 'train: steps must be a non-negative integer, got -1'],
      ['train(1.5)', () => trainer.train(1.5), 'GanConfigError', 'train: steps must be a non-negative integer, got 1.5'],
      ['train("10")', () => trainer.train('10' as never), 'GanConfigError', 'train: steps must be a non-negative integer, got "10"'],
      ['train with stepsPerSubmit 0', () => trainer.train(5, { stepsPerSubmit: 0 }), 'GanConfigError', 'train: stepsPerSubmit must be a positive integer, got 0'],
      ['sample(0)', () => trainer.sample(0), 'GanConfigError', 'sample: n must be a positive integer, got 0'],
      ['sample(2.5)', () => trainer.sample(2.5), 'GanConfigError', 'sample: n must be a positive integer, got 2.5'],
      ['sample more than one call returns', () => trainer.sample(2 ** 28 + 1), 'GanConfigError', 'sample: 268435457 rows × 1 values is 268435457 floats, more than one call returns \\(268435456\\); ask in parts'],
      ['sample with labels, not conditional', () => trainer.sample(4, { labels: [0, 1, 0, 1] }), 'GanConfigError', 'sample: labels given, but this GAN is not conditional'],
      ['sample with a label out of range', () => conditional.sample(2, { labels: [0, 3] }), 'GanConfigError', 'sample: labels\\[1\\] is 3, expected an integer class in 0…2'],
      ['sample with too few labels', () => conditional.sample(3, { labels: [0] }), 'GanConfigError', 'sample: expected 3 labels \\(one per row\\), got 1'],
      ['generate from a Float64Array', () => trainer.generate(new Float64Array(4) as never), 'GanConfigError', 'generate: noise must be a non-empty Float32Array of n × 1 values, got a Float64Array'],
      ['generate from ragged noise', () => conditional.generate(new Float32Array(3)), 'GanConfigError', 'generate: noise must be a non-empty Float32Array of n × 2 values, got 3'],
      ['discriminate nothing', () => trainer.discriminate(new Float32Array(0)), 'GanConfigError', 'discriminate: inputs must be a non-empty Float32Array of n × 1 values, got 0'],
      ['read an unknown net', () => trainer.readParameters('gen' as never), 'GanConfigError', "unknown net \"gen\"; expected 'generator' or 'discriminator'"],
      ['write parameters of the wrong length', () => trainer.writeParameters('generator', new Float32Array(5)), 'GanConfigError', "generator 'generator': parameters must be a Float32Array of \\d+ floats"],
      ['load a checkpoint that is not one', () => L.loadCheckpoint(trainer, new Uint8Array([1, 2, 3])), 'CheckpointError', 'checkpoint: the file is 3 bytes, too short'],
      ['load bytes given as a plain array', () => L.loadCheckpoint(trainer, [1, 2, 3] as never), 'CheckpointError', 'checkpoint: expected the file as a Uint8Array'],
    ];
    for (const [what, call] of calls) await attempt(what, call);
    const createdByCalls = JSON.stringify(counts) !== JSON.stringify(withTrainer);
    trainer.dispose();
    conditional.dispose();
    return { out, createdByRejections, createdByCalls, expected: [...configs, ...layers, ...calls].map(([what, , error, message]) => ({ what, error, message })) };
  });
  const wrong: string[] = [];
  results.expected.forEach((e: Case, i: number) => {
    const got = results.out[i];
    if (got.name !== e.error || !new RegExp(e.message).test(got.message)) wrong.push(`${e.what}: expected ${e.error} /${e.message}/, got ${got.name}: ${got.message}`);
  });
  expect(wrong).toEqual([]);
  expect(results.out.length).toBeGreaterThanOrEqual(80);
  expect(results.createdByRejections, 'a rejected config created GPU objects').toBe(false);
  expect(results.createdByCalls, 'a rejected call created GPU objects').toBe(false);
});
