// The preset-specific view of what G produces and what D thinks of it.
import type { GanTrainer } from '../src/index.js';
import type { PresetKey } from './training-loop.js';
import { GaussianView } from './gaussian-view.js';
import { SineView } from './sine-view.js';

export interface ViewElements {
  chart: HTMLElement;
  /** Text under the chart: figures computed from the last engine reads. */
  note: HTMLElement;
}

export interface DistributionView {
  readonly title: string;
  /** What the series are and where their numbers come from. */
  readonly caption: string;
  /** Reads from the engine (sample / discriminate), then redraws. */
  refresh(trainer: GanTrainer): Promise<void>;
  destroy(): void;
}

export function createView(preset: PresetKey, trainer: GanTrainer, el: ViewElements): DistributionView {
  return preset === 'gaussian1d' ? new GaussianView(trainer, el) : new SineView(trainer, el);
}
