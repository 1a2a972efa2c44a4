// Messages between the page (demo/main.ts) and the engine (demo/engine/),
// which owns the GPU and the trainer and runs in a Web Worker, or on the
// main thread where a worker has no WebGPU. Only plain data crosses.
import type { TrainingStats } from '../src/index.js';
import type { Strokes } from '../src/data/toy2d.js';

export const PRESET_KEYS = ['gaussian1d', 'ring8', 'grid25', 'twoMoons', 'drawn', 'sine', 'mnistMlp', 'dcgan28', 'cdcganSmall', 'cdcgan'] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];
/** Presets that train on the digits (mnistMlp on all 10,000, the conv ones on the 8,000 of the training split). */
export const DIGIT_PRESET_KEYS: readonly PresetKey[] = ['mnistMlp', 'dcgan28', 'cdcganSmall', 'cdcgan'];
/** Presets with conv nets: their layer widths are not editable in the form. */
export const CONV_PRESET_KEYS: readonly PresetKey[] = ['dcgan28', 'cdcganSmall', 'cdcgan'];
/**
 * Trained weights shipped with the demo, per preset: checkpoints of the
 * preset's default settings, written by the quality bench
 * (`node bench/quality.mjs --preset cdcganSmall --steps 6000 --checkpoint weights/demo-cdcganSmall.safetensors`;
 * its run record in bench/results/quality/ has every evaluation).
 */
export const TRAINED_WEIGHTS: Partial<Record<PresetKey, string>> = {
  cdcganSmall: '/weights/demo-cdcganSmall.safetensors',
};
export const isPresetKey = (v: string): v is PresetKey => (PRESET_KEYS as readonly string[]).includes(v);

export type NoiseKind = 'uniform' | 'normal';

/**
 * What D outputs, as the library's loss says (trainer.discriminatorOutput):
 * 'logit' — discriminate() and the stats give σ of it, D's probability that x is real;
 * 'score' — a critic's unbounded score (LSGAN, hinge, WGAN), given as is.
 */
export type DiscriminatorOutput = 'logit' | 'score';

export interface RunSettings {
  preset: PresetKey;
  seed: number;
  lrD: number;
  lrG: number;
  batchSize: number;
  /** n_critic: D updates per G update. */
  dSteps: number;
  /** A loss name from lossNames(); a preset's own options are kept when it is the preset's loss, else the library's defaults. */
  loss: string;
  /** Optimizer names from optimizerNames(), per net; the preset's other options are kept when the name is the preset's. */
  optimizerD: string;
  optimizerG: string;
  /** Decay of an exponential moving average of G's weights (the views then sample with it), or null for none. */
  emaDecay: number | null;
  /** Spectrally normalise every layer of D that has a weight (GanConfig.spectralNorm = 'discriminator'). */
  spectralNormD: boolean;
  /** A penalty name from penaltyInfo() (its default weight), or '' for none. */
  penalty: string;
  noise: NoiseKind;
  /** Hidden layer widths of the generator and the discriminator (MLP presets; empty and ignored for conv ones). */
  hiddenG: number[];
  hiddenD: number[];
  /** The user's drawing, for the `drawn` preset. */
  strokes?: Strokes;
}

export type LoopState = 'building' | 'paused' | 'running' | 'pausing' | 'stepping' | 'halted';

/** Canvases the engine draws into (transferred from the page). */
export interface EngineCanvases {
  plane: OffscreenCanvas;
  images: OffscreenCanvas;
  interpolation: OffscreenCanvas;
}

export type ToEngine =
  | { type: 'init'; canvases: EngineCanvases }
  | { type: 'reset'; settings: RunSettings }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'save' }
  | { type: 'load'; bytes: Uint8Array }
  | { type: 'png' };

/** What the page shows for the current preset, as read from the engine at each refresh. */
export type ViewData =
  | {
      kind: 'hist1d';
      step: number;
      /** x grid; densities at each x (real: display sample on the CPU; generated: sample() from the GPU). */
      x: Float64Array;
      real: Float64Array;
      generated: Float64Array;
      /** D(x) from discriminate() at each x. */
      dx: Float64Array;
      note: string;
    }
  | { kind: 'curves'; step: number; x: Float64Array; real: Float32Array[]; generated: Float32Array[]; note: string }
  | { kind: 'plane'; step: number; kl: number; js: number; note: string }
  /** The image grid was redrawn: `rows × cols` images (a conditional GAN: one row per class). */
  | { kind: 'images'; step: number; rows: number; cols: number; note: string };

export type ViewKind = ViewData['kind'];

export type FromEngine =
  | { type: 'ready'; adapter: string; where: 'worker' | 'main thread' }
  | { type: 'unavailable'; message: string }
  | {
      type: 'trainer';
      settings: RunSettings;
      view: ViewKind;
      summary: string;
      caption: string;
      /** What D's outputs (views, D(x) / D(G(z)) stats) are. */
      output: DiscriminatorOutput;
      /** The loss's title, e.g. 'hinge'. */
      lossTitle: string;
    }
  | { type: 'stats'; stats: TrainingStats }
  | { type: 'progress'; step: number; stepsPerSecond: number }
  | { type: 'state'; state: LoopState }
  | { type: 'view'; data: ViewData }
  | { type: 'error'; message: string }
  | { type: 'checkpoint'; bytes: Uint8Array; name: string }
  | { type: 'loaded'; step: number }
  | { type: 'png'; blob: Blob; name: string };
