// Our engine on a real GPU in Node (Dawn on Vulkan): steps/s of each preset at
// its own batch and a bigger one, the linear kernel's matmul ceiling, and a
// short time-boxed training run of dcgan28 / cdcgan scored with the shipped
// digit classifier. Used on the lent NVIDIA machine (see bench/README.md);
// runs anywhere Node finds an adapter.
//   node bench/gpu-node.mjs [--seconds 2] [--train-seconds 60] [--out DIR]
// Prints one JSON line per measurement and appends them to DIR/gpu-node.jsonl.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Classifier, GanTrainer, createNodeGpuContext, digitQuality, metrics, presets } from '../dist/node.js';
import { SequenceBuilder, createStorageBuffer, kernels } from '../dist/advanced.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    'train-seconds': { type: 'string', default: '60' },
    out: { type: 'string', default: 'bench/results' },
    only: { type: 'string', default: 'speed,matmul,quality' },
    presets: { type: 'string', default: 'gaussian1d,mnistMlp,dcgan28,cdcganSmall,cdcgan' },
  },
});
const SECONDS = Number(values.seconds);
const TRAIN_SECONDS = Number(values['train-seconds']);
const parts = new Set(values.only.split(','));
mkdirSync(values.out, { recursive: true });
const ctx = await createNodeGpuContext();
const device = ctx.adapterName;
const base = { date: new Date().toISOString(), device, runtime: 'node-dawn', cpus: cpus().length };
const emit = (row) => {
  const line = JSON.stringify({ ...base, ...row });
  console.log(line);
  appendFileSync(`${values.out}/gpu-node.jsonl`, line + '\n');
};
console.log(`adapter: ${device}`);
const { train, holdout } = presets.splitDigits(presets.decodeDigits(new Uint8Array(readFileSync('dist/data/mnist-digits.bin'))));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Steps/s over 3 windows of ~SECONDS each, after the first step (timed: pipeline compiles) and 3 warm-up steps. */
async function speed(name, batchSize, stepsPerSubmit = 16) {
  const t0 = performance.now();
  const trainer = await GanTrainer.create(ctx, presets.preset(name, { digits: train, batchSize }));
  await trainer.train(1);
  const firstStepMs = performance.now() - t0;
  await trainer.train(3);
  const windows = [];
  let chunk = 8;
  while (windows.length < 3) {
    const s = performance.now();
    await trainer.train(chunk, { stepsPerSubmit });
    const dt = (performance.now() - s) / 1000;
    if (dt >= SECONDS || chunk >= 1 << 16) windows.push(chunk / dt);
    else chunk = Math.ceil(chunk * Math.min(8, (SECONDS / dt) * 1.1));
  }
  emit({ kind: 'speed', preset: name, batchSize, stepsPerSecond: median(windows), windows, firstStepMs, dispatchesPerStep: trainer.dispatchesPerStep, stepsPerSubmit });
  trainer.dispose();
}

/** linear_forward GFLOP/s at (B, K) × (K, N), median of 5 runs of enough dispatches for ~SECONDS/5 each. */
async function matmul(B, K, N) {
  const k = await ctx.kernels.kernel(kernels.linearKernels, 'linear_forward');
  const x = createStorageBuffer(ctx.device, 'x', B * K);
  const w = createStorageBuffer(ctx.device, 'w', N * K);
  const bias = createStorageBuffer(ctx.device, 'bias', N);
  const y = createStorageBuffer(ctx.device, 'y', B * N);
  const seq = new SequenceBuilder(ctx.device, 'matmul');
  seq.add(k, { x, w, bias, y }, { batch: B, in_features: K, out_features: N, act: 0, slope: 0 }, 'mm');
  const recorded = seq.build();
  const run = async (reps) => {
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let i = 0; i < reps; i++) recorded.encode(pass);
    pass.end();
    const t = performance.now();
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    return performance.now() - t;
  };
  await run(1);
  let reps = 1;
  while ((await run(reps)) < (SECONDS * 1000) / 5 && reps < 1 << 16) reps *= 4;
  const times = [];
  for (let i = 0; i < 5; i++) times.push(await run(reps));
  const ms = median(times) / reps;
  emit({ kind: 'matmul', shape: `${B}x${K}x${N}`, msPerDispatch: ms, gflops: (2 * B * K * N) / (ms * 1e6) });
  recorded.destroy();
  for (const b of [x, w, bias, y]) b.destroy();
}

/** Trains for ~TRAIN_SECONDS, then classifier-FID, coverage and (conditional) accuracy on 2,000 samples. */
async function quality(name, classifier, reference, fidFloor) {
  const trainer = await GanTrainer.create(ctx, presets.preset(name, { digits: train }));
  const t0 = performance.now();
  let steps = 0;
  while ((performance.now() - t0) / 1000 < TRAIN_SECONDS) {
    await trainer.train(100, { stepsPerSubmit: 25 });
    steps += 100;
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const q = await digitQuality.evaluateDigitGan(trainer, classifier, reference);
  emit({ kind: 'quality', preset: name, steps, trainSeconds, fid: q.fid, fidFloor, classesCovered: q.coverage.classesCovered, klToUniform: q.coverage.klToUniform, conditionalAccuracy: q.conditionalAccuracy, stats: trainer.latestStats });
  trainer.dispose();
}

if (parts.has('speed')) {
  const BATCHES = { gaussian1d: [100, 4096], mnistMlp: [128, 1024], dcgan28: [64, 512], cdcganSmall: [32, 256], cdcgan: [64] };
  for (const name of values.presets.split(',')) {
    for (const b of BATCHES[name]) await speed(name, b);
  }
}
if (parts.has('matmul')) {
  await matmul(128, 1024, 1024);
  await matmul(1024, 1024, 1024);
  await matmul(4096, 4096, 4096);
}
if (parts.has('quality')) {
  const net = digitQuality.digitClassifierNet();
  const classifier = await Classifier.create(ctx, digitQuality.digitClassifierConfig(train), digitQuality.decodeClassifierWeights(net, new Uint8Array(readFileSync('weights/digit-classifier.safetensors'))));
  const reference = await digitQuality.digitFeatureStatistics(classifier, holdout);
  const slice = { pixels: train.pixels.slice(0, 2000 * 784), labels: train.labels.slice(0, 2000), rows: 2000 };
  const fidFloor = metrics.frechetDistance(await digitQuality.digitFeatureStatistics(classifier, slice), reference);
  for (const name of values.presets.split(',').filter((n) => ['mnistMlp', 'dcgan28', 'cdcgan', 'cdcganSmall'].includes(n))) {
    await quality(name, classifier, reference, fidFloor);
  }
  classifier.dispose();
}
ctx.dispose();
