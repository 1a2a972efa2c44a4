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
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { linearBackwardInput, linearBackwardWeight, linearForward } from './linear.reference.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';
import { LINEAR_OVERRIDES, LINEAR_REORDERING_VARIANTS, linearKernels } from '../../shaders/index.js';

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
      const invocations = v.overrides.LINEAR_WG_X * v.overrides.LINEAR_WG_Y;
      expect(invocations, `${entry} ${v.name}`).toBeGreaterThanOrEqual(64);
      expect(invocations, `${entry} ${v.name}`).toBeLessThanOrEqual(256);
      expect(v.entry.startsWith(entry), `${v.name} runs ${v.entry}`).toBe(true);
    }
    // Every entry point of the product (the entry, _r8, _r4, _smem, _smem4, _split) is some variant's, so the tests below run it.
    const entryPoints = Object.keys(linearKernels.dispatch).filter((e) => e.startsWith(entry));
    expect(new Set(variants.map((v) => v.entry)), entry).toEqual(new Set(entryPoints));
    // Only the split-K entry may sum in another order than the default.
    for (const v of variants) expect(LINEAR_REORDERING_VARIANTS.has(v.name), `${entry} ${v.name}`).toBe(v.entry.endsWith('_split'));
  }
  expect([...LINEAR_REORDERING_VARIANTS].every((name) => linearKernels.tuning!.variants.linear_backward_weight!.some((v) => v.name === name))).toBe(true);
});

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
    for (const entry of ENTRIES) {
      const c = cases[entry];
      let first: number[] | null = null;
      for (const v of linearKernels.tuning!.variants[entry]!) {
        const got = await gpu.runKernel({
          family: 'linear', entry: v.entry, overrides: v.overrides, uniforms,
          inputs: c.inputs, outputs: { [c.out]: c.expected.length },
        });
        const what = `${c.out} of ${entry} variant ${v.name} (${v.entry}, ${JSON.stringify(v.overrides)}; ${geometry})`;
        expectClose(got[c.out], c.expected, TOL, what);
        if (first) expectClose(got[c.out], first, LINEAR_REORDERING_VARIANTS.has(v.name) ? REORDERED : SAME, `${what} against the default variant`);
        else first = got[c.out];
        checked++;
      }
    }
    expect(checked).toBe(ENTRIES.reduce((n, e) => n + linearKernels.tuning!.variants[e]!.length, 0));
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
