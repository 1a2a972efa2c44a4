// gan_loss.wgsl and the losses built on it (LSGAN, hinge, WGAN, BCE with the
// minimax G loss): the kernel against its float64 reference on odd row counts
// and at extreme outputs, the reference against closed forms and finite
// differences, and whole training steps of a tiny GAN with each loss against
// the CPU trainer (WGAN's clipping included).
import { test, expect } from '../../../test/support/fixtures.js';
import { compareArrays, expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { numericGradient } from '../../../test/support/gradcheck.js';
import { trainOnGpu } from '../../../test/support/gpu-training.js';
import { GAN_LOSS_KIND, GAN_LOSS_PRESENT } from '../../shaders/constants.js';
import { ReferenceGanTrainer } from '../../reference/gan.js';
import { resolveGanConfig, type GanConfig } from '../gan/config.js';
import { ELU, LeakyReLU, Linear, Tanh, type Layer } from '../layers/index.js';
import { Sequential } from '../layers/sequential.js';
import { ganLoss, rowLoss, type GanLossKind } from './gan-loss.reference.js';
import { findLoss, lossInfo } from './loss.js';
import './index.js';

const KINDS: GanLossKind[] = ['squared', 'hinge', 'linear', 'logOneMinusSigmoid'];

for (const kind of KINDS) {
  for (const rows of [1, 37, 300]) {
    test(`gan_loss matches the CPU reference: kind=${kind},rows=${rows},first_rows=${Math.ceil(rows / 3)}`, async ({ gpu }) => {
      const first = Math.ceil(rows / 3);
      // Outputs across the range, with the extremes: ±100 must stay finite.
      const logits = f32(randomArray(rows, rows + GAN_LOSS_KIND[kind], -6, 6));
      logits[0] = 100;
      if (rows > 1) logits[rows - 1] = -100;
      const present = kind === 'logOneMinusSigmoid' ? 'sigmoid' : 'raw';
      const [yFirst, yRest] = kind === 'squared' ? [0.25, 0.9] : [-1, 1];
      const out = await gpu.runKernel({
        family: 'gan_loss',
        entry: 'gan_loss_forward_backward',
        uniforms: { rows, first_rows: first, kind: GAN_LOSS_KIND[kind], present: GAN_LOSS_PRESENT[present], y_first: yFirst, y_rest: yRest, scale: 1 / first },
        inputs: { logits: [...logits] },
        outputs: { dlogits: rows, loss_out: 4 },
      });
      const ref = ganLoss(logits, { kind, firstRows: first, yFirst, yRest, scale: 1 / first, present });
      expectClose(out.dlogits, ref.dlogits, { atol: 1e-6, rtol: 1e-5 }, 'dlogits');
      expectClose(out.loss_out, [ref.loss, ref.outA, ref.outB, 0], { atol: 1e-5, rtol: 1e-5 }, 'loss_out');
    });
  }
}

test('gan_loss CPU reference: closed forms at chosen points and finite differences of every kind', () => {
  expect(rowLoss('squared', 3, 1)).toEqual([2, 2]);
  expect(rowLoss('hinge', 0.25, 1)).toEqual([0.75, -1]);
  expect(rowLoss('hinge', 2, 1)).toEqual([0, 0]);
  expect(rowLoss('hinge', -0.5, -1)).toEqual([0.5, 1]);
  expect(rowLoss('linear', 0.3, -1)).toEqual([0.3, 1]);
  // log(1 − σ(0)) = log ½; d/dl = −σ(0) = −½; at l = −100 it is −log(1 + e^−100) ≈ −e^−100; at l = 100, ≈ −100.
  expect(rowLoss('logOneMinusSigmoid', 0, 0)[0]).toBeCloseTo(Math.log(0.5), 14);
  expect(rowLoss('logOneMinusSigmoid', 0, 0)[1]).toBe(-0.5);
  expect(rowLoss('logOneMinusSigmoid', 100, 0)[0]).toBeCloseTo(-100, 10);
  expect(Math.abs(rowLoss('logOneMinusSigmoid', -100, 0)[0])).toBeLessThan(1e-40);
  for (const kind of KINDS) {
    // Away from the hinge's kink.
    const at = Float64Array.from([-2.3, -0.4, 0.7, 1.6, 3.1]);
    const o = { kind, firstRows: 2, yFirst: kind === 'squared' ? 0.2 : -1, yRest: kind === 'squared' ? 0.8 : 1, scale: 0.5, present: 'raw' as const };
    expectClose(ganLoss(at, o).dlogits, numericGradient((v) => ganLoss(v, o).loss, at), { atol: 1e-7, rtol: 1e-6 }, `d${kind}`);
  }
});

test('each loss module: its D and G parts and what it reports, in float64 against the formulas', () => {
  const B = 2;
  const out = Float64Array.from([0.5, -1.5, 2, 0.25]); // [fake; real]
  const g = Float64Array.from([0.5, -1.5]);
  const lsgan = findLoss('lsgan')!;
  const r = lsgan.resolve({ a: -1, b: 1, c: 0 }, (m) => {
    throw new Error(m);
  });
  // ½·mean((D(G(z)) + 1)²) + ½·mean((D(x) − 1)²)
  expect(lsgan.reference.discriminator(out, B, r).loss).toBeCloseTo(0.5 * ((1.5 ** 2 + 0.5 ** 2) / 2) + 0.5 * ((1 + 0.75 ** 2) / 2), 12);
  expect(lsgan.reference.generator(g, B, r).loss).toBeCloseTo(0.5 * ((0.25 + 2.25) / 2), 12);
  const hinge = findLoss('hinge')!;
  // mean(max(0, 1 + D(G(z)))) + mean(max(0, 1 − D(x))) = (1.5 + 0)/2 + (0 + 0.75)/2
  expect(hinge.reference.discriminator(out, B, {}).loss).toBeCloseTo(0.75 + 0.375, 12);
  expect(hinge.reference.generator(g, B, {}).loss).toBeCloseTo(0.5, 12); // −mean(D(G(z)))
  const wgan = findLoss('wgan')!;
  expect(wgan.reference.discriminator(out, B, { clip: 0.01 }).loss).toBeCloseTo(-0.5 - 1.125, 12); // mean fake − mean real
  expect(wgan.reference.discriminator(out, B, { clip: 0.01 }).outB).toBeCloseTo(1.125, 12); // D(x) as a score
  // The Wasserstein loss without clipping: the same critic and generator losses, no constraint.
  const wasserstein = findLoss('wasserstein')!;
  expect(wasserstein.reference.discriminator(out, B, {}).loss).toBeCloseTo(-0.5 - 1.125, 12);
  expect(wasserstein.reference.generator(g, B, {}).loss).toBeCloseTo(wgan.reference.generator(g, B, { clip: 0.01 }).loss, 12);
  expect(wasserstein.constraint).toBeUndefined();
  const minimax = findLoss('bce-minimax')!;
  const sig = (l: number) => 1 / (1 + Math.exp(-l));
  expect(minimax.reference.generator(g, B, { realLabel: 1 }).loss).toBeCloseTo((Math.log(1 - sig(0.5)) + Math.log(1 - sig(-1.5))) / 2, 12);
  expect(minimax.reference.generator(g, B, { realLabel: 1 }).outA).toBeCloseTo((sig(0.5) + sig(-1.5)) / 2, 12);
  for (const name of ['lsgan', 'hinge', 'wgan', 'wasserstein']) expect(findLoss(name)!.output).toBe('score');
  expect(minimax.output).toBe('logit');
});

test("each loss's readout: at its neutral output a sample pulls D equally hard towards real and towards fake; none where a critic has no fixed zero", () => {
  const fail = (m: string): never => {
    throw new Error(m);
  };
  const cases: [string, Record<string, unknown>][] = [['bce', {}], ['bce-minimax', {}], ['lsgan', {}], ['lsgan', { a: -1, b: 3, c: 0 }], ['hinge', {}], ['wgan', {}], ['wasserstein', {}]];
  for (const [name, options] of cases) {
    const m = findLoss(name)!;
    const r = m.resolve(options, fail);
    const { neutral, neutralText, generatorLossText } = m.readout(r);
    expect(neutralText.length, name).toBeGreaterThan(0);
    expect(generatorLossText, name).toMatch(/D\(x\)/);
    if (name === 'wgan' || name === 'wasserstein') {
      expect(neutral).toBeNull();
      continue;
    }
    expect(neutral, name).not.toBeNull();
    // The presented output back to D's raw one: a logit for probabilities.
    const raw = m.output === 'logit' ? Math.log(neutral! / (1 - neutral!)) : neutral!;
    expect(m.present(raw), name).toBeCloseTo(neutral!, 12);
    const d = m.reference.discriminator(Float64Array.of(raw, raw), 1, r).dlogits; // [fake; real], both at the neutral output
    expect(Math.abs(d[0]), `${name}: D's pull at its neutral output`).toBeGreaterThan(0);
    expect(d[0] + d[1], `${name} ${JSON.stringify(options)}: fake and real pulls cancel`).toBeCloseTo(0, 12);
  }
});

test('lossInfo lists every registered loss with its documented defaults and whether the fused plan runs it', () => {
  const info = Object.fromEntries(lossInfo().map((l) => [l.name, l]));
  expect(Object.keys(info).sort()).toEqual(['bce', 'bce-minimax', 'hinge', 'lsgan', 'wasserstein', 'wgan']);
  expect(info.bce.defaults).toEqual({ realLabel: 1 });
  expect(info['bce-minimax'].defaults).toEqual({ realLabel: 1 });
  expect(info.lsgan.defaults).toEqual({ a: 0, b: 1, c: 1 });
  expect(info.hinge.defaults).toEqual({});
  expect(info.wgan.defaults).toEqual({ clip: 0.01 });
  expect(info.wasserstein.defaults).toEqual({});
  expect(Object.values(info).filter((l) => l.fused).map((l) => l.name)).toEqual(['bce']);
  expect(info.bce.output).toBe('logit');
  expect(info.wgan.output).toBe('score');
});

interface LossSpecs {
  loss: GanConfig['loss'];
  gLayers: Layer[];
  dLayers: Layer[];
  data: number[];
}

function lossConfig(Seq: typeof Sequential, spec: LossSpecs): GanConfig {
  return {
    generator: new Seq('generator', spec.gLayers),
    discriminator: new Seq('discriminator', spec.dLayers),
    noise: { distribution: 'normal', mean: 0, std: 1 },
    data: { kind: 'dataset', values: Float32Array.from(spec.data), rows: spec.data.length / 3, cols: 3 },
    batchSize: 4,
    dSteps: 2,
    loss: spec.loss,
    optimizerD: { lr: 5e-3, beta1: 0.5 },
    optimizerG: { lr: 5e-3, beta1: 0.5 },
    seed: 5,
    statsEvery: 1,
  };
}

const LOSSES: GanConfig['loss'][] = [{ name: 'lsgan', a: -1, b: 1, c: 0 }, 'hinge', { name: 'wgan', clip: 0.05 }, 'bce-minimax'];

for (const loss of LOSSES) {
  const name = typeof loss === 'string' ? loss : loss!.name;
  test(`loss=${name}: 3 GAN steps (dSteps 2) match the CPU trainer: losses, gradients and weights${name === 'wgan' ? ', D clipped' : ''}`, async ({ gpu }) => {
    const spec: LossSpecs = {
      loss,
      gLayers: [Linear(2, 7), ELU(), Linear(7, 3), Tanh()],
      dLayers: [Linear(3, 6), LeakyReLU(0.2), Linear(6, 1)],
      data: randomArray(11 * 3, 61, -1, 1),
    };
    const config = resolveGanConfig(lossConfig(Sequential, spec));
    const g0 = config.generator.initialParameters(3);
    const d0 = config.discriminator.initialParameters(4);
    const run = await trainOnGpu(gpu, { makeConfig: lossConfig, spec, g0, d0, chunks: [3] });
    expect(run.plan).toBe('layered'); // the fused plan runs BCE only
    const ref = new ReferenceGanTrainer(config, g0, d0);
    const refLosses = [ref.trainStep(), ref.trainStep(), ref.trainStep()];
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(run.losses.map((l) => l.lossD), refLosses.map((l) => l.lossD.reduce((a, b) => a + b) / 2), tol, 'mean D loss per step');
    expectClose(run.losses.map((l) => l.lossG), refLosses.map((l) => l.lossG), tol, 'G loss per step');
    const snap = run.snapshots[0];
    expectClose(snap.dd, ref.lastGradsD, tol, 'dD');
    expectClose(snap.dg, ref.lastGradsG, tol, 'dG');
    expectClose(snap.d, ref.discriminatorParams, tol, 'D weights');
    expectClose(snap.g, ref.generatorParams, tol, 'G weights');
    expect(compareArrays(snap.g, g0, { atol: 1e-4, rtol: 0 })).not.toBeNull();
    if (name === 'wgan') {
      const weights = config.discriminator.parameters.flatMap((t) => snap.d.slice(t.offset, t.offset + t.size));
      expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(Math.fround(0.05));
      expect(weights.some((w) => Math.abs(w) === Math.fround(0.05))).toBe(true); // the clip did bite
    }
  });
}

test('loss options are checked and named: unknown options, LSGAN targets that coincide, a non-positive clip', async () => {
  const base = lossConfig(Sequential, { loss: 'bce', gLayers: [Linear(2, 3)], dLayers: [Linear(3, 1)], data: randomArray(12, 1) });
  expect(() => resolveGanConfig({ ...base, loss: { name: 'lsgan', a: 1, b: 1 } })).toThrow("loss 'lsgan': a (the fake target) and b (the real target) must differ, both are 1");
  expect(() => resolveGanConfig({ ...base, loss: { name: 'wgan', clip: 0 } })).toThrow("loss 'wgan': clip must be a number > 0, got 0");
  expect(() => resolveGanConfig({ ...base, loss: { name: 'hinge', margin: 2 } as never })).toThrow("loss 'hinge': unknown option(s) margin; it takes none");
  expect(() => resolveGanConfig({ ...base, loss: { name: 'bce', smoothing: 0.1 } as never })).toThrow("loss 'bce': unknown option(s) smoothing; it takes realLabel");
});
