// Types shared by the harness page and the specs that drive it.
import type * as Lib from '../../src/index.js';
import type * as Advanced from '../../src/advanced.js';
import type { GpuContext } from '../../src/runtime/device.js';

export interface KernelRun {
  family: string;
  entry: string;
  overrides?: Record<string, number>;
  /** Compile from the family's source for this device feature (a tuning variant's `requires`). */
  feature?: GPUFeatureName;
  uniforms?: Record<string, number>;
  /** Float inputs by WGSL binding name. */
  inputs: Record<string, number[]>;
  /** u32 inputs by WGSL binding name (e.g. the training state). */
  uintInputs?: Record<string, number[]>;
  /** Bindings to read back, with their lengths in floats. Outputs start as NaN unless also an input. */
  outputs: Record<string, number>;
}

export type CreationCounts = Record<
  | 'createBuffer'
  | 'createBindGroup'
  | 'createBindGroupLayout'
  | 'createPipelineLayout'
  | 'createComputePipeline'
  | 'createComputePipelineAsync'
  | 'createShaderModule',
  number
>;

export interface Harness {
  /** The public entry point (webgpu-gan). */
  lib: typeof Lib;
  /** The internals (webgpu-gan/advanced), for benchmarks and kernel-level tests. */
  advanced: typeof Advanced;
  ctx: GpuContext;
  counts: CreationCounts;
  adapterName: string;
  runKernel(run: KernelRun): Promise<Record<string, number[]>>;
}

declare global {
  interface Window {
    harness: Harness;
    harnessReady?: string;
  }
}
