// The CLI's JSON config files (--config net.json): a GanConfig in plain
// JSON. Nets are lists of layers, each { "layer": NAME, ...fields } with the
// fields of the library's layer factory of that name (Linear(inFeatures,
// outFeatures, { bias }) → { "layer": "Linear", "inFeatures", "outFeatures",
// "bias" }; "spectralNorm" is true or { "gain": 3 }), or just "NAME" for a
// layer without required fields. Everything is checked here, before any data
// or GPU work: an unknown field or layer, a missing field, a value of the
// wrong type, layers that do not fit together (LayerConfigError), and the
// rest of the GanConfig (resolveGanConfig on stand-in data) all throw
// UsageError naming the file and the place.
import { dirname, resolve } from 'node:path';
import { PIXEL_RANGES, type PixelRange } from '../../data/images.js';
import { resolveGanConfig, type GanConfig, type NoiseSpec, type OptimizerSpec, type LossSpec } from '../../models/gan/config.js';
import '../../models/layers/index.js'; // registers the layer kinds
import { jsonLayerForms, type JsonFieldType, type Layer } from '../../models/layers/layer.js';
import { Sequential } from '../../models/layers/sequential.js';
import { ConfigError } from '../../runtime/errors.js';
import { UsageError } from './errors.js';

/** The layer forms by factory name, from the layer registry (each kind's module declares its own). */
const LAYER_FACTORIES = jsonLayerForms();

/** Where the data comes from, as a config may say it. */
export type ConfigData =
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'files'; path: string; labels?: string; range?: PixelRange };

/** A config file, checked: everything a GanConfig needs but the data, and the CLI's own fields. */
export interface ConfigFile {
  path: string;
  /** The JSON as read, kept in the checkpoints so that a run can be rebuilt. */
  json: Record<string, unknown>;
  /** Makes a fresh GanConfig of the file's nets and settings (data, condition, seed, batch filled in by the caller). */
  build(): Omit<GanConfig, 'data'>;
  /** K for a class-conditional GAN, else undefined. */
  classes?: number;
  steps?: number;
  data?: ConfigData;
}

const TOP_FIELDS = [
  'generator', 'discriminator', 'noise', 'batchSize', 'dSteps', 'loss', 'optimizerD', 'optimizerG', 'realLabel', 'ema', 'spectralNorm', 'penalty', 'seed', 'statsEvery', 'plan',
  'steps', 'classes', 'data',
];
const REQUIRED = ['generator', 'discriminator', 'noise', 'batchSize', 'optimizerD', 'optimizerG'];

const typeName = (v: unknown): string => (v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`);

/** Parses and checks a config file's text; `path` names it in errors and anchors relative data paths. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  const fail = (msg: string): never => {
    throw new UsageError(`${path}: ${msg}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail(`expected a JSON object with ${REQUIRED.join(', ')}; got ${typeName(json)}`);
  const c = json as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !TOP_FIELDS.includes(k));
  if (unknown.length > 0) fail(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${TOP_FIELDS.join(', ')}`);
  const missing = REQUIRED.filter((k) => c[k] === undefined);
  if (missing.length > 0) fail(`missing field ${missing.map((k) => `"${k}"`).join(', ')}`);

  const nets = { generator: netSpec('generator', c.generator, fail), discriminator: netSpec('discriminator', c.discriminator, fail) };
  // A file cannot hold the host callback a GanConfig's 'host' noise takes: the distributions drawn on the GPU only.
  const distribution = (c.noise as { distribution?: unknown } | null)?.distribution;
  if (typeof c.noise === 'object' && c.noise !== null && distribution !== 'uniform' && distribution !== 'normal') {
    fail(`noise: unknown distribution ${JSON.stringify(distribution)}; expected uniform or normal`);
  }
  const build = (): Omit<GanConfig, 'data'> => {
    const net = (role: 'generator' | 'discriminator') => {
      const { layers, inputShape } = nets[role];
      try {
        return new Sequential(role, layers.map((l) => l()), inputShape ? { inputShape } : {});
      } catch (e) {
        if (e instanceof ConfigError) return fail(e.message);
        throw e;
      }
    };
    const out: Omit<GanConfig, 'data'> = {
      generator: net('generator'),
      discriminator: net('discriminator'),
      noise: c.noise as NoiseSpec,
      batchSize: c.batchSize as number,
      optimizerD: c.optimizerD as OptimizerSpec,
      optimizerG: c.optimizerG as OptimizerSpec,
    };
    if (c.dSteps !== undefined) out.dSteps = c.dSteps as number;
    if (c.loss !== undefined) out.loss = c.loss as LossSpec;
    if (c.realLabel !== undefined) out.realLabel = c.realLabel as number;
    if (c.ema !== undefined) out.ema = c.ema as GanConfig['ema'];
    if (c.spectralNorm !== undefined) out.spectralNorm = c.spectralNorm as GanConfig['spectralNorm'];
    if (c.penalty !== undefined) out.penalty = c.penalty as GanConfig['penalty'];
    if (c.seed !== undefined) out.seed = c.seed as number;
    if (c.statsEvery !== undefined) out.statsEvery = c.statsEvery as number;
    if (c.plan !== undefined) out.plan = c.plan as GanConfig['plan'];
    return out;
  };
  const file: ConfigFile = { path, json: c, build };
  if (c.steps !== undefined) {
    if (typeof c.steps !== 'number' || !Number.isSafeInteger(c.steps) || c.steps < 1) fail(`"steps" must be a positive integer, got ${typeName(c.steps)}`);
    file.steps = c.steps as number;
  }
  if (c.classes !== undefined) {
    if (typeof c.classes !== 'number' || !Number.isInteger(c.classes) || c.classes < 1 || c.classes > 256) fail(`"classes" must be an integer in 1…256, got ${typeName(c.classes)}`);
    file.classes = c.classes as number;
  }
  if (c.data !== undefined) file.data = configData(c.data, dirname(resolve(path)), fail);
  // Everything else a GanConfig holds, checked now on stand-in data of the right width.
  const trial = build();
  try {
    const cols = trial.generator.outputSize;
    const rows = typeof trial.batchSize === 'number' && Number.isSafeInteger(trial.batchSize) && trial.batchSize > 0 ? trial.batchSize : 1;
    const data: GanConfig['data'] = file.data?.kind === 'normal' ? file.data : { kind: 'dataset', values: new Float32Array(rows * cols), rows, cols };
    const condition = file.classes ? { classes: file.classes, labels: new Uint8Array(rows) } : undefined;
    resolveGanConfig({ ...trial, data, ...(condition ? { condition } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  return file;
}

function netSpec(
  role: string,
  v: unknown,
  fail: (msg: string) => never,
): { layers: (() => Layer)[]; inputShape?: [number, number, number] } {
  let list: unknown = v;
  let inputShape: [number, number, number] | undefined;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'layers' && k !== 'inputShape');
    if (extra.length > 0) fail(`${role}: unknown field ${extra.map((k) => `"${k}"`).join(', ')}; expected "layers" and optionally "inputShape"`);
    list = o.layers;
    if (o.inputShape !== undefined) {
      const s = o.inputShape;
      if (!Array.isArray(s) || s.length !== 3 || !s.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)) {
        fail(`${role}.inputShape must be 3 positive integers [C, H, W], got ${JSON.stringify(s)}`);
      }
      inputShape = [...(s as number[])] as [number, number, number];
    }
  }
  if (!Array.isArray(list) || list.length === 0) fail(`${role} must be a non-empty list of layers (or { "inputShape", "layers" }), got ${typeName(list)}`);
  const layers = (list as unknown[]).map((l, i) => layerSpec(`${role} layer ${i}`, l, fail));
  return inputShape ? { layers, inputShape } : { layers };
}

const isJsonType = (v: unknown, t: JsonFieldType): boolean => (t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === t);
const withArticle = (t: JsonFieldType): string => (t === 'object' ? 'an object' : `a ${t}`);

function layerSpec(where: string, v: unknown, fail: (msg: string) => never): () => Layer {
  const names = Object.keys(LAYER_FACTORIES).join(', ');
  const o: Record<string, unknown> = typeof v === 'string' ? { layer: v } : typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  if (typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v))) fail(`${where}: expected { "layer": NAME, ...fields } or a layer name, got ${typeName(v)}`);
  const name = o.layer;
  if (name === undefined) fail(`${where}: missing "layer" (one of ${names})`);
  const factory = typeof name === 'string' ? LAYER_FACTORIES[name] : undefined;
  if (!factory || !Object.prototype.hasOwnProperty.call(LAYER_FACTORIES, name as string)) {
    fail(`${where}: unknown layer ${JSON.stringify(name)}; expected one of ${names}`);
  }
  const takes = factory!.fields.map(([f]) => f);
  const extra = Object.keys(o).filter((k) => k !== 'layer' && !takes.includes(k));
  if (extra.length > 0) {
    fail(`${where} (${name as string}): unknown field ${extra.map((k) => `"${k}"`).join(', ')}; ${name as string} takes ${takes.length ? takes.join(', ') : 'no fields'}`);
  }
  for (const [field, required, type] of factory!.fields) {
    if (o[field] === undefined) {
      if (required) fail(`${where} (${name as string}): missing field "${field}"; ${name as string} takes ${takes.join(', ')}`);
      continue;
    }
    const types = typeof type === 'string' ? [type] : type;
    if (!types.some((t) => isJsonType(o[field], t))) fail(`${where} (${name as string}): "${field}" must be ${types.map(withArticle).join(' or ')}, got ${typeName(o[field])}`);
  }
  return () => factory!.make(o) as Layer;
}

function configData(v: unknown, base: string, fail: (msg: string) => never): ConfigData {
  if (typeof v === 'string') return { kind: 'files', path: v === 'mnist' ? v : resolve(base, v) };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`"data" must be "mnist", a path, { "path", "labels", "range" } or { "kind": "normal", "mean", "std" }; got ${typeName(v)}`);
  const o = v as Record<string, unknown>;
  if (o.kind === 'normal') {
    const extra = Object.keys(o).filter((k) => !['kind', 'mean', 'std'].includes(k));
    if (extra.length > 0) fail(`data: unknown field ${extra.map((k) => `"${k}"`).join(', ')}; a normal distribution takes mean and std`);
    for (const k of ['mean', 'std']) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) fail(`data.${k} must be a finite number, got ${typeName(o[k])}`);
    if (!((o.std as number) > 0)) fail(`data.std must be > 0, got ${o.std as number}`);
    return { kind: 'normal', mean: o.mean as number, std: o.std as number };
  }
  if (o.kind !== undefined) fail(`data.kind must be "normal" (or absent, with "path"), got ${typeName(o.kind)}`);
  const extra = Object.keys(o).filter((k) => !['path', 'labels', 'range'].includes(k));
  if (extra.length > 0) fail(`data: unknown field ${extra.map((k) => `"${k}"`).join(', ')}; expected path, labels, range`);
  if (typeof o.path !== 'string' || o.path === '') fail(`data.path must be a path (or "mnist"), got ${typeName(o.path)}`);
  if (o.labels !== undefined && (typeof o.labels !== 'string' || o.labels === '')) fail(`data.labels must be a path, got ${typeName(o.labels)}`);
  if (o.range !== undefined && !PIXEL_RANGES.includes(o.range as PixelRange)) fail(`data.range must be one of ${PIXEL_RANGES.join(', ')}, got ${typeName(o.range)}`);
  const out: ConfigData = { kind: 'files', path: o.path === 'mnist' ? 'mnist' : resolve(base, o.path as string) };
  if (o.labels !== undefined) out.labels = resolve(base, o.labels as string);
  if (o.range !== undefined) out.range = o.range as PixelRange;
  return out;
}
