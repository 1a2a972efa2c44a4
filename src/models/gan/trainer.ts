// GAN trainer: builds the step plan once (buffers, pipelines, bind groups,
// uniforms), then each training step replays the recorded phases of the step
// description (step.ts) into a compute pass. Statistics come back
// asynchronously every `statsEvery` steps; the halting rule runs on the GPU.
// Calls run one at a time in the order they were made; a lost device rejects
// every pending and later call with DeviceLostError.
import { createStorageBuffer, readFloats, readUints, writeArray } from '../../runtime/buffers.js';
import type { GpuContext } from '../../runtime/device.js';
import { DeviceLostError, GpuValidationError, NonFiniteLossError } from '../../runtime/errors.js';
import type { RecordedSequence } from '../../runtime/recorder.js';
import { StatsReadback } from '../../runtime/readback.js';
import { runSteps } from '../../runtime/step-loop.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS, TRAIN_STATS_FLOATS } from '../../shaders/constants.js';
import { NetGpu } from '../layers/net-gpu.js';
import type { Sequential } from '../layers/sequential.js';
import { counterWords, createTrainState, createTrainStats, parseTrainReport, readCounters } from '../optim/bookkeeping.js';
import { GanConfigError, resolveGanConfig, shown, type GanConfig, type NetName, type ResolvedGanConfig } from './config.js';
import { buildFusedMlpPhases } from './fused-mlp-plan.js';
import { buildDiscriminator, buildSampler, destroyInference, type Discriminator, type Sampler } from './inference.js';
import { buildLayeredPhases, compileKernels, imageGradOnly, layeredKernels } from './layered-plan.js';
import type { PlanKind } from './plan.js';
import { choosePlan } from './plan-choice.js';
import { HOST_RING_SLOTS, HostStreams } from './host-streams.js';
import { ganStats, type TrainingStats } from './stats.js';
import { PHASE_INDEX, PHASE_NAME } from './step.js';

export type { NetName } from './config.js';

export interface InitialWeights {
  generator?: Float32Array;
  discriminator?: Float32Array;
}

/** How far a train() call has got, after each command buffer is submitted. */
export interface TrainProgress {
  /** Steps of this call submitted so far, and the call's total. */
  done: number;
  total: number;
  fraction: number;
  /** Submitted steps per second since the call began. */
  stepsPerSecond: number;
  /** Seconds left at that rate. */
  etaSeconds: number;
}

export interface TrainOptions {
  /** Steps encoded into one command buffer (default 8). */
  stepsPerSubmit?: number;
  /** Stops the run between command buffers; train() then rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

/** An optimizer's per-parameter state of one net, in its flat parameter layout, and its update count t. */
export interface OptimizerState {
  /** One (P) array per state tensor, by the optimizer's names (Adam: exp_avg, exp_avg_sq). */
  slots: Record<string, Float32Array>;
  step: number;
}

/** The GPU-side counters that a resumed run needs. */
export interface TrainingCounters {
  /** Completed training steps; keys the noise and real-batch draws. */
  step: number;
  halted: boolean;
}

export interface SampleOptions {
  /** Conditional GANs: the class of each row, integers in 0…K−1 (default: row i gets i mod K). */
  labels?: ArrayLike<number>;
  /** G's weights to sample with: the last update's (default) or their moving average (needs config.ema). */
  weights?: 'trained' | 'ema';
}

export interface DrawOptions extends SampleOptions {
  /** Draw into this texture (the renderer's format, RENDER_ATTACHMENT) instead of the renderer's canvas. */
  target?: GPUTexture;
}

/** The renderer drawSamples draws with (render/image-grid.ts): only what the trainer needs of it. */
export interface ImageGridTarget {
  readonly device: GPUDevice;
  readonly rows: number;
  readonly cols: number;
  readonly height: number;
  readonly width: number;
  encode(encoder: GPUCommandEncoder, images: GPUBuffer, target?: GPUTexture): void;
}

/** Everything a checkpoint restores, validated beforehand (checkpoint.ts). */
export interface TrainerState {
  params: Record<NetName, Float32Array>;
  buffers: Record<NetName, Float32Array>;
  optimizer: Record<NetName, OptimizerState>;
  step: number;
  /** G's moving average of weights, when the config keeps one. */
  averaged?: Float32Array;
}

/** What a trainer reports as it runs, by event name (GanTrainer.on). */
export interface TrainerEvents {
  /** Means over each reporting window (every statsEvery steps), asynchronously. */
  stats: TrainingStats;
  /** The halting rule stopped training: a non-finite loss or gradient (the weights are the last good ones). */
  halted: NonFiniteLossError;
  /** The GPU device was lost; every pending and later call rejects with this error. */
  deviceLost: DeviceLostError;
  /** A train() call finished all its steps (after its last statistics). */
  done: { step: number; stats: TrainingStats | null };
}
export type TrainerEventName = keyof TrainerEvents;

/** Floats one sample() / generate() / discriminate() call may return: past this the caller should ask in parts. */
export const MAX_RESULT_FLOATS = 1 << 28;
/** Rows per eval-mode program: larger requests run in chunks of this many. */
const CHUNK_ROWS = 8192;

export class GanTrainer {
  private readonly listeners: { [E in TrainerEventName]: Set<(e: TrainerEvents[E]) => void> } = {
    stats: new Set(),
    halted: new Set(),
    deviceLost: new Set(),
    done: new Set(),
  };
  private readonly samplers = new Map<string, Sampler>();
  private readonly discriminators = new Map<number, Discriminator>();
  private failure: NonFiniteLossError | null = null;
  private lost: DeviceLostError | null = null;
  /** Completed steps as the GPU last reported them. */
  private steps = 0;
  /** Steps submitted, which schedules the stats copies. */
  private submitted = 0;
  private sampleCalls = 0;
  private lastReport: TrainingStats | null = null;
  private disposed = false;
  /** Calls run in order: each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly readback: StatsReadback;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: ResolvedGanConfig,
    /** How steps are recorded: 'fused-mlp' (one dispatch per optimizer phase) or 'layered'. */
    readonly plan: PlanKind,
    private readonly nets: Record<NetName, NetGpu>,
    private readonly owned: GPUBuffer[],
    private readonly state: GPUBuffer,
    stats: GPUBuffer,
    private readonly phases: RecordedSequence[],
    private readonly host: HostStreams,
    /** The dataset buffer (rows, X) and its labels, when the data is a dataset: replaceDataset writes them. */
    private readonly dataset: { values: GPUBuffer; labels: GPUBuffer | null } | null,
  ) {
    this.readback = new StatsReadback(ctx.device, stats, TRAIN_STATS_FLOATS, state, TRAIN_STATE_WORDS, (statsFloats, stateWords) => {
      const report = parseTrainReport(statsFloats, stateWords, PHASE_NAME.length);
      this.steps = report.step;
      const stats = ganStats(report);
      if (stats) {
        this.lastReport = stats;
        this.emit('stats', stats);
      }
      if (report.halt && !this.failure) {
        this.failure = new NonFiniteLossError(report.halt.step, PHASE_NAME[report.halt.phase]);
        this.emit('halted', this.failure);
      }
    });
    ctx.device.lost.then((info) => {
      if (this.lost) return;
      this.lost = new DeviceLostError(info.reason, info.message);
      if (!this.disposed) this.emit('deviceLost', this.lost);
    });
  }

  /** Validates the config (throws GanConfigError before any GPU work), then builds the step plan. */
  static async create(ctx: GpuContext, config: GanConfig, init: InitialWeights = {}): Promise<GanTrainer> {
    const c = resolveGanConfig(config);
    const init0 = typeof init === 'object' && init !== null ? init : {};
    checkParameters('generator', c.generator, init0.generator);
    checkParameters('discriminator', c.discriminator, init0.discriminator);
    checkFitsDevice(ctx.device, c);
    ctx.assertAlive();
    const plan = await choosePlan(ctx, c, (kind) => msPerStep(ctx, config, init0, kind));
    ctx.assertAlive();
    const { device, kernels } = ctx;
    // Kick off every pipeline compile at once; the awaits while recording then find them cached.
    const compiling = plan === 'layered' ? compileKernels(kernels, layeredKernels(c)) : Promise.resolve();
    const B = c.batchSize;
    const net = (name: NetName, maxBatch: number, seed: number, inputGradChannels: number | null, averaged: boolean) =>
      new NetGpu(device, c[name], maxBatch, init0[name] ?? c[name].initialParameters(seed), {
        optimizerSlots: c.optimizers[name].slots,
        inputGradChannels,
        averaged,
      });
    // Every buffer, bind group and pipeline of the plan is made below: a validation error there would
    // otherwise only drop the work it belongs to, silently, at each submit.
    device.pushErrorScope('validation');
    const build = async () => {
      const nets = {
        generator: net('generator', B, c.seed, null, c.ema !== null),
        // D sees [fake; real]; a conditional D that starts with a conv computes dx for the image channels only.
        discriminator: net('discriminator', 2 * B, c.seed + 1, imageGradOnly(c) ? c.shapes.channels : null, false),
      };
      const state = createTrainState(device);
      const stats = createTrainStats(device);
      const data = c.data.kind === 'dataset' ? createStorageBuffer(device, 'dataset', c.data.values.length, c.data.values) : null;
      await compiling;
      const host = new HostStreams(device, c);
      const inputs = { ctx, c, G: nets.generator, D: nets.discriminator, state, stats, data, host };
      const built = plan === 'fused-mlp' ? await buildFusedMlpPhases(inputs) : await buildLayeredPhases(inputs);
      return { nets, state, stats, data, host, built };
    };
    const { nets, state, stats, data, host, built } = await build().catch(async (e: unknown) => {
      await device.popErrorScope();
      throw e;
    });
    const invalid = await device.popErrorScope();
    if (invalid) {
      for (const b of [state, stats, ...(data ? [data] : []), ...built.owned]) b.destroy();
      nets.generator.destroy();
      nets.discriminator.destroy();
      throw new GpuValidationError(`building the ${plan} step plan`, invalid.message);
    }
    const dataset = data ? { values: data, labels: built.datasetLabels ?? null } : null;
    return new GanTrainer(ctx, c, plan, nets, [state, stats, ...(data ? [data] : []), ...built.owned], state, stats, built.phases, host, dataset);
  }

  /** Training steps completed (each = dSteps D updates + 1 G update), as of the last train() call's end. */
  get step(): number {
    return this.steps;
  }

  /** The most recent statistics read back, or null before the first report. */
  get latestStats(): TrainingStats | null {
    return this.lastReport;
  }

  /** Dispatches in one training step (for benchmarks and the no-allocation test). */
  get dispatchesPerStep(): number {
    return this.phases.reduce((n, s) => n + s.dispatches.filter((d) => d.workgroups.every((w) => w > 0)).length, 0);
  }

  /** What D's output is ('logit': discriminate() returns σ of it, a probability; 'score': a critic's score, as is). */
  get discriminatorOutput(): 'logit' | 'score' {
    return this.config.loss.module.output;
  }

  /** Called with means over each reporting window, asynchronously (on('stats', …)). Returns an unsubscribe function. */
  onStats(listener: (s: TrainingStats) => void): () => void {
    return this.on('stats', listener);
  }

  /** Listens to one kind of event (TrainerEvents). Returns an unsubscribe function. */
  on<E extends TrainerEventName>(event: E, listener: (e: TrainerEvents[E]) => void): () => void {
    if (typeof event !== 'string' || !Object.hasOwn(this.listeners, event)) throw new GanConfigError(`on: unknown event ${shown(event)}; expected ${Object.keys(this.listeners).join(', ')}`);
    if (typeof listener !== 'function') throw new GanConfigError(`on('${event}'): the listener must be a function, got ${shown(listener)}`);
    const set = this.listeners[event] as Set<(e: TrainerEvents[E]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<E extends TrainerEventName>(event: E, e: TrainerEvents[E]): void {
    for (const l of this.listeners[event] as Set<(e: TrainerEvents[E]) => void>) l(e);
  }

  /**
   * Runs `steps` training steps. Resolves once the GPU has finished them and
   * the last statistics are in; rejects with NonFiniteLossError if the
   * halting rule stopped training (the GPU then kept the last good weights),
   * with the signal's reason if aborted, with DeviceLostError if the device
   * was lost.
   */
  async train(steps: number, options: TrainOptions = {}): Promise<TrainingStats | null> {
    if (!Number.isSafeInteger(steps) || steps < 0) throw new GanConfigError(`train: steps must be a non-negative integer, got ${shown(steps)}`);
    const asked = options.stepsPerSubmit ?? 8;
    if (!Number.isSafeInteger(asked) || asked < 1) throw new GanConfigError(`train: stepsPerSubmit must be a positive integer, got ${shown(asked)}`);
    // A host-fed trainer's ring holds HOST_RING_SLOTS steps.
    const perSubmit = this.host.any ? Math.min(asked, HOST_RING_SLOTS) : asked;
    return this.serial('train', async () => {
      this.assertTrainable();
      options.signal?.throwIfAborted();
      const started = performance.now();
      await runSteps({
        device: this.ctx.device,
        readback: this.readback,
        steps,
        perSubmit,
        statsEvery: this.config.statsEvery,
        encodeStep: (pass) => {
          for (const p of this.phases) p.encode(pass);
          return ++this.submitted;
        },
        stopped: () => this.failure !== null || this.lost !== null || this.disposed || options.signal?.aborted === true,
        beforeChunk: (count) => this.host.write(this.ctx.device.queue, this.submitted, count),
        submitted: (done) => {
          if (!options.onProgress) return;
          const rate = done / Math.max((performance.now() - started) / 1000, 1e-9);
          options.onProgress({ done, total: steps, fraction: steps ? done / steps : 1, stepsPerSecond: rate, etaSeconds: (steps - done) / rate });
        },
        label: 'train',
      });
      this.assertAlive();
      // All submitted work is done: unless the halting rule stopped it, the GPU's step is the submitted count.
      if (!this.failure) this.steps = this.submitted;
      if (this.disposed) throw new GanConfigError('train: the trainer was disposed while training; the run stopped between command buffers');
      if (this.failure) throw this.failure;
      options.signal?.throwIfAborted();
      this.emit('done', { step: this.steps, stats: this.lastReport });
      return this.lastReport;
    });
  }

  /**
   * n generator samples (n, sampleSize) from fresh noise of a sampling stream
   * that training never uses. Runs G in eval mode (BatchNorm uses its running
   * statistics and changes nothing). A conditional GAN draws sample i of class
   * `labels[i]`, by default i mod K.
   */
  async sample(n: number, options: SampleOptions = {}): Promise<Float32Array> {
    const X = this.config.shapes.sample;
    if (!Number.isSafeInteger(n) || n < 1) throw new GanConfigError(`sample: n must be a positive integer, got ${shown(n)}`);
    if (this.config.noise.distribution === 'host') throw new GanConfigError('sample: this GAN takes its noise from the host: give it to generate(noise)');
    checkResultSize('sample', n, X);
    const labels = this.labelValues('sample', n, options.labels);
    const weights = this.weightsOf('sample', options.weights);
    return this.serial('sample', async () => {
      this.assertReadable();
      const out = new Float32Array(n * X);
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - start);
        const sampler = await this.sampler(rows, labels.subarray(start, start + rows), weights);
        writeArray(this.ctx.device.queue, sampler.state, counterWords(this.sampleCalls++, []));
        out.set(await this.runSampler(sampler, true), start * X);
      }
      return out;
    });
  }

  /** G(noise) for given noise rows (n, noiseSize), e.g. a grid or an interpolation in noise space; eval mode, labels as in sample(). */
  async generate(noise: Float32Array, options: SampleOptions = {}): Promise<Float32Array> {
    const { noise: Z, sample: X } = this.config.shapes;
    checkRows('generate: noise', noise, Z);
    const n = noise.length / Z;
    checkResultSize('generate', n, X);
    const labels = this.labelValues('generate', n, options.labels);
    const weights = this.weightsOf('generate', options.weights);
    return this.serial('generate', async () => {
      this.assertReadable();
      const out = new Float32Array(n * X);
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - start);
        const sampler = await this.sampler(rows, labels.subarray(start, start + rows), weights);
        writeArray(this.ctx.device.queue, sampler.noise, noise.subarray(start * Z, (start + rows) * Z));
        out.set(await this.runSampler(sampler, false), start * X);
      }
      return out;
    });
  }

  /**
   * G(noise) drawn straight into `renderer`'s canvas: G's eval forward and the
   * grid's render pass go into one command buffer; nothing is read back.
   * `noise` has renderer.rows × renderer.cols rows (cell k = row · cols + col);
   * labels as in sample(). G must make single-channel images of the
   * renderer's height × width (or flat samples of height · width values).
   */
  async drawSamples(renderer: ImageGridTarget, noise: Float32Array, options: DrawOptions = {}): Promise<void> {
    const Z = this.config.shapes.noise;
    checkRows('drawSamples: noise', noise, Z);
    checkImageGrid(this.config, this.ctx.device, renderer, noise.length / Z);
    const labels = this.labelValues('drawSamples', noise.length / Z, options.labels);
    const weights = this.weightsOf('drawSamples', options.weights);
    return this.serial('drawSamples', async () => {
      this.assertReadable();
      const sampler = await this.sampler(noise.length / Z, labels, weights);
      const { device } = this.ctx;
      writeArray(device.queue, sampler.noise, noise);
      const encoder = device.createCommandEncoder({ label: 'draw_samples' });
      const pass = encoder.beginComputePass();
      sampler.forward.encode(pass);
      pass.end();
      renderer.encode(encoder, sampler.output, options.target);
      device.queue.submit([encoder.finish()]);
    });
  }

  /**
   * D on each row of `inputs` (n, sampleSize) (with labels[i] when
   * conditional), eval mode, as the loss presents D's output: BCE's
   * probability that the row is real, a critic's score.
   */
  async discriminate(inputs: Float32Array, options: SampleOptions = {}): Promise<Float32Array> {
    const X = this.config.shapes.sample;
    checkRows('discriminate: inputs', inputs, X);
    const n = inputs.length / X;
    const labels = this.labelValues('discriminate', n, options.labels);
    return this.serial('discriminate', async () => {
      this.assertReadable();
      const out = new Float32Array(n);
      const { device } = this.ctx;
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - start);
        let d = this.discriminators.get(rows);
        if (!d) this.discriminators.set(rows, (d = await buildDiscriminator(this.ctx, this.config, this.nets.discriminator, rows)));
        if (d.labels) writeArray(device.queue, d.labels, labels.subarray(start, start + rows));
        writeArray(device.queue, d.sample, inputs.subarray(start * X, (start + rows) * X));
        const encoder = device.createCommandEncoder({ label: 'discriminate' });
        const pass = encoder.beginComputePass();
        d.sequence.encode(pass);
        pass.end();
        device.queue.submit([encoder.finish()]);
        const outputs = await this.read(d.outputs, rows);
        out.set(outputs.map((v) => this.config.loss.module.present(v)), start);
      }
      return out;
    });
  }

  /** A net's optimizer state and update count. */
  async readOptimizerState(net: NetName): Promise<OptimizerState> {
    const n = this.net(net);
    return this.serial('readOptimizerState', async () => {
      this.assertReadable();
      const names = this.config.optimizers[net].slots;
      const [values, state] = await Promise.all([Promise.all(n.slots.map((b) => this.read(b, n.net.parameterCount))), this.readState()]);
      return { slots: Object.fromEntries(names.map((s, i) => [s, values[i]])), step: state[TRAIN_STATE.updates + PHASE_INDEX[net]] };
    });
  }

  async readCounters(): Promise<TrainingCounters> {
    return this.serial('readCounters', async () => {
      this.assertReadable();
      const c = readCounters(await this.readState(), PHASE_NAME.length);
      return { step: c.step, halted: c.halted };
    });
  }

  /** The flat parameters of a net (layout: Sequential.parameters). */
  async readParameters(net: NetName): Promise<Float32Array> {
    const n = this.net(net);
    return this.serial('readParameters', async () => {
      this.assertReadable();
      return this.read(n.params, n.net.parameterCount);
    });
  }

  /** A net's buffers, e.g. BatchNorm running statistics (layout: Sequential.buffers). */
  async readBuffers(net: NetName): Promise<Float32Array> {
    const n = this.net(net);
    return this.serial('readBuffers', async () => {
      this.assertReadable();
      return this.read(n.buffers, n.net.bufferCount);
    });
  }

  /** G's moving average of weights (config.ema; layout: Sequential.parameters). */
  async readAveraged(): Promise<Float32Array> {
    const G = this.nets.generator;
    if (!G.averaged) throw new GanConfigError('readAveraged: the config keeps no moving average (give it ema: { decay })');
    const averaged = G.averaged;
    return this.serial('readAveraged', async () => {
      this.assertReadable();
      return this.read(averaged, G.net.parameterCount);
    });
  }

  /** The gradients of the last update of a net (D: its last D update; G: its last G update). */
  async readGradients(net: NetName): Promise<Float32Array> {
    const n = this.net(net);
    return this.serial('readGradients', async () => {
      this.assertReadable();
      return this.read(n.grads, n.net.parameterCount);
    });
  }

  /** Overwrites a net's flat parameters (layout: Sequential.parameters), after any call still running. */
  async writeParameters(net: NetName, values: Float32Array): Promise<void> {
    const n = this.net(net);
    checkParameters(net, n.net, values);
    return this.serial('writeParameters', async () => {
      this.assertReadable();
      writeArray(this.ctx.device.queue, n.params, values);
    });
  }

  /**
   * Replaces the dataset's rows (and, for a conditional GAN, their labels)
   * with others of the same shape, after any call still running; the step
   * plan stays as it is. Checked first: Float32Array of rows × cols finite
   * values, labels a Uint8Array of classes.
   */
  async replaceDataset(values: Float32Array, labels?: Uint8Array): Promise<void> {
    const d = this.config.data;
    if (d.kind !== 'dataset' || !this.dataset) throw new GanConfigError(`replaceDataset: this GAN's data is ${d.kind}, not a dataset`);
    checkLength('replaceDataset: values', values, d.rows * d.cols);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new GanConfigError(`replaceDataset: value ${bad} (row ${Math.floor(bad / d.cols)}) is ${values[bad]}, not finite`);
    const K = this.config.shapes.classes;
    if (K > 0) {
      if (!(labels instanceof Uint8Array) || labels.length !== d.rows) {
        throw new GanConfigError(`replaceDataset: a conditional GAN needs a Uint8Array of ${d.rows} labels, got ${shown(labels)}`);
      }
      const badLabel = labels.findIndex((l) => l >= K);
      if (badLabel >= 0) throw new GanConfigError(`replaceDataset: labels[${badLabel}] is ${labels[badLabel]}, outside 0…${K - 1}`);
    } else if (labels !== undefined) {
      throw new GanConfigError('replaceDataset: labels given, but this GAN is not conditional');
    }
    const target = this.dataset;
    return this.serial('replaceDataset', async () => {
      this.assertReadable();
      writeArray(this.ctx.device.queue, target.values, values);
      if (target.labels && labels) writeArray(this.ctx.device.queue, target.labels, Float32Array.from(labels));
    });
  }

  /** Overwrites a net's buffers (BatchNorm running statistics; layout: Sequential.buffers), after any call still running. */
  async writeBuffers(net: NetName, values: Float32Array): Promise<void> {
    const n = this.net(net);
    checkLength(`${net} buffers`, values, n.net.bufferCount);
    return this.serial('writeBuffers', async () => {
      this.assertReadable();
      writeArray(this.ctx.device.queue, n.buffers, values);
    });
  }

  /**
   * Restores parameters, buffers, optimizer state and counters (a checkpoint,
   * validated whole beforehand), after any call still running. The halted
   * flag is cleared: the restored weights are good ones.
   */
  async restore(s: TrainerState): Promise<void> {
    for (const net of PHASE_NAME) {
      const n = this.net(net);
      checkParameters(net, n.net, s.params[net]);
      checkLength(`${net} buffers`, s.buffers[net], n.net.bufferCount);
      for (const slot of this.config.optimizers[net].slots) checkLength(`${net} ${slot}`, s.optimizer[net].slots[slot], n.net.parameterCount);
    }
    const averaged = this.nets.generator.averaged;
    if (averaged) checkLength('generator averaged weights', s.averaged, this.nets.generator.net.parameterCount);
    return this.serial('restore', async () => {
      this.assertAlive();
      this.assertNotDisposed();
      const q = this.ctx.device.queue;
      for (const net of PHASE_NAME) {
        const n = this.net(net);
        writeArray(q, n.params, s.params[net]);
        writeArray(q, n.buffers, s.buffers[net]);
        this.config.optimizers[net].slots.forEach((slot, i) => writeArray(q, n.slots[i], s.optimizer[net].slots[slot]));
      }
      if (averaged && s.averaged) writeArray(q, averaged, s.averaged);
      writeArray(q, this.state, counterWords(s.step, PHASE_NAME.map((net) => s.optimizer[net].step)));
      await q.onSubmittedWorkDone();
      this.assertAlive();
      this.steps = s.step;
      this.submitted = s.step;
      this.failure = null;
    });
  }

  /** Frees the GPU buffers once any call still running has stopped (a train() call stops at its next command buffer). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.queue.finally(() => {
      for (const n of Object.values(this.nets)) n.destroy();
      for (const b of this.owned) b.destroy();
      for (const s of this.phases) s.destroy();
      this.host.destroy();
      for (const p of [...this.samplers.values(), ...this.discriminators.values()]) destroyInference(p);
      this.readback.destroy();
    });
  }

  /**
   * Runs calls one at a time, in the order they were made; a call that fails
   * does not stop the ones after it. Public methods check their arguments
   * before they get here (async, so a bad argument is a rejection, not a throw).
   */
  private serial<T>(what: string, f: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new GanConfigError(`${what}: this GanTrainer was disposed`));
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run.catch((e: unknown) => {
      // A lost device shows up as AbortErrors and empty reads: say what happened instead.
      if (this.lost && !(e instanceof DeviceLostError) && !(e instanceof GanConfigError)) throw this.lost;
      throw e;
    });
  }

  private net(name: NetName): NetGpu {
    if (name !== 'generator' && name !== 'discriminator') throw new GanConfigError(`unknown net ${shown(name)}; expected 'generator' or 'discriminator'`);
    return this.nets[name];
  }

  private async read(buffer: GPUBuffer, floats: number): Promise<Float32Array> {
    this.assertAlive();
    return readFloats(this.ctx.device, buffer, floats);
  }

  private async readState(): Promise<Uint32Array> {
    this.assertAlive();
    return readUints(this.ctx.device, this.state, TRAIN_STATE_WORDS);
  }

  private assertNotDisposed(): void {
    if (this.disposed) throw new GanConfigError('this GanTrainer was disposed');
  }

  private assertAlive(): void {
    if (this.lost) throw this.lost;
  }

  /** Reading the kept weights (and saving them) works after a halt. */
  private assertReadable(): void {
    this.assertAlive();
    this.assertNotDisposed();
  }

  private assertTrainable(): void {
    this.assertReadable();
    if (this.failure) throw this.failure;
  }

  /** Labels as the GPU reads them (class indices as floats), checked against K; i mod K when not given. */
  private labelValues(where: string, n: number, labels: ArrayLike<number> | undefined): Float32Array {
    const K = this.config.shapes.classes;
    if (K === 0) {
      if (labels !== undefined) throw new GanConfigError(`${where}: labels given, but this GAN is not conditional`);
      return new Float32Array(0);
    }
    if (labels === undefined) return Float32Array.from({ length: n }, (_, i) => i % K);
    if (labels.length !== n) throw new GanConfigError(`${where}: expected ${n} labels (one per row), got ${labels.length}`);
    const values = Float32Array.from(labels);
    const bad = values.findIndex((l) => !(Number.isInteger(l) && l >= 0 && l < K));
    if (bad >= 0) throw new GanConfigError(`${where}: labels[${bad}] is ${labels[bad]}, expected an integer class in 0…${K - 1}`);
    return values;
  }

  /** The weights buffer a sampling call asked for. */
  private weightsOf(where: string, weights: SampleOptions['weights']): GPUBuffer {
    const G = this.nets.generator;
    if (weights === undefined || weights === 'trained') return G.params;
    if (weights !== 'ema') throw new GanConfigError(`${where}: weights must be 'trained' or 'ema', got ${shown(weights)}`);
    if (!G.averaged) throw new GanConfigError(`${where}: weights 'ema' asked for, but the config keeps no moving average (give it ema: { decay })`);
    return G.averaged;
  }

  private async sampler(n: number, labels: Float32Array, weights: GPUBuffer): Promise<Sampler> {
    const key = `${n}:${weights === this.nets.generator.params ? 'trained' : 'ema'}`;
    let sampler = this.samplers.get(key);
    if (!sampler) this.samplers.set(key, (sampler = await buildSampler(this.ctx, this.config, this.nets.generator, n, weights)));
    if (sampler.labels) writeArray(this.ctx.device.queue, sampler.labels, labels);
    return sampler;
  }

  private async runSampler(sampler: Sampler, drawNoise: boolean): Promise<Float32Array> {
    const { device } = this.ctx;
    const encoder = device.createCommandEncoder({ label: 'sample' });
    const pass = encoder.beginComputePass();
    if (drawNoise) sampler.draw.encode(pass);
    sampler.forward.encode(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    return this.read(sampler.output, sampler.n * this.config.shapes.sample);
  }
}

/** Steps a plan's timing runs in one submit, at most (plan-choice.ts). */
const PLAN_TIMING_MAX_STEPS = 64;
/** Milliseconds the timed submit aims for: long enough that a submit's own overhead is small in it. */
const PLAN_TIMING_TARGET_MS = 20;

/**
 * Median milliseconds per step of `plan` on a throwaway trainer of `config` (its own buffers; the
 * caller's weights are never touched), for plan-choice.ts: two warm-up steps, then three submits of
 * n steps each, n sized so that a submit lasts about PLAN_TIMING_TARGET_MS. Null where that plan
 * cannot be timed: its build fails validation (it is then no candidate; the other plan may still
 * build) or it halts on a non-finite loss while being timed.
 */
async function msPerStep(ctx: GpuContext, config: GanConfig, init: InitialWeights, plan: PlanKind): Promise<number | null> {
  let trainer: GanTrainer;
  try {
    trainer = await GanTrainer.create(ctx, { ...config, plan }, init);
  } catch (e) {
    if (!(e instanceof GpuValidationError)) throw e;
    console.warn(`webgpu-gan: the ${plan} plan failed to build while the plans were timed, so it is no candidate: ${e.message}`);
    return null;
  }
  try {
    let t = performance.now();
    await trainer.train(2, { stepsPerSubmit: 2 });
    const warm = (performance.now() - t) / 2;
    const n = Math.max(1, Math.min(PLAN_TIMING_MAX_STEPS, Math.ceil(PLAN_TIMING_TARGET_MS / Math.max(warm, 0.01))));
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      t = performance.now();
      await trainer.train(n, { stepsPerSubmit: n });
      times.push((performance.now() - t) / n);
    }
    return times.sort((a, b) => a - b)[1];
  } catch (e) {
    if (e instanceof NonFiniteLossError) return null;
    throw e;
  } finally {
    trainer.dispose();
  }
}

function checkRows(where: string, values: Float32Array, width: number): void {
  if (!(values instanceof Float32Array) || values.length === 0 || values.length % width !== 0) {
    throw new GanConfigError(`${where} must be a non-empty Float32Array of n × ${width} values, got ${values instanceof Float32Array ? values.length : shown(values)}`);
  }
}

function checkResultSize(where: string, n: number, width: number): void {
  if (n * width > MAX_RESULT_FLOATS) {
    throw new GanConfigError(`${where}: ${n} rows × ${width} values is ${n * width} floats, more than one call returns (${MAX_RESULT_FLOATS}); ask in parts`);
  }
}

/** drawSamples: same device, one noise row per grid cell, G's samples C = 1 images of the renderer's H × W. */
function checkImageGrid(c: ResolvedGanConfig, device: GPUDevice, r: ImageGridTarget, n: number): void {
  if (r.device !== device) throw new GanConfigError('drawSamples: the renderer was built on another GPUDevice');
  if (n !== r.rows * r.cols) throw new GanConfigError(`drawSamples: the ${r.rows}×${r.cols} grid needs ${r.rows * r.cols} noise rows, got ${n}`);
  const shape = c.generator.outputShape ?? [1, 1, c.shapes.sample]; // flat samples: any H × W of the same size
  const [C, H, W] = shape;
  if (C !== 1 || H * W !== r.height * r.width || (c.generator.outputShape && (H !== r.height || W !== r.width))) {
    const what = c.generator.outputShape ? `(${C}, ${H}, ${W}) images` : `flat samples of ${c.shapes.sample} values`;
    throw new GanConfigError(`drawSamples: generator '${c.generator.name}' makes ${what}; the renderer draws (1, ${r.height}, ${r.width}) images`);
  }
}

/** Every buffer the plan binds must fit the device's storage binding limit; say which one does not. */
function checkFitsDevice(device: GPUDevice, c: ResolvedGanConfig): void {
  const limit = device.limits.maxStorageBufferBindingSize;
  const widest = (net: Sequential) => Math.max(net.inputSize, ...net.stages.map((s) => s.output.features));
  const sizes: [string, number][] = [
    ['generator parameters', c.generator.parameterCount * 4],
    ['discriminator parameters', c.discriminator.parameterCount * 4],
    ['generator activations (batch × widest layer)', c.batchSize * widest(c.generator) * 4],
    ['discriminator activations (2 × batch × widest layer)', 2 * c.batchSize * widest(c.discriminator) * 4],
  ];
  if (c.data.kind === 'dataset') sizes.push(['dataset', c.data.values.length * 4]);
  for (const [what, bytes] of sizes) {
    if (bytes > limit) throw new GanConfigError(`${what} need ${bytes} bytes, more than this device's maxStorageBufferBindingSize (${limit})`);
  }
}

function checkLength(what: string, values: Float32Array | undefined, floats: number): void {
  if (!(values instanceof Float32Array) || values.length !== floats) {
    throw new GanConfigError(`${what}: expected a Float32Array of ${floats} floats, got ${values instanceof Float32Array ? values.length : shown(values)}`);
  }
}

function checkParameters(name: string, net: Sequential, values: Float32Array | undefined): void {
  if (values === undefined) return;
  if (!(values instanceof Float32Array) || values.length !== net.parameterCount) {
    throw new GanConfigError(
      `${name} '${net.name}': parameters must be a Float32Array of ${net.parameterCount} floats (its flat layout), got ${values instanceof Float32Array ? values.length : shown(values)}`,
    );
  }
}
