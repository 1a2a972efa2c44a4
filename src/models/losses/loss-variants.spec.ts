// Every tuning variant of the GAN loss kernels (bce_with_logits.wgsl, gan_loss.wgsl;
// shaders/index.ts lossVariants) on the dispatches the loss modules really record,
// against the modules' float64 references. The candidates: today's tree at 256
// invocations (first), the tree at 64 and 128 (prelude/loss_sum.wgsl, LOSS_WG an
// override), and subgroup.wg64/128/256 (loss_sum_subgroups.wgsl, compiled from the
// family's 'subgroups' source; the page's device has 'subgroups' wherever its adapter
// offers it, as SwiftShader does, so they run here). The dispatches come from each
// module's encodeDiscriminator / encodeGenerator on a stub registry that answers
// kernelFor only, so a module that looked its loss kernel up any other way (and
// would never get a tuned variant) fails here. Batches 1, 7 and 300 (D: 2, 14 and
// 600 rows: fewer than any workgroup, and more than two strides of 256); outputs
// start as NaN, so an output no invocation writes fails. dlogits is per row: the
// same bits in every variant. Where the per-row terms are exact in f32 (WGAN's
// ℓ = ∓l, present = l), the tree variants' loss must be the bits of an f32
// emulation of their order of additions — today's halving tree at 256 included.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { forEachVariant, treeSumF32, variantsOf } from '../../../test/support/variants.js';
import type { KernelFamily, KernelRegistry, KernelVariant, UniformValues } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { bceWithLogitsKernels, ganLossKernels, LOSS_OVERRIDES, REDUCE_WORKGROUPS } from '../../shaders/index.js';
import { findLoss, type GanLossModule } from './loss.js';
import type { LossBuffers } from './loss.js';
import './index.js';

const ENTRIES: [KernelFamily, string][] = [
  [bceWithLogitsKernels, 'bce_with_logits_forward_backward'],
  [ganLossKernels, 'gan_loss_forward_backward'],
];

test('loss kernel variants: today\'s tree at 256 first (no feature, no override beyond the default), the trees at 64 and 128, then subgroup forms at 64, 128 and 256', () => {
  expect(LOSS_OVERRIDES.LOSS_WG).toBe(256);
  for (const [family, entry] of ENTRIES) {
    const variants = variantsOf(family, entry);
    expect(variants.map((v) => ({ name: v.name, entry: v.entry, overrides: v.overrides, requires: v.requires })), entry).toEqual([
      { name: 'tree.wg256', entry, overrides: { LOSS_WG: 256 }, requires: undefined },
      { name: 'tree.wg64', entry, overrides: { LOSS_WG: 64 }, requires: undefined },
      { name: 'tree.wg128', entry, overrides: { LOSS_WG: 128 }, requires: undefined },
      ...REDUCE_WORKGROUPS.map((n) => ({ name: `subgroup.wg${n}`, entry, overrides: { LOSS_WG: n }, requires: 'subgroups' })),
    ]);
    // The first variant is the entry as compiled without overrides (the family's default LOSS_WG),
    // so the fallback is the very pipeline the plan precompiles.
    expect(family.overrides, family.name).toEqual(LOSS_OVERRIDES);
    expect(family.source).toContain('override LOSS_WG: u32 = 256u;');
    // The subgroup source: `enable subgroups;` first, the subgroup prelude in place of the tree's.
    const sg = family.featureSources?.subgroups ?? '';
    expect(sg.startsWith('enable subgroups;'), family.name).toBe(true);
    expect(sg).toContain('// ---- prelude/loss_sum_subgroups.wgsl');
    expect(sg).toContain('subgroupAdd(');
    expect(family.source).toContain('// ---- prelude/loss_sum.wgsl');
    expect(family.source).not.toContain('subgroupAdd(');
    expect(family.tuning!.shapeMembers).toEqual(['rows']);
    expect(family.tuning!.bufferFloats({ rows: 14 })).toEqual({ logits: 14, dlogits: 14, loss_out: 4 });
  }
});

interface Recorded {
  family: KernelFamily;
  entry: string;
  uniforms: UniformValues;
}

/**
 * The loss dispatches a module records for one part: a stub registry whose kernelFor returns the
 * lookup itself (and whose kernel() throws), and a stub sequence that keeps what is added.
 */
async function recordPart(m: GanLossModule, part: 'discriminator' | 'generator', batch: number, r: unknown): Promise<Recorded[]> {
  const lookups: Recorded[] = [];
  const added: Recorded[] = [];
  const kernels = {
    kernelFor: async (family: KernelFamily, entry: string, uniforms: UniformValues) => {
      const l = { family, entry, uniforms: { ...uniforms } };
      lookups.push(l);
      return l;
    },
    kernel: () => {
      throw new Error('the loss kernel must be looked up by kernelFor (it has tuning variants)');
    },
  } as unknown as KernelRegistry;
  const seq = { add: (k: Recorded, _buffers: unknown, uniforms: UniformValues) => added.push({ ...k, uniforms: { ...uniforms } }) } as unknown as SequenceBuilder;
  const io = { logits: {}, dlogits: {}, lossOut: {} } as unknown as LossBuffers;
  await (part === 'discriminator' ? m.encodeDiscriminator(seq, kernels, io, batch, r) : m.encodeGenerator(seq, kernels, io, batch, r));
  // The tuner is asked with the uniforms the dispatch records (its key is their row count).
  expect(added.map((a) => a.uniforms)).toEqual(lookups.map((l) => l.uniforms));
  return added;
}

// As bce.spec.ts and gan-loss.spec.ts: per-row values a few f32 roundings, sums of ≤ 600 terms.
const ROW_TOL = { atol: 1e-6, rtol: 1e-5 };
const LOSS_TOL = { atol: 1e-5, rtol: 1e-5 };

const LOSSES: [string, Record<string, unknown>][] = [
  ['bce', { realLabel: 0.9 }],
  ['bce-minimax', {}],
  ['lsgan', { a: -1, b: 1, c: 0 }],
  ['hinge', {}],
  ['wgan', { clip: 0.01 }],
  ['wasserstein', {}],
];
/** WGAN's parts: ℓ = −y·l with y = ±1 and present(l) = l, every per-row term exact in f32. */
const EXACT_TERMS = new Set(['wgan', 'wasserstein']);

/** One part's D outputs: uniform in [−6, 6), with ±100 at the ends (the losses must stay finite there). */
function outputsFor(rows: number, seed: number): Float64Array {
  const l = f32(randomArray(rows, seed, -6, 6));
  l[0] = 100;
  if (rows > 1) l[rows - 1] = -100;
  return l;
}

/**
 * loss_out of gan_loss.wgsl for kind 'linear' with y = ±1 and raw outputs, as a tree of LOSS_WG = n
 * adds in f32: invocation t sums rows t, t + n, … in order, then the tree; loss = f32(scale)·Σℓ.
 * The means divide by the row counts (a division WGSL may round within 2.5 ulp).
 */
function wganTreeLossOut(l: Float64Array, u: UniformValues, n: number): { loss: number; outA: number; outB: number } {
  const [loss, first, rest] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < u.rows; i++) {
    const t = i % n;
    const isFirst = i < u.first_rows;
    const y = Math.fround(isFirst ? u.y_first : u.y_rest);
    if (Math.abs(y) !== 1) throw new Error(`exact terms need y = ±1, got ${y}`);
    loss[t] += -y * l[i];
    if (isFirst) first[t] += l[i];
    else rest[t] += l[i];
  }
  const restRows = u.rows - u.first_rows;
  return {
    loss: Math.fround(Math.fround(u.scale) * treeSumF32(loss)),
    outA: u.first_rows > 0 ? treeSumF32(first) / u.first_rows : 0,
    outB: restRows > 0 ? treeSumF32(rest) / restRows : 0,
  };
}

for (const [name, options] of LOSSES) {
  for (const batch of [1, 7, 300]) {
    test(`loss=${name}: every loss kernel variant on the module's own dispatches matches its float64 reference, dlogits the same bits in all: batch=${batch}`, async ({ gpu }) => {
      test.setTimeout(300_000);
      const m = findLoss(name)!;
      const r = m.resolve(options, (msg) => {
        throw new Error(msg);
      });
      for (const part of ['discriminator', 'generator'] as const) {
        const recorded = await recordPart(m, part, batch, r);
        expect(recorded).toHaveLength(1);
        const [{ family, entry, uniforms: u }] = recorded;
        expect(ENTRIES.some(([f, e]) => f === family && e === entry), `${name} ${part}: ${family.name}.${entry}`).toBe(true);
        expect(u.rows).toBe(part === 'discriminator' ? 2 * batch : batch);
        const logits = outputsFor(u.rows, 97 * batch + (part === 'discriminator' ? 1 : 2) + name.length);
        const ref = m.reference[part](logits, batch, r);
        expect([ref.loss, ref.outA, ref.outB].every(Number.isFinite), 'the reference is finite').toBe(true);
        let first: number[] | null = null;
        await forEachVariant(gpu, family, entry, async (v: KernelVariant) => {
          const at = `${name} ${part} batch=${batch}, ${family.name} variant ${v.name}`;
          const got = await gpu.runKernel({
            family: family.name, entry: v.entry, overrides: v.overrides, feature: v.requires, uniforms: u,
            inputs: { logits: [...logits] }, outputs: { dlogits: u.rows, loss_out: 4 },
          });
          expectClose(got.dlogits, ref.dlogits, ROW_TOL, `dlogits, ${at}`);
          expectClose(got.loss_out, [ref.loss, ref.outA, ref.outB, 0], LOSS_TOL, `loss_out, ${at}`);
          // Per-row outputs do not depend on the reduction: the same bits as the first variant's.
          first ??= got.dlogits;
          expect(got.dlogits, `dlogits bits, ${at}`).toEqual(first);
          if (EXACT_TERMS.has(name) && !v.requires) {
            const want = wganTreeLossOut(logits, u, v.overrides.LOSS_WG);
            expect(got.loss_out[0], `loss bits against the f32 tree of ${v.overrides.LOSS_WG}, ${at}`).toBe(want.loss);
            expectClose(got.loss_out.slice(1), [want.outA, want.outB, 0], { atol: 0, rtol: 3e-7 }, `means against the f32 tree, ${at}`);
          }
        });
      }
    });
  }
}
