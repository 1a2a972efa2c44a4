// The trained weights the demo ships (protocol.ts TRAINED_WEIGHTS): each file
// loads into its preset at the default settings, and its generator is what the
// button promises, scored by the engine's own digit metrics on 1,000 samples
// against the held-out digits: every class made, classifier-FID well below the
// untrained generator's, and (conditional presets) digits of the asked class.
import { test, expect } from '../test/support/fixtures.js';
import { TRAINED_WEIGHTS } from './protocol.js';

for (const [preset, url] of Object.entries(TRAINED_WEIGHTS)) {
  test(`the shipped trained weights of ${preset} (${url}) load into the preset and make digits of every class`, async ({ gpu }) => {
    test.setTimeout(240_000); // conv pipelines compile slowly on SwiftShader
    const r = await gpu.page.evaluate(
      async ({ preset, url }) => {
        const { lib, ctx } = window.harness;
        const q = lib.digitQuality;
        const fetchBytes = async (u: string) => new Uint8Array(await (await fetch(u)).arrayBuffer());
        const { train, holdout } = lib.presets.splitDigits(lib.presets.decodeDigits(await fetchBytes('/dist/data/mnist-digits.bin')));
        const net = q.digitClassifierNet();
        const classifier = await lib.Classifier.create(ctx, q.digitClassifierConfig(train), q.decodeClassifierWeights(net, await fetchBytes('/weights/digit-classifier.safetensors')));
        const reference = await q.digitFeatureStatistics(classifier, holdout);
        const trainer = await lib.GanTrainer.create(ctx, lib.presets.preset(preset, { digits: train }));
        const untrained = await q.evaluateDigitGan(trainer, classifier, reference, 1000);
        await lib.loadCheckpoint(trainer, await fetchBytes(url));
        const trained = await q.evaluateDigitGan(trainer, classifier, reference, 1000);
        const step = trainer.step;
        trainer.dispose();
        classifier.dispose();
        return { step, untrainedFid: untrained.fid, fid: trained.fid, classes: trained.coverage.classesCovered, conditionalAccuracy: trained.conditionalAccuracy };
      },
      { preset, url },
    );
    console.log(`${preset} trained weights: step ${r.step}, FID ${r.fid.toFixed(1)} (untrained ${r.untrainedFid.toFixed(1)}), ${r.classes} classes ≥ 5%, conditional accuracy ${r.conditionalAccuracy}`);
    expect(r.step).toBeGreaterThan(0);
    expect(r.classes).toBe(10);
    expect(r.fid).toBeLessThan(r.untrainedFid / 10);
    if (r.conditionalAccuracy !== null) expect(r.conditionalAccuracy).toBeGreaterThan(0.85);
  });
}
