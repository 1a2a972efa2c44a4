// A tuning candidate's `alongside` entries (KernelVariant.alongside): the
// dispatches its caller adds after it, which another candidate does itself.
// linear_backward_weight_bias's plain products are timed with the layer's
// linear_backward_bias after them, in one pass; its +bias twins alone. So a
// twin wins where its one dispatch beats the default pair by the margin, and
// loses where the pair is faster, as the layer would run them. No GPU: a stub
// device runs each dispatch on a virtual clock (performance.now) at a cost per
// entry point and records what each timed pass dispatched.
import { test, expect } from '@playwright/test';
import type { KernelRegistry, KernelFamily, Overrides } from './kernel.js';
import { KernelTuner } from './tuner.js';
import { MemoryTuningStore } from './tuning-cache.js';
import { LINEAR_OVERRIDES, linearKernels } from '../shaders/index.js';

// timeCandidates makes scratch buffers with these usage flags (browser globals; absent in Node).
(globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage ??= { STORAGE: 0x80, UNIFORM: 0x40, COPY_DST: 0x8 };

const ENTRY = 'linear_backward_weight_bias';
const U = { batch: 8, in_features: 50, out_features: 50, act: 0, slope: 0 };
const DEFAULT_SHAPE = JSON.stringify({ ...LINEAR_OVERRIDES });

/** Milliseconds per dispatch of a compiled entry (by entry point and overrides); anything not named costs `rest`. */
type Costs = { [entryAndShape: string]: number; rest: number };

function harness(costs: Costs) {
  let clock = 0;
  const passes: string[][] = [];
  const device = {
    features: new Set<string>(),
    limits: { maxComputeWorkgroupsPerDimension: 65535, minUniformBufferOffsetAlignment: 256 },
    pushErrorScope: () => {},
    popErrorScope: async () => null,
    createBuffer: () => ({ destroy: () => {}, getMappedRange: () => new ArrayBuffer(16), unmap: () => {} }),
    createCommandEncoder: () => {
      const ran: string[] = [];
      let pipeline = '';
      return {
        beginComputePass: () => ({
          setPipeline: (p: { label: string }) => (pipeline = p.label),
          setBindGroup: () => {},
          dispatchWorkgroups: () => ran.push(pipeline),
          end: () => {},
        }),
        finish: () => ({ ran }),
      };
    },
    queue: {
      submit: ([commands]: { ran: string[] }[]) => {
        passes.push(commands.ran);
        clock += commands.ran.reduce((ms, k) => ms + (costs[k] ?? costs.rest), 0);
      },
      onSubmittedWorkDone: async () => {},
    },
  } as unknown as GPUDevice;
  // Kernels that compile to a name: `<entry> <overrides>` (the family's defaults filled in, as the costs name them).
  const registry = {
    kernel: async (family: KernelFamily, entry: string, overrides: Overrides) => {
      const label = `${entry} ${JSON.stringify({ ...LINEAR_OVERRIDES, ...overrides })}`;
      return { id: label, info: { entry, uniform: null, bindings: [] }, pipeline: { label }, pick: () => ({}), bindGroup: () => ({}), dispatchSize: () => [1, 1, 1], family };
    },
  } as unknown as KernelRegistry;
  return { device, registry, passes, now: () => clock };
}

async function tune(costs: Costs) {
  const h = harness(costs);
  const real = Object.getOwnPropertyDescriptor(performance, 'now');
  Object.defineProperty(performance, 'now', { value: h.now, configurable: true, writable: true });
  try {
    const t = new KernelTuner(h.device, 'adapter', 'software', { mode: 'full', store: new MemoryTuningStore(), budgetMs: 60_000 });
    const close = t.openSession();
    const v = await t.choose(h.registry, linearKernels, ENTRY, U);
    close();
    return { chosen: v.name, decision: t.decisions[0], passes: h.passes };
  } finally {
    if (real) Object.defineProperty(performance, 'now', real);
    else delete (performance as { now?: unknown }).now;
  }
}

const PRODUCT = `linear_backward_weight ${DEFAULT_SHAPE}`;
const BIAS = `linear_backward_bias ${DEFAULT_SHAPE}`;
const TWIN = `linear_backward_weight_bias ${DEFAULT_SHAPE}`;

test('a plain product is timed with the bias dispatch the layer adds after it, a +bias twin alone; the twin wins where it beats the pair', async () => {
  const r = await tune({ [PRODUCT]: 1, [BIAS]: 0.5, [TWIN]: 1.2, rest: 5 });
  const variants = linearKernels.tuning!.variants[ENTRY]!;
  // Every timed pass of a plain candidate ran its product then linear_backward_bias (its default, thread.wg64); a twin's, its one dispatch.
  for (const pass of r.passes) {
    expect(pass.length).toBeGreaterThan(0);
    const pairs = pass.length % 2 === 0 && pass.every((k, i) => (i % 2 === 1) === (k === BIAS));
    const alone = pass.every((k) => k === pass[0] && k.startsWith('linear_backward_weight_') && k.includes('_bias '));
    expect(pairs !== alone, JSON.stringify(pass)).toBe(true);
  }
  expect(r.passes.filter((p) => p[0] === PRODUCT).every((p) => p.length % 2 === 0 && p[1] === BIAS)).toBe(true);
  expect(r.decision.ms!['t16.wg4x4']).toBeCloseTo(1.5, 9);
  expect(r.decision.ms!['t16.wg4x4+bias']).toBeCloseTo(1.2, 9);
  expect(Object.keys(r.decision.ms!).sort()).toEqual(variants.map((v) => v.name).sort());
  // 1.2 < 0.95 × 1.5: the twin, though it costs more than the product alone (1).
  expect(r.chosen).toBe('t16.wg4x4+bias');
});

test('the pair wins where it is faster than the twin, or the twin beats it by less than the margin', async () => {
  expect((await tune({ [PRODUCT]: 1, [BIAS]: 0.1, [TWIN]: 1.2, rest: 5 })).chosen).toBe('t16.wg4x4');
  expect((await tune({ [PRODUCT]: 1, [BIAS]: 0.5, [TWIN]: 1.45, rest: 5 })).chosen).toBe('t16.wg4x4');
});
