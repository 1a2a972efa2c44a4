// One line saying what the trainer was built with (read back from its resolved config).
import { optimizerInfo, type GanTrainer, type Sequential } from '../../src/index.js';

/** MLPs as their widths ("1→50→50→1 (elu)"); other nets as PyTorch would print them. */
function describeNet(tag: string, net: Sequential): string {
  if (net.layers.some((l) => l.type !== 'linear' && l.type !== 'activation')) return `${tag} ${net.describe()}`;
  const sizes: number[] = [];
  const acts = new Set<string>();
  for (const l of net.layers) {
    if (l.type === 'linear') {
      if (sizes.length === 0) sizes.push(l.inFeatures);
      sizes.push(l.outFeatures);
    } else if (l.type === 'activation') {
      acts.add(l.activation);
    }
  }
  const normalized = net.stages.some((s) => s.spectralNorm) ? ', spectral norm' : '';
  return `${tag} ${sizes.join('→')}${acts.size || normalized ? ` (${[...acts].join(', ')}${normalized})` : ''}`;
}

/** One line on the trainer: nets, noise, batch, optimizers, and how its steps are recorded. */
export function describeConfig(trainer: GanTrainer): string {
  const c = trainer.config;
  const n = c.noise;
  const noise =
    n.distribution === 'uniform' ? `z ~ U[${n.low}, ${n.high})` : n.distribution === 'normal' ? `z ~ N(${n.mean}, ${n.std})` : `z from the ${n.distribution}`;
  const nz = c.shapes.noise;
  const K = c.shapes.classes;
  return [
    describeNet('G', c.generator),
    describeNet('D', c.discriminator),
    `${noise}${nz > 1 ? `^${nz}` : ''}${K > 0 ? ` + one-hot class (${K})` : ''}`,
    `batch ${c.batchSize}`,
    `${c.dSteps} D step${c.dSteps === 1 ? '' : 's'} per G step`,
    `loss: ${c.loss.module.title} (D outputs ${trainer.discriminatorOutput === 'logit' ? 'a logit' : 'a score'})`,
    `${optimizerText(c.optimizerD)} for D, ${optimizerText(c.optimizerG)} for G`,
    ...(c.ema ? [`EMA of G, decay ${c.ema.decay}`] : []),
    ...(c.penalty ? [`${c.penalty.name} penalty, weight ${c.penalty.weight}`] : []),
    `seed ${c.seed}`,
    `${trainer.plan} plan, ${trainer.dispatchesPerStep} dispatches per step`,
  ].join(' · ');
}

/** "Adam lr 2e-4, β (0.5, 0.999)" from the options the config was given (other optimizers: their other options as given). */
function optimizerText(o: GanTrainer['config']['optimizerD']): string {
  const { name = 'adam', lr, beta1, beta2, ...rest } = o as { name?: string; lr: number; beta1?: number; beta2?: number } & Record<string, unknown>;
  const parts = [`${optimizerInfo().find((i) => i.name === name)?.title ?? name} lr ${lr}`];
  if (beta1 !== undefined) parts.push(`β (${beta1}, ${beta2 ?? 0.999})`);
  else if (beta2 !== undefined) parts.push(`beta2 ${beta2}`);
  for (const [k, v] of Object.entries(rest)) if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${k} ${v}`);
  return parts.join(', ');
}
