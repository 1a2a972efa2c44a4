// webgpu-gan: GAN training on WebGPU with hand-written WGSL kernels.
export { createGpuContext, GpuContext, type GpuContextOptions } from './runtime/device.js';
export { GanConfigError, WebGPUUnavailableError, NonFiniteLossError, CheckpointError } from './runtime/errors.js';
export type { TrainingStats } from './runtime/stats.js';
export { KernelRegistry, Kernel, reflectFamily, packUniforms, structLayout, packStructArray, type KernelFamily, type EntryPointInfo } from './runtime/kernel.js';
export { SequenceBuilder, RecordedSequence } from './runtime/recorder.js';
export { createStorageBuffer, readFloats } from './runtime/buffers.js';
export * as kernels from './shaders/index.js';
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
  type Layer,
  type LinearLayer,
  type ActivationLayer,
  type Conv2dLayer,
  type ConvTranspose2dLayer,
  type BatchNormLayer,
  type UnflattenLayer,
  type FlattenLayer,
  type ConvLayerOptions,
} from './models/layers.js';
export { Sequential, stageWidth, type ParamTensor, type Stage, type SequentialOptions } from './models/sequential.js';
export type { GanConfig, AdamOptions, NoiseSpec, DataSpec, ConditionSpec, PlanShapes } from './models/config.js';
export {
  GanTrainer,
  type NetName,
  type InitialWeights,
  type TrainOptions,
  type OptimizerState,
  type TrainingCounters,
  type SampleOptions,
  type DrawOptions,
} from './models/trainer.js';
export { fusedMlpIneligibility, stepMacs, FUSED_MLP_MAX_MACS, FUSED_MLP_STORAGE_BUFFERS, type PlanKind } from './models/fused-mlp-eligibility.js';
export { ImageGridRenderer, type ImageGridLayout, type ImageGridOptions } from './models/image-grid.js';
export { Classifier, type ClassifierConfig, type ClassifierStats, type Predictions } from './models/classifier.js';
export * as metrics from './models/metrics.js';
export * as digitQuality from './models/digit-quality.js';
export * as presets from './models/presets.js';
export type { DigitData, PresetName } from './models/presets.js';
export * as toy2d from './models/toy2d.js';
export type { Toy2dSet, Toy2dOptions, Strokes } from './models/toy2d.js';
export { saveCheckpoint, loadCheckpoint, encodeSafetensors, parseSafetensors } from './models/checkpoint.js';
export type { SafetensorsTensor, SafetensorsFile } from './models/checkpoint.js';
