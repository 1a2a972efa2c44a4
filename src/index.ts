/// <reference types="@webgpu/types" preserve="true" />
// webgpu-gan: GAN training on WebGPU with hand-written WGSL kernels.
// The API a user builds with; engine internals are in 'webgpu-gan/advanced'.
export { createGpuContext, GpuContext, type GpuContextOptions } from './runtime/device.js';
export { ConfigError, WebGPUUnavailableError, DeviceLostError, NonFiniteLossError, GpuValidationError } from './runtime/errors.js';
export { TuningConfigError, type TuneMode } from './runtime/tuner.js';

// Layers and nets
export {
  Linear,
  Conv2d,
  ConvTranspose2d,
  BatchNorm,
  Unflatten,
  Flatten,
  ReLU,
  LeakyReLU,
  ELU,
  Tanh,
  Sigmoid,
  withSpectralNorm,
  type SpectralNormNets,
  type SpectralNormOption,
  type SpectralNormOptions,
  type Layer,
  type LinearLayer,
  type ActivationLayer,
  type Conv2dLayer,
  type ConvTranspose2dLayer,
  type BatchNormLayer,
  type UnflattenLayer,
  type FlattenLayer,
  type ConvLayerOptions,
} from './models/layers/index.js';
export { LayerConfigError, type ParamTensor, type SampleShape } from './models/layers/layer.js';
export { Sequential, type SequentialOptions } from './models/layers/sequential.js';

// Losses and optimizers, by name in a GanConfig
export { lossNames, lossInfo, penaltyInfo, type LossInfo, type BceLossOptions, type LsganOptions, type WganOptions, type PenaltySpec, type PenaltyName } from './models/losses/index.js';
export { optimizerNames, optimizerInfo, type AdamOptions, type AdamWOptions, type SgdOptions, type RmspropOptions, type ScheduleOptions, type ScheduleKind } from './models/optim/index.js';

// GAN training
export {
  GanConfigError,
  type GanConfig,
  type NoiseSpec,
  type DataSpec,
  type ConditionSpec,
  type LossSpec,
  type OptimizerSpec,
  type PlanShapes,
  type NetName,
} from './models/gan/config.js';
export {
  GanTrainer,
  MAX_RESULT_FLOATS,
  type InitialWeights,
  type TrainOptions,
  type TrainProgress,
  type OptimizerState,
  type TrainingCounters,
  type SampleOptions,
  type DrawOptions,
  type TrainerState,
  type TrainerEvents,
  type TrainerEventName,
} from './models/gan/trainer.js';
export type { TrainingStats } from './models/gan/stats.js';
export type { PlanKind } from './models/gan/plan.js';
export { fusedMlpIneligibility } from './models/gan/fused-mlp-eligibility.js';
export { saveCheckpoint, loadCheckpoint } from './models/gan/checkpoint.js';

// Files, data, presets, evaluation, rendering
export { CheckpointError, encodeSafetensors, parseSafetensors, type SafetensorsTensor, type SafetensorsFile, type ParseSafetensorsOptions } from './io/safetensors.js';
export { parseNpy, encodeNpy, npyDtypeOf, NpyError, NPY_DTYPES, type NpyTensor, type NpyDtype, type NpyArray, type EncodeNpyOptions } from './io/npy.js';
export { imageSet, idxImages, scalePixels, labelClasses, PIXEL_RANGES, type ImageSet, type ImageSetOptions, type PixelRange, type DimsArray } from './data/images.js';
export {
  packParameters,
  packBuffers,
  decodeStateDict,
  loadNetWeights,
  loadGenerator,
  loadDiscriminator,
  type NamedTensor,
  type NamedTensors,
  type LoadWeightsOptions,
} from './models/gan/weights.js';
export { DataError } from './data/data-error.js';
export { parseIdx, idxDigits, type IdxTensor, type IdxArray } from './data/idx.js';
export * as presets from './presets/presets.js';
export type { DigitData } from './data/digits.js';
export type { PresetName } from './presets/presets.js';
export * as toy2d from './presets/toy2d.js';
export type { Toy2dSet, Strokes } from './data/toy2d.js';
export type { Toy2dOptions } from './presets/toy2d.js';
export { Classifier, type ClassifierStats, type Predictions } from './eval/classifier.js';
export { ClassifierConfigError, type ClassifierConfig } from './eval/classifier-config.js';
export * as metrics from './eval/metrics.js';
export { toyModeCoverage, type ToyCoverage, type ToyCoverageOptions, type ToyCoverageSet } from './eval/toy-coverage.js';
export * as digitQuality from './eval/digit-quality.js';
export { ImageGridRenderer, type ImageGridLayout, type ImageGridOptions } from './render/image-grid.js';
