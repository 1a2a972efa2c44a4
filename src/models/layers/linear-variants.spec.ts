// Every tuning variant of linear.wgsl's products (shaders/index.ts:
// linearKernels.tuning) against the float64 CPU reference, on shapes that are
// no multiple of any variant's block or workgroup tile (4 to 256 outputs a
// side), and against the default variant: the tuner may pick any of them, so
// each must give the same outputs up to float rounding. Outputs start as NaN,
// so a grid that misses a block (dispatch math that ignores a variant's
// overrides) fails too. The shapes cover the workgroup-memory entries' edges
// (reductions of 1, 5, 21, 70, 131: no multiple of the 16-index pass; a tile
// of rows or columns mostly past the end) and the split-K entry's (batch 300
// over 16 and 64 slices, one output row, blocks wholly past the last column).
// linear_backward_weight_bias (a layer with a bias: dw and dbias) has the
// weight product's candidates, then their `+bias` twins that write dbias in
// the same dispatch: each twin's dw and dbias against the reference, its dw
// against its plain twin's and its dbias against linear_backward_bias's, to
// the bit (the same sums in the same order), on the same shapes and on more
// with a batch of 1, K under every block and N past several row blocks.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { forEachVariant } from '../../../test/support/variants.js';
import { linearBackwardBias, linearBackwardInput, linearBackwardWeight, linearForward } from './linear.reference.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import type { DispatchFn } from '../../runtime/kernel.js';
import { batchnormKernels, LINEAR_OVERRIDES, LINEAR_REORDERING_VARIANTS, LINEAR_WEIGHT_WITH_BIAS_ENTRIES, linearKernels, linearWritesBias } from '../../shaders/index.js';

const ENTRIES = ['linear_forward', 'linear_backward_input', 'linear_backward_weight'] as const;
const SHAPES = [
  { batch: 37, inFeatures: 131, outFeatures: 67 },
  { batch: 130, inFeatures: 21, outFeatures: 259 },
  { batch: 1, inFeatures: 5, outFeatures: 3 },
  { batch: 300, inFeatures: 70, outFeatures: 1 },
];
const TOL = { atol: 1e-5, rtol: 1e-4 };
/** Against the default variant: the same sums in the same order, so only contraction differences are allowed. */
const SAME = { atol: 1e-6, rtol: 1e-6 };
/** Against the default variant, for the variants that sum in another order (LINEAR_REORDERING_VARIANTS): the rounding of a reduction, as against the reference. */
const REORDERED = TOL;

test('linear variants: the first candidate is today\'s shape; the others are GPU shapes of 64–256 invocations with distinct names', () => {
  for (const entry of ENTRIES) {
    const variants = linearKernels.tuning!.variants[entry]!;
    expect(variants.length, entry).toBeGreaterThanOrEqual(4);
    expect(variants[0]).toEqual({ name: 't16.wg4x4', entry, overrides: { ...LINEAR_OVERRIDES } });
    expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
    for (const v of variants.slice(1)) {
      // The one-output-per-workgroup forms (`_wg`) are REDUCE_WORKGROUP wide; the rest LINEAR_WG_X × LINEAR_WG_Y.
      const invocations = v.entry.endsWith('_wg') ? v.overrides.REDUCE_WORKGROUP : v.overrides.LINEAR_WG_X * v.overrides.LINEAR_WG_Y;
      expect(invocations, `${entry} ${v.name}`).toBeGreaterThanOrEqual(64);
      expect(invocations, `${entry} ${v.name}`).toBeLessThanOrEqual(256);
      expect(v.entry.startsWith(entry), `${v.name} runs ${v.entry}`).toBe(true);
    }
    // Every entry point of the product (the entry, _r8, _r4, _smem, _smem4, _split) is some variant's, so the tests below run it;
    // the *_bias ones (dw and dbias) are linear_backward_weight_bias's (below).
    const entryPoints = Object.keys(linearKernels.dispatch).filter((e) => e.startsWith(entry) && !LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(e));
    expect(new Set(variants.map((v) => v.entry)), entry).toEqual(new Set(entryPoints));
    for (const v of variants) expect(LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(v.entry), `${entry} ${v.name}`).toBe(false);
    // Only the split-K and one-output-per-workgroup entries may sum in another order than the default;
    // only the latter have a 'subgroups' form (their reduction's prelude alternate), and a tree form of each.
    for (const v of variants) {
      expect(LINEAR_REORDERING_VARIANTS.has(v.name), `${entry} ${v.name}`).toBe(v.entry.endsWith('_split') || v.entry.endsWith('_wg'));
      expect(v.requires, `${entry} ${v.name}`).toBe(v.entry.endsWith('_wg') && v.name.startsWith('reduce.subgroup') ? 'subgroups' : undefined);
    }
    if (entry !== 'linear_backward_weight') {
      expect(variants.filter((v) => v.entry === `${entry}_wg`).map((v) => v.name), entry).toEqual(
        ['tree', 'subgroup'].flatMap((form) => [64, 128, 256].map((n) => `reduce.${form}.wg${n}`)),
      );
    }
  }
  const allNames = ENTRIES.flatMap((e) => linearKernels.tuning!.variants[e]!.map((v) => v.name));
  expect([...LINEAR_REORDERING_VARIANTS].every((name) => allNames.includes(name))).toBe(true);
});

const WEIGHT_BIAS = 'linear_backward_weight_bias';
/** linear_backward_weight_bias's candidates that write dbias too (the `+bias` twins). */
const fusedVariants = () => linearKernels.tuning!.variants[WEIGHT_BIAS]!.filter((v) => LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(v.entry));

test('linear_backward_weight_bias: the weight product\'s candidates as they are (today\'s first), then a +bias twin of each on a form with a *_bias entry; linearWritesBias tells them apart', () => {
  const plain = linearKernels.tuning!.variants.linear_backward_weight!;
  const variants = linearKernels.tuning!.variants[WEIGHT_BIAS]!;
  // The plain products first, in order, each timed with the bias dispatch the layer then records: the fallback
  // (and 'off') is today's pair, t16.wg4x4 and linear_backward_bias.
  expect(variants.slice(0, plain.length)).toEqual(plain.map((v) => ({ ...v, alongside: ['linear_backward_bias'] })));
  expect(variants[0]).toEqual({ name: 't16.wg4x4', entry: 'linear_backward_weight', overrides: { ...LINEAR_OVERRIDES }, alongside: ['linear_backward_bias'] });
  const twins = variants.slice(plain.length);
  expect(twins).toEqual(fusedVariants());
  expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
  // Each twin is its plain variant's entry + '_bias' at the same overrides, on the same grid.
  const u = { batch: 37, in_features: 131, out_features: 259, act: 0, slope: 0 };
  for (const t of twins) {
    const p = plain.find((v) => `${v.name}+bias` === t.name);
    expect(p, t.name).toBeDefined();
    // Timed alone: it leaves the layer no bias dispatch.
    expect(t).toEqual({ name: `${p!.name}+bias`, entry: `${p!.entry}_bias`, overrides: p!.overrides });
    const o = { ...LINEAR_OVERRIDES, ...t.overrides };
    const grid = (entry: string) => (linearKernels.dispatch as Record<string, DispatchFn>)[entry](u, o);
    expect(grid(t.entry), t.name).toEqual(grid(p!.entry));
  }
  // Every plain variant on a form with a *_bias entry has its twin; every *_bias entry point is some twin's (the default
  // form and a GPU-shaped one at least), and no other entry writes dbias beside dw.
  expect(twins.length).toBe(plain.filter((v) => LINEAR_WEIGHT_WITH_BIAS_ENTRIES.has(`${v.entry}_bias`)).length);
  expect(new Set(twins.map((v) => v.entry))).toEqual(LINEAR_WEIGHT_WITH_BIAS_ENTRIES);
  expect(LINEAR_WEIGHT_WITH_BIAS_ENTRIES).toEqual(new Set(['linear_backward_weight_bias', 'linear_backward_weight_r4_bias', 'linear_backward_weight_smem_bias', 'linear_backward_weight_smem4_bias']));
  expect([...LINEAR_WEIGHT_WITH_BIAS_ENTRIES].every((e) => e in linearKernels.dispatch)).toBe(true);
  const kernel = (family: typeof linearKernels | typeof batchnormKernels, entry: string) => ({ family, info: { entry } });
  for (const v of variants) expect(linearWritesBias(kernel(linearKernels, v.entry)), v.name).toBe(v.name.endsWith('+bias'));
  expect(linearWritesBias(kernel(linearKernels, 'linear_backward_bias'))).toBe(false);
  expect(linearWritesBias(kernel(batchnormKernels, 'linear_backward_weight_bias'))).toBe(false);
});

// Odd shapes for the fused candidates, besides SHAPES: a batch of 1 with several row blocks, K under every block
// (a single column block), N past the 64-row tiles of the workgroup-memory forms with a ragged last one.
const FUSED_SHAPES = [...SHAPES, { batch: 1, inFeatures: 3, outFeatures: 77 }, { batch: 19, inFeatures: 2, outFeatures: 133 }];
/** Bit for bit: the same terms added in the same order. */
const EXACT = { atol: 0, rtol: 0 };

for (const s of FUSED_SHAPES) {
  const geometry = `batch=${s.batch},in=${s.inFeatures},out=${s.outFeatures}`;
  test(`linear_backward_weight_bias: every +bias candidate writes dw and dbias as the CPU reference, its plain twin (dw) and linear_backward_bias (dbias) do: ${geometry}`, async ({ gpu }) => {
    test.setTimeout(240_000);
    const seed = s.batch * 7907 + s.outFeatures;
    const x = f32(randomArray(s.batch * s.inFeatures, seed, -2, 2));
    const dz = f32(randomArray(s.batch * s.outFeatures, seed + 1));
    const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE.none, slope: 0 };
    const dwRef = linearBackwardWeight(s, dz, x);
    const dbRef = linearBackwardBias(s, dz);
    const separate = await gpu.runKernel({ family: 'linear', entry: 'linear_backward_bias', uniforms, inputs: { dz: [...dz] }, outputs: { dbias: s.outFeatures } });
    expectClose(separate.dbias, dbRef, TOL, `dbias of linear_backward_bias (${geometry})`);
    const plain = linearKernels.tuning!.variants.linear_backward_weight!;
    const fused = fusedVariants();
    for (const v of fused) {
      const twin = plain.find((p) => `${p.name}+bias` === v.name)!;
      const what = `${v.name} (${v.entry}, ${JSON.stringify(v.overrides)}; ${geometry})`;
      // dw and dbias start as NaN (runKernel): a row or block the grid misses fails.
      const got = await gpu.runKernel({
        family: 'linear', entry: v.entry, overrides: v.overrides, uniforms,
        inputs: { dz: [...dz], x: [...x] }, outputs: { dw: dwRef.length, dbias: dbRef.length },
      });
      expectClose(got.dw, dwRef, TOL, `dw of ${what}`);
      expectClose(got.dbias, dbRef, TOL, `dbias of ${what}`);
      const alone = await gpu.runKernel({
        family: 'linear', entry: twin.entry, overrides: twin.overrides, uniforms,
        inputs: { dz: [...dz], x: [...x] }, outputs: { dw: dwRef.length },
      });
      expectClose(got.dw, alone.dw, EXACT, `dw of ${what} against ${twin.name}`);
      expectClose(got.dbias, separate.dbias, EXACT, `dbias of ${what} against linear_backward_bias`);
    }
    expect(fused.length).toBe(8);
  });
}

for (const s of SHAPES) {
  const geometry = `batch=${s.batch},in=${s.inFeatures},out=${s.outFeatures}`;
  test(`linear variants: every candidate of forward, backward_input and backward_weight matches the CPU reference: ${geometry}`, async ({ gpu }) => {
    test.setTimeout(240_000);
    const [act, slope] = ['leakyRelu', 0.2] as const;
    const seed = s.batch * 7919 + s.inFeatures;
    const x = f32(randomArray(s.batch * s.inFeatures, seed, -2, 2));
    const w = f32(randomArray(s.outFeatures * s.inFeatures, seed + 1, -0.5, 0.5));
    const bias = f32(randomArray(s.outFeatures, seed + 2, -0.5, 0.5));
    const dz = f32(randomArray(s.batch * s.outFeatures, seed + 3));
    const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE[act], slope };
    const cases = {
      linear_forward: { inputs: { x: [...x], w: [...w], bias: [...bias] }, out: 'y', expected: linearForward(s, x, w, bias, act, slope) },
      // dz is given directly: the products read dz = dy ⊙ act'(y) (linear.spec.ts checks how it is formed).
      linear_backward_input: { inputs: { dz: [...dz], w: [...w] }, out: 'dx', expected: linearBackwardInput(s, dz, w) },
      linear_backward_weight: { inputs: { dz: [...dz], x: [...x] }, out: 'dw', expected: linearBackwardWeight(s, dz, x) },
    };
    let checked = 0;
    let ran = 0;
    for (const entry of ENTRIES) {
      const c = cases[entry];
      let first: number[] | null = null;
      // Subgroup forms from the family's 'subgroups' source; skipped only where the adapter lacks the feature (forEachVariant checks).
      ran += (
        await forEachVariant(gpu, linearKernels, entry, async (v) => {
          const got = await gpu.runKernel({
            family: 'linear', entry: v.entry, overrides: v.overrides, feature: v.requires, uniforms,
            inputs: c.inputs, outputs: { [c.out]: c.expected.length },
          });
          const what = `${c.out} of ${entry} variant ${v.name} (${v.entry}, ${JSON.stringify(v.overrides)}; ${geometry})`;
          expectClose(got[c.out], c.expected, TOL, what);
          if (first) expectClose(got[c.out], first, LINEAR_REORDERING_VARIANTS.has(v.name) ? REORDERED : SAME, `${what} against the default variant`);
          else first = got[c.out];
          checked++;
        })
      ).length;
    }
    expect(checked).toBe(ran);
    expect(checked).toBeGreaterThanOrEqual(ENTRIES.reduce((n, e) => n + linearKernels.tuning!.variants[e]!.filter((v) => !v.requires).length, 0));
  });
}

// The split-K entry's tree (linear.wgsl: linear_backward_weight_split) takes any number of
// slices, not only the registered variants' powers of two: odd counts leave a middle slice out
// of a round, which a wrong pairing would drop or add twice.
test('linear_backward_weight_split: any number of batch slices (3, 5, 12) matches the CPU reference', async ({ gpu }) => {
  test.setTimeout(120_000);
  const s = { batch: 203, inFeatures: 45, outFeatures: 6 };
  const x = f32(randomArray(s.batch * s.inFeatures, 11, -2, 2));
  const dz = f32(randomArray(s.batch * s.outFeatures, 12));
  const expected = linearBackwardWeight(s, dz, x);
  const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE.none, slope: 0 };
  for (const [slices, blocks] of [[3, 4], [5, 2], [12, 8]]) {
    const overrides = { LINEAR_WG_X: blocks, LINEAR_WG_Y: slices };
    const got = await gpu.runKernel({
      family: 'linear', entry: 'linear_backward_weight_split', overrides, uniforms,
      inputs: { dz: [...dz], x: [...x] }, outputs: { dw: expected.length },
    });
    expectClose(got.dw, expected, TOL, `dw with ${JSON.stringify(overrides)}`);
  }
});

// The workgroup-memory *_bias entries give each invocation up to 4 slab rows to sum (row li + j·I, I invocations):
// the registered shapes use one (I ≥ the tile's 4·LINEAR_WG_Y rows); narrow workgroups use the others.
test('linear_backward_weight_smem_bias, _smem4_bias: any workgroup shape (1 to 4 slab rows per invocation) matches the CPU reference', async ({ gpu }) => {
  test.setTimeout(120_000);
  const s = { batch: 23, inFeatures: 9, outFeatures: 45 };
  const x = f32(randomArray(s.batch * s.inFeatures, 21, -2, 2));
  const dz = f32(randomArray(s.batch * s.outFeatures, 22));
  const dwRef = linearBackwardWeight(s, dz, x);
  const dbRef = linearBackwardBias(s, dz);
  const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE.none, slope: 0 };
  for (const entry of ['linear_backward_weight_smem_bias', 'linear_backward_weight_smem4_bias']) {
    for (const [wgX, wgY] of [[1, 8], [2, 3], [3, 5]]) {
      const overrides = { LINEAR_WG_X: wgX, LINEAR_WG_Y: wgY };
      const got = await gpu.runKernel({
        family: 'linear', entry, overrides, uniforms,
        inputs: { dz: [...dz], x: [...x] }, outputs: { dw: dwRef.length, dbias: dbRef.length },
      });
      expectClose(got.dw, dwRef, TOL, `dw of ${entry} ${JSON.stringify(overrides)}`);
      expectClose(got.dbias, dbRef, TOL, `dbias of ${entry} ${JSON.stringify(overrides)}`);
    }
  }
});
