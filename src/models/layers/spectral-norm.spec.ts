// Spectral normalisation: the float64 reference against finite differences
// and a matrix of known singular values, with and without a gain;
// spectral_norm.wgsl against the reference on odd shapes (Linear, Conv2d and
// ConvTranspose2d's views, one wider than the workgroup), gains included;
// whole training steps against the CPU trainer (u and v included; one run
// with a gain); PyTorch's tensor names; and the errors.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { numericGradient } from '../../../test/support/gradcheck.js';
import { TRAIN_STATE, TRAIN_STATE_WORDS } from '../../shaders/constants.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { GanConfigError, resolveGanConfig, type GanConfig } from '../gan/config.js';
import { fusedMlpIneligibility } from '../gan/fused-mlp-eligibility.js';
import { BatchNorm, Conv2d, ConvTranspose2d, ELU, Flatten, LeakyReLU, Linear, Tanh, Unflatten, type Layer } from './index.js';
import { LayerConfigError, type WeightMatrix } from './layer.js';
import { Sequential } from './sequential.js';
import { withSpectralNorm } from './spectral-norm.js';
import { matrixIndex, normalizedWeight, powerIteration, spectralNormBackward } from './spectral-norm.reference.js';

/** The matrix of each kind as its module declares it, from a one-layer net. */
function matrixOf(layer: Layer, inputShape?: [number, number, number]): WeightMatrix {
  const net = new Sequential('net', [layer], inputShape ? { inputShape } : {});
  return net.stages[0].spectralNorm!.matrix;
}

const MATRICES: { name: string; m: WeightMatrix }[] = [
  { name: 'Linear(37, 19)', m: matrixOf(Linear(37, 19, { spectralNorm: true })) },
  { name: 'Linear(70, 300)', m: matrixOf(Linear(70, 300, { spectralNorm: true })) },
  { name: 'Conv2d(3, 5, 3)', m: matrixOf(Conv2d(3, 5, 3, { spectralNorm: true }), [3, 7, 7]) },
  { name: 'ConvTranspose2d(3, 5, 3)', m: matrixOf(ConvTranspose2d(3, 5, 3, { spectralNorm: true }), [3, 4, 4]) },
];

test('the weight matrices are the reshapes torch.nn.utils.spectral_norm makes', () => {
  // Linear and Conv2d: the weight row-major as (out, in·k·k).
  const conv = MATRICES[2].m;
  expect([conv.rows, conv.cols]).toEqual([5, 27]);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 27; c++) expect(matrixIndex(conv, r, c)).toBe(r * 27 + c);
  // ConvTranspose2d's weight (in=3, out=5, 3, 3) is permuted to (out, in, 3, 3) first (dim=1).
  const ct = MATRICES[3].m;
  expect([ct.rows, ct.cols]).toEqual([5, 27]);
  for (let o = 0; o < 5; o++) {
    for (let i = 0; i < 3; i++) for (let k = 0; k < 9; k++) expect(matrixIndex(ct, o, i * 9 + k)).toBe(i * 45 + o * 9 + k);
  }
});

test('power iteration converges to the largest singular value of a matrix built from known ones', () => {
  // W = Σ s_k p_k q_kᵀ with orthonormal p (rows 6) and q (cols 9): σ_max = 3.
  const orthonormal = (n: number, count: number, seed: number): Float64Array[] => {
    const out: Float64Array[] = [];
    for (let k = 0; k < count; k++) {
      const a = Float64Array.from(randomArray(n, seed + k));
      for (const b of out) {
        const d = a.reduce((s, x, i) => s + x * b[i], 0);
        a.forEach((_, i) => (a[i] -= d * b[i]));
      }
      const norm = Math.hypot(...a);
      out.push(a.map((x) => x / norm));
    }
    return out;
  };
  const m: WeightMatrix = { rows: 6, cols: 9, rowStride: 9, block: 1, blockStride: 1 };
  const p = orthonormal(6, 3, 10);
  const q = orthonormal(9, 3, 20);
  const s = [3, 2, 0.5];
  const w = new Float64Array(54);
  for (let k = 0; k < 3; k++) for (let r = 0; r < 6; r++) for (let c = 0; c < 9; c++) w[r * 9 + c] += s[k] * p[k][r] * q[k][c];
  const u = Float64Array.from(randomArray(6, 1));
  const v = new Float64Array(9);
  for (let i = 0; i < 60; i++) powerIteration(m, w, u, v);
  const { weight, sigma } = normalizedWeight(m, w, u, v, 1);
  expect(sigma).toBeCloseTo(3, 9);
  expect(Math.abs(u.reduce((a, x, i) => a + x * p[0][i], 0))).toBeCloseTo(1, 9);
  // W / σ has spectral norm 1: one more iteration on it gives σ = 1.
  expect(normalizedWeight(m, weight, u, v, 1).sigma).toBeCloseTo(1, 9);
  // With a gain g, g·W / σ has spectral norm g, and σ is still W's.
  const scaled = normalizedWeight(m, w, u, v, 2.5);
  expect(scaled.sigma).toBe(sigma);
  expect(normalizedWeight(m, scaled.weight, u, v, 1).sigma).toBeCloseTo(2.5, 9);
});

test('the spectral norm backward matches finite differences of ⟨G, g·W / σ(W)⟩ (u, v fixed) for every view, gain 1 and 2.5', () => {
  for (const { name, m } of MATRICES.filter((x) => x.m.rows * x.m.cols < 2000)) {
    for (const gain of [1, 2.5]) {
      const n = m.rows * m.cols;
      const w = Float64Array.from(randomArray(n, n, -1, 1));
      const u = Float64Array.from(randomArray(m.rows, 3));
      const v = new Float64Array(m.cols);
      powerIteration(m, w, u, v);
      const g = Float64Array.from(randomArray(n, n + 1));
      const loss = (ww: Float64Array) => normalizedWeight(m, ww, u, v, gain).weight.reduce((s, x, i) => s + x * g[i], 0);
      const { weight, sigma } = normalizedWeight(m, w, u, v, gain);
      const tol = { atol: 1e-7 * gain, rtol: 1e-6 };
      expectClose(spectralNormBackward(m, g, weight, u, v, sigma, gain), numericGradient(loss, w), tol, `dW (${name}, gain ${gain})`);
    }
  }
});

test('gain 1 gives the bits of spectral norm without a gain: the same layer specs and nets, and the reference formulas unchanged', () => {
  expect(Linear(4, 5, { spectralNorm: { gain: 1 } })).toEqual(Linear(4, 5, { spectralNorm: true }));
  expect(Conv2d(1, 2, 3, { spectralNorm: { gain: 1 } })).toEqual(Conv2d(1, 2, 3, { spectralNorm: true }));
  expect(withSpectralNorm([Linear(4, 5)], { gain: 1 })).toEqual(withSpectralNorm([Linear(4, 5)]));
  const plainMlp = { ...MLP, gLayers: strip(MLP.gLayers), dLayers: strip(MLP.dLayers) };
  const named = resolveGanConfig({ ...mlpConfig(Sequential, plainMlp), spectralNorm: 'discriminator' });
  const withGain1 = resolveGanConfig({ ...mlpConfig(Sequential, plainMlp), spectralNorm: { nets: 'discriminator', gain: 1 } });
  expect(withGain1.discriminator.layers).toEqual(named.discriminator.layers);
  expect(withGain1.discriminator.describe()).toBe(named.discriminator.describe());
  // The float64 formulas with g = 1, bit for bit as they were: W / σ and (dW_sn − ⟨dW_sn, W_sn⟩ · u vᵀ) / σ.
  const { m } = MATRICES[2];
  const n = m.rows * m.cols;
  const w = Float64Array.from(randomArray(n, 31, -1, 1));
  const u = Float64Array.from(randomArray(m.rows, 32));
  const v = new Float64Array(m.cols);
  powerIteration(m, w, u, v);
  const { weight, sigma } = normalizedWeight(m, w, u, v, 1);
  expect(Array.from(weight)).toEqual(Array.from(w, (x) => x / sigma));
  const dwSn = Float64Array.from(randomArray(n, 33));
  const dot = dwSn.reduce((s, x, i) => s + x * weight[i], 0);
  const old = Array.from({ length: n }, (_, k) => (dwSn[k] - dot * u[Math.floor(k / m.cols)] * v[k % m.cols]) / sigma);
  expect(Array.from(spectralNormBackward(m, dwSn, weight, u, v, sigma, 1))).toEqual(old);
});

const trainState = (halted: number) => Array.from({ length: TRAIN_STATE_WORDS }, (_, i) => (i === TRAIN_STATE.halted ? halted : 0));

// Every view with gain 1; gains on Linear(70, 300) (300 rows: wider than the workgroup and not a multiple of it) and a conv view.
const KERNEL_CASES = [...MATRICES.map((x) => ({ ...x, gain: 1 })), { ...MATRICES[1], gain: 2.5 }, { ...MATRICES[3], gain: 0.3 }];

for (const { name, m, gain } of KERNEL_CASES) {
  test(`spectral_norm.wgsl matches the reference: ${name}, rows=${m.rows}, cols=${m.cols}, gain ${gain}`, async ({ gpu }) => {
    const n = m.rows * m.cols;
    const w = f32(randomArray(n, n + 7, -0.5, 0.5));
    const u0 = f32(randomArray(m.rows, 5));
    const v0 = f32(randomArray(m.cols, 6));
    const uniforms = { rows: m.rows, cols: m.cols, row_stride: m.rowStride, block: m.block, block_stride: m.blockStride, gain };
    const g = Math.fround(gain); // the uniform is an f32
    const iterate = (halted: number) =>
      gpu.runKernel({
        family: 'spectral_norm', entry: 'spectral_norm_power_iteration', uniforms,
        inputs: { w: [...w], u: [...u0], v: [...v0] }, uintInputs: { state: trainState(halted) }, outputs: { u: m.rows, v: m.cols },
      });
    const u = Float64Array.from(u0);
    const v = Float64Array.from(v0);
    powerIteration(m, w, u, v);
    const gpuIter = await iterate(0);
    expectClose(gpuIter.u, u, { atol: 1e-5, rtol: 1e-4 }, 'u');
    expectClose(gpuIter.v, v, { atol: 1e-5, rtol: 1e-4 }, 'v');
    const halted = await iterate(1);
    expectClose(halted.u, u0, { atol: 0, rtol: 0 }, 'u once halted');
    expectClose(halted.v, v0, { atol: 0, rtol: 0 }, 'v once halted');

    const uf = f32(gpuIter.u);
    const vf = f32(gpuIter.v);
    const want = normalizedWeight(m, w, uf, vf, g);
    const formed = await gpu.runKernel({
      family: 'spectral_norm', entry: 'spectral_norm_weight', uniforms,
      inputs: { w: [...w], u: [...uf], v: [...vf] }, outputs: { w_sn: n, sigma: 1 },
    });
    expectClose(formed.sigma, [want.sigma], { atol: 1e-6, rtol: 1e-5 }, 'σ');
    expectClose(formed.w_sn, want.weight, { atol: 1e-6 * g, rtol: 1e-4 }, 'g·W / σ');

    const dwSn = f32(randomArray(n, n + 9));
    const wSn = f32(formed.w_sn);
    const sigma = Math.fround(formed.sigma[0]);
    const back = await gpu.runKernel({
      family: 'spectral_norm', entry: 'spectral_norm_backward', uniforms,
      inputs: { dw: [...dwSn], w_sn: [...wSn], u: [...uf], v: [...vf], sigma: [sigma] }, outputs: { dw: n },
    });
    expectClose(back.dw, spectralNormBackward(m, dwSn, wSn, uf, vf, sigma, g), { atol: 1e-5 * Math.max(g, 1), rtol: 1e-4 }, 'dW');
  });
}

test('spectral norm: PyTorch names, description, option checks, and the fused plan says it does not run it', () => {
  const net = new Sequential('d', [Linear(4, 5, { spectralNorm: true }), ELU(), Linear(5, 1)]);
  expect(net.parameters.map((t) => t.name)).toEqual(['0.weight_orig', '0.bias', '2.weight', '2.bias']);
  expect(net.buffers.map((t) => `${t.name}[${t.shape}]`)).toEqual(['0.weight_u[5]', '0.weight_v[4]']);
  expect(net.describe()).toBe('SpectralNorm(Linear(4, 5)) → elu → Linear(5, 1)');
  // A gain is the stage's, and shows in the description (cache keys, checkpoints) when it is not 1.
  const gained = new Sequential('d', [Linear(4, 5, { spectralNorm: { gain: 3 } }), ELU(), Unflatten(5, 1, 1), Conv2d(5, 2, 1, { spectralNorm: { gain: 0.5 } })]);
  expect(gained.stages.map((st) => st.spectralNorm?.gain)).toEqual([3, 0.5]);
  expect(gained.describe()).toBe('SpectralNorm(Linear(4, 5), gain=3) → elu → Unflatten(5, 1, 1) → SpectralNorm(Conv2d(5, 2, 1, stride=1, padding=0), gain=0.5)');
  // u and v start as unit vectors, the same for the same net.
  const b = net.initialBuffers();
  const [u, v] = net.buffers.map((t) => b.subarray(t.offset, t.offset + t.size));
  expect(Math.hypot(...u)).toBeCloseTo(1, 6);
  expect(Math.hypot(...v)).toBeCloseTo(1, 6);
  expect(Array.from(new Sequential('d', [Linear(4, 5, { spectralNorm: true }), ELU(), Linear(5, 1)]).initialBuffers())).toEqual(Array.from(b));

  expect(() => new Sequential('d', [Linear(4, 8), { ...BatchNorm(8), spectralNorm: true } as never])).toThrow(LayerConfigError);
  expect(() => new Sequential('d', [Linear(4, 8), { ...BatchNorm(8), spectralNorm: true } as never])).toThrow(/layer 1: batchnorm has no weight to normalise; spectralNorm applies to Linear, Conv2d and ConvTranspose2d/);
  expect(() => new Sequential('d', [{ ...Linear(4, 1), spectralNorm: 'yes' } as never])).toThrow(/layer 0: spectralNorm must be true, false or \{ gain \} \(a finite number > 0\), got "yes"/);
  // The gain: a finite number > 0, the object's only field; the factories pass a bad one on for Sequential to name.
  const gainError = (option: unknown) => () => new Sequential('d', [Linear(4, 1, { spectralNorm: option as never })]);
  for (const [bad, shown] of [[0, '0'], [-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity'], ['3', '"3"'], [undefined, 'nothing']] as const) {
    expect(gainError({ gain: bad }), `gain ${shown}`).toThrow(LayerConfigError);
    expect(gainError({ gain: bad }), `gain ${shown}`).toThrow(`d layer 0: spectralNorm.gain must be a finite number > 0, got ${shown}`);
  }
  expect(gainError({ gain: 3, power: 2 })).toThrow('d layer 0: spectralNorm: unknown field "power"; it takes only gain');
  expect(() => new Sequential('d', [Conv2d(1, 1, 1, { spectralNorm: { gain: -1 } })], { inputShape: [1, 2, 2] })).toThrow(/d layer 0: spectralNorm\.gain must be a finite number > 0, got -1/);
  expect(() => new Sequential('d', [ConvTranspose2d(1, 1, 1, { spectralNorm: { gian: 2 } as never })], { inputShape: [1, 2, 2] })).toThrow(/unknown field "gian"/);
  expect(() => withSpectralNorm([Linear(4, 1)], { gain: 0 })).toThrow('withSpectralNorm: gain must be a finite number > 0, got 0');

  // GanConfig.spectralNorm puts the option on every layer of the named nets that takes it, and checks its value.
  const plainMlp = { ...MLP, gLayers: strip(MLP.gLayers), dLayers: strip(MLP.dLayers) };
  const onD = resolveGanConfig({ ...mlpConfig(Sequential, plainMlp), spectralNorm: 'discriminator' });
  expect(onD.discriminator.stages.map((st) => st.spectralNorm !== null)).toEqual([true, true]);
  expect(onD.generator.stages.map((st) => st.spectralNorm !== null)).toEqual([false, false]);
  expect(resolveGanConfig({ ...mlpConfig(Sequential, plainMlp), spectralNorm: 'both' }).generator.stages.every((st) => st.spectralNorm)).toBe(true);
  const withSn = (sn: unknown) => resolveGanConfig({ ...mlpConfig(Sequential, plainMlp), spectralNorm: sn as GanConfig['spectralNorm'] });
  expect(() => withSn('D')).toThrow(/spectralNorm must be 'discriminator', 'generator', 'both' or \{ nets, gain \}, got "D"/);
  // { nets, gain }: the gain on every layer of those nets that takes spectral norm.
  const onDWithGain = withSn({ nets: 'discriminator', gain: 3 });
  expect(onDWithGain.discriminator.stages.map((st) => st.spectralNorm?.gain)).toEqual([3, 3]);
  expect(onDWithGain.generator.stages.map((st) => st.spectralNorm)).toEqual([null, null]);
  expect(withSn({ nets: 'both' }).generator.stages.map((st) => st.spectralNorm?.gain)).toEqual([1, 1]);
  for (const [bad, shown] of [[0, '0'], [-1, '-1'], [NaN, 'NaN'], ['3', '"3"']] as const) {
    expect(() => withSn({ nets: 'discriminator', gain: bad }), `gain ${shown}`).toThrow(GanConfigError);
    expect(() => withSn({ nets: 'discriminator', gain: bad }), `gain ${shown}`).toThrow(`spectralNorm.gain must be a finite number > 0, got ${shown}`);
  }
  expect(() => withSn({ nets: 'discriminator', gain: 3, power: 1 })).toThrow('spectralNorm: unknown field "power"; expected nets and optionally gain');
  expect(() => withSn({ gain: 3 })).toThrow("spectralNorm.nets must be 'discriminator', 'generator' or 'both', got nothing");
  expect(() => withSn({ nets: 'D', gain: 3 })).toThrow("spectralNorm.nets must be 'discriminator', 'generator' or 'both', got \"D\"");

  const c = resolveGanConfig(mlpConfig(Sequential, MLP));
  expect(fusedMlpIneligibility(c, { maxStorageBuffersPerShaderStage: 10, maxStorageBufferBindingSize: 1 << 27 } as GPUSupportedLimits)).toBe(
    "generator 'generator' layer 2 is spectrally normalised; the fused plan does not run spectral norm",
  );
});

interface SnSpec {
  data: number[];
  cols: number;
  gLayers: Layer[];
  dLayers: Layer[];
  dInputShape: [number, number, number] | null;
  loss: 'hinge' | 'bce';
  /** GanConfig.spectralNorm, on top of the layers' own options. */
  spectralNorm?: GanConfig['spectralNorm'];
}

const strip = (layers: Layer[]): Layer[] => layers.map((l) => ({ ...l, spectralNorm: undefined }) as Layer);

const MLP: SnSpec = {
  data: randomArray(13 * 4, 8, -1, 1),
  cols: 4,
  gLayers: [Linear(3, 6), ELU(), Linear(6, 4, { spectralNorm: true }), Tanh()],
  dLayers: [Linear(4, 7, { spectralNorm: true }), LeakyReLU(0.2), Linear(7, 1, { spectralNorm: true })],
  dInputShape: null,
  loss: 'hinge',
};

const CONV: SnSpec = {
  data: randomArray(9 * 36, 9, -1, 1),
  cols: 36,
  gLayers: [Linear(3, 2 * 4 * 4), ELU(), Unflatten(2, 4, 4), ConvTranspose2d(2, 1, 3, { spectralNorm: true }), Tanh()],
  dLayers: [Conv2d(1, 3, 3, { stride: 2, spectralNorm: true }), LeakyReLU(0.2), Flatten(), Linear(12, 1, { spectralNorm: true })],
  dInputShape: [1, 6, 6],
  loss: 'bce',
};

/** Shipped to the page as source text: it may use nothing but its arguments. */
function mlpConfig(Seq: typeof Sequential, spec: SnSpec): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers, spec.dInputShape ? { inputShape: spec.dInputShape } : {}),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / spec.cols, cols: spec.cols },
    batchSize: 5,
    dSteps: 2,
    loss: spec.loss,
    optimizerD: { lr: 2e-2 },
    optimizerG: { lr: 2e-2 },
    seed: 23,
    statsEvery: 1,
    plan: 'layered',
    ...(spec.spectralNorm ? { spectralNorm: spec.spectralNorm } : {}),
  };
}

// G's layer keeps its own gain-1 option; D's layers get gain 3 from GanConfig.spectralNorm.
const MLP_GAIN: SnSpec = { ...MLP, dLayers: strip(MLP.dLayers), spectralNorm: { nets: 'discriminator', gain: 3 } };

for (const [name, spec] of [['MLP, hinge', MLP], ['conv, BCE', CONV], ['MLP, hinge, D at gain 3', MLP_GAIN]] as const) {
  test(`spectrally normalised G and D follow the CPU trainer over 3 steps, u and v included; checkpoints keep them (${name})`, async ({ gpu }) => {
    const config = resolveGanConfig(mlpConfig(Sequential, spec));
    const g0 = config.generator.initialParameters(1);
    const d0 = config.discriminator.initialParameters(2);
    const ref = new ReferenceGanTrainer(config, g0, d0);
    for (let i = 0; i < 3; i++) ref.trainStep();
    const noise = randomArray(4 * 3, 77);
    const got = await gpu.page.evaluate(
      async ({ spec, g0, d0, src, noise }) => {
        const { lib, ctx } = window.harness;
        const make = new Function('Seq', 'spec', `return (${src})(Seq, spec);`);
        const init = { generator: Float32Array.from(g0), discriminator: Float32Array.from(d0) };
        const trainer = await lib.GanTrainer.create(ctx, make(lib.Sequential, spec), init);
        await trainer.train(3);
        const read = async (t: typeof trainer) => ({
          g: Array.from(await t.readParameters('generator')),
          d: Array.from(await t.readParameters('discriminator')),
          gb: Array.from(await t.readBuffers('generator')),
          db: Array.from(await t.readBuffers('discriminator')),
        });
        const after = await read(trainer);
        // Sampling runs G in eval mode: W / σ from the kept u and v, no iteration.
        const generated = Array.from(await trainer.generate(Float32Array.from(noise)));
        const again = Array.from(await trainer.generate(Float32Array.from(noise)));
        const bytes = await lib.saveCheckpoint(trainer);
        const names = [...lib.parseSafetensors(bytes).tensors.keys()];
        const copy = await lib.GanTrainer.create(ctx, make(lib.Sequential, spec), init);
        await lib.loadCheckpoint(copy, bytes);
        const loaded = await read(copy);
        trainer.dispose();
        copy.dispose();
        return { after, loaded, names, generated, again };
      },
      { spec, g0: Array.from(g0), d0: Array.from(d0), src: mlpConfig.toString(), noise },
    );
    const tol = { atol: 5e-5, rtol: 5e-4 };
    expectClose(got.after.g, ref.generatorParams, tol, 'G weights');
    expectClose(got.after.d, ref.discriminatorParams, tol, 'D weights');
    expectClose(got.after.gb, ref.generatorBuffers, tol, "G's u and v");
    expectClose(got.after.db, ref.discriminatorBuffers, tol, "D's u and v");
    // Every normalised layer's weight is saved as weight_orig beside its u and v, as PyTorch's state_dict has it.
    const normalized = (net: 'generator' | 'discriminator') => config[net].stages.filter((s) => s.spectralNorm).map((s) => `${net}.${s.layerIndex}`);
    const want = [...normalized('generator'), ...normalized('discriminator')].flatMap((p) => [`${p}.weight_orig`, `${p}.weight_u`, `${p}.weight_v`]);
    expect(want.length).toBe(9);
    expect(got.names).toEqual(expect.arrayContaining(want));
    const plainNames = want.filter((w) => w.endsWith('.weight_orig')).map((w) => w.replace('_orig', ''));
    expect(got.names.filter((n) => plainNames.includes(n))).toEqual([]);
    expect(got.loaded).toEqual(got.after);
    expectClose(got.generated, ref.generate(Float64Array.from(noise, Math.fround), 4), tol, 'generate() after training');
    expect(got.again).toEqual(got.generated); // sampling changed no u or v
    // The normalisation changed something: without it the run differs.
    const plain = resolveGanConfig(mlpConfig(Sequential, { ...spec, gLayers: strip(spec.gLayers), dLayers: strip(spec.dLayers), spectralNorm: undefined }));
    const refPlain = new ReferenceGanTrainer(plain, g0, d0);
    for (let i = 0; i < 3; i++) refPlain.trainStep();
    const diff = ref.discriminatorParams.reduce((m, x, i) => Math.max(m, Math.abs(x - refPlain.discriminatorParams[i])), 0);
    expect(diff).toBeGreaterThan(1e-3);
    if (spec.spectralNorm) {
      // And so did the gain: at gain 1 the run differs too.
      const gain1 = resolveGanConfig(mlpConfig(Sequential, { ...spec, spectralNorm: 'discriminator' }));
      const refGain1 = new ReferenceGanTrainer(gain1, g0, d0);
      for (let i = 0; i < 3; i++) refGain1.trainStep();
      expect(ref.discriminatorParams.reduce((m, x, i) => Math.max(m, Math.abs(x - refGain1.discriminatorParams[i])), 0)).toBeGreaterThan(1e-3);
    }
  });
}
