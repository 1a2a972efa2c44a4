// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors):
//
//   [8 bytes]  N, the header length, u64 little-endian
//   [N bytes]  UTF-8 JSON object, space-padded so the data starts 8-byte aligned:
//              { "__metadata__": { string: string },
//                "<tensor name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ... }
//   [rest]     the tensors' raw little-endian data; offsets are relative to the
//              start of this section, the tensors tile it with no gaps or overlaps.
//
// A checkpoint holds, for each net, its parameters under `generator.<name>` /
// `discriminator.<name>` (<name> and shape exactly as the equivalent PyTorch
// nn.Sequential's state_dict, e.g. `generator.0.weight` [out, in]) and Adam's
// moments under `generator_adam.exp_avg.<name>` / `generator_adam.exp_avg_sq.<name>`
// (same for the discriminator), and BatchNorm's running statistics as
// `generator.<i>.running_mean` / `.running_var` (PyTorch's num_batches_tracked
// is not kept: momentum is fixed). The Adam step counts, the training step and the
// seed are in `__metadata__`. Only real tensor data is stored, never the padding
// of the GPU's flat layout.
import { CheckpointError } from '../runtime/errors.js';
import type { GanTrainer, NetName, OptimizerState } from './trainer.js';
import type { Sequential } from './sequential.js';

export const CHECKPOINT_FORMAT = 'webgpu-gan';
export const CHECKPOINT_VERSION = '1';

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;
const U32_MAX = 0xffffffff;
const NETS: readonly NetName[] = ['generator', 'discriminator'];

export interface SafetensorsTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  /** In file order (by data offset). */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

// ---------------------------------------------------------------------------
// The file format

const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Serialises F32 tensors (in the order given) and string metadata. The header
 * is padded with spaces to a multiple of 8 bytes so the data is 8-byte aligned.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new CheckpointError(`'__metadata__' is reserved and cannot name a tensor`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new CheckpointError(`tensor '${name}': shape ${showShape(t.shape)} must be non-negative integers`);
    }
    if (t.data.length !== elementCount(t.shape)) {
      throw new CheckpointError(`tensor '${name}': ${t.data.length} values do not fill shape ${showShape(t.shape)}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates a safetensors file of F32 tensors. Throws
 * CheckpointError for anything malformed: a short file, a header length past
 * the end, a header that is not a UTF-8 JSON object, a dtype other than F32,
 * a bad shape, data offsets that don't match the shape or don't tile the data
 * section exactly, non-string metadata.
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError('checkpoint: expected the file as a Uint8Array');
  if (bytes.length < 8) {
    throw new CheckpointError(`checkpoint: the file is ${bytes.length} bytes, too short for the 8-byte safetensors header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new CheckpointError(
      `checkpoint: the header length field says ${headerLength} bytes but the file has only ${bytes.length - 8} after it ` +
        `(limit ${MAX_HEADER_BYTES}); the file is truncated or not safetensors`,
    );
  }
  const N = Number(headerLength);
  if (N < 2) throw new CheckpointError(`checkpoint: the header length is ${N} bytes, too short for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    throw new CheckpointError('checkpoint: the header is not valid UTF-8; the file is not safetensors');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint: the header is not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is not safetensors`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CheckpointError('checkpoint: the header must be a JSON object');
  }

  const metadata = parseMetadata((header as Record<string, unknown>).__metadata__);
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, raw));
  }

  // The tensors must tile the data section: sorted by offset, each starts where the last ended.
  const dataStart = 8 + N;
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) {
      throw new CheckpointError(`checkpoint: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the tensor before it (which ends at ${expected})`);
    }
    if (e.begin > expected) {
      throw new CheckpointError(`checkpoint: tensor '${e.name}' starts at ${e.begin}, leaving a gap after byte ${expected} of the data section`);
    }
    if (e.end > dataLength) {
      throw new CheckpointError(
        `checkpoint: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] run past the data section (${dataLength} bytes); the file is truncated`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLength) {
    throw new CheckpointError(`checkpoint: the data section is ${dataLength} bytes but the tensors cover ${expected}; the file is truncated or has trailing bytes`);
  }

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const data = new Float32Array((e.end - e.begin) / 4);
    for (let i = 0, at = dataStart + e.begin; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CheckpointError('checkpoint: __metadata__ must be a JSON object of strings');
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new CheckpointError(`checkpoint: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, raw: unknown): HeaderEntry {
  const where = `checkpoint: tensor '${name}'`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (dtype !== 'F32') {
    throw new CheckpointError(`${where} has dtype ${JSON.stringify(dtype)}; only F32 is supported (convert with tensor.float() before saving)`);
  }
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointError(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o): o is number => Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] < offsets[0]
  ) {
    throw new CheckpointError(`${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = 4 * elementCount(shape);
  if (end - begin !== bytes) {
    throw new CheckpointError(`${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but F32 shape ${showShape(shape)} needs ${bytes}`);
  }
  return { name, shape: [...shape], begin, end };
}

// ---------------------------------------------------------------------------
// Checkpoints of a GanTrainer

interface ExpectedTensor {
  /** Name in the file. */
  name: string;
  net: NetName;
  part: 'params' | 'expAvg' | 'expAvgSq' | 'running';
  shape: number[];
  offset: number;
  size: number;
}

/** Every tensor a checkpoint of this trainer holds, in file order. */
function expectedTensors(trainer: GanTrainer): ExpectedTensor[] {
  const out: ExpectedTensor[] = [];
  const add = (net: NetName, part: ExpectedTensor['part'], prefix: string): void => {
    for (const p of sequentialOf(trainer, net).parameters) {
      out.push({ name: prefix + p.name, net, part, shape: [...p.shape], offset: p.offset, size: p.size });
    }
  };
  for (const net of NETS) {
    add(net, 'params', `${net}.`);
    // BatchNorm running statistics, as in a PyTorch state_dict (without num_batches_tracked).
    for (const r of sequentialOf(trainer, net).runningTensors) {
      out.push({ name: `${net}.${r.name}`, net, part: 'running', shape: [...r.shape], offset: r.offset, size: r.size });
    }
  }
  for (const net of NETS) {
    add(net, 'expAvg', `${net}_adam.exp_avg.`);
    add(net, 'expAvgSq', `${net}_adam.exp_avg_sq.`);
  }
  return out;
}

const sequentialOf = (trainer: GanTrainer, net: NetName): Sequential => trainer.config[net];

/** The trainer's parameters, Adam moments and counters as safetensors bytes. Reads from the GPU. */
export async function saveCheckpoint(trainer: GanTrainer): Promise<Uint8Array> {
  const [gParams, dParams, gAdam, dAdam, gRunning, dRunning, counters] = await Promise.all([
    trainer.readParameters('generator'),
    trainer.readParameters('discriminator'),
    trainer.readOptimizerState('generator'),
    trainer.readOptimizerState('discriminator'),
    trainer.readRunningStats('generator'),
    trainer.readRunningStats('discriminator'),
    trainer.readCounters(),
  ]);
  const flat: Record<NetName, Record<ExpectedTensor['part'], Float32Array>> = {
    generator: { params: gParams, expAvg: gAdam.expAvg, expAvgSq: gAdam.expAvgSq, running: gRunning },
    discriminator: { params: dParams, expAvg: dAdam.expAvg, expAvgSq: dAdam.expAvgSq, running: dRunning },
  };
  const tensors = new Map<string, SafetensorsTensor>();
  for (const t of expectedTensors(trainer)) {
    const data = flat[t.net][t.part].slice(t.offset, t.offset + t.size);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new CheckpointError(`saveCheckpoint: ${t.name}[${bad}] is ${data[bad]}; refusing to write a checkpoint that could not be loaded`);
    }
    tensors.set(t.name, { shape: t.shape, data });
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: String(counters.step),
    seed: String(trainer.config.seed),
    generator_adam_step: String(gAdam.step),
    discriminator_adam_step: String(dAdam.step),
    generator: trainer.config.generator.describe(),
    discriminator: trainer.config.discriminator.describe(),
  };
  return encodeSafetensors(tensors, metadata);
}

/** What loadCheckpoint writes, fully validated. */
interface CheckpointContents {
  params: Record<NetName, Float32Array>;
  running: Record<NetName, Float32Array>;
  optimizer: Record<NetName, OptimizerState>;
  step: number;
}

/**
 * Restores a checkpoint written by saveCheckpoint into a trainer of the same
 * architecture and seed. Everything is parsed and checked before anything is
 * written: a malformed or mismatched file throws CheckpointError and leaves
 * the trainer exactly as it was.
 */
export async function loadCheckpoint(trainer: GanTrainer, bytes: Uint8Array): Promise<void> {
  const contents = checkCheckpoint(trainer, parseSafetensors(bytes));
  for (const net of NETS) {
    trainer.writeParameters(net, contents.params[net]);
    trainer.writeRunningStats(net, contents.running[net]);
  }
  trainer.writeTrainingState({ ...contents.optimizer, step: contents.step });
  await trainer.ctx.device.queue.onSubmittedWorkDone();
}

function checkCheckpoint(trainer: GanTrainer, file: SafetensorsFile): CheckpointContents {
  const m = file.metadata;
  if (m.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`checkpoint: __metadata__.format is ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"; not a webgpu-gan checkpoint`);
  }
  if (m.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`checkpoint: version ${JSON.stringify(m.version)} is not supported; this library reads version ${CHECKPOINT_VERSION}`);
  }
  for (const net of NETS) {
    const mine = sequentialOf(trainer, net).describe();
    if (m[net] !== mine) {
      throw new CheckpointError(`checkpoint: its ${net} is ${JSON.stringify(m[net] ?? '(not recorded)')} but this trainer's is "${mine}"`);
    }
  }
  const step = metadataCount(m, 'step');
  const adamStep = { generator: metadataCount(m, 'generator_adam_step'), discriminator: metadataCount(m, 'discriminator_adam_step') };
  const seed = metadataCount(m, 'seed');
  if (seed !== trainer.config.seed) {
    throw new CheckpointError(
      `checkpoint: it was trained with seed ${seed} but this trainer has seed ${trainer.config.seed}; ` +
        `create the trainer with seed: ${seed} to resume it (the seed keys every noise and real-batch draw)`,
    );
  }

  const expected = expectedTensors(trainer);
  const names = new Set(expected.map((t) => t.name));
  const unexpected = [...file.tensors.keys()].filter((n) => !names.has(n));
  if (unexpected.length > 0) {
    throw new CheckpointError(`checkpoint: unexpected tensor(s) ${unexpected.map((n) => `'${n}'`).join(', ')} not in this trainer's nets`);
  }
  const flat = {} as Record<NetName, Record<ExpectedTensor['part'], Float32Array>>;
  for (const net of NETS) {
    const n = sequentialOf(trainer, net).parameterCount;
    const r = sequentialOf(trainer, net).runningStatsCount;
    flat[net] = { params: new Float32Array(n), expAvg: new Float32Array(n), expAvgSq: new Float32Array(n), running: new Float32Array(r) };
  }
  for (const t of expected) {
    const found = file.tensors.get(t.name);
    if (!found) throw new CheckpointError(`checkpoint: tensor '${t.name}' (shape ${showShape(t.shape)}) is missing`);
    if (found.shape.length !== t.shape.length || found.shape.some((d, i) => d !== t.shape[i])) {
      throw new CheckpointError(`checkpoint: tensor '${t.name}' has shape ${showShape(found.shape)} but this trainer expects ${showShape(t.shape)}`);
    }
    const bad = found.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CheckpointError(`checkpoint: tensor '${t.name}' value ${bad} is ${found.data[bad]}, not finite`);
    if (t.name.endsWith('.running_var')) {
      const negative = found.data.findIndex((v) => v < 0);
      if (negative >= 0) throw new CheckpointError(`checkpoint: tensor '${t.name}' value ${negative} is ${found.data[negative]}; a variance cannot be negative`);
    }
    flat[t.net][t.part].set(found.data, t.offset);
  }
  return {
    params: { generator: flat.generator.params, discriminator: flat.discriminator.params },
    running: { generator: flat.generator.running, discriminator: flat.discriminator.running },
    optimizer: {
      generator: { expAvg: flat.generator.expAvg, expAvgSq: flat.generator.expAvgSq, step: adamStep.generator },
      discriminator: { expAvg: flat.discriminator.expAvg, expAvgSq: flat.discriminator.expAvgSq, step: adamStep.discriminator },
    },
    step,
  };
}

/** A u32 counter from the metadata, written as a plain decimal integer. */
function metadataCount(m: Record<string, string>, key: string): number {
  const v = m[key];
  if (v === undefined) throw new CheckpointError(`checkpoint: __metadata__.${key} is missing`);
  const n = /^(0|[1-9][0-9]{0,9})$/.test(v) ? Number(v) : NaN;
  if (!(n <= U32_MAX)) throw new CheckpointError(`checkpoint: __metadata__.${key} is ${JSON.stringify(v)}, expected an integer in [0, ${U32_MAX}]`);
  return n;
}
