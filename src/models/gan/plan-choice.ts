// Which plan a trainer records its steps with (plan.ts: PlanKind).
//
// The fused MLP plan runs each optimizer phase as one dispatch of one
// workgroup; it applies to small MLP GANs only (fusedMlpIneligibility). On a
// CPU adapter one workgroup is as much of the device as any dispatch gets, and
// the fused plan was ahead at every width measured; on a GPU it leaves all
// but one compute unit idle, so a layered step of many fuller dispatches may
// win once the nets are wide or the batch large. Which one does is measured,
// under the kernel tuner's rules (runtime/tuner.ts: chooseTimed):
//   'full'   a stored choice, else a few steps of each plan are timed on
//            throwaway trainers of the same config (within the tuning budget)
//            and the faster is kept, stored per adapter and config;
//   'cached' a stored choice, else the fused plan;
//   'off'    the fused plan (the shipped default wherever it applies).
// Only plan 'auto' is chosen so; 'layered' and 'fused-mlp' are taken as asked.
import type { GpuContext } from '../../runtime/device.js';
import { familyHash } from '../../runtime/tuner.js';
import { fusedMlpGanKernels } from '../../shaders/index.js';
import { GanConfigError } from './config.js';
import type { ResolvedGanConfig } from './config.js';
import { fusedMlpIneligibility } from './fused-mlp-eligibility.js';
import type { PlanKind } from './plan.js';

/** What 'auto' trains with wherever the fused plan applies and nothing was measured. */
export const DEFAULT_AUTO_PLAN: PlanKind = 'fused-mlp';
const PLANS: readonly PlanKind[] = ['fused-mlp', 'layered'];

/**
 * The tuning cache's key of a config's plan choice: everything the two plans' speeds depend on
 * (the nets, batch, updates per step, loss, optimizers, EMA, where data and noise come from) and
 * the fused kernel's source, so that a changed kernel is measured again.
 */
export function planChoiceKey(c: ResolvedGanConfig): string {
  const parts = [
    `G=${c.generator.describe()}`,
    `D=${c.discriminator.describe()}`,
    `B=${c.batchSize}`,
    `dSteps=${c.dSteps}`,
    `loss=${c.loss.module.name}`,
    `opt=${c.optimizers.generator.module.name},${c.optimizers.discriminator.module.name}`,
    `ema=${c.ema ? 1 : 0}`,
    `data=${c.data.kind}`,
    `noise=${c.noise.distribution}`,
  ];
  return `plan@${familyHash(fusedMlpGanKernels)}|${parts.join('|')}`;
}

/**
 * The plan for config `c` on this context. `msPerStep(plan)` times a few steps of `plan` on a
 * throwaway trainer of the same config (null where it cannot train it); it is called only when
 * the fused plan applies, the config asks for 'auto', and the tuner may measure.
 */
export async function choosePlan(ctx: GpuContext, c: ResolvedGanConfig, msPerStep: (plan: PlanKind) => Promise<number | null>): Promise<PlanKind> {
  if (c.plan === 'layered') return 'layered';
  const why = fusedMlpIneligibility(c, ctx.device.limits);
  if (why !== null) {
    if (c.plan === 'fused-mlp') throw new GanConfigError(`plan 'fused-mlp' cannot train this GAN: ${why}`);
    return 'layered';
  }
  if (c.plan === 'fused-mlp' || !ctx.tuner) return 'fused-mlp';
  const endSession = ctx.kernels.beginTuning();
  try {
    return (await ctx.tuner.chooseTimed(planChoiceKey(c), PLANS, DEFAULT_AUTO_PLAN, (p) => msPerStep(p as PlanKind))) as PlanKind;
  } finally {
    endSession();
  }
}
