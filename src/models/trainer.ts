// GAN trainer: builds the step plan once (buffers, pipelines, bind groups,
// uniforms), then each training step replays the recorded D update(s) and G
// update into a compute pass. Losses come back asynchronously every
// `statsEvery` steps; a non-finite loss halts the updates on the GPU itself.
//
// One training step, B = batch, Z = noise dim, X = sample dim:
//   D update (× dSteps): z ~ noise (B, Z); dIn[0:B] = G(z); dIn[B:2B] = real batch;
//       logits = D(dIn) (2B); BCE with targets [0…0, realLabel…]; backward D; Adam D
//   G update: z ~ noise; dIn[0:B] = G(z); logits = D(dIn[0:B]); BCE with target 1
//       (non-saturating loss −log D(G(z))); backward through D (input grads only)
//       and G; Adam G.
//
// Two ways to record it (config.plan, chosen in choosePlan): 'layered', a
// dispatch per layer and pass (layered-plan.ts, any net), or 'fused-mlp',
// one dispatch per update for small MLP GANs (fused-mlp-plan.ts).
import { createStorageBuffer, readFloats, readUints } from '../runtime/buffers.js';
import type { GpuContext } from '../runtime/device.js';
import { GanConfigError, NonFiniteLossError } from '../runtime/errors.js';
import { SequenceBuilder, type RecordedSequence } from '../runtime/recorder.js';
import { runSteps } from '../runtime/step-loop.js';
import { STATE, STATE_WORDS, STATS_FLOATS, StatsReadback, type TrainingStats } from '../runtime/stats.js';
import { concatLabelsKernels } from '../shaders/index.js';
import { resolveGanConfig, SAMPLE_STREAM, type GanConfig, type ResolvedGanConfig } from './config.js';
import type { ImageGridRenderer } from './image-grid.js';
import { fusedMlpIneligibility, type PlanKind } from './fused-mlp-eligibility.js';
import { buildFusedMlpPhases } from './fused-mlp-plan.js';
import { buildLayeredPhases, encodeNoise, prefetchLayeredKernels } from './layered-plan.js';
import { NetGpu } from './net-gpu.js';
import { stageWidth } from './sequential.js';
import type { Sequential } from './sequential.js';

export type NetName = 'generator' | 'discriminator';

export interface InitialWeights {
  generator?: Float32Array;
  discriminator?: Float32Array;
}

export interface TrainOptions {
  /** Steps encoded into one command buffer (default 8). */
  stepsPerSubmit?: number;
}

/** Adam's moments of one net, in its flat parameter layout, and its step count t. */
export interface OptimizerState {
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  step: number;
}

/** The GPU-side counters that a resumed run needs (train_state.wgsl). */
export interface TrainingCounters {
  /** Completed training steps; keys the noise and real-batch draws. */
  step: number;
  halted: boolean;
}

export interface SampleOptions {
  /** Conditional GANs: the class of each row, integers in 0…K−1 (default: row i gets i mod K). */
  labels?: ArrayLike<number>;
}

export interface DrawOptions extends SampleOptions {
  /** Draw into this texture (the renderer's format, RENDER_ATTACHMENT) instead of the renderer's canvas. */
  target?: GPUTexture;
}

interface Discriminator {
  sample: GPUBuffer; // (n, X) what the caller passes
  labels: GPUBuffer | null; // (n) conditional only
  logits: GPUBuffer; // (n, 1)
  owned: GPUBuffer[];
  sequence: RecordedSequence;
}

interface Sampler {
  n: number;
  state: GPUBuffer; // (8, u32) its own step counter, so sampling never disturbs training noise
  noise: GPUBuffer; // (n, Z)
  labels: GPUBuffer | null; // (n) conditional only
  output: GPUBuffer; // (n, X)
  owned: GPUBuffer[];
  draw: RecordedSequence; // fresh noise
  forward: RecordedSequence; // [z; onehot(y)] → G (eval mode)
}

export class GanTrainer {
  private readonly listeners = new Set<(s: TrainingStats) => void>();
  private readonly samplers = new Map<number, Sampler>();
  private readonly discriminators = new Map<number, Discriminator>();
  private failure: NonFiniteLossError | null = null;
  private submittedSteps = 0;
  private sampleCalls = 0;
  private lastReport: TrainingStats | null = null;
  private disposed = false;
  private readonly readback: StatsReadback;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: ResolvedGanConfig,
    /** How steps are recorded: 'fused-mlp' (one dispatch per optimizer phase) or 'layered'. */
    readonly plan: PlanKind,
    private readonly G: NetGpu,
    private readonly D: NetGpu,
    private readonly buffers: GPUBuffer[],
    private readonly state: GPUBuffer,
    private readonly stats: GPUBuffer,
    private readonly dPhases: RecordedSequence[],
    private readonly gPhase: RecordedSequence,
  ) {
    this.readback = new StatsReadback(ctx.device, stats, state, (report, halt) => {
      if (halt && !this.failure) this.failure = new NonFiniteLossError(halt.step, halt.phase);
      if (report) {
        this.lastReport = report;
        for (const l of this.listeners) l(report);
      }
    });
  }

  /** Validates the config (throws GanConfigError before any GPU work), then builds the step plan. */
  static async create(ctx: GpuContext, config: GanConfig, init: InitialWeights = {}): Promise<GanTrainer> {
    const c = resolveGanConfig(config);
    const g = c.generator;
    const d = c.discriminator;
    checkInitial('generator', g, init.generator);
    checkInitial('discriminator', d, init.discriminator);
    checkFitsDevice(ctx.device, c);
    const plan = choosePlan(c, ctx.device);
    const device = ctx.device;
    // A conditional D that starts with a conv computes dx for the image channels only, straight into G's output gradient.
    const imageGradOnly = c.condition !== undefined && d.stages[0].kind === 'conv2d';
    const dInputGradChannels = imageGradOnly ? c.shapes.channels : null;
    // Kick off every pipeline compile at once; the awaits below then find them cached.
    const compiling = plan === 'layered' ? prefetchLayeredKernels(ctx.kernels, c, dInputGradChannels) : Promise.resolve();
    const B = c.batchSize;
    const G = new NetGpu(device, g, B, init.generator ?? g.initialParameters(c.seed));
    const D = new NetGpu(device, d, 2 * B, init.discriminator ?? d.initialParameters(c.seed + 1), dInputGradChannels);
    const state = createStorageBuffer(device, 'train_state', STATE_WORDS); // u32, see train_state.wgsl
    const stats = createStorageBuffer(device, 'train_stats', STATS_FLOATS);
    const data =
      c.data.kind === 'dataset' ? createStorageBuffer(device, 'dataset', c.data.values.length, c.data.values) : null;
    await compiling;
    const inputs = { ctx, c, G, D, state, stats, data };
    const phases = plan === 'fused-mlp' ? await buildFusedMlpPhases(inputs) : await buildLayeredPhases(inputs, imageGradOnly);
    const owned = [state, stats, ...(data ? [data] : []), ...phases.owned];
    return new GanTrainer(ctx, c, plan, G, D, owned, state, stats, phases.dPhases, phases.gPhase);
  }

  /** Training steps submitted so far (each = dSteps D updates + 1 G update). */
  get step(): number {
    return this.submittedSteps;
  }

  /** The most recent statistics read back, or null before the first report. */
  get latestStats(): TrainingStats | null {
    return this.lastReport;
  }

  /** Dispatches in one training step (for benchmarks and the no-allocation test). */
  get dispatchesPerStep(): number {
    return this.dPhases.reduce((n, s) => n + s.dispatches.length, 0) + this.gPhase.dispatches.length;
  }

  /** Called with means over each reporting window, asynchronously. Returns an unsubscribe function. */
  onStats(listener: (s: TrainingStats) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `steps` training steps. Resolves once the GPU has finished them and
   * the last statistics are in; rejects with NonFiniteLossError if a loss
   * stopped being finite (the GPU then kept the last good weights).
   */
  async train(steps: number, options: TrainOptions = {}): Promise<TrainingStats | null> {
    this.assertUsable();
    if (!Number.isInteger(steps) || steps < 0) throw new GanConfigError(`train: steps must be a non-negative integer, got ${steps}`);
    const perSubmit = options.stepsPerSubmit ?? 8;
    if (!Number.isInteger(perSubmit) || perSubmit < 1) throw new GanConfigError(`train: stepsPerSubmit must be ≥ 1, got ${perSubmit}`);
    await runSteps({
      device: this.ctx.device,
      readback: this.readback,
      steps,
      perSubmit,
      statsEvery: this.config.statsEvery,
      encodeStep: (pass) => {
        for (const d of this.dPhases) d.encode(pass);
        this.gPhase.encode(pass);
        return ++this.submittedSteps;
      },
      stopped: () => this.failure !== null,
      label: 'train',
    });
    if (this.failure) throw this.failure;
    return this.lastReport;
  }

  /**
   * n generator samples (n, sampleSize) from fresh noise of a sampling stream
   * that training never uses. Runs G in eval mode (BatchNorm uses its running
   * statistics and changes nothing). A conditional GAN draws sample i of class
   * `labels[i]`, by default i mod K.
   */
  async sample(n: number, options: SampleOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    if (!Number.isInteger(n) || n < 1) throw new GanConfigError(`sample: n must be a positive integer, got ${n}`);
    const sampler = await this.sampler(n, 'sample', options.labels);
    const counter = new Uint32Array(STATE_WORDS);
    counter[STATE.step] = this.sampleCalls++;
    this.ctx.device.queue.writeBuffer(sampler.state, 0, counter);
    return this.runSampler(sampler, true);
  }

  /**
   * G(noise) for given noise rows (n, noiseSize), e.g. a grid or an
   * interpolation in noise space; eval mode, labels as in sample().
   */
  async generate(noise: Float32Array, options: SampleOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    const Z = this.config.shapes.noise;
    checkRows('generate: noise', noise, Z);
    const sampler = await this.sampler(noise.length / Z, 'generate', options.labels);
    this.ctx.device.queue.writeBuffer(sampler.noise, 0, noise.buffer as ArrayBuffer, noise.byteOffset, noise.byteLength);
    return this.runSampler(sampler, false);
  }

  /**
   * G(noise) drawn straight into `renderer`'s canvas: G's eval forward and the
   * grid's render pass go into one command buffer; nothing is read back.
   * `noise` has renderer.rows × renderer.cols rows (cell k = row · cols + col);
   * labels as in sample(). G must make single-channel images of the
   * renderer's height × width (or flat samples of height · width values).
   */
  async drawSamples(renderer: ImageGridRenderer, noise: Float32Array, options: DrawOptions = {}): Promise<void> {
    this.assertUsable();
    const Z = this.config.shapes.noise;
    checkRows('drawSamples: noise', noise, Z);
    checkImageGrid(this.config, this.ctx.device, renderer, noise.length / Z);
    const sampler = await this.sampler(noise.length / Z, 'drawSamples', options.labels);
    const { device } = this.ctx;
    device.queue.writeBuffer(sampler.noise, 0, noise.buffer as ArrayBuffer, noise.byteOffset, noise.byteLength);
    const encoder = device.createCommandEncoder({ label: 'draw_samples' });
    const pass = encoder.beginComputePass();
    sampler.forward.encode(pass);
    pass.end();
    renderer.encode(encoder, sampler.output, options.target);
    device.queue.submit([encoder.finish()]);
  }

  /** D's probability that each row of `inputs` (n, sampleSize) is real (of class labels[i] when conditional); eval mode. */
  async discriminate(inputs: Float32Array, options: SampleOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    const X = this.config.shapes.sample;
    checkRows('discriminate: inputs', inputs, X);
    const n = inputs.length / X;
    const d = this.discriminators.get(n) ?? (await this.buildDiscriminator(n));
    this.discriminators.set(n, d);
    const { device } = this.ctx;
    if (d.labels) device.queue.writeBuffer(d.labels, 0, this.labelValues('discriminate', n, options.labels));
    device.queue.writeBuffer(d.sample, 0, inputs.buffer as ArrayBuffer, inputs.byteOffset, inputs.byteLength);
    const encoder = device.createCommandEncoder({ label: 'discriminate' });
    const pass = encoder.beginComputePass();
    d.sequence.encode(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const logits = await readFloats(device, d.logits, n);
    return logits.map((l) => 1 / (1 + Math.exp(-l)));
  }

  async readOptimizerState(net: NetName): Promise<OptimizerState> {
    this.assertNotDisposed();
    const n = this.net(net);
    const count = n.net.parameterCount;
    const [expAvg, expAvgSq, counters] = await Promise.all([
      readFloats(this.ctx.device, n.expAvg, count),
      readFloats(this.ctx.device, n.expAvgSq, count),
      readUints(this.ctx.device, this.state, STATE_WORDS),
    ]);
    return { expAvg, expAvgSq, step: counters[net === 'generator' ? STATE.adamStepG : STATE.adamStepD] };
  }

  async readCounters(): Promise<TrainingCounters> {
    this.assertNotDisposed();
    const st = await readUints(this.ctx.device, this.state, STATE_WORDS);
    return { step: st[STATE.step], halted: st[STATE.halted] !== 0 };
  }

  /**
   * Restores Adam moments, Adam step counts and the training step (for
   * resuming from a checkpoint). Validate everything before calling: this
   * writes as it goes.
   */
  writeTrainingState(s: { generator: OptimizerState; discriminator: OptimizerState; step: number }): void {
    this.assertUsable();
    const q = this.ctx.device.queue;
    for (const name of ['generator', 'discriminator'] as const) {
      const n = this.net(name);
      checkInitial(`${name} exp_avg`, n.net, s[name].expAvg);
      checkInitial(`${name} exp_avg_sq`, n.net, s[name].expAvgSq);
    }
    for (const name of ['generator', 'discriminator'] as const) {
      const n = this.net(name);
      q.writeBuffer(n.expAvg, 0, s[name].expAvg.buffer as ArrayBuffer, s[name].expAvg.byteOffset, s[name].expAvg.byteLength);
      q.writeBuffer(n.expAvgSq, 0, s[name].expAvgSq.buffer as ArrayBuffer, s[name].expAvgSq.byteOffset, s[name].expAvgSq.byteLength);
    }
    const st = new Uint32Array(STATE_WORDS);
    st[STATE.adamStepD] = s.discriminator.step;
    st[STATE.adamStepG] = s.generator.step;
    st[STATE.step] = s.step;
    q.writeBuffer(this.state, 0, st);
    this.submittedSteps = s.step;
  }

  async readParameters(net: NetName): Promise<Float32Array> {
    this.assertNotDisposed();
    const n = this.net(net);
    return readFloats(this.ctx.device, n.params, n.net.parameterCount);
  }

  /** A net's BatchNorm running statistics (layout: Sequential.runningTensors). */
  async readRunningStats(net: NetName): Promise<Float32Array> {
    this.assertNotDisposed();
    const n = this.net(net);
    return readFloats(this.ctx.device, n.runningStats, n.net.runningStatsCount);
  }

  /** Overwrites a net's BatchNorm running statistics (layout: Sequential.runningTensors). */
  writeRunningStats(net: NetName, values: Float32Array): void {
    this.assertUsable();
    const n = this.net(net);
    if (!(values instanceof Float32Array) || values.length !== n.net.runningStatsCount) {
      throw new GanConfigError(`${net} '${n.net.name}': running statistics must be a Float32Array of ${n.net.runningStatsCount} floats, got ${values?.length}`);
    }
    if (values.length > 0) this.ctx.device.queue.writeBuffer(n.runningStats, 0, values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
  }

  /** The gradients of the last update of a net (D: its last D update; G: its last G update). */
  async readGradients(net: NetName): Promise<Float32Array> {
    this.assertNotDisposed();
    const n = this.net(net);
    return readFloats(this.ctx.device, n.grads, n.net.parameterCount);
  }

  /** Overwrites a net's flat parameters (layout: Sequential.parameters). */
  writeParameters(net: NetName, values: Float32Array): void {
    this.assertUsable();
    const n = this.net(net);
    checkInitial(net, n.net, values);
    this.ctx.device.queue.writeBuffer(n.params, 0, values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.G.destroy();
    this.D.destroy();
    for (const b of this.buffers) b.destroy();
    for (const s of [...this.dPhases, this.gPhase]) s.destroy();
    for (const s of this.samplers.values()) {
      for (const b of s.owned) b.destroy();
      s.draw.destroy();
      s.forward.destroy();
    }
    for (const d of this.discriminators.values()) {
      for (const b of d.owned) b.destroy();
      d.sequence.destroy();
    }
    this.readback.destroy();
  }

  private net(name: NetName): NetGpu {
    if (name === 'generator') return this.G;
    if (name === 'discriminator') return this.D;
    throw new GanConfigError(`unknown net '${name}'; expected 'generator' or 'discriminator'`);
  }

  private assertNotDisposed(): void {
    if (this.disposed) throw new GanConfigError('this GanTrainer was disposed');
  }

  /** Training and sampling stop after a non-finite loss; reading the kept weights (and saving them) still works. */
  private assertUsable(): void {
    this.assertNotDisposed();
    if (this.failure) throw this.failure;
  }

  /** Labels as the GPU reads them (class indices as floats), checked against K; i mod K when not given. */
  private labelValues(where: string, n: number, labels: ArrayLike<number> | undefined): Float32Array<ArrayBuffer> {
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

  private async sampler(n: number, where: string, labels: ArrayLike<number> | undefined): Promise<Sampler> {
    const values = this.labelValues(where, n, labels);
    const sampler = this.samplers.get(n) ?? (await this.buildSampler(n));
    this.samplers.set(n, sampler);
    if (sampler.labels) this.ctx.device.queue.writeBuffer(sampler.labels, 0, values);
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
    return readFloats(device, sampler.output, sampler.n * this.config.shapes.sample);
  }

  private async buildDiscriminator(n: number): Promise<Discriminator> {
    const { device, kernels } = this.ctx;
    const { sample: X, classes: K, channels: C, spatial: S } = this.config.shapes;
    const input = createStorageBuffer(device, `discriminate${n}.input`, n * this.config.discriminator.inputSize);
    const logits = createStorageBuffer(device, `discriminate${n}.logits`, n);
    const activations = this.D.createActivations(n, 'discriminate');
    const seq = new SequenceBuilder(device, `discriminate${n}`);
    let sample = input;
    let labels: GPUBuffer | null = null;
    if (K > 0) {
      sample = createStorageBuffer(device, `discriminate${n}.sample`, n * X);
      labels = createStorageBuffer(device, `discriminate${n}.labels`, n);
      const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
      seq.add(concat, { x: sample, labels, out: input }, { rows: n, channels: C, classes: K, spatial: S }, 'd_input');
    }
    await this.D.encodeForward(seq, kernels, n, input, logits, activations, 'eval');
    const owned = [input, logits, ...activations, ...(K > 0 ? [sample, labels as GPUBuffer] : [])];
    return { sample, labels, logits, owned, sequence: seq.build() };
  }

  private async buildSampler(n: number): Promise<Sampler> {
    const { device, kernels } = this.ctx;
    const { noise: Z, sample: X, classes: K } = this.config.shapes;
    const state = createStorageBuffer(device, `sample${n}.state`, STATE_WORDS);
    const noise = createStorageBuffer(device, `sample${n}.z`, n * Z);
    const output = createStorageBuffer(device, `sample${n}.out`, n * X);
    const activations = this.G.createActivations(n, 'sample');
    const draw = new SequenceBuilder(device, `sample${n}.noise`);
    await encodeNoise(draw, kernels, this.config, state, noise, n * Z, SAMPLE_STREAM);
    const forward = new SequenceBuilder(device, `sample${n}.forward`);
    let input = noise;
    let labels: GPUBuffer | null = null;
    if (K > 0) {
      labels = createStorageBuffer(device, `sample${n}.labels`, n);
      input = createStorageBuffer(device, `sample${n}.g_input`, n * (Z + K));
      const concat = await kernels.kernel(concatLabelsKernels, 'concat_labels_forward');
      forward.add(concat, { x: noise, labels, out: input }, { rows: n, channels: Z, classes: K, spatial: 1 }, 'g_input');
    }
    await this.G.encodeForward(forward, kernels, n, input, output, activations, 'eval');
    const owned = [state, noise, output, ...activations, ...(K > 0 ? [labels as GPUBuffer, input] : [])];
    return { n, state, noise, labels, output, owned, draw: draw.build(), forward: forward.build() };
  }
}

/** The plan config.plan asks for; 'auto' takes the fused one wherever it applies. */
function choosePlan(c: ResolvedGanConfig, device: GPUDevice): PlanKind {
  if (c.plan === 'layered') return 'layered';
  const why = fusedMlpIneligibility(c, device.limits);
  if (why === null) return 'fused-mlp';
  if (c.plan === 'fused-mlp') throw new GanConfigError(`plan 'fused-mlp' cannot train this GAN: ${why}`);
  return 'layered';
}

function checkRows(where: string, values: Float32Array, width: number): void {
  if (!(values instanceof Float32Array) || values.length === 0 || values.length % width !== 0) {
    throw new GanConfigError(`${where} must be a non-empty Float32Array of n × ${width} values, got ${values?.length}`);
  }
}

/** drawSamples: same device, one noise row per grid cell, G's samples C = 1 images of the renderer's H × W. */
function checkImageGrid(c: ResolvedGanConfig, device: GPUDevice, r: ImageGridRenderer, n: number): void {
  if (r.device !== device) throw new GanConfigError('drawSamples: the renderer was built on another GPUDevice');
  if (n !== r.rows * r.cols) {
    throw new GanConfigError(`drawSamples: the ${r.rows}×${r.cols} grid needs ${r.rows * r.cols} noise rows, got ${n}`);
  }
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
  const widest = (net: Sequential) => Math.max(net.inputSize, ...net.stages.map(stageWidth));
  const sizes: [string, number][] = [
    ['generator parameters', c.generator.parameterCount * 4],
    ['discriminator parameters', c.discriminator.parameterCount * 4],
    ['generator activations (batch × widest layer)', c.batchSize * widest(c.generator) * 4],
    ['discriminator activations (2 × batch × widest layer)', 2 * c.batchSize * widest(c.discriminator) * 4],
  ];
  if (c.data.kind === 'dataset') sizes.push(['dataset', c.data.values.length * 4]);
  for (const [what, bytes] of sizes) {
    if (bytes > limit) {
      throw new GanConfigError(`${what} need ${bytes} bytes, more than this device's maxStorageBufferBindingSize (${limit})`);
    }
  }
}

function checkInitial(name: string, net: Sequential, values: Float32Array | undefined): void {
  if (values === undefined) return;
  if (!(values instanceof Float32Array) || values.length !== net.parameterCount) {
    throw new GanConfigError(
      `${name} '${net.name}': parameters must be a Float32Array of ${net.parameterCount} floats (its flat layout), got ${values?.length}`,
    );
  }
}
