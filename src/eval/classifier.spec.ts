// Classifier (softmax cross-entropy training on the GPU) against the float64
// CPU reference for two whole steps, its eval-mode predictions and features,
// that it learns, its validation, and the shipped digit classifier's
// hold-out accuracy (the bar the GAN quality metrics stand on).
import { readFileSync } from 'node:fs';
import { test, expect } from '../../test/support/fixtures.js';
import { expectClose } from '../../test/support/compare.js';
import { randomArray } from '../../test/support/data.js';
import { outputOf, referenceBackward, referenceForward, referenceNet } from '../reference/net.js';
import { softmaxCrossEntropy } from '../reference/softmax_cross_entropy.js';
import { adamUpdate } from '../models/optim/adam.reference.js';
import { gatherIndices } from '../reference/random.js';
import { Linear, ReLU } from '../models/layers/index.js';
import { Sequential } from '../models/layers/sequential.js';
import { resolveClassifierConfig } from './classifier-config.js';
import { decodeClassifierWeights, digitClassifierNet, encodeClassifierWeights } from './digit-quality.js';
import { ClassifierConfigError } from './classifier-config.js';

const ROWS = 23;
const X = 6;
const K = 3;
const DATA = randomArray(ROWS * X, 71);
const LABELS = Array.from({ length: ROWS }, (_, i) => (i * 7) % K);
const net = () => new Sequential('tiny', [Linear(X, 9), ReLU(), Linear(9, K)]);

test('classifier: 2 steps (batch 5 of 23 rows, 6 → 9 → 3) match the CPU reference: losses and weights; predict() = eval forward', async ({ gpu }) => {
  const n = net();
  const p0 = n.initialParameters(5);
  const probe = randomArray(4 * X, 72);
  const got = await gpu.page.evaluate(
    async ({ data, labels, p0, probe }) => {
      const { lib, ctx } = window.harness;
      const n = new lib.Sequential('tiny', [lib.Linear(6, 9), lib.ReLU(), lib.Linear(9, 3)]);
      const c = await lib.Classifier.create(
        ctx,
        { net: n, classes: 3, data: { values: Float32Array.from(data), labels: Uint8Array.from(labels), rows: 23, cols: 6 }, batchSize: 5, optimizer: { lr: 0.05 }, seed: 9, statsEvery: 1 },
        Float32Array.from(p0),
      );
      const losses = [];
      for (let i = 0; i < 2; i++) losses.push((await c.train(1))!.loss);
      const params = Array.from(await c.readParameters());
      const pred = await c.predict(Float32Array.from(probe));
      const counters = await c.readCounters();
      c.dispose();
      return { losses, params, counters, logits: Array.from(pred.logits), features: Array.from(pred.features), classes: Array.from(pred.classes), featureSize: pred.featureSize };
    },
    { data: DATA, labels: LABELS, p0: Array.from(p0), probe },
  );
  const state = referenceNet(n, p0);
  const params = state.params;
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const idx = gatherIndices({ seed: 9, step, stream: 1 }, 5, ROWS);
    const x = Float64Array.from(idx.flatMap((r) => DATA.slice(r * X, (r + 1) * X)));
    const trace = referenceForward(n, state, x, 5);
    const ce = softmaxCrossEntropy(outputOf(trace), idx.map((r) => LABELS[r]), K, 1 / 5);
    const grads = new Float64Array(params.length);
    referenceBackward(n, trace, ce.dlogits, grads);
    adamUpdate({ lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, step + 1, params, grads, m, v);
    losses.push(ce.loss);
  }
  expect(got.counters.step).toBe(2);
  expectClose(got.losses, losses, { atol: 1e-6, rtol: 1e-5 }, 'loss per step');
  expectClose(got.params, params, { atol: 1e-5, rtol: 1e-4 }, 'weights after 2 steps');
  const evalOuts = referenceForward(n, referenceNet(n, Float32Array.from(got.params)), Float64Array.from(probe), 4, 'eval').outs;
  expect(got.featureSize).toBe(9);
  expectClose(got.features, evalOuts[1], { atol: 1e-5, rtol: 1e-4 }, 'features (penultimate stage)');
  expectClose(got.logits, evalOuts[2], { atol: 1e-5, rtol: 1e-4 }, 'logits');
  const argmax = Array.from({ length: 4 }, (_, i) => {
    const row = got.logits.slice(i * K, (i + 1) * K);
    return row.indexOf(Math.max(...row));
  });
  expect(got.classes).toEqual(argmax);
});

test('classifier: learns 3 separable blobs in 6-D (≥ 95% on fresh points after 300 steps)', async ({ gpu }) => {
  const acc = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const blob = (n: number, seed: number) => {
      const values = new Float32Array(n * 6);
      const labels = new Uint8Array(n);
      let s = seed;
      const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      for (let i = 0; i < n; i++) {
        labels[i] = i % 3;
        for (let f = 0; f < 6; f++) values[i * 6 + f] = (f === labels[i] * 2 ? 2 : 0) + 0.6 * rand();
      }
      return { values, labels };
    };
    const train = blob(300, 1);
    const fresh = blob(150, 2);
    const n = new lib.Sequential('blobs', [lib.Linear(6, 16), lib.ReLU(), lib.Linear(16, 3)]);
    const c = await lib.Classifier.create(ctx, { net: n, classes: 3, data: { ...train, rows: 300, cols: 6 }, batchSize: 32, optimizer: { lr: 0.01 } });
    const before = await c.accuracy(fresh.values, fresh.labels);
    await c.train(300);
    const after = await c.accuracy(fresh.values, fresh.labels);
    c.dispose();
    return { before, after };
  });
  expect(acc.after).toBeGreaterThanOrEqual(0.95);
  expect(acc.after).toBeGreaterThan(acc.before);
});

test('classifier config errors name the net and the mismatch (checked before any GPU work)', () => {
  const data = { values: new Float32Array(4 * X), labels: Uint8Array.from([0, 1, 2, 3]), rows: 4, cols: X };
  const base = { net: net(), classes: K, data, batchSize: 2, optimizer: { lr: 1e-3 } };
  const err = (patch: object) => {
    try {
      resolveClassifierConfig({ ...base, ...patch });
    } catch (e) {
      expect(e).toBeInstanceOf(ClassifierConfigError);
      return (e as Error).message;
    }
    return 'no error';
  };
  expect(err({})).toMatch(/classifier 'tiny': label 3 is 3, outside 0…2/);
  const ok = { ...data, labels: Uint8Array.from([0, 1, 2, 0]) };
  expect(err({ data: ok, classes: 4 })).toMatch(/outputs 3 logits but classes is 4/);
  expect(err({ data: { ...ok, cols: 5, values: new Float32Array(20) } })).toMatch(/expects 6 inputs but data rows have 5/);
  expect(err({ data: ok, batchSize: 5 })).toMatch(/batchSize must be an integer in 1…4, got 5/);
  expect(err({ data: ok, optimizer: { lr: 0 } })).toMatch(/optimizer.lr must be a finite number > 0/);
  expect(resolveClassifierConfig({ ...base, data: ok }).statsEvery).toBe(50);
});

test('shipped digit classifier: ≥ 97% on the 2,000 held-out digits in the browser; a damaged weights file is refused', async ({ gpu }) => {
  const bytes = readFileSync('weights/digit-classifier.safetensors');
  expect(decodeClassifierWeights(digitClassifierNet(), bytes).length).toBe(digitClassifierNet().parameterCount);
  expect(() => decodeClassifierWeights(digitClassifierNet(), bytes.subarray(0, 100))).toThrow();
  const tiny = net();
  const otherNet = encodeClassifierWeights(tiny, tiny.initialParameters(1));
  expect(() => decodeClassifierWeights(digitClassifierNet(), otherNet)).toThrow(/the file is for "Linear\(6, 9\) → relu → Linear\(9, 3\)"/);
  const acc = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const q = lib.digitQuality;
    const fetchBytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
    const { train, holdout } = lib.presets.splitDigits(lib.presets.decodeDigits(await fetchBytes('/dist/data/mnist-digits.bin')));
    const net = q.digitClassifierNet();
    const c = await lib.Classifier.create(ctx, q.digitClassifierConfig(train), q.decodeClassifierWeights(net, await fetchBytes('/weights/digit-classifier.safetensors')));
    const a = await c.accuracy(lib.presets.scaleToTanhRange(holdout.pixels), holdout.labels);
    c.dispose();
    return a;
  });
  expect(acc).toBeGreaterThanOrEqual(0.97);
});
