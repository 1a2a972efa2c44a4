// Tuning variants that require a device feature (KernelVariant.requires: the
// reduction kernels' 'subgroups' forms) on a device without it: never timed,
// never taken from a cache record that names one, never taken from the
// defaults table; the entry's first variant instead. With the feature the same
// record and table are honoured, so these checks can fail. The cache's adapter
// key tells the two devices apart, and the registry refuses to compile a
// feature's source on a device without the feature. No GPU: a stub device
// and registry record what the tuner asks for.
import { test, expect } from '@playwright/test';
import { KernelRegistry, type KernelFamily, type Overrides } from './kernel.js';
import { adapterKey, KernelTuner, tuningKey, type TuneMode } from './tuner.js';
import { MemoryTuningStore } from './tuning-cache.js';
import { batchnormKernels, bceWithLogitsKernels, ganLossKernels, trainStateKernels } from '../shaders/index.js';

// timeCandidates makes scratch buffers with this usage flag (a browser global; absent in Node).
(globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage ??= { STORAGE: 0x80 };

const LIMITS = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256, maxComputeWorkgroupStorageSize: 16384 } as GPUSupportedLimits;

/** Enough of a GPUDevice for the tuner's choices (features, error scopes, scratch buffers). */
function stubDevice(features: string[]): GPUDevice {
  return {
    features: new Set(features),
    limits: LIMITS,
    pushErrorScope: () => {},
    popErrorScope: async () => null,
    createBuffer: () => ({ destroy: () => {} }),
  } as unknown as GPUDevice;
}

interface Compile {
  entry: string;
  overrides: Overrides;
  feature?: string;
}

/** A registry whose compiles all fail (so nothing is dispatched), recording what was asked for. */
function stubRegistry(calls: Compile[]): KernelRegistry {
  return {
    kernel: (_family: KernelFamily, entry: string, overrides: Overrides, feature?: string) => {
      calls.push({ entry, overrides, feature });
      return Promise.reject(new Error('not compiled in this test'));
    },
  } as unknown as KernelRegistry;
}

const ENTRY = 'batchnorm_forward';
const U = { batch: 8, groups: 2, channels: 5, spatial: 37, eps: 1e-5, momentum: 0.1, slope: 0 };
const KEY = tuningKey(batchnormKernels, ENTRY, U);

function tuner(features: string[], mode: TuneMode, store: MemoryTuningStore, family = batchnormKernels): { t: KernelTuner; choose: () => Promise<string> } {
  const device = stubDevice(features);
  const t = new KernelTuner(device, 'adapter', 'software', { mode, store, budgetMs: 60_000 });
  return { t, choose: async () => (await t.choose(stubRegistry([]), family, ENTRY, U, { ACT: 0 })).name };
}

test('a cached choice naming a subgroup variant is not used on a device without subgroups: the first variant instead', async () => {
  const store = new MemoryTuningStore();
  await store.write('adapter', { [KEY]: 'subgroup.wg128' });
  const without = tuner([], 'cached', store);
  expect(await without.choose()).toBe('serial.wg16');
  expect(without.t.decisions).toEqual([{ key: KEY, variant: 'serial.wg16', source: 'default' }]);
  // The same record on a device that has the feature, and a plain variant's name without it: honoured.
  const withSg = tuner(['subgroups'], 'cached', store);
  expect(await withSg.choose()).toBe('subgroup.wg128');
  expect(withSg.t.decisions[0].source).toBe('cache');
  await store.write('adapter', { [KEY]: 'tree.wg128' });
  expect(await tuner([], 'cached', store).choose()).toBe('tree.wg128');
});

test("'full' never compiles or times a variant whose feature the device lacks, and stores no such choice", async () => {
  for (const [features, expected] of [
    [[], ['serial.wg16', 'tree.wg64', 'tree.wg128', 'tree.wg256']],
    [['subgroups'], ['serial.wg16', 'tree.wg64', 'tree.wg128', 'tree.wg256', 'subgroup.wg64', 'subgroup.wg128', 'subgroup.wg256']],
  ] as const) {
    const store = new MemoryTuningStore();
    const t = new KernelTuner(stubDevice([...features]), 'adapter', 'software', { mode: 'full', store, budgetMs: 60_000 });
    const calls: Compile[] = [];
    const close = t.openSession();
    const v = await t.choose(stubRegistry(calls), batchnormKernels, ENTRY, U, { ACT: 0 });
    close();
    // Every candidate's compile: the variant's entry, its overrides over the caller's, from the feature's source where it requires one.
    const variants = batchnormKernels.tuning!.variants[ENTRY]!;
    const byName = (name: string) => variants.find((c) => c.name === name)!;
    expect(calls).toEqual(expected.map((name) => ({ entry: byName(name).entry, overrides: { ACT: 0, ...byName(name).overrides }, feature: byName(name).requires })));
    // Nothing compiled here, so nothing beat the first variant; that is what is stored.
    expect(v.name).toBe('serial.wg16');
    expect(store.records.get('adapter')).toEqual({ [KEY]: 'serial.wg16' });
  }
});

test('a defaults table naming a subgroup variant gives the first variant on a device without subgroups', async () => {
  const family: KernelFamily = {
    ...batchnormKernels,
    tuning: { ...batchnormKernels.tuning!, defaults: { software: { [ENTRY]: 'subgroup.wg64' } } },
  };
  expect(await tuner([], 'off', new MemoryTuningStore(), family).choose()).toBe('serial.wg16');
  expect(await tuner(['subgroups'], 'off', new MemoryTuningStore(), family).choose()).toBe('subgroup.wg64');
});

test('the cache key of an adapter records whether the device has subgroups', () => {
  const info = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };
  const without = adapterKey(info, LIMITS, new Set());
  const withSg = adapterKey(info, LIMITS, new Set(['subgroups', 'timestamp-query']));
  expect(without).toMatch(/\|features=none$/);
  expect(withSg).toMatch(/\|features=subgroups$/);
  // Features no variant requires do not split the cache.
  expect(adapterKey(info, LIMITS, new Set(['timestamp-query']))).toBe(without);
});

test("the registry refuses to compile a feature's source on a device created without that feature", async () => {
  const registry = new KernelRegistry(stubDevice([]));
  await expect(registry.kernel(batchnormKernels, 'batchnorm_forward_wg', { REDUCE_WORKGROUP: 64 }, 'subgroups')).rejects.toThrow(
    "batchnorm.batchnorm_forward_wg[REDUCE_WORKGROUP=64]+subgroups needs the device feature 'subgroups', which this device was not created with",
  );
});

// The GAN losses' and the gradient norm's reductions (loss_sum.wgsl, grad_sq_partials_sum_wg) take
// the same path: their subgroup forms are candidates only with the feature.
const LOSS_TREES = ['tree.wg256', 'tree.wg64', 'tree.wg128'];
const UPDATE_REDUCTIONS: [KernelFamily, string, Record<string, number>, string[]][] = [
  [bceWithLogitsKernels, 'bce_with_logits_forward_backward', { rows: 14, first_rows: 7, target_first: 0, target_rest: 1, scale: 1 / 7 }, LOSS_TREES],
  [ganLossKernels, 'gan_loss_forward_backward', { rows: 14, first_rows: 7, kind: 0, present: 0, y_first: 0, y_rest: 1, scale: 1 / 7 }, LOSS_TREES],
  [trainStateKernels, 'grad_sq_partials_sum', { count: 1031, phase: 0, advances_step: 0 }, ['thread.wg64', 'tree.wg64', 'tree.wg128', 'tree.wg256']],
];

test("'full' on the loss and gradient-norm reductions compiles their subgroup forms only on a device with subgroups; 'cached' never takes one without", async () => {
  for (const [family, entry, u, plainNames] of UPDATE_REDUCTIONS) {
    const variants = family.tuning!.variants[entry]!;
    const plain = variants.filter((v) => !v.requires);
    const sg = variants.filter((v) => v.requires === 'subgroups');
    expect(plain.map((v) => v.name), entry).toEqual(plainNames);
    expect(sg.map((v) => v.name), entry).toEqual(['subgroup.wg64', 'subgroup.wg128', 'subgroup.wg256']);
    for (const features of [[], ['subgroups']]) {
      const store = new MemoryTuningStore();
      const t = new KernelTuner(stubDevice(features), 'adapter', 'software', { mode: 'full', store, budgetMs: 60_000 });
      const calls: Compile[] = [];
      const close = t.openSession();
      const v = await t.choose(stubRegistry(calls), family, entry, u);
      close();
      const expected = features.length ? variants : plain;
      expect(calls, `${entry} with [${features.join()}]`).toEqual(expected.map((c) => ({ entry: c.entry, overrides: c.overrides, feature: c.requires })));
      expect(v.name).toBe(variants[0].name);
    }
    // A cached subgroup choice: honoured with the feature, today's kernel without.
    const key = tuningKey(family, entry, u);
    const store = new MemoryTuningStore();
    await store.write('adapter', { [key]: 'subgroup.wg128' });
    const cachedOn = (features: string[]) => new KernelTuner(stubDevice(features), 'adapter', 'software', { mode: 'cached', store, budgetMs: 60_000 });
    expect((await cachedOn([]).choose(stubRegistry([]), family, entry, u)).name, entry).toBe(variants[0].name);
    expect((await cachedOn(['subgroups']).choose(stubRegistry([]), family, entry, u)).name, entry).toBe('subgroup.wg128');
  }
});
