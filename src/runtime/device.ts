// Device: from navigator.gpu in a browser, from an injected GPU object (the
// `webgpu` package in Node, see src/node/device.ts), or a GPUDevice the host
// app already owns.
import { DeviceLostError, WebGPUUnavailableError } from './errors.js';
import { KernelRegistry } from './kernel.js';
import { adapterKey, adapterKind, checkTuneMode, checkTuningBudget, KernelTuner, type TuneMode } from './tuner.js';
import { IndexedDbTuningStore, MemoryTuningStore, type TuningStore } from './tuning-cache.js';

export interface GpuContextOptions {
  /** A device the host app already has; we will not destroy it on dispose(). */
  device?: GPUDevice;
  /** A GPU entry object (navigator.gpu or Node's `webgpu` create()); defaults to navigator.gpu. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /**
   * Kernel variants (runtime/tuner.ts): 'full' times the candidates of each new shape while a
   * trainer is built (within tuningBudgetMs) and caches the fastest; 'cached' uses cached choices
   * and never times; 'off' uses the shipped defaults. Default: 'full' on GPUs, 'cached' on CPU
   * adapters (SwiftShader), where compiling candidates would cost seconds per build.
   */
  tune?: TuneMode;
  /** Where choices are kept: IndexedDB in a browser, a JSON file in Node (createNodeGpuContext), else memory. */
  tuningStore?: TuningStore;
  /** Milliseconds a trainer build may spend tuning (default 3000). */
  tuningBudgetMs?: number;
}

/** A device plus the per-device kernel cache. One per app is enough. */
export class GpuContext {
  readonly kernels: KernelRegistry;
  /** Chooses the kernel variants of tunable dispatches (null: each entry's first variant). */
  readonly tuner: KernelTuner | null;
  private lost: DeviceLostError | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    private readonly owned: boolean,
    /** A CPU implementation of WebGPU (SwiftShader, lavapipe, WARP): kernels pick variants measured there. */
    readonly softwareAdapter: boolean,
    /**
     * The GPU entry object the device came from. Held so that it lives as long
     * as the device: Dawn in Node tears its instance down when this is
     * collected, and a device used after that crashes the process.
     */
    readonly gpu: GPU | null = null,
    tuner: KernelTuner | null = null,
  ) {
    this.tuner = tuner;
    this.kernels = new KernelRegistry(device, tuner);
    device.lost.then((info) => {
      this.lost = new DeviceLostError(info.reason, info.message);
    });
  }

  /**
   * The device's features. Optional ones the kernels use are requested where the adapter offers
   * them (OPTIONAL_FEATURES), never required: e.g. features.has('subgroups') says whether the
   * subgroup variants of the reduction kernels are candidates (runtime/tuner.ts).
   */
  get features(): GPUSupportedFeatures {
    return this.device.features;
  }

  get isLost(): boolean {
    return this.lost !== null;
  }

  /** Throws DeviceLostError (with the reason the device gave) once the device is lost. */
  assertAlive(): void {
    if (this.lost) throw this.lost;
  }

  dispose(): void {
    if (this.owned) this.device.destroy();
  }
}

// Limits we raise to the adapter's maximum, so that datasets and wide layers fit.
const RAISED_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage'] as const;

/**
 * Features requested where the adapter offers them, never required: 'timestamp-query' (the
 * tuner's timings) and 'subgroups' (the subgroup variants of the reduction kernels, which compile
 * only on a device created with it).
 */
export const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'subgroups'];

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|warp|software/i;

function isSoftwareAdapter(info: GPUAdapterInfo | undefined): boolean {
  if (!info) return false;
  if ((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter) return true;
  return SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

function makeTuner(device: GPUDevice, info: GPUAdapterInfo | undefined, options: GpuContextOptions): KernelTuner {
  const software = isSoftwareAdapter(info);
  const store = options.tuningStore ?? (typeof indexedDB !== 'undefined' ? new IndexedDbTuningStore() : new MemoryTuningStore());
  const mode = options.tune ?? (software ? 'cached' : 'full');
  return new KernelTuner(device, adapterKey(info, device.limits, device.features), adapterKind(info, software), { mode, store, budgetMs: options.tuningBudgetMs });
}

export async function createGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  // Bad tuning options are refused before any device is requested.
  if (options.tune !== undefined) checkTuneMode(options.tune);
  if (options.tuningBudgetMs !== undefined) checkTuningBudget(options.tuningBudgetMs);
  if (options.device) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return new GpuContext(options.device, describeAdapter(info), false, isSoftwareAdapter(info), null, makeTuner(options.device, info, options));
  }
  const gpu = options.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) {
    throw new WebGPUUnavailableError(
      'WebGPU is not available: navigator.gpu is undefined. Use a browser with WebGPU (Chrome/Edge 113+, ' +
        'Safari 26+, Firefox 141+ on Windows) from a secure page (https:// or http://localhost); ' +
        'in Node, use createNodeGpuContext() from webgpu-gan/node.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError(
      'WebGPU is present but no adapter was found: the GPU may be blocklisted or no driver is installed. ' +
        'In Chromium, try --enable-unsafe-webgpu (and --use-webgpu-adapter=swiftshader for the software adapter).',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-gan' });
  return new GpuContext(device, describeAdapter(adapter.info), true, isSoftwareAdapter(adapter.info), gpu, makeTuner(device, adapter.info, options));
}
