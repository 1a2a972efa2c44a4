/// <reference types="@webgpu/types" preserve="true" />
// webgpu-gan/advanced: the engine's internals, for extending it (new layer
// kinds, losses, optimizers) and for benchmarks. Less stable than the main
// entry point: these follow the engine's design as it changes.
export { KernelRegistry, Kernel, reflectFamily, packUniforms, structLayout, packStructArray, type KernelFamily, type EntryPointInfo, type KernelVariant, type FamilyTuning } from './runtime/kernel.js';
export { SequenceBuilder, RecordedSequence } from './runtime/recorder.js';
export { KernelTuner, TuningConfigError, TUNE_MODES, adapterKey, adapterKind, tuningKey, type TuneMode, type TuningDecision } from './runtime/tuner.js';
export { MemoryTuningStore, IndexedDbTuningStore, type TuningStore, type TuningChoices } from './runtime/tuning-cache.js';
export { createStorageBuffer, readFloats, floatRange } from './runtime/buffers.js';
export { philox4x32_10, randomUniform, randomNormal } from './runtime/philox.js';
export * as kernels from './shaders/index.js';
export * as constants from './shaders/constants.js';
export { registerLayer, registerView, layerKinds, type LayerModule, type ViewModule, type Stage } from './models/layers/layer.js';
export { NetGpu } from './models/layers/net-gpu.js';
export { registerLoss, findLoss, type GanLossModule } from './models/losses/loss.js';
export { registerOptimizer, findOptimizer, type OptimizerModule } from './models/optim/optimizer.js';
export { describeStep, type Phase, type StepOp } from './models/gan/step.js';
export { resolveGanConfig, type ResolvedGanConfig } from './models/gan/config.js';
export { stepMacs, FUSED_MLP_MAX_MACS, FUSED_MLP_STORAGE_BUFFERS } from './models/gan/fused-mlp-eligibility.js';
