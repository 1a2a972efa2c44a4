// Node: WebGPU through the `webgpu` package (Dawn). Dawn needs a Vulkan
// driver; on machines without a GPU, Chromium's SwiftShader ICD is one. We
// honour VK_ICD_FILENAMES / VK_DRIVER_FILES if set, else try the system
// drivers, then the usual SwiftShader paths.
import { existsSync } from 'node:fs';
import { createGpuContext, type GpuContext, type GpuContextOptions } from '../runtime/device.js';
import { WebGPUUnavailableError } from '../runtime/errors.js';
import { checkTuneMode, checkTuningBudget } from '../runtime/tuner.js';
import { FileTuningStore } from './tuning-file-store.js';

export const SWIFTSHADER_ICD_PATHS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
  '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new WebGPUUnavailableError(`the 'webgpu' package could not be loaded (npm install webgpu): ${(e as Error).message}`);
  }
}

/** Options of createNodeGpuContext: the kernel tuning ones of createGpuContext (the tuning cache defaults to FileTuningStore). */
export type NodeGpuContextOptions = Pick<GpuContextOptions, 'tune' | 'tuningStore' | 'tuningBudgetMs' | 'powerPreference'>;

export async function createNodeGpuContext(options: NodeGpuContextOptions = {}): Promise<GpuContext> {
  if (options.tune !== undefined) checkTuneMode(options.tune);
  if (options.tuningBudgetMs !== undefined) checkTuningBudget(options.tuningBudgetMs);
  const tuning = { ...options, tuningStore: options.tuningStore ?? new FileTuningStore() };
  const dawn = await loadDawn();
  // WebGPU's constant namespaces (GPUBufferUsage, GPUMapMode, …) are globals in browsers.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const tried: string[] = [];
  const attempt = async (): Promise<GpuContext | null> => {
    try {
      return await createGpuContext({ ...tuning, gpu: dawn.create([]) });
    } catch (e) {
      if (e instanceof WebGPUUnavailableError) return null;
      throw e;
    }
  };
  const userIcd = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  tried.push(userIcd ? `VK_ICD_FILENAMES=${userIcd}` : 'the system Vulkan drivers');
  const ctx = await attempt();
  if (ctx) return ctx;
  if (!userIcd) {
    for (const icd of SWIFTSHADER_ICD_PATHS.filter((p) => existsSync(p))) {
      process.env.VK_ICD_FILENAMES = icd;
      tried.push(icd);
      const fallback = await attempt();
      if (fallback) return fallback;
    }
    delete process.env.VK_ICD_FILENAMES;
  }
  throw new WebGPUUnavailableError(
    `No WebGPU adapter in Node (tried ${tried.join(', ')}). Dawn needs the Vulkan loader and a driver: ` +
      'on Debian/Ubuntu without a GPU, `apt-get install libvulkan1 chromium` gives the SwiftShader driver; ' +
      'or point VK_ICD_FILENAMES at your driver\'s ICD json.',
  );
}
