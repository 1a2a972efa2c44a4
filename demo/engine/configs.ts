// RunSettings (the page's form) → GanConfig, from the library's presets.
// Also the defaults the form starts from for each preset.
import { GanConfigError, lossInfo, optimizerInfo, penaltyInfo, presets, Sequential, toy2d, type DigitData, type GanConfig, type Layer, type LossInfo, type NoiseSpec, type Toy2dSet } from '../../src/index.js';
import { CONV_PRESET_KEYS, DIGIT_PRESET_KEYS, type NoiseKind, type PresetKey, type RunSettings } from '../protocol.js';

const TOY2D: Record<string, Toy2dSet | undefined> = { ring8: 'ring8', grid25: 'grid25', twoMoons: 'twoMoons', drawn: 'drawn' };

/** The digits, fetched once (npm run build writes them under dist/data/). */
let digits: Promise<DigitData> | null = null;
function loadDigits(): Promise<DigitData> {
  digits ??= fetch(new URL('/dist/data/mnist-digits.bin', self.location.href)).then(async (r) => {
    if (!r.ok) throw new Error(`could not fetch the MNIST digits (${r.status}); run npm run build`);
    return presets.decodeDigits(new Uint8Array(await r.arrayBuffer()));
  });
  return digits;
}

/** The 8,000 training digits of presets.splitDigits, for the conv presets. */
let trainDigits: Promise<DigitData> | null = null;
function loadTrainDigits(): Promise<DigitData> {
  trainDigits ??= loadDigits().then((d) => presets.splitDigits(d).train);
  return trainDigits;
}

/** What a preset trains on: mnistMlp on all the digits (as it always has), the conv presets on the training split. */
function digitsFor(preset: PresetKey): Promise<DigitData> | undefined {
  if (!DIGIT_PRESET_KEYS.includes(preset)) return undefined;
  return preset === 'mnistMlp' ? loadDigits() : loadTrainDigits();
}

/** The preset's own config (before the form's overrides). Digits are only needed for the digit presets. */
export function presetConfig(preset: PresetKey, seed: number, d?: DigitData, strokes?: RunSettings['strokes']): GanConfig {
  const set = TOY2D[preset];
  if (set) return toy2d.toy2d(set, { seed, strokes });
  const need = (): DigitData => {
    if (!d) throw new GanConfigError(`${preset} needs the digits`);
    return d;
  };
  switch (preset) {
    case 'gaussian1d': return presets.gaussian1d({ seed });
    case 'sine': return presets.sine({ seed });
    case 'mnistMlp': return presets.mnistMlp(need(), { seed });
    case 'dcgan28': return presets.dcgan28(need(), { seed });
    case 'cdcganSmall': return presets.cdcganSmall(need(), { seed });
    case 'cdcgan': return presets.cdcgan(need(), { seed });
    default: throw new GanConfigError(`unknown preset '${preset as string}'`);
  }
}

/** An MLP: only Linear and activation layers (the nets whose widths the form can change). */
export const isMlp = (net: Sequential): boolean => net.layers.every((l) => l.type === 'linear' || l.type === 'activation');

/** Hidden widths: the output widths of every Linear but the last. */
export function hiddenWidths(net: Sequential): number[] {
  const widths = net.layers.flatMap((l) => (l.type === 'linear' ? [l.outFeatures] : []));
  return widths.slice(0, -1);
}

/**
 * The same kind of MLP with other hidden widths: the layers after the first
 * Linear up to the next Linear are repeated after each hidden Linear, the
 * layers after the last Linear stay.
 */
export function withHiddenWidths(net: Sequential, hidden: readonly number[]): Sequential {
  const linears = net.layers.flatMap((l, i) => (l.type === 'linear' ? [i] : []));
  if (linears.length < 1 || !isMlp(net)) {
    throw new GanConfigError(`${net.name}: layer widths can only be changed on an MLP`);
  }
  const first = linears[0];
  const last = linears[linears.length - 1];
  const hiddenActs = net.layers.slice(first + 1, linears.length > 1 ? linears[1] : first + 1);
  const tail = net.layers.slice(last + 1);
  const lastLinear = net.layers[last];
  if (lastLinear.type !== 'linear' || net.layers[first].type !== 'linear') throw new GanConfigError('unreachable');
  const layers: Layer[] = [];
  let width = net.inputSize;
  for (const h of hidden) {
    layers.push({ type: 'linear', inFeatures: width, outFeatures: h, bias: true }, ...hiddenActs);
    width = h;
  }
  layers.push({ type: 'linear', inFeatures: width, outFeatures: lastLinear.outFeatures, bias: lastLinear.bias }, ...tail);
  return new Sequential(net.name, layers);
}

function noiseSpec(kind: NoiseKind, own: NoiseSpec): NoiseSpec {
  if (own.distribution === kind) return own;
  return kind === 'uniform' ? { distribution: 'uniform', low: -1, high: 1 } : { distribution: 'normal', mean: 0, std: 1 };
}

/** A choice for a menu: the registry's name and its human title. */
export interface Choice {
  name: string;
  title: string;
}

/** Every registered loss, with its title, what D outputs under it, its option defaults and whether the fused plan runs it. */
export const lossChoices = (): LossInfo[] => lossInfo();
export const penaltyChoices = (): Choice[] => penaltyInfo();

/** Every registered optimizer, with its title and whether the fused plan runs it. */
export const optimizerChoices = (): (Choice & { fused: boolean })[] => optimizerInfo();

/** A loss spec's name ('bce' when absent). */
const lossName = (spec: GanConfig['loss']): string => (spec === undefined ? 'bce' : typeof spec === 'string' ? spec : spec.name);
/** Whether a loss takes BCE's realLabel (a preset's top-level realLabel is dropped for the others). */
const takesRealLabel = (name: string): boolean => lossInfo().some((l) => l.name === name && 'realLabel' in l.defaults);

export interface FormDefaults {
  lrD: number;
  lrG: number;
  batchSize: number;
  dSteps: number;
  loss: string;
  optimizerD: string;
  optimizerG: string;
  emaDecay: number | null;
  spectralNormD: boolean;
  penalty: string;
  noise: NoiseKind;
  hiddenG: number[];
  hiddenD: number[];
}

/** The EMA decay the form offers when a preset has none. */
export const DEFAULT_EMA_DECAY = 0.999;

/** The nets a GanConfig.spectralNorm names, in either of its forms. */
const normalizedNets = (sn: GanConfig['spectralNorm']) => (typeof sn === 'object' ? sn.nets : sn);

/** What the form shows for a preset before the user changes anything (needs no data). Conv presets: no widths. */
export function formDefaults(preset: PresetKey): FormDefaults {
  const fake: DigitData = { pixels: new Float32Array(784), labels: new Uint8Array(1), rows: 1 };
  const c = presetConfig(preset, 0, fake);
  const conv = CONV_PRESET_KEYS.includes(preset);
  return {
    lrD: c.optimizerD.lr,
    lrG: c.optimizerG.lr,
    batchSize: c.batchSize,
    dSteps: c.dSteps ?? 1,
    loss: lossName(c.loss),
    optimizerD: c.optimizerD.name ?? 'adam',
    optimizerG: c.optimizerG.name ?? 'adam',
    emaDecay: c.ema?.decay ?? null,
    spectralNormD: normalizedNets(c.spectralNorm) === 'discriminator' || normalizedNets(c.spectralNorm) === 'both',
    penalty: c.penalty === undefined ? '' : typeof c.penalty === 'string' ? c.penalty : c.penalty.name,
    noise: c.noise.distribution === 'normal' ? 'normal' : 'uniform',
    hiddenG: conv ? [] : hiddenWidths(c.generator),
    hiddenD: conv ? [] : hiddenWidths(c.discriminator),
  };
}

export async function configFor(s: RunSettings): Promise<GanConfig> {
  const c = presetConfig(s.preset, s.seed, await digitsFor(s.preset), s.strokes);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  // Conv nets keep their own layers: the form has no widths for them.
  const widths = (net: Sequential, hidden: readonly number[]) =>
    !isMlp(net) || same(hidden, hiddenWidths(net)) ? net : withHiddenWidths(net, hidden);
  // The preset's optimizer options (betas…) stay when its optimizer stays; another optimizer gets its defaults and the form's lr.
  const optimizer = (own: GanConfig['optimizerD'], name: string, lr: number): GanConfig['optimizerD'] =>
    (own.name ?? 'adam') === name ? { ...own, lr } : ({ name, lr } as unknown as GanConfig['optimizerD']);
  // Likewise the loss: the preset's spec when it is the preset's loss, else the name alone (the library's default options).
  const sameLoss = lossName(c.loss) === s.loss;
  const { realLabel, ema: _ema, spectralNorm: presetNorm, penalty: presetPenalty, ...rest } = c;
  // The preset's penalty options stay when the menu keeps its penalty; another gets its defaults.
  const samePenalty = presetPenalty !== undefined && (typeof presetPenalty === 'string' ? presetPenalty : presetPenalty.name) === s.penalty;
  const penalty = s.penalty === '' ? undefined : samePenalty ? presetPenalty : (s.penalty as NonNullable<GanConfig['penalty']>);
  // The checkbox says D's part of the preset's spectral norm; G keeps the preset's, and both the preset's gain.
  const normG = normalizedNets(presetNorm) === 'generator' || normalizedNets(presetNorm) === 'both';
  const nets = s.spectralNormD ? (normG ? 'both' : 'discriminator') : normG ? 'generator' : undefined;
  const gain = typeof presetNorm === 'object' ? presetNorm.gain : undefined;
  const spectralNorm: GanConfig['spectralNorm'] = nets && gain !== undefined ? { nets, gain } : nets;
  return {
    ...rest,
    generator: widths(c.generator, s.hiddenG),
    discriminator: widths(c.discriminator, s.hiddenD),
    noise: noiseSpec(s.noise, c.noise),
    batchSize: s.batchSize,
    dSteps: s.dSteps,
    loss: sameLoss ? (c.loss ?? 'bce') : (s.loss as NonNullable<GanConfig['loss']>),
    ...(realLabel !== undefined && (sameLoss || takesRealLabel(s.loss)) ? { realLabel } : {}),
    ...(s.emaDecay !== null ? { ema: { decay: s.emaDecay } } : {}),
    ...(spectralNorm ? { spectralNorm } : {}),
    ...(penalty ? { penalty } : {}),
    optimizerD: optimizer(c.optimizerD, s.optimizerD, s.lrD),
    optimizerG: optimizer(c.optimizerG, s.optimizerG, s.lrG),
  };
}
