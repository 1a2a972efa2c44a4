// A supervised classifier trained by the same engine as the GANs: rows and
// labels gathered on the GPU, softmax cross-entropy, Adam, all recorded once.
// Its use here is the quality metrics of the digit GANs (metrics.ts): class
// predictions and the penultimate features for the classifier-FID.
//
// One training step (B = batch, X = input features, K = classes):
//   x (B, X), y (B) ← random rows of the dataset (Philox, keyed by the step)
//   logits (B, K) = net(x);  loss, dlogits = softmax_cross_entropy(logits, y) (mean over rows)
//   backward; close the update (the halting rule: models/optim/bookkeeping.ts); the optimizer
import { createStorageBuffer, readFloats } from '../runtime/buffers.js';
import type { GpuContext } from '../runtime/device.js';
import { NonFiniteLossError } from '../runtime/errors.js';
import { StatsReadback } from '../runtime/readback.js';
import { SequenceBuilder, type RecordedSequence } from '../runtime/recorder.js';
import { runSteps } from '../runtime/step-loop.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS_FLOATS } from '../shaders/constants.js';
import { randomKernels, softmaxCrossEntropyKernels } from '../shaders/index.js';
import type { KernelRef } from '../models/layers/layer.js';
import { NetGpu } from '../models/layers/net-gpu.js';
import { bookkeepingKernels, createTrainState, createTrainStats, encodeCloseUpdate, parseTrainReport } from '../models/optim/bookkeeping.js';
import { ClassifierConfigError, resolveClassifierConfig, type ClassifierConfig, type ResolvedClassifierConfig } from './classifier-config.js';

export type { ClassifierConfig } from './classifier-config.js';

/** The classifier's only optimizer phase, which also ends each training step. */
const PHASE = 0;

export interface ClassifierStats {
  step: number;
  /** Mean training loss over the steps since the last report. */
  loss: number;
  /** Mean training-batch accuracy over the same steps. */
  accuracy: number;
  gradNorm: number;
}

export interface Predictions {
  /** (n, K) */
  logits: Float32Array;
  /** (n) argmax of each row, lowest index on ties. */
  classes: Uint8Array;
  /** (n, F) the penultimate stage's output. */
  features: Float32Array;
  featureSize: number;
}

/** Rows per eval-mode forward in predict(): the buffers are sized once for this. */
const PREDICT_CHUNK = 500;
const DATA_STREAM = 1;

export class Classifier {
  private lastReport: ClassifierStats | null = null;
  private failure: NonFiniteLossError | null = null;
  private predictor: { input: GPUBuffer; logits: GPUBuffer; activations: GPUBuffer[]; sequence: RecordedSequence } | null = null;
  private submitted = 0;
  private readonly readback: StatsReadback;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: ResolvedClassifierConfig,
    private readonly model: NetGpu,
    private readonly owned: GPUBuffer[],
    private readonly state: GPUBuffer,
    stats: GPUBuffer,
    private readonly step: RecordedSequence,
  ) {
    this.readback = new StatsReadback(ctx.device, stats, TRAIN_STATS_FLOATS, state, TRAIN_STATE_WORDS, (statsFloats, stateWords) => {
      const r = parseTrainReport(statsFloats, stateWords, 1);
      if (r.halt && !this.failure) this.failure = new NonFiniteLossError(r.halt.step, 'classifier');
      const p = r.phases[PHASE];
      if (p.count > 0) this.lastReport = { step: r.step, loss: p.loss, accuracy: p.outA, gradNorm: p.gradNorm };
    });
  }

  static async create(ctx: GpuContext, config: ClassifierConfig, init?: Float32Array): Promise<Classifier> {
    const c = resolveClassifierConfig(config);
    const { device, kernels } = ctx;
    const { net, data } = c;
    const B = c.batchSize;
    const K = c.classes;
    if (init !== undefined && !(init instanceof Float32Array && init.length === net.parameterCount)) {
      throw new ClassifierConfigError(`classifier '${net.name}': parameters must be a Float32Array of ${net.parameterCount} floats, got ${init?.length}`);
    }
    const refs: KernelRef[] = [
      ...NetGpu.kernels(net),
      ...c.optimizerModule.kernels(c.hyper),
      ...bookkeepingKernels(),
      { family: randomKernels, entry: 'random_gather_rows' },
      { family: softmaxCrossEntropyKernels, entry: 'softmax_cross_entropy_forward_backward' },
    ];
    const compiling = Promise.all(refs.map((r) => kernels.kernel(r.family, r.entry, r.overrides)));
    const model = new NetGpu(device, net, B, init ?? net.initialParameters(c.seed), { optimizerSlots: c.optimizerModule.slots(c.hyper) });
    const rows = createStorageBuffer(device, 'classifier.data', data.values.length, data.values); // (rows, X)
    const rowLabels = createStorageBuffer(device, 'classifier.labels', data.rows, Float32Array.from(data.labels)); // (rows)
    const x = createStorageBuffer(device, 'classifier.x', B * data.cols); //    (B, X)
    const y = createStorageBuffer(device, 'classifier.y', B); //                (B)
    const logits = createStorageBuffer(device, 'classifier.logits', B * K); //  (B, K)
    const dlogits = createStorageBuffer(device, 'classifier.dlogits', B * K); // (B, K)
    const lossOut = createStorageBuffer(device, 'classifier.loss', 4); //       [loss, accuracy, 0, 0]
    const state = createTrainState(device, 'classifier.state');
    const stats = createTrainStats(device, 'classifier.stats');
    await compiling;

    const seq = new SequenceBuilder(device, 'classifier_step');
    const gather = await kernels.kernel(randomKernels, 'random_gather_rows');
    const u = { seed: c.seed, stream: DATA_STREAM, rows: B, cols: data.cols, src_rows: data.rows, dst_row_offset: 0 };
    seq.add(gather, { state, src: rows, out: x }, u, 'batch');
    // Same seed, stream and step → the same row indices as the inputs.
    seq.add(gather, { state, src: rowLabels, out: y }, { ...u, cols: 1 }, 'batch_labels');
    await model.encodeForward(seq, kernels, B, x, logits);
    const ce = await kernels.kernel(softmaxCrossEntropyKernels, 'softmax_cross_entropy_forward_backward');
    seq.add(ce, { logits, labels: y, dlogits, loss_out: lossOut }, { rows: B, classes: K, scale: 1 / B }, 'loss');
    await model.encodeBackward(seq, kernels, B, { input: x, output: logits, dOutput: dlogits, dInput: null }, true);
    const P = net.parameterCount;
    await encodeCloseUpdate(seq, kernels, { grads: model.grads, gradSqPartials: model.gradSqPartials, count: P, lossOut, state, stats, phase: PHASE, advancesStep: true });
    const io = { params: model.params, grads: model.grads, slots: model.slots, state, count: P, phase: PHASE };
    await c.optimizerModule.encode(seq, kernels, io, c.hyper, `${net.name}.${c.optimizerModule.name}`);
    const owned = [rows, rowLabels, x, y, logits, dlogits, lossOut, state, stats];
    return new Classifier(ctx, c, model, owned, state, stats, seq.build());
  }

  get latestStats(): ClassifierStats | null {
    return this.lastReport;
  }

  /** Trains `steps` mini-batch steps; resolves with the last loss report. */
  async train(steps: number, stepsPerSubmit = 10): Promise<ClassifierStats | null> {
    if (this.failure) throw this.failure;
    if (!Number.isInteger(steps) || steps < 0) throw new ClassifierConfigError(`classifier train: steps must be a non-negative integer, got ${steps}`);
    await runSteps({
      device: this.ctx.device,
      readback: this.readback,
      steps,
      perSubmit: stepsPerSubmit,
      statsEvery: this.config.statsEvery,
      encodeStep: (pass) => {
        this.step.encode(pass);
        return ++this.submitted;
      },
      stopped: () => this.failure !== null,
      label: 'classifier_train',
    });
    if (this.failure) throw this.failure;
    return this.lastReport;
  }

  /** Eval-mode predictions and features for `inputs` (n, cols), in chunks of PREDICT_CHUNK rows. */
  async predict(inputs: Float32Array): Promise<Predictions> {
    const X = this.config.data.cols;
    const K = this.config.classes;
    if (!(inputs instanceof Float32Array) || inputs.length === 0 || inputs.length % X !== 0) {
      throw new ClassifierConfigError(`classifier predict: inputs must be a non-empty Float32Array of n × ${X} values, got ${inputs?.length}`);
    }
    const p = this.predictor ?? (await this.buildPredictor());
    this.predictor = p;
    const n = inputs.length / X;
    const stages = this.model.net.stages;
    const F = stages[stages.length - 2].output.features;
    const featureBuffer = p.activations[stages.length - 2];
    const logits = new Float32Array(n * K);
    const features = new Float32Array(n * F);
    const { device } = this.ctx;
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const chunk = new Float32Array(PREDICT_CHUNK * X);
      chunk.set(inputs.subarray(start * X, (start + rows) * X));
      device.queue.writeBuffer(p.input, 0, chunk);
      const encoder = device.createCommandEncoder({ label: 'classifier_predict' });
      const pass = encoder.beginComputePass();
      p.sequence.encode(pass);
      pass.end();
      device.queue.submit([encoder.finish()]);
      const [l, f] = await Promise.all([readFloats(device, p.logits, rows * K), readFloats(device, featureBuffer, rows * F)]);
      logits.set(l, start * K);
      features.set(f, start * F);
    }
    const classes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (logits[i * K + k] > logits[i * K + best]) best = k;
      classes[i] = best;
    }
    return { logits, classes, features, featureSize: F };
  }

  /** Fraction of rows whose predicted class is the label. */
  async accuracy(inputs: Float32Array, labels: ArrayLike<number>): Promise<number> {
    const { classes } = await this.predict(inputs);
    if (labels.length !== classes.length) throw new ClassifierConfigError(`classifier accuracy: ${classes.length} rows but ${labels.length} labels`);
    let right = 0;
    classes.forEach((c, i) => (right += c === labels[i] ? 1 : 0));
    return right / classes.length;
  }

  async readParameters(): Promise<Float32Array> {
    return readFloats(this.ctx.device, this.model.params, this.model.net.parameterCount);
  }

  async readCounters(): Promise<{ step: number }> {
    const st = new Uint32Array((await readFloats(this.ctx.device, this.state, TRAIN_STATE_WORDS)).buffer);
    return { step: st[TRAIN_STATE.step] };
  }

  dispose(): void {
    this.model.destroy();
    for (const b of this.owned) b.destroy();
    this.step.destroy();
    this.readback.destroy();
    if (this.predictor) {
      for (const b of [this.predictor.input, this.predictor.logits, ...this.predictor.activations]) b.destroy();
      this.predictor.sequence.destroy();
    }
  }

  private async buildPredictor() {
    const { device, kernels } = this.ctx;
    const input = createStorageBuffer(device, 'classifier.predict.input', PREDICT_CHUNK * this.config.data.cols);
    const logits = createStorageBuffer(device, 'classifier.predict.logits', PREDICT_CHUNK * this.config.classes);
    const activations = this.model.createActivations(PREDICT_CHUNK, 'predict');
    const seq = new SequenceBuilder(device, 'classifier_predict');
    await this.model.encodeForward(seq, kernels, PREDICT_CHUNK, input, logits, activations, 'eval');
    return { input, logits, activations, sequence: seq.build() };
  }
}
