// Weights from elsewhere into a trainer's nets: a PyTorch state_dict of one
// net (G or D alone) saved as safetensors, e.g.
//
//   from safetensors.torch import save_file
//   save_file(generator.state_dict(), "G.safetensors")
//
// Names and shapes are the state_dict's ("0.weight" [out, in], …): the same
// as Sequential.parameters / .buffers when the PyTorch nn.Sequential has the
// same layers in the same order. F32, F16 and BF16 tensors are read (widened
// to F32); PyTorch's BatchNorm num_batches_tracked is not kept by this engine
// and is skipped when present as F32/F16/BF16 (an I64 one cannot be parsed:
// drop it before saving). Everything is checked before anything is written;
// a bad file throws one CheckpointError that names every missing, extra and
// mis-shaped tensor and leaves the trainer as it was.
import { CheckpointError, parseSafetensors } from '../../io/safetensors.js';
import type { ParamTensor } from '../layers/layer.js';
import type { Sequential } from '../layers/sequential.js';
import type { NetName } from './config.js';
import type { GanTrainer } from './trainer.js';

/** A tensor by its values, in C order. */
export interface NamedTensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export type NamedTensors = ReadonlyMap<string, NamedTensor> | Readonly<Record<string, NamedTensor>>;

export interface LoadWeightsOptions {
  /**
   * A prefix the file's names carry before the net's own (e.g. 'main.' for a
   * module that keeps its nn.Sequential as self.main); stripped before
   * matching. Names without it are extra.
   */
  prefix?: string;
}

const show = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const SKIPPED = /(^|\.)num_batches_tracked$/;

function entries(tensors: NamedTensors): [string, NamedTensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (typeof tensors !== 'object' || tensors === null) throw new CheckpointError(`expected a Map (or object) of name → { shape, data }, got ${String(tensors)}`);
  return Object.entries(tensors);
}

/** The problems of `given` against `expected`: missing, mis-shaped or not finite, in the net's order, then the extra names. */
function problems(expected: readonly ParamTensor[], given: Map<string, NamedTensor>, allowed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const missing = expected.filter((t) => !given.has(t.name));
  if (missing.length > 0) out.push(`missing ${missing.map((t) => `'${t.name}' ${show(t.shape)}`).join(', ')}`);
  for (const t of expected) {
    const g = given.get(t.name);
    if (!g) continue;
    const shape = Array.isArray(g.shape) ? g.shape : null;
    if (!shape || shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i])) {
      out.push(`'${t.name}' has shape ${shape ? show(shape) : String(g.shape)} but the net expects ${show(t.shape)}`);
      continue;
    }
    if (!g.data || g.data.length !== t.size) {
      out.push(`'${t.name}' has ${g.data?.length ?? 'no'} values for shape ${show(t.shape)} (${t.size})`);
      continue;
    }
    for (let i = 0; i < t.size; i++) {
      if (!Number.isFinite(g.data[i])) {
        out.push(`'${t.name}' value ${i} is ${g.data[i]}, not finite`);
        break;
      }
    }
  }
  const extra = [...given.keys()].filter((n) => !allowed.has(n));
  if (extra.length > 0) out.push(`extra ${extra.map((n) => `'${n}'`).join(', ')} not in the net`);
  return out;
}

function pack(tensors: readonly ParamTensor[], size: number, given: Map<string, NamedTensor>, base?: Float32Array): Float32Array {
  const flat = base ? base.slice() : new Float32Array(size);
  for (const t of tensors) {
    const g = given.get(t.name)!;
    for (let i = 0; i < t.size; i++) flat[t.offset + i] = g.data[i];
  }
  return flat;
}

function fail(where: string, net: Sequential, list: string[]): never {
  throw new CheckpointError(`${where}: the tensors do not fit ${net.name} '${net.describe()}': ${list.join('; ')}`);
}

/**
 * Named parameter tensors (state_dict names: "0.weight", …) packed into the
 * net's flat parameter layout (Sequential.parameters: aligned offsets,
 * padding zero), ready for trainer.writeParameters / GanTrainer.create's
 * initial weights. Every tensor must be there with its shape and finite
 * values, and no other: CheckpointError lists what is not.
 */
export function packParameters(net: Sequential, tensors: NamedTensors): Float32Array {
  const given = new Map(entries(tensors));
  const list = problems(net.parameters, given, new Set(net.parameters.map((t) => t.name)));
  if (list.length > 0) fail('packParameters', net, list);
  return pack(net.parameters, net.parameterCount, given);
}

/** Named buffers (BatchNorm running_mean / running_var) packed into the net's flat buffer layout, as packParameters. */
export function packBuffers(net: Sequential, tensors: NamedTensors): Float32Array {
  const given = new Map(entries(tensors));
  const list = problems(net.buffers, given, new Set(net.buffers.map((t) => t.name)));
  if (list.length > 0) fail('packBuffers', net, list);
  return pack(net.buffers, net.bufferCount, given, net.initialBuffers());
}

/** A net's state_dict from safetensors bytes, checked whole against the net: its flat parameters and buffers. */
export function decodeStateDict(net: Sequential, bytes: Uint8Array, options: LoadWeightsOptions = {}): { params: Float32Array; buffers: Float32Array } {
  const file = parseSafetensors(bytes, { halfPrecision: true });
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new CheckpointError(`prefix must be a string, got ${String(prefix)}`);
  const given = new Map<string, NamedTensor>();
  const unprefixed: string[] = [];
  for (const [name, t] of file.tensors) {
    if (!name.startsWith(prefix)) unprefixed.push(name);
    else if (!SKIPPED.test(name)) given.set(name.slice(prefix.length), t);
  }
  const expected = [...net.parameters, ...net.buffers];
  const list = problems(expected, given, new Set(expected.map((t) => t.name)));
  if (unprefixed.length > 0) list.push(`extra ${unprefixed.map((n) => `'${n}'`).join(', ')} without the prefix '${prefix}'`);
  if (list.length > 0) {
    // A file saved from a module that wraps the Sequential names every tensor with the same prefix: say so.
    const first = expected[0]?.name;
    const hint = first && !prefix ? [...file.tensors.keys()].find((n) => n.endsWith(`.${first}`)) : undefined;
    if (hint) list.push(`(the file's names look prefixed: pass { prefix: '${hint.slice(0, -first!.length)}' })`);
    fail('state_dict', net, list);
  }
  return { params: pack(net.parameters, net.parameterCount, given), buffers: pack(net.buffers, net.bufferCount, given, net.initialBuffers()) };
}

/**
 * Loads a PyTorch state_dict of one net (safetensors bytes, no metadata
 * needed; F32, F16 or BF16) into the trainer's `net`, for sampling or
 * fine-tuning. Parameters and BatchNorm running statistics are replaced; the
 * other net, the optimizer state and the step counter are kept. The whole
 * file is checked first: CheckpointError names every missing, extra and
 * mis-shaped tensor, and nothing is written.
 */
export async function loadNetWeights(trainer: GanTrainer, net: NetName, bytes: Uint8Array, options: LoadWeightsOptions = {}): Promise<void> {
  if (net !== 'generator' && net !== 'discriminator') throw new CheckpointError(`unknown net ${String(net)}; expected 'generator' or 'discriminator'`);
  const seq = trainer.config[net];
  const { params, buffers } = decodeStateDict(seq, bytes, options);
  // Both writes are queued back to back, so no other call of the trainer runs between them.
  const writes = [trainer.writeParameters(net, params), ...(seq.buffers.length > 0 ? [trainer.writeBuffers(net, buffers)] : [])];
  await Promise.all(writes);
}

/** loadNetWeights(trainer, 'generator', bytes): a G-only state_dict into the trainer's generator. */
export function loadGenerator(trainer: GanTrainer, bytes: Uint8Array, options: LoadWeightsOptions = {}): Promise<void> {
  return loadNetWeights(trainer, 'generator', bytes, options);
}

/** loadNetWeights(trainer, 'discriminator', bytes): a D-only state_dict into the trainer's discriminator. */
export function loadDiscriminator(trainer: GanTrainer, bytes: Uint8Array, options: LoadWeightsOptions = {}): Promise<void> {
  return loadNetWeights(trainer, 'discriminator', bytes, options);
}
