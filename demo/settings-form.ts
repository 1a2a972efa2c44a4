// The controls form: fills a preset's defaults, reads and checks the
// settings, and marks what differs from the trainer that is running.
import type { Strokes } from '../src/models/toy2d.js';
import type { PageElements } from './dom.js';
import { formDefaults } from './engine/configs.js';
import { CONV_PRESET_KEYS, isPresetKey, type PresetKey, type RunSettings } from './protocol.js';

const widths = (v: readonly number[]): string => v.join(', ');

function parseWidths(raw: string): number[] | null {
  if (raw.trim() === '') return [];
  const parts = raw.split(',').map((p) => Number(p.trim()));
  return parts.every((w) => Number.isInteger(w) && w >= 1 && w <= 4096) ? parts : null;
}

export class SettingsForm {
  private applied: RunSettings | null = null;

  constructor(private readonly el: PageElements) {
    const inputs = [el.seed, el.batch, el.lrD, el.lrG, el.dSteps, el.hiddenG, el.hiddenD];
    for (const input of inputs) input.addEventListener('input', () => this.markPending());
    el.noise.addEventListener('change', () => this.markPending());
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
    el.noise.value = d.noise;
    el.hiddenG.value = widths(d.hiddenG);
    el.hiddenD.value = widths(d.hiddenD);
    this.showWidths(preset);
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
    return {
      preset,
      seed: seed as number,
      lrD,
      lrG,
      batchSize: batchSize as number,
      dSteps: dSteps as number,
      loss: 'bce',
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
