// Running every tuning variant of a kernel entry on the test page's device
// (specs of the reduction candidates: the GAN losses, the gradient norm).
// A variant that requires 'subgroups' runs from the family's 'subgroups'
// source; it is skipped only where the page's adapter lacks the feature, and
// then forEachVariant still checks that every variant needing nothing ran.
// Where the adapter offers it (SwiftShader does, with 4-wide subgroups) the
// page's device must have it and every variant must run, so a subgroup
// variant is never silently left untested.
import { expect } from '@playwright/test';
import type { GpuPage } from './fixtures.js';
import type { KernelFamily, KernelVariant } from '../../src/runtime/kernel.js';

export interface SubgroupSupport {
  /** The page's adapter offers 'subgroups'. */
  adapter: boolean;
  /** The page's device was created with it. */
  device: boolean;
  name: string;
}

/** Whether the page's adapter offers 'subgroups', whether its device has it, and the adapter's name. */
export async function subgroupSupport(gpu: GpuPage): Promise<SubgroupSupport> {
  return gpu.page.evaluate(async () => {
    // The harness's context asks for a high-performance adapter too (createGpuContext's default).
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    return { adapter: !!adapter?.features.has('subgroups'), device: window.harness.ctx.features.has('subgroups'), name: window.harness.adapterName };
  });
}

/** The device has 'subgroups' wherever the adapter offers it, and SwiftShader (CI's adapter) offers it. */
export function expectSubgroupsWhereOffered(s: SubgroupSupport): void {
  expect(s.device, `adapter ${s.name} offers subgroups: ${s.adapter}`).toBe(s.adapter);
  // If a Chromium update stopped offering subgroups on SwiftShader, the subgroup variants would go
  // untested here; that should be a decision, not a silent change.
  if (/swiftshader/i.test(s.name)) expect(s.adapter, 'SwiftShader offers subgroups').toBe(true);
}

/** The tuning candidates of family.entry. */
export const variantsOf = (family: KernelFamily, entry: string): KernelVariant[] => {
  const variants = family.tuning?.variants[entry];
  if (!variants?.length) throw new Error(`${family.name}.${entry} has no tuning variants`);
  return variants;
};

/**
 * Runs `run` for every variant of family.entry this device can run, in order, and returns the names
 * of those that ran: every one needing no feature always, and every one where the adapter offers
 * subgroups (expectSubgroupsWhereOffered makes the device have them there).
 */
export async function forEachVariant(gpu: GpuPage, family: KernelFamily, entry: string, run: (v: KernelVariant) => Promise<void>): Promise<string[]> {
  const support = await subgroupSupport(gpu);
  expectSubgroupsWhereOffered(support);
  const variants = variantsOf(family, entry);
  const ran: string[] = [];
  for (const v of variants) {
    if (v.requires === 'subgroups' && !support.device) continue; // the adapter lacks it (checked above)
    if (v.requires !== undefined && v.requires !== 'subgroups') throw new Error(`${entry} variant ${v.name} requires '${v.requires}', which this helper does not know`);
    await run(v);
    ran.push(v.name);
  }
  expect(ran, `${entry}: every variant needing no feature`).toEqual(expect.arrayContaining(variants.filter((v) => !v.requires).map((v) => v.name)));
  if (support.adapter) expect(ran, `${entry}: every variant, subgroup ones included`).toEqual(variants.map((v) => v.name));
  return ran;
}

/**
 * The f32 sum of `values` (already f32) as a workgroup tree adds them: the upper half of the live range
 * onto the lower half each round (prelude/reduce.wgsl, prelude/loss_sum.wgsl; at a power of two the
 * halving tree, stride n/2, n/4, …, 1). `values` has one entry per invocation.
 */
export function treeSumF32(values: ArrayLike<number>): number {
  const p = Float32Array.from(values as ArrayLike<number>);
  let live = p.length;
  while (live > 1) {
    const upper = Math.ceil(live / 2);
    for (let t = 0; t + upper < live; t++) p[t] = p[t] + p[t + upper]; // a Float32Array store rounds to f32
    live = upper;
  }
  return p[0];
}
