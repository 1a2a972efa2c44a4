// GAN objectives a preset can train with (preset(name, { objective })): the loss,
// D's stabiliser and the optimizer settings of the paper that introduced each,
// applied over a preset's nets, data and learning rates.
//
//   'bce'       the preset as it is: BCE with logits, non-saturating G loss (Goodfellow et al. 2014)
//   'hinge-sn'  hinge loss, spectral norm on every D layer, D without batch statistics (Miyato et al. 2018);
//               the preset's Adam and n_critic
//   'wgan-gp'   Wasserstein critic loss with λ = 10 gradient penalty at interpolates, D without batch
//               statistics, 5 critic updates per G update, Adam betas (0, 0.9) (Gulrajani et al. 2017);
//               the preset's learning rates
//
// A critic for a penalty or for spectral norm goes without BatchNorm (the
// WGAN-GP paper's critic has no normalisation; SN-GAN's has none besides SN):
// its layers with batch statistics are removed, and the layer before each gets
// back the bias the normalisation made redundant.
import { GanConfigError, type GanConfig } from '../models/gan/config.js';
import { isView, layerKind, type Layer } from '../models/layers/layer.js';
import { Sequential } from '../models/layers/sequential.js';

/** n_critic of the WGAN-GP paper. */
const WGAN_GP_CRITIC_UPDATES = 5;

/** Each objective as a rewrite of a preset's config (`notBce`: the config without BCE's label smoothing). */
const OBJECTIVES = {
  bce: (config: GanConfig): GanConfig => config,
  'hinge-sn': (config: GanConfig, notBce: GanConfig): GanConfig => ({
    ...notBce,
    discriminator: withoutBatchStatistics(config.discriminator),
    loss: 'hinge',
    spectralNorm: 'discriminator',
  }),
  'wgan-gp': (config: GanConfig, notBce: GanConfig): GanConfig => ({
    ...notBce,
    discriminator: withoutBatchStatistics(config.discriminator),
    loss: 'wasserstein',
    penalty: 'wgan-gp',
    dSteps: WGAN_GP_CRITIC_UPDATES,
    optimizerD: { name: 'adam', lr: config.optimizerD.lr, beta1: 0, beta2: 0.9 },
    optimizerG: { name: 'adam', lr: config.optimizerG.lr, beta1: 0, beta2: 0.9 },
  }),
} as const;

export type PresetObjective = keyof typeof OBJECTIVES;
export const PRESET_OBJECTIVES = Object.keys(OBJECTIVES) as PresetObjective[];

/** `config` trained with `objective` instead of its own loss (a new config; `config` is not changed). */
export function withObjective(config: GanConfig, objective: PresetObjective): GanConfig {
  if (!Object.hasOwn(OBJECTIVES, objective)) {
    throw new GanConfigError(`objective must be one of ${PRESET_OBJECTIVES.join(', ')}, got ${JSON.stringify(objective)}`);
  }
  // BCE's label smoothing means nothing to the other losses.
  const { realLabel: _, ...notBce } = config;
  return OBJECTIVES[objective](config, notBce);
}

/** `net` with its batch-coupled layers (BatchNorm) removed; a bias-free layer before one gets its bias back. */
export function withoutBatchStatistics(net: Sequential): Sequential {
  const coupled = (l: Layer) => {
    const kind = layerKind(l, net.name);
    return !isView(kind) && kind.batchCoupled === true;
  };
  if (!net.layers.some(coupled)) return net;
  const layers: Layer[] = [];
  net.layers.forEach((l, i) => {
    if (coupled(l)) return;
    const next = net.layers[i + 1];
    const hadBias = 'bias' in l && l.bias === false && next !== undefined && coupled(next);
    layers.push(hadBias ? { ...l, bias: true } : l);
  });
  return new Sequential(net.name, layers, net.inputShape ? { inputShape: net.inputShape } : {});
}
