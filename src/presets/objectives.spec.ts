// Preset objectives (objectives.ts): every preset resolves under every
// objective, a penalised or spectrally normalised critic loses its BatchNorm
// (and the layer before gets its bias back), and the settings are the papers'.
// CPU only, no GPU.
import { test, expect } from '@playwright/test';
import { GanConfigError, resolveGanConfig } from '../models/gan/config.js';
import { BatchNorm, Conv2d, Flatten, LeakyReLU, Linear } from '../models/layers/index.js';
import { Sequential } from '../models/layers/sequential.js';
import { PRESET_OBJECTIVES, withObjective, withoutBatchStatistics } from './objectives.js';
import { preset, PRESETS } from './presets.js';

const digits = { pixels: new Float32Array(256 * 784).fill(0.5), labels: Uint8Array.from({ length: 256 }, (_, i) => i % 10), rows: 256 };

test('every preset resolves under every objective, and a critic for hinge-sn or wgan-gp keeps no BatchNorm', () => {
  for (const name of PRESETS) {
    for (const objective of PRESET_OBJECTIVES) {
      const c = resolveGanConfig(preset(name, { digits, objective, seed: 3 }));
      const plain = resolveGanConfig(preset(name, { digits, seed: 3 }));
      const where = `${name} / ${objective}`;
      expect(c.seed, where).toBe(3);
      expect(c.generator.describe(), `${where}: G is the preset's`).toBe(plain.generator.describe());
      if (objective === 'bce') {
        expect(c.loss.module.name, where).toBe(plain.loss.module.name);
        continue;
      }
      expect(c.discriminator.layers.some((l) => l.type === 'batchnorm'), where).toBe(false);
      expect(c.discriminator.outputSize, where).toBe(1);
      if (objective === 'hinge-sn') {
        expect(c.loss.module.name, where).toBe('hinge');
        expect(c.penalty, where).toBeNull();
        expect(c.discriminator.stages.filter((s) => s.spectralNorm).length, `${where}: every weighted D layer`).toBe(
          c.discriminator.stages.filter((s) => s.params.some((p) => p.local === 'weight')).length,
        );
        expect(c.dSteps, where).toBe(plain.dSteps);
      } else {
        expect(c.loss.module.name, where).toBe('wasserstein');
        expect(c.penalty, where).toEqual({ name: 'wgan-gp', weight: 10 });
        expect(c.dSteps, where).toBe(5);
        for (const net of ['discriminator', 'generator'] as const) {
          expect(c.optimizers[net].module.name, where).toBe('adam');
          expect(c.optimizers[net].hyper, where).toMatchObject({ beta1: 0, beta2: 0.9, lr: (plain.optimizers[net].hyper as { lr: number }).lr });
        }
      }
    }
  }
});

test("withoutBatchStatistics drops BatchNorm, gives the layer before it its bias back, and keeps the rest as it was", () => {
  const D = new Sequential('critic', [
    Conv2d(1, 4, 3, { stride: 2 }), LeakyReLU(0.2),
    Conv2d(4, 8, 3, { bias: false }), BatchNorm(8), LeakyReLU(0.2),
    Flatten(), Linear(8, 1, { bias: false }),
  ], { inputShape: [1, 7, 7] });
  const d = withoutBatchStatistics(D);
  expect(d.describe()).toBe(new Sequential('critic', [
    Conv2d(1, 4, 3, { stride: 2 }), LeakyReLU(0.2),
    Conv2d(4, 8, 3), LeakyReLU(0.2),
    Flatten(), Linear(8, 1, { bias: false }), // no BatchNorm after it: left bias-free
  ], { inputShape: [1, 7, 7] }).describe());
  expect(d.name).toBe('critic');
  const noBn = new Sequential('mlp', [Linear(2, 3), LeakyReLU(0.2), Linear(3, 1)]);
  expect(withoutBatchStatistics(noBn)).toBe(noBn);
});

test('objectives: gaussian1d sheds its BCE label smoothing under another loss; an unknown objective is a GanConfigError', () => {
  const g = preset('gaussian1d');
  expect(g.realLabel).toBeDefined(); // the test means something only while the preset smooths
  expect(preset('gaussian1d', { objective: 'hinge-sn' })).not.toHaveProperty('realLabel');
  expect(withObjective(g, 'bce')).toBe(g);
  expect(() => withObjective(g, 'wgan' as never)).toThrow(GanConfigError);
  expect(() => withObjective(g, 'wgan' as never)).toThrow("objective must be one of bce, hinge-sn, wgan-gp, got \"wgan\"");
});
