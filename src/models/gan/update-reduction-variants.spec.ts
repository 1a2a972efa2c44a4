// Whole training steps on every candidate of the loss kernel and of the close of
// an update (shaders/index.ts: lossVariants, and grad_sq_close: the gradient norm's
// partial sums, then the close), forced by a chooser on a second context of the page's
// device, against today's kernels (every entry's first variant): the layered plan
// of gaussian1d, with BCE (bce_with_logits.wgsl) and with the hinge loss
// (gan_loss.wgsl). The candidates differ only in how they add up sums that are
// reported (loss_out, the gradient norm), never in what trains, so the weights
// and gradients after 3 steps must be the same bits, and the reported losses,
// D's means and gradient norms the same up to float rounding; the close of each
// update sums as many partials as the forced variant wrote (a wrong count would
// read stale or missing partials and change the norm). The subgroup forms run
// wherever the adapter offers 'subgroups' (SwiftShader does). The one-dispatch
// closes (grad_sq_close's close.* forms: the norm and the close of the update in
// one workgroup) must give the same bits too, in one dispatch fewer per update.
import { test, expect } from '../../../test/support/fixtures.js';
import { expectClose } from '../../../test/support/compare.js';
import { subgroupSupport, expectSubgroupsWhereOffered } from '../../../test/support/variants.js';

const FORCED_ENTRIES = ['bce_with_logits_forward_backward', 'gan_loss_forward_backward', 'grad_sq_close'];
// Names the loss and gradient-norm candidates share (tree.wg256 is today's loss kernel, not today's norm).
const TREES = ['tree.wg64', 'tree.wg128', 'tree.wg256'];
const SUBGROUPS = ['subgroup.wg64', 'subgroup.wg128', 'subgroup.wg256'];
// The closes of grad_sq_close that do the norm and the close in one dispatch (the loss keeps today's kernel).
const CLOSES = ['close.tree.wg64', 'close.tree.wg256'];
const SUBGROUP_CLOSES = ['close.subgroup.wg64', 'close.subgroup.wg256'];

interface Run {
  g: number[];
  d: number[];
  dg: number[];
  dd: number[];
  stats: Record<string, number> | null;
  /** `entry:variant` of every forced entry's lookup while the plan recorded. */
  chosen: string[];
  dispatches: number;
}

for (const loss of ['bce', 'hinge'] as const) {
  test(`plan=layered, loss=${loss}: every loss and gradient-norm candidate trains gaussian1d to today's weights and gradients to the bit, and reports the same losses and norms`, async ({ gpu }) => {
    test.setTimeout(300_000);
    const support = await subgroupSupport(gpu);
    expectSubgroupsWhereOffered(support);
    const names = [...TREES, ...CLOSES, ...(support.device ? [...SUBGROUPS, ...SUBGROUP_CLOSES] : [])];
    const runs = await gpu.page.evaluate(
      async ({ loss, names, forced }) => {
        const { lib, ctx } = window.harness;
        type Chooser = ConstructorParameters<typeof lib.GpuContext>[5];
        type Variants = { tuning?: { variants: Record<string, { name: string }[] | undefined> } };
        const out: Record<string, Run> = {};
        for (const name of [null, ...names]) {
          const chosen: string[] = [];
          const chooser = {
            choose: async (_r: unknown, family: Variants, entry: string) => {
              const variants = family.tuning!.variants[entry]!;
              if (!forced.includes(entry)) return variants[0];
              // A close.* name is grad_sq_close's alone: the loss then runs today's kernel.
              const v = name ? (variants.find((c) => c.name === name) ?? (name.startsWith('close.') ? variants[0] : undefined)) : variants[0];
              if (!v) throw new Error(`no variant ${name} of ${entry}`);
              chosen.push(`${entry}:${v.name}`);
              return v;
            },
            openSession: () => () => {},
          } as unknown as Chooser;
          const c = new lib.GpuContext(ctx.device, `forced ${name}`, false, ctx.softwareAdapter, null, chooser);
          // The preset's BCE realLabel is no option of the hinge loss.
          const { realLabel: _, ...preset } = lib.presets.gaussian1d({ batchSize: 7, seed: 3 });
          const trainer = await lib.GanTrainer.create(c, { ...preset, plan: 'layered', loss, statsEvery: 1 });
          const stats = await trainer.train(3, { stepsPerSubmit: 2 });
          out[name ?? 'today'] = {
            g: Array.from(await trainer.readParameters('generator')),
            d: Array.from(await trainer.readParameters('discriminator')),
            dg: Array.from(await trainer.readGradients('generator')),
            dd: Array.from(await trainer.readGradients('discriminator')),
            stats: stats as unknown as Record<string, number> | null,
            chosen,
            dispatches: trainer.dispatchesPerStep,
          };
          trainer.dispose();
        }
        return out;
      },
      { loss, names, forced: FORCED_ENTRIES },
    );
    const today = runs.today;
    const lossEntry = loss === 'bce' ? 'bce_with_logits_forward_backward' : 'gan_loss_forward_backward';
    // Today's: the first variants (gaussian1d's G and D have the same parameter count: one norm shape).
    expect(new Set(today.chosen)).toEqual(new Set([`${lossEntry}:tree.wg256`, 'grad_sq_close:thread.wg64']));
    for (const k of ['g', 'd', 'dg', 'dd'] as const) {
      expect(today[k].every(Number.isFinite), k).toBe(true);
      expect(today[k].some((v) => v !== 0), k).toBe(true);
    }
    const s0 = today.stats!;
    expect(s0, 'stats after 3 steps').not.toBeNull();
    expect(s0.updatesD).toBeGreaterThan(0);
    expect(s0.updatesG).toBeGreaterThan(0);
    const REPORTED = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'];
    expect(REPORTED.every((f) => Number.isFinite(s0[f])), JSON.stringify(s0)).toBe(true);
    expect(s0.gradNormD).toBeGreaterThan(0);
    for (const name of names) {
      const r = runs[name];
      // Both entries really ran this candidate: the loss kernel (D and G parts) and the norm; a
      // one-dispatch close replaces the close of each update (one D and one G update a step).
      const fused = name.startsWith('close.');
      expect(new Set(r.chosen), name).toEqual(new Set([`${lossEntry}:${fused ? 'tree.wg256' : name}`, `grad_sq_close:${name}`]));
      expect(r.dispatches, `dispatches per step, forced ${name}`).toBe(today.dispatches - (fused ? 2 : 0));
      for (const k of ['g', 'd', 'dg', 'dd'] as const) expect(r[k], `${k}, forced ${name}`).toEqual(today[k]);
      const s = r.stats!;
      expect([s.step, s.updatesD, s.updatesG], name).toEqual([s0.step, s0.updatesD, s0.updatesG]);
      expectClose(REPORTED.map((f) => s[f]), REPORTED.map((f) => s0[f]), { atol: 1e-6, rtol: 1e-5 }, `${REPORTED.join(', ')}, forced ${name}`);
    }
  });
}
