// One line saying what the trainer was built with (read back from its resolved config).
import type { GanTrainer, Sequential } from '../../src/index.js';

/** Conv nets: their layers in order, activations named once at the end. */
function describeLayers(tag: string, net: Sequential): string {
  const acts = new Set<string>();
  const parts: string[] = [];
  for (const l of net.layers) {
    switch (l.type) {
      case 'linear': parts.push(`Linear ${l.inFeatures}→${l.outFeatures}`); break;
      case 'conv2d': parts.push(`Conv ${l.inChannels}→${l.outChannels} k${l.kernel} s${l.stride}`); break;
      case 'convTranspose2d': parts.push(`ConvT ${l.inChannels}→${l.outChannels} k${l.kernel} s${l.stride}`); break;
      case 'batchnorm': parts.push('BN'); break;
      case 'unflatten': parts.push(`(${l.channels}, ${l.height}, ${l.width})`); break;
      case 'flatten': parts.push('flatten'); break;
      case 'activation': acts.add(l.activation); break;
    }
  }
  return `${tag} ${parts.join(', ')}${acts.size ? ` (${[...acts].join(', ')})` : ''}`;
}

function describeNet(tag: string, net: Sequential): string {
  if (net.layers.some((l) => l.type !== 'linear' && l.type !== 'activation')) return describeLayers(tag, net);
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

/** One line on the trainer: nets, noise, batch, optimizers, and how its steps are recorded. */
export function describeConfig(trainer: GanTrainer): string {
  const c = trainer.config;
  const n = c.noise;
  const noise = n.distribution === 'uniform' ? `z ~ U[${n.low}, ${n.high})` : `z ~ N(${n.mean}, ${n.std})`;
  const nz = c.shapes.noise;
  const K = c.shapes.classes;
  return [
    describeNet('G', c.generator),
    describeNet('D', c.discriminator),
    `${noise}${nz > 1 ? `^${nz}` : ''}${K > 0 ? ` + one-hot class (${K})` : ''}`,
    `batch ${c.batchSize}`,
    `${c.dSteps} D step${c.dSteps === 1 ? '' : 's'} per G step`,
    'BCE with logits',
    `Adam lr D ${c.adamD.lr}, lr G ${c.adamG.lr}, β (${c.adamD.beta1}, ${c.adamD.beta2})`,
    `seed ${c.seed}`,
    `${trainer.plan} plan, ${trainer.dispatchesPerStep} dispatches per step`,
  ].join(' · ');
}
