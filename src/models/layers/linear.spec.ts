// linear.wgsl against its float64 CPU reference, and that reference against
// finite differences. Shapes are not multiples of the 64×64 workgroup tile
// (4×4 invocations × 16×16 outputs each), and batches of 130 and 257 rows
// reach the second and fifth tile of rows. The layer's backward with a
// chosen kernel that writes dw and dbias in one dispatch (the tuner's pick
// among linear_backward_weight_bias's candidates, forced here): the same
// gradients as the separate dispatches, one dispatch fewer per biased layer,
// and a layer without bias untouched.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { f32, randomArray } from '../../../test/support/data.js';
import { ACTIVATIONS_WITH_SLOPE, numericGradient } from '../../../test/support/gradcheck.js';
import {
  linearBackwardBias,
  linearBackwardInput,
  linearBackwardWeight,
  linearForward,
  linearPreactivationGrad,
} from './linear.reference.js';
import { ACTIVATION_CODE } from '../../shaders/constants.js';

const SHAPES = [
  { batch: 37, inFeatures: 53, outFeatures: 19 },
  { batch: 1, inFeatures: 5, outFeatures: 3 },
  { batch: 3, inFeatures: 70, outFeatures: 65 },
  { batch: 130, inFeatures: 21, outFeatures: 67 },
  { batch: 257, inFeatures: 66, outFeatures: 9 },
];
const ACTS = ACTIVATIONS_WITH_SLOPE;
/** The large batches run with two activations only: the tiling, not the epilogue, is what they test. */
const actsFor = (batch: number) => (batch > 64 ? ACTS.filter(([a]) => a === 'none' || a === 'elu') : ACTS);
const TOL = { atol: 1e-5, rtol: 1e-4 };

for (const s of SHAPES) {
  for (const [act, slope] of actsFor(s.batch)) {
    const geometry = `batch=${s.batch},in=${s.inFeatures},out=${s.outFeatures},act=${act}`;
    test(`linear forward and backward match the CPU reference: ${geometry}`, async ({ gpu }) => {
      const seed = s.batch * 1000 + s.inFeatures + ACTIVATION_CODE[act];
      const x = f32(randomArray(s.batch * s.inFeatures, seed, -2, 2));
      const w = f32(randomArray(s.outFeatures * s.inFeatures, seed + 1, -0.5, 0.5));
      const bias = f32(randomArray(s.outFeatures, seed + 2, -0.5, 0.5));
      const dy = f32(randomArray(s.batch * s.outFeatures, seed + 3));
      const uniforms = { batch: s.batch, in_features: s.inFeatures, out_features: s.outFeatures, act: ACTIVATION_CODE[act], slope };

      const yRef = linearForward(s, x, w, bias, act, slope);
      const fwd = await gpu.runKernel({
        family: 'linear', entry: 'linear_forward', uniforms,
        inputs: { x: [...x], w: [...w], bias: [...bias] }, outputs: { y: yRef.length },
      });
      expectClose(fwd.y, yRef, TOL, `y (${geometry})`);

      // The backward products read dz = dy ⊙ act'(y), formed from the GPU's own y
      // (on the GPU by activation_backward_inplace: test/activation.spec.ts).
      const ySaved = f32(fwd.y);
      const dz = linearPreactivationGrad(ySaved, dy, act, slope);
      const common = { dz: Array.from(dz, Math.fround) };
      const dx = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_input', uniforms,
        inputs: { ...common, w: [...w] }, outputs: { dx: s.batch * s.inFeatures },
      });
      expectClose(dx.dx, linearBackwardInput(s, dz, w), TOL, `dx (${geometry})`);
      const dw = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_weight', uniforms,
        inputs: { ...common, x: [...x] }, outputs: { dw: s.outFeatures * s.inFeatures },
      });
      expectClose(dw.dw, linearBackwardWeight(s, dz, x), TOL, `dw (${geometry})`);
      const db = await gpu.runKernel({
        family: 'linear', entry: 'linear_backward_bias', uniforms,
        inputs: common, outputs: { dbias: s.outFeatures },
      });
      expectClose(db.dbias, linearBackwardBias(s, dz), TOL, `dbias (${geometry})`);
    });
  }
}

test('linear CPU reference backward matches finite differences: batch=3,in=4,out=5,act=each', () => {
  const s = { batch: 3, inFeatures: 4, outFeatures: 5 };
  for (const [act, slope] of ACTS) {
    const x = Float64Array.from(randomArray(12, 11));
    const w = Float64Array.from(randomArray(20, 12));
    const b = Float64Array.from(randomArray(5, 13));
    const dy = Float64Array.from(randomArray(15, 14));
    // Scalar L = Σ dy ⊙ y, whose gradients the backward computes.
    const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array) =>
      linearForward(s, xx, ww, bb, act, slope).reduce((acc, v, i) => acc + v * dy[i], 0);
    const dz = linearPreactivationGrad(linearForward(s, x, w, b, act, slope), dy, act, slope);
    const analytic = { x: linearBackwardInput(s, dz, w), w: linearBackwardWeight(s, dz, x), b: linearBackwardBias(s, dz) };
    for (const [name, v] of [['x', x], ['w', w], ['b', b]] as const) {
      const args = (arr: Float64Array) => (name === 'x' ? [arr, w, b] : name === 'w' ? [x, arr, b] : [x, w, arr]) as [Float64Array, Float64Array, Float64Array];
      const numeric = numericGradient((arr) => loss(...args(arr)), v);
      expectClose(analytic[name], numeric, { atol: 1e-6, rtol: 1e-5 }, `d${name} (act=${act})`);
    }
  }
  expect(ACTS.length).toBe(6);
});

test('linear layer backward: a chosen +bias kernel gives the separate dispatches\' dw, dbias and dx to the bit, in one dispatch fewer per biased layer; a layer without bias is untouched', async ({ gpu }) => {
  test.setTimeout(240_000);
  const B = 13;
  const x = randomArray(B * 7, 31, -2, 2);
  const dy = randomArray(B * 3, 32);
  const result = await gpu.page.evaluate(async ({ B, x, dy }) => {
    const { lib, advanced, ctx } = window.harness;
    const { device } = ctx;
    const { linearKernels } = advanced.kernels;
    // A biased linear with a fused activation, one without bias, a biased one last.
    const net = new lib.Sequential('n', [lib.Linear(7, 19), lib.ELU(0.7), lib.Linear(19, 5, { bias: false }), lib.Linear(5, 3)]);
    const params = net.initialParameters(5);
    // The variant linear_backward_weight_bias gets (null: its first, today's pair), the others their first; what is asked is logged.
    let forced: string | null = null;
    const asked: string[] = [];
    const chooser = {
      choose: async (_r: unknown, family: typeof linearKernels, entry: string) => {
        asked.push(entry);
        const variants = family.tuning!.variants[entry]!;
        const v = entry === 'linear_backward_weight_bias' && forced ? variants.find((c) => c.name === forced) : variants[0];
        if (!v) throw new Error(`no variant ${forced}`);
        return v;
      },
      openSession: () => () => {},
    };
    const registry = new advanced.KernelRegistry(device, chooser as unknown as ConstructorParameters<typeof advanced.KernelRegistry>[1]);
    const tensors = net.stages.flatMap((st) => st.params.map((t) => ({ name: t.name, offset: t.offset, size: t.size })));
    const run = async (variant: string | null) => {
      forced = variant;
      asked.length = 0;
      const g = new advanced.NetGpu(device, net, B, params);
      // Gradients start as NaN: what the backward does not write shows.
      device.queue.writeBuffer(g.grads, 0, new Float32Array(net.parameterCount).fill(NaN));
      const input = advanced.createStorageBuffer(device, 'in', B * 7, Float32Array.from(x));
      const output = advanced.createStorageBuffer(device, 'out', B * 3);
      const dOutput = advanced.createStorageBuffer(device, 'dout', B * 3, Float32Array.from(dy));
      const dInput = advanced.createStorageBuffer(device, 'din', B * 7);
      const seq = new advanced.SequenceBuilder(device, 'fused-bias');
      await g.encodeForward(seq, registry, B, input, output);
      await g.encodeBackward(seq, registry, B, { input, output, dOutput, dInput }, true);
      const recorded = seq.build();
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      recorded.encode(pass);
      pass.end();
      device.queue.submit([encoder.finish()]);
      const grads = await advanced.readFloats(device, g.grads, net.parameterCount);
      const dx = Array.from(await advanced.readFloats(device, dInput, B * 7));
      const out = {
        grads: Object.fromEntries(tensors.map((t) => [t.name, Array.from(grads.subarray(t.offset, t.offset + t.size))])),
        dx,
        labels: recorded.dispatches.map((d) => d.label.replace('fused-bias/', '')),
        asked: [...asked],
      };
      recorded.destroy();
      g.destroy();
      for (const b of [input, output, dOutput, dInput]) b.destroy();
      return out;
    };
    const twins = linearKernels.tuning!.variants.linear_backward_weight_bias!.filter((v) => v.name.endsWith('+bias')).map((v) => v.name);
    const separate = await run(null);
    const fused: Record<string, Awaited<ReturnType<typeof run>>> = {};
    for (const name of twins) fused[name] = await run(name);
    return { separate, fused, tensors: tensors.map((t) => t.name) };
  }, { B, x, dy });

  const { separate, fused } = result;
  expect(result.tensors).toEqual(['0.weight', '0.bias', '2.weight', '3.weight', '3.bias']);
  // Every gradient written and finite on the separate path (they started as NaN).
  for (const [name, v] of Object.entries(separate.grads)) expect(v.every(Number.isFinite), name).toBe(true);
  expect(separate.dx.every(Number.isFinite)).toBe(true);
  const backward = (labels: string[]) => labels.filter((l) => /backward/.test(l));
  expect(backward(separate.labels)).toEqual([
    'n.3.backward_weight', 'n.3.backward_bias', 'n.3.backward_input',
    'n.2.backward_weight', 'n.2.backward_input',
    'n.0.backward_weight', 'n.0.backward_bias', 'n.0.backward_input',
  ]);
  expect(separate.asked.filter((e) => e === 'linear_backward_bias')).toHaveLength(2);
  expect(Object.keys(fused)).toHaveLength(8);
  for (const [name, f] of Object.entries(fused)) {
    // The same numbers to the bit: the twins add the same terms in the same order (linear.wgsl).
    expect(f.grads, name).toEqual(separate.grads);
    expect(f.dx, name).toEqual(separate.dx);
    // One dispatch fewer per biased layer (2 here); the layer without bias records its product as before.
    expect(f.labels.length, name).toBe(separate.labels.length - 2);
    expect(backward(f.labels), name).toEqual([
      'n.3.backward_weight_bias', 'n.3.backward_input',
      'n.2.backward_weight', 'n.2.backward_input',
      'n.0.backward_weight_bias', 'n.0.backward_input',
    ]);
    // Biased layers ask for dw and dbias together and never for the bias reduction; the one without bias asks for its product.
    expect(f.asked.filter((e) => e.startsWith('linear_backward_weight')), name).toEqual(['linear_backward_weight_bias', 'linear_backward_weight', 'linear_backward_weight_bias']);
    expect(f.asked, name).not.toContain('linear_backward_bias');
  }
});
