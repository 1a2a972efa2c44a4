// One line saying what the trainer was built with (read back from its resolved config).
import type { GanTrainer, Sequential } from '../../src/index.js';

function describeNet(tag: string, net: Sequential): string {
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
  return `${tag} ${sizes.join('→')}${acts.size ? ` (${[...acts].join(', ')})` : ''}`;
}

export function describeConfig(c: GanTrainer['config']): string {
  const n = c.noise;
  const noise = n.distribution === 'uniform' ? `z ~ U[${n.low}, ${n.high})` : `z ~ N(${n.mean}, ${n.std})`;
  const nz = c.generator.inputSize;
  return [
    describeNet('G', c.generator),
    describeNet('D', c.discriminator),
    `${noise}${nz > 1 ? `^${nz}` : ''}`,
    `batch ${c.batchSize}`,
    `${c.dSteps} D step${c.dSteps === 1 ? '' : 's'} per G step`,
    'BCE with logits',
    `Adam lr D ${c.adamD.lr}, lr G ${c.adamG.lr}, β (${c.adamD.beta1}, ${c.adamD.beta2})`,
    `seed ${c.seed}`,
  ].join(' · ');
}
