// Kernel registry: each .wgsl family is reflected once with wgsl_reflect; from
// the reflection come the explicit bind-group layouts (never layout: 'auto'),
// the uniform packing (offsets by member name, never hand-counted) and the
// workgroup size. Pipelines are compiled asynchronously and cached by
// family + entry point + override constants (+ device feature).
//
// Device features (e.g. 'subgroups'): a family may carry, per feature, a
// second source (`featureSources`: `enable …;` and WGSL that needs the
// feature), which only compiles on a device created with that feature. A
// tuning variant that needs it says so (`requires`); its entry is compiled
// from that source, and only where the device has the feature: the tuner
// never offers it elsewhere (runtime/tuner.ts: runnableVariants).
import { WgslReflect, ResourceType, type FunctionInfo, type VariableInfo } from 'wgsl_reflect';

export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';
export type UniformScalar = 'u32' | 'i32' | 'f32';
export type UniformValues = Record<string, number>;
export type Overrides = Record<string, number>;
export type WorkgroupCount = [number, number, number];

export interface BindingInfo {
  name: string;
  binding: number;
  kind: BindingKind;
}

export interface UniformLayout {
  binding: string;
  /** Byte size, rounded up to the 16-byte alignment WGSL gives uniform structs. */
  size: number;
  members: { name: string; offset: number; type: UniformScalar }[];
}

export interface EntryPointInfo {
  entry: string;
  bindings: BindingInfo[];
  uniform: UniformLayout | null;
  workgroupSize: [number, number, number];
}

/**
 * How many workgroups an entry point needs for a set of uniforms, given the
 * override constants its pipeline was compiled with (the family's declared
 * defaults merged with the kernel's own), so a variant's grid follows its shape.
 */
export type DispatchFn = (u: UniformValues, constants: Overrides) => WorkgroupCount;

/**
 * One way to run a logical entry point: a compute entry of the family and the
 * override constants to compile it with. Every variant of an entry computes the
 * same outputs (up to float rounding) from the same bindings and uniforms.
 */
export interface KernelVariant {
  /** Stable name, stored in tuning caches (e.g. 't16.wg4x4'). */
  name: string;
  entry: string;
  overrides: Overrides;
  /**
   * A device feature the variant needs: its entry is compiled from the family's source for that
   * feature (KernelFamily.featureSources), and it is a candidate only on a device that has the
   * feature. An entry's first variant (the fallback) never requires one.
   */
  requires?: GPUFeatureName;
  /**
   * Logical entries of the same family that a caller given this variant dispatches right after it,
   * on the same uniforms and buffers, and that another candidate of the entry does in its own
   * dispatch (linear_backward_weight_bias: a plain weight product leaves the layer its
   * linear_backward_bias; a `+bias` one writes dbias itself). The tuner times the variant together
   * with them, each as that entry's default variant, so the candidates compare by what the caller
   * records, not by one dispatch each.
   */
  alongside?: readonly string[];
}

/** Whether a device can run a variant (it has the feature the variant requires, if any). */
export function variantRuns(device: GPUDevice, v: KernelVariant): boolean {
  return v.requires === undefined || device.features.has(v.requires);
}

/** Adapter classes the shipped defaults table is keyed by (runtime/tuner.ts: adapterKind). */
export type AdapterKind = 'software' | 'nvidia' | 'amd' | 'intel' | 'apple' | 'arm' | 'qualcomm' | 'unknown';

/**
 * What the tuner needs to time a family's variants on scratch buffers: per
 * logical entry its candidates (the first is the configuration used where
 * nothing better is known), the float count of every binding for a set of
 * uniforms, the uniforms that decide the choice, and a shipped default per
 * adapter kind (by variant name) for when no measurement is allowed.
 */
export interface FamilyTuning<E extends string = string> {
  variants: Partial<Record<E, KernelVariant[]>>;
  bufferFloats: (u: UniformValues) => Record<string, number>;
  /** Uniform members that change which variant is fastest (e.g. the GEMM's M, N, K; not the activation). */
  shapeMembers: string[];
  /**
   * The uniforms of an `alongside` entry's dispatch when it follows `candidate` (default: the
   * candidate's own): for a consumer whose struct differs, e.g. a close of the update that sums as
   * many partials as the candidate wrote.
   */
  alongsideUniforms?: (entry: string, u: UniformValues, candidate: { info: { entry: string }; constants: Overrides }) => UniformValues;
  defaults?: Partial<Record<AdapterKind, Partial<Record<E, string>>>>;
}

/** One .wgsl file: its source and, per entry point, how many workgroups a set of uniforms needs. */
export interface KernelFamily<E extends string = string> {
  name: string;
  source: string;
  dispatch: Record<E, DispatchFn>;
  /** Default values of the WGSL `override` constants the dispatch math reads (omitted ones are none). */
  overrides?: Overrides;
  tuning?: FamilyTuning;
  /**
   * The family's WGSL for a device feature: the same entry points (the same bindings and
   * workgroup sizes), compiled with `enable …;` and code that needs the feature (shaders/index.ts
   * assembles it). Only variants that require the feature run from it.
   */
  featureSources?: Partial<Record<GPUFeatureName, string>>;
}

export function defineKernelFamily<E extends string>(family: KernelFamily<E>): KernelFamily<E> {
  return family;
}

const reflectionCache = new Map<string, Map<string, EntryPointInfo>>();

function bindingKind(v: VariableInfo): BindingKind {
  if (v.resourceType === ResourceType.Uniform) return 'uniform';
  if (v.resourceType === ResourceType.Storage) return v.access === 'read' ? 'read-only-storage' : 'storage';
  throw new Error(`binding '${v.name}': only uniform and storage buffers are supported`);
}

/** Members of a struct that may hold only u32/i32/f32 scalars (uniforms, program records). */
function scalarMembers(struct: string, members: { name: string; offset: number; type: { name: string } }[]): UniformLayout['members'] {
  return members.map((m) => {
    const type = m.type.name;
    if (type !== 'u32' && type !== 'i32' && type !== 'f32') {
      throw new Error(`'${struct}.${m.name}': only u32/i32/f32 members are supported, got ${type}`);
    }
    return { name: m.name, offset: m.offset, type: type as UniformScalar };
  });
}

/** A uniform struct's packing from its reflection (also used for render shaders, render/image-grid.ts). @internal */
export function uniformLayout(v: VariableInfo): UniformLayout {
  return { binding: v.name, size: Math.ceil(v.size / 16) * 16, members: scalarMembers(v.name, v.members ?? []) };
}

function entryInfo(fn: FunctionInfo): EntryPointInfo {
  if (fn.resources.some((r) => r.group !== 0)) throw new Error(`${fn.name}: all bindings must be in @group(0)`);
  const bindings = fn.resources
    .map((r) => ({ name: r.name, binding: r.binding, kind: bindingKind(r) }))
    .sort((a, b) => a.binding - b.binding);
  const uniforms = fn.resources.filter((r) => r.resourceType === ResourceType.Uniform);
  if (uniforms.length > 1) throw new Error(`${fn.name}: at most one uniform binding per entry point`);
  const size = fn.workgroupSize;
  if (!size || size.some((s) => typeof s !== 'number')) throw new Error(`${fn.name}: workgroup size must be literal`);
  return {
    entry: fn.name,
    bindings,
    uniform: uniforms.length ? uniformLayout(uniforms[0]) : null,
    workgroupSize: [size[0], size[1] ?? 1, size[2] ?? 1],
  };
}

/** The family's source for a feature (its base source for none). */
export function familySource(family: KernelFamily, feature?: GPUFeatureName): string {
  if (!feature) return family.source;
  const source = family.featureSources?.[feature];
  if (source === undefined) throw new Error(`kernel family '${family.name}' has no source for the device feature '${feature}'`);
  return source;
}

/** Reflects a family's source (its source for `feature`, if given) once, cached by name, and returns its compute entry points. */
export function reflectFamily(family: KernelFamily, feature?: GPUFeatureName): Map<string, EntryPointInfo> {
  const key = feature ? `${family.name}+${feature}` : family.name;
  let entries = reflectionCache.get(key);
  if (!entries) {
    const reflect = new WgslReflect(familySource(family, feature));
    entries = new Map(reflect.entry.compute.map((fn) => [fn.name, entryInfo(fn)]));
    reflectionCache.set(key, entries);
  }
  return entries;
}

export function packUniforms(layout: UniformLayout, values: UniformValues, where: string): ArrayBuffer {
  const data = new ArrayBuffer(layout.size);
  packStruct(layout, values, new DataView(data), 0, where);
  return data;
}

/** Writes one struct's members by name at byteOffset; every member must be given, nothing else. */
function packStruct(layout: UniformLayout, values: UniformValues, view: DataView, byteOffset: number, where: string): void {
  const known = new Set(layout.members.map((m) => m.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new Error(`${where}: '${name}' is not a member of ${layout.binding} (${[...known].join(', ')})`);
  }
  for (const m of layout.members) {
    const v = values[m.name];
    const at = byteOffset + m.offset;
    if (v === undefined) throw new Error(`${where}: ${layout.binding}.${m.name} was not given`);
    if (m.type === 'f32') view.setFloat32(at, v, true);
    else if (!Number.isInteger(v) || (m.type === 'u32' && (v < 0 || v > 0xffffffff))) {
      throw new Error(`${where}: ${layout.binding}.${m.name} is ${m.type}, got ${v}`);
    } else if (m.type === 'u32') view.setUint32(at, v, true);
    else view.setInt32(at, v, true);
  }
}

/**
 * The layout of a struct of u32/i32/f32 members that a family's WGSL declares
 * (e.g. the records of a storage array), from reflection; `size` is its array
 * stride.
 */
export function structLayout(family: KernelFamily, name: string): UniformLayout {
  const info = new WgslReflect(family.source).structs.find((s) => s.name === name);
  if (!info) throw new Error(`kernel family '${family.name}' declares no struct '${name}'`);
  return { binding: name, size: Math.ceil(info.size / info.align) * info.align, members: scalarMembers(name, info.members) };
}

/** An array of structs (layout from structLayout), each record filled by member name. */
export function packStructArray(layout: UniformLayout, records: UniformValues[], where: string): ArrayBuffer {
  const data = new ArrayBuffer(Math.max(layout.size, layout.size * records.length));
  const view = new DataView(data);
  records.forEach((r, i) => packStruct(layout, r, view, i * layout.size, `${where}[${i}]`));
  return data;
}

export type BufferResource = GPUBuffer | GPUBufferBinding;

/** A compiled entry point: pipeline, its explicit layout, and helpers derived from reflection. */
export class Kernel {
  readonly id: string;
  /** The override constants the pipeline was compiled with, the family's defaults filled in. */
  readonly constants: Overrides;
  constructor(
    readonly device: GPUDevice,
    readonly family: KernelFamily,
    readonly info: EntryPointInfo,
    readonly layout: GPUBindGroupLayout,
    readonly pipeline: GPUComputePipeline,
    overrides: Overrides,
    /** The device feature whose source (KernelFamily.featureSources) the pipeline was compiled from; null: the base source. */
    readonly feature: GPUFeatureName | null = null,
  ) {
    this.id = kernelId(family.name, info.entry, overrides, feature);
    this.constants = { ...family.overrides, ...overrides };
  }

  dispatchSize(uniforms: UniformValues): WorkgroupCount {
    const count = this.family.dispatch[this.info.entry](uniforms, this.constants);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (count.some((c) => !Number.isInteger(c) || c < 0 || c > max)) {
      throw new Error(`${this.id}: dispatch ${count.join('×')} is outside 0..${max} workgroups per dimension`);
    }
    return count;
  }

  /**
   * The storage buffers this entry point binds, taken by name from `all`
   * (the entry points of a family share binding names but each uses some).
   */
  pick(all: Record<string, BufferResource | null>): Record<string, BufferResource> {
    const out: Record<string, BufferResource> = {};
    for (const b of this.info.bindings) {
      const r = all[b.name];
      if (b.kind !== 'uniform' && r) out[b.name] = r;
    }
    return out;
  }

  /** Bind group from buffers named as in the WGSL; every binding must be given, nothing else. */
  bindGroup(resources: Record<string, BufferResource>, label = this.id): GPUBindGroup {
    const names = new Set(this.info.bindings.map((b) => b.name));
    for (const name of Object.keys(resources)) {
      if (!names.has(name)) throw new Error(`${label}: ${this.info.entry} has no binding '${name}' (${[...names].join(', ')})`);
    }
    const entries = this.info.bindings.map((b) => {
      const r = resources[b.name];
      if (!r) throw new Error(`${label}: binding '${b.name}' of ${this.info.entry} was not given`);
      return { binding: b.binding, resource: 'buffer' in r ? r : { buffer: r } };
    });
    return this.device.createBindGroup({ label, layout: this.layout, entries });
  }
}

/** Overrides without those equal to the family's declared defaults: one pipeline for the same constants, however named. */
function canonicalOverrides(family: KernelFamily, overrides: Overrides): Overrides {
  const out: Overrides = {};
  for (const [k, v] of Object.entries(overrides)) if (family.overrides?.[k] !== v) out[k] = v;
  return out;
}

function kernelId(family: string, entry: string, overrides: Overrides, feature?: GPUFeatureName | null): string {
  const keys = Object.keys(overrides).sort();
  return `${family}.${entry}` + (keys.length ? `[${keys.map((k) => `${k}=${overrides[k]}`).join(',')}]` : '') + (feature ? `+${feature}` : '');
}

const BINDING_LAYOUT: Record<BindingKind, GPUBufferBindingType> = {
  uniform: 'uniform',
  storage: 'storage',
  'read-only-storage': 'read-only-storage',
};

/** Picks the variant of a tunable entry for a dispatch's uniforms (runtime/tuner.ts implements it). */
export interface VariantChooser {
  /** `overrides`: the caller's own (e.g. a conv's ACT), compiled into every candidate it times. */
  choose(registry: KernelRegistry, family: KernelFamily, entry: string, uniforms: UniformValues, overrides?: Overrides): Promise<KernelVariant>;
  /** Opens a window in which choose() may time candidates (within its budget); the returned function closes it. */
  openSession(): () => void;
}

/** Per-device cache of shader modules and compiled pipelines. */
export class KernelRegistry {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly kernels = new Map<string, Promise<Kernel>>();

  /** Without a chooser, kernelFor() runs each entry's first variant (today's configuration). */
  constructor(
    readonly device: GPUDevice,
    readonly chooser: VariantChooser | null = null,
  ) {}

  /** Number of distinct pipelines compiled so far. */
  get pipelineCount(): number {
    return this.kernels.size;
  }

  /**
   * The kernel a recorded dispatch of `entry` with these uniforms should run:
   * for an entry with tuning variants, the one the chooser picks for its shape
   * (timed while a plan is built, cached, or the shipped default); otherwise
   * the entry itself. Layers look their tunable kernels up through this.
   * `overrides` are the caller's own (an activation, a bias flag); a variant's
   * (its workgroup shape) are merged over them.
   */
  async kernelFor(family: KernelFamily, entry: string, uniforms: UniformValues, overrides: Overrides = {}): Promise<Kernel> {
    const variants = family.tuning?.variants[entry];
    if (!variants?.length) return this.kernel(family, entry, overrides);
    const v = this.chooser ? await this.chooser.choose(this, family, entry, uniforms, overrides) : variants[0];
    return this.kernel(family, v.entry, { ...overrides, ...v.overrides }, v.requires);
  }

  /**
   * Lets kernelFor() time candidates until the returned function is called
   * (a plan calls it around its recording): measurement happens while a
   * trainer is built, never while it trains or samples.
   */
  beginTuning(): () => void {
    return this.chooser ? this.chooser.openSession() : () => {};
  }

  /**
   * The pipeline of `entry` with these overrides; `feature`: compiled from the family's source for
   * that device feature (a variant's `requires`), which this device must have.
   */
  kernel(family: KernelFamily, entry: string, overrides: Overrides = {}, feature?: GPUFeatureName): Promise<Kernel> {
    overrides = canonicalOverrides(family, overrides);
    const id = kernelId(family.name, entry, overrides, feature);
    let kernel = this.kernels.get(id);
    if (!kernel) {
      kernel = this.compile(family, entry, overrides, feature);
      this.kernels.set(id, kernel);
    }
    return kernel;
  }

  private async compile(family: KernelFamily, entry: string, overrides: Overrides, feature?: GPUFeatureName): Promise<Kernel> {
    if (feature && !this.device.features.has(feature)) {
      throw new Error(`${kernelId(family.name, entry, overrides, feature)} needs the device feature '${feature}', which this device was not created with`);
    }
    const info = reflectFamily(family, feature).get(entry);
    if (!info) throw new Error(`kernel family '${family.name}'${feature ? ` (${feature})` : ''} has no compute entry point '${entry}'`);
    const moduleKey = feature ? `${family.name}+${feature}` : family.name;
    let module = this.modules.get(moduleKey);
    if (!module) {
      module = this.device.createShaderModule({ label: moduleKey, code: familySource(family, feature) });
      this.modules.set(moduleKey, module);
    }
    const layout = this.device.createBindGroupLayout({
      label: `${family.name}.${entry}`,
      entries: info.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: BINDING_LAYOUT[b.kind] },
      })),
    });
    const pipeline = await this.device.createComputePipelineAsync({
      label: kernelId(family.name, entry, overrides, feature),
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: entry, constants: overrides },
    });
    return new Kernel(this.device, family, info, layout, pipeline, overrides, feature ?? null);
  }
}
