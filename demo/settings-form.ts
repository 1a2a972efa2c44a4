// The controls form: fills a preset's defaults, reads and checks the
// settings, and marks what differs from the trainer that is running.
import type { Strokes } from '../src/data/toy2d.js';
import type { PageElements } from './dom.js';
import { DEFAULT_EMA_DECAY, formDefaults, lossChoices, optimizerChoices, penaltyChoices } from './engine/configs.js';
import { CONV_PRESET_KEYS, isPresetKey, type PresetKey, type RunSettings } from './protocol.js';

const widths = (v: readonly number[]): string => v.join(', ');

function parseWidths(raw: string): number[] | null {
  if (raw.trim() === '') return [];
  const parts = raw.split(',').map((p) => Number(p.trim()));
  return parts.every((w) => Number.isInteger(w) && w >= 1 && w <= 4096) ? parts : null;
}

export class SettingsForm {
  private applied: RunSettings | null = null;

  private readonly losses = lossChoices();

  constructor(private readonly el: PageElements) {
    this.fillMenus();
    const inputs = [el.seed, el.batch, el.lrD, el.lrG, el.dSteps, el.hiddenG, el.hiddenD, el.emaDecay];
    for (const input of inputs) input.addEventListener('input', () => this.markPending());
    for (const select of [el.noise, el.loss, el.optimizerD, el.optimizerG, el.spectralNorm, el.penalty]) select.addEventListener('change', () => this.markPending());
    el.loss.addEventListener('change', () => this.showLossNote());
    el.ema.addEventListener('change', () => {
      this.showEma();
      this.markPending();
    });
  }

  /** The loss and optimizer menus list what the library has registered (lossNames(), optimizerNames()). */
  private fillMenus(): void {
    const el = this.el;
    const option = (name: string, title: string) => {
      const o = document.createElement('option');
      o.value = name;
      o.textContent = title;
      return o;
    };
    const groups: [string, 'logit' | 'score'][] = [
      ['D outputs a probability (σ of a logit)', 'logit'],
      ['D outputs a score (a critic)', 'score'],
    ];
    el.loss.replaceChildren(
      ...groups.flatMap(([label, output]) => {
        const these = this.losses.filter((l) => l.output === output);
        if (these.length === 0) return [];
        const group = document.createElement('optgroup');
        group.label = label;
        group.append(...these.map((l) => option(l.name, l.title)));
        return [group];
      }),
    );
    const optimizers = optimizerChoices();
    for (const select of [el.optimizerD, el.optimizerG]) select.replaceChildren(...optimizers.map((o) => option(o.name, o.title)));
    el.penalty.replaceChildren(option('', 'none'), ...penaltyChoices().map((p) => option(p.name, p.title)));
  }

  private showLossNote(): void {
    const loss = this.losses.find((l) => l.name === this.el.loss.value);
    const what = !loss
      ? ''
      : loss.output === 'logit'
        ? 'D outputs a logit: the views and readouts show σ of it, D’s probability that x is real. '
        : 'D is a critic: it outputs a score (unbounded, higher = more real), which the views and readouts show as is, not as a probability. ';
    const clip = loss && 'clip' in loss.defaults ? `D’s weights are clipped to ±${loss.defaults.clip} (the library’s default) after each D update. ` : '';
    const titles = (xs: { title: string; fused: boolean }[]) => xs.filter((x) => x.fused).map((x) => x.title).join(' or ');
    this.el.lossNote.textContent =
      `${what}${clip}Only ${titles(this.losses)} with ${titles(optimizerChoices())}, no EMA, no spectral norm and no penalty runs on the fused MLP plan; the rest train on the layered plan (slower on a CPU adapter).`;
  }

  private showEma(): void {
    const on = this.el.ema.checked;
    this.el.emaDecay.disabled = !on;
    this.el.emaNote.textContent = on
      ? 'The views show G’s exponential moving average (sample({ weights: \'ema\' })); with decay d it trails the trained G by about 1/(1 − d) updates.'
      : 'Off: the views show the trained G. On: they show a moving average of its weights, which trails it.';
  }

  get preset(): PresetKey | null {
    const v = this.el.preset.value;
    return isPresetKey(v) ? v : null;
  }

  fillDefaults(preset: PresetKey): void {
    const d = formDefaults(preset);
    const el = this.el;
    el.lrD.value = String(d.lrD);
    el.lrG.value = String(d.lrG);
    el.batch.value = String(d.batchSize);
    el.dSteps.value = String(d.dSteps);
    el.loss.value = d.loss;
    el.optimizerD.value = d.optimizerD;
    el.optimizerG.value = d.optimizerG;
    el.ema.checked = d.emaDecay !== null;
    el.emaDecay.value = String(d.emaDecay ?? DEFAULT_EMA_DECAY);
    el.spectralNorm.checked = d.spectralNormD;
    el.penalty.value = d.penalty;
    el.noise.value = d.noise;
    el.hiddenG.value = widths(d.hiddenG);
    el.hiddenD.value = widths(d.hiddenD);
    this.showWidths(preset);
    this.showLossNote();
    this.showEma();
  }

  /** Layer widths only apply to MLP presets: hidden (and disabled, so the form's checks skip them) for conv ones. */
  private showWidths(preset: PresetKey): void {
    const conv = CONV_PRESET_KEYS.includes(preset);
    const el = this.el;
    el.widths.hidden = conv;
    el.widthsNote.hidden = !conv;
    el.hiddenG.disabled = conv;
    el.hiddenD.disabled = conv;
  }

  /** The settings in the form, or a message saying what is wrong with them. */
  read(strokes: Strokes): RunSettings | string {
    const el = this.el;
    const preset = this.preset;
    if (!preset) return `Unknown preset '${el.preset.value}'.`;
    const int = (input: HTMLInputElement, name: string, min: number, max: number): number | string => {
      const v = Number(input.value);
      if (input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) return `${name} must be an integer from ${min} to ${max}, got '${input.value}'.`;
      return v;
    };
    const seed = int(el.seed, 'Seed', 0, 0xffffffff);
    const batchSize = int(el.batch, 'Batch size', 1, 4096);
    const dSteps = int(el.dSteps, 'D steps per G step', 1, 20);
    for (const v of [seed, batchSize, dSteps]) if (typeof v === 'string') return v;
    const lrD = Number(el.lrD.value);
    const lrG = Number(el.lrG.value);
    for (const [name, v, raw] of [['D', lrD, el.lrD.value], ['G', lrG, el.lrG.value]] as const) {
      if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) return `Learning rate of ${name} must be a number > 0, got '${raw}'.`;
    }
    const conv = CONV_PRESET_KEYS.includes(preset);
    const hiddenG = conv ? [] : parseWidths(el.hiddenG.value);
    const hiddenD = conv ? [] : parseWidths(el.hiddenD.value);
    if (!hiddenG) return `G hidden widths must be whole numbers from 1 to 4096 separated by commas, got '${el.hiddenG.value}'.`;
    if (!hiddenD) return `D hidden widths must be whole numbers from 1 to 4096 separated by commas, got '${el.hiddenD.value}'.`;
    const noise = el.noise.value === 'normal' ? 'normal' : 'uniform';
    if (!this.losses.some((l) => l.name === el.loss.value)) return `Pick a loss (got '${el.loss.value}').`;
    for (const [name, select] of [['D', el.optimizerD], ['G', el.optimizerG]] as const) {
      if (select.value === '') return `Pick an optimizer for ${name}.`;
    }
    let emaDecay: number | null = null;
    if (el.ema.checked) {
      emaDecay = Number(el.emaDecay.value);
      if (el.emaDecay.value.trim() === '' || !(emaDecay > 0 && emaDecay < 1)) return `EMA decay must be a number between 0 and 1 (exclusive), got '${el.emaDecay.value}'.`;
    }
    return {
      preset,
      seed: seed as number,
      lrD,
      lrG,
      batchSize: batchSize as number,
      dSteps: dSteps as number,
      loss: el.loss.value,
      optimizerD: el.optimizerD.value,
      optimizerG: el.optimizerG.value,
      emaDecay,
      spectralNormD: el.spectralNorm.checked,
      penalty: el.penalty.value,
      noise,
      hiddenG,
      hiddenD,
      strokes: preset === 'drawn' ? strokes : undefined,
    };
  }

  /** The trainer now running was built with `s`; the form shows it. */
  markApplied(s: RunSettings): void {
    this.applied = s;
    this.el.preset.value = s.preset;
    this.showWidths(s.preset);
    this.showLossNote();
    this.showEma();
    this.markPending();
  }

  private markPending(): void {
    const a = this.applied;
    const el = this.el;
    const changed = (input: HTMLInputElement | HTMLSelectElement, now: string, then: string | undefined) => {
      const differs = a !== null && now !== then;
      input.classList.toggle('changed', differs);
      return differs;
    };
    const num = (input: HTMLInputElement) => String(Number(input.value));
    const pending = [
      changed(el.seed, num(el.seed), a ? String(a.seed) : undefined),
      changed(el.batch, num(el.batch), a ? String(a.batchSize) : undefined),
      changed(el.lrD, num(el.lrD), a ? String(a.lrD) : undefined),
      changed(el.lrG, num(el.lrG), a ? String(a.lrG) : undefined),
      changed(el.dSteps, num(el.dSteps), a ? String(a.dSteps) : undefined),
      changed(el.loss, el.loss.value, a?.loss),
      changed(el.optimizerD, el.optimizerD.value, a?.optimizerD),
      changed(el.optimizerG, el.optimizerG.value, a?.optimizerG),
      changed(el.ema, String(el.ema.checked), a ? String(a.emaDecay !== null) : undefined),
      // The decay counts as changed only when an EMA is kept before and after (else the checkbox says it).
      changed(el.emaDecay, el.ema.checked && a?.emaDecay != null ? num(el.emaDecay) : '', el.ema.checked && a?.emaDecay != null ? String(a.emaDecay) : ''),
      changed(el.spectralNorm, String(el.spectralNorm.checked), a ? String(a.spectralNormD) : undefined),
      changed(el.penalty, el.penalty.value, a?.penalty),
      changed(el.noise, el.noise.value, a?.noise),
      changed(el.hiddenG, widths(parseWidths(el.hiddenG.value) ?? []), a ? widths(a.hiddenG) : undefined),
      changed(el.hiddenD, widths(parseWidths(el.hiddenD.value) ?? []), a ? widths(a.hiddenD) : undefined),
    ].some(Boolean);
    el.pendingHint.classList.toggle('pending', pending);
    el.pendingHint.innerHTML = pending
      ? 'Changed settings are not applied yet: press <b>Reset</b> to rebuild the trainer with them.'
      : 'Settings fix the trainer when it is built: they apply on <b>Reset</b>.';
  }
}
