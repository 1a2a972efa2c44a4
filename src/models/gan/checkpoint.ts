// Checkpoints of a GanTrainer, as safetensors (io/safetensors.ts). For each
// net: its parameters under `generator.<name>` / `discriminator.<name>`
// (<name> and shape exactly as the equivalent PyTorch nn.Sequential's
// state_dict, e.g. `generator.0.weight` [out, in]), its buffers
// (`generator.<i>.running_mean`, PyTorch's num_batches_tracked is not kept:
// momentum is fixed), and its optimizer's state under
// `generator_<optimizer>.<slot>.<name>` (Adam: generator_adam.exp_avg.0.weight),
// and, when the config keeps one, G's moving average under `generator_ema.<name>`.
// The update counts, the training step and the seed are in `__metadata__`.
// Only real tensor data is stored, never the padding of the GPU's flat layout.
// A file is checked whole before anything is written: a bad one changes nothing.
import { CheckpointError, encodeSafetensors, parseSafetensors, type SafetensorsFile, type SafetensorsTensor } from '../../io/safetensors.js';
import type { ParamTensor } from '../layers/layer.js';
import { NETS, type NetName } from './config.js';
import type { GanTrainer, TrainerState } from './trainer.js';

export const CHECKPOINT_FORMAT = 'webgpu-gan';
export const CHECKPOINT_VERSION = '1';
/** Counters a checkpoint may hold: below 2³¹, so that the GPU's u32 counters cannot wrap in the run that resumes. */
export const MAX_COUNTER = 0x7fffffff;

interface ExpectedTensor {
  /** Name in the file. */
  name: string;
  net: NetName;
  /** 'params', 'buffers', or an optimizer slot name. */
  part: string;
  tensor: ParamTensor;
}

const optimizerPrefix = (trainer: GanTrainer, net: NetName) => `${net}_${trainer.config.optimizers[net].module.name}`;

/** Every tensor a checkpoint of this trainer holds, in file order. */
function expectedTensors(trainer: GanTrainer): ExpectedTensor[] {
  const out: ExpectedTensor[] = [];
  for (const net of NETS) {
    const seq = trainer.config[net];
    for (const t of seq.parameters) out.push({ name: `${net}.${t.name}`, net, part: 'params', tensor: t });
    for (const t of seq.buffers) out.push({ name: `${net}.${t.name}`, net, part: 'buffers', tensor: t });
  }
  for (const net of NETS) {
    for (const slot of trainer.config.optimizers[net].slots) {
      for (const t of trainer.config[net].parameters) out.push({ name: `${optimizerPrefix(trainer, net)}.${slot}.${t.name}`, net, part: slot, tensor: t });
    }
  }
  if (trainer.config.ema) {
    for (const t of trainer.config.generator.parameters) out.push({ name: `generator_ema.${t.name}`, net: 'generator', part: AVERAGED, tensor: t });
  }
  return out;
}

/** The part name of G's moving average (not an optimizer slot). */
const AVERAGED = 'averaged';

/** The trainer's parameters, buffers, optimizer state and counters as safetensors bytes. Reads from the GPU. */
export async function saveCheckpoint(trainer: GanTrainer): Promise<Uint8Array> {
  const flat = {} as Record<NetName, Record<string, Float32Array>>;
  const steps = {} as Record<NetName, number>;
  for (const net of NETS) {
    const [params, buffers, opt] = await Promise.all([trainer.readParameters(net), trainer.readBuffers(net), trainer.readOptimizerState(net)]);
    flat[net] = { params, buffers, ...opt.slots };
    steps[net] = opt.step;
  }
  if (trainer.config.ema) flat.generator[AVERAGED] = await trainer.readAveraged();
  const counters = await trainer.readCounters();
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of expectedTensors(trainer)) {
    const data = flat[e.net][e.part].slice(e.tensor.offset, e.tensor.offset + e.tensor.size);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CheckpointError(`saveCheckpoint: ${e.name}[${bad}] is ${data[bad]}; refusing to write a checkpoint that could not be loaded`);
    tensors.set(e.name, { shape: [...e.tensor.shape], data });
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: String(counters.step),
    seed: String(trainer.config.seed),
    ...Object.fromEntries(NETS.map((net) => [`${optimizerPrefix(trainer, net)}_step`, String(steps[net])])),
    generator: trainer.config.generator.describe(),
    discriminator: trainer.config.discriminator.describe(),
  };
  return encodeSafetensors(tensors, metadata);
}

/**
 * Restores a checkpoint written by saveCheckpoint into a trainer of the same
 * architecture, optimizers and seed, after any call still running on it.
 * Everything is parsed and checked first: a malformed or mismatched file
 * throws CheckpointError and leaves the trainer exactly as it was.
 */
export async function loadCheckpoint(trainer: GanTrainer, bytes: Uint8Array): Promise<void> {
  await trainer.restore(checkCheckpoint(trainer, parseSafetensors(bytes)));
}

/** The file's contents as a TrainerState, or CheckpointError naming the first thing wrong. */
export function checkCheckpoint(trainer: GanTrainer, file: SafetensorsFile): TrainerState {
  const m = file.metadata;
  if (m.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`checkpoint: __metadata__.format is ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"; not a webgpu-gan checkpoint`);
  }
  if (m.version !== CHECKPOINT_VERSION) throw new CheckpointError(`checkpoint: version ${JSON.stringify(m.version)} is not supported; this library reads version ${CHECKPOINT_VERSION}`);
  for (const net of NETS) {
    const mine = trainer.config[net].describe();
    if (m[net] !== mine) throw new CheckpointError(`checkpoint: its ${net} is ${JSON.stringify(m[net] ?? '(not recorded)')} but this trainer's is "${mine}"`);
  }
  const step = metadataCount(m, 'step');
  const updates = Object.fromEntries(NETS.map((net) => [net, metadataCount(m, `${optimizerPrefix(trainer, net)}_step`)])) as Record<NetName, number>;
  // Each training step ends in exactly one generator update.
  if (updates.generator !== step) {
    throw new CheckpointError(`checkpoint: ${optimizerPrefix(trainer, 'generator')}_step is ${updates.generator} but step is ${step}; every training step makes one generator update`);
  }
  const seed = metadataCount(m, 'seed', 0xffffffff);
  if (seed !== trainer.config.seed) {
    throw new CheckpointError(
      `checkpoint: it was trained with seed ${seed} but this trainer has seed ${trainer.config.seed}; ` +
        `create the trainer with seed: ${seed} to resume it (the seed keys every noise and real-batch draw)`,
    );
  }

  const expected = expectedTensors(trainer);
  const names = new Set(expected.map((e) => e.name));
  const unexpected = [...file.tensors.keys()].filter((n) => !names.has(n));
  if (unexpected.length > 0) throw new CheckpointError(`checkpoint: unexpected tensor(s) ${unexpected.map((n) => `'${n}'`).join(', ')} not in this trainer's nets`);
  const flat = {} as Record<NetName, Record<string, Float32Array>>;
  for (const net of NETS) {
    const seq = trainer.config[net];
    flat[net] = { params: new Float32Array(seq.parameterCount), buffers: seq.initialBuffers() };
    for (const slot of trainer.config.optimizers[net].slots) flat[net][slot] = new Float32Array(seq.parameterCount);
  }
  if (trainer.config.ema) flat.generator[AVERAGED] = new Float32Array(trainer.config.generator.parameterCount);
  const show = (shape: readonly number[]) => `[${shape.join(', ')}]`;
  for (const e of expected) {
    const found = file.tensors.get(e.name);
    const shape = e.tensor.shape;
    if (!found) throw new CheckpointError(`checkpoint: tensor '${e.name}' (shape ${show(shape)}) is missing`);
    if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`checkpoint: tensor '${e.name}' has shape ${show(found.shape)} but this trainer expects ${show(shape)}`);
    }
    const bad = found.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CheckpointError(`checkpoint: tensor '${e.name}' value ${bad} is ${found.data[bad]}, not finite`);
    if (e.part === 'buffers' && e.tensor.local === 'running_var') {
      const negative = found.data.findIndex((v) => v < 0);
      if (negative >= 0) throw new CheckpointError(`checkpoint: tensor '${e.name}' value ${negative} is ${found.data[negative]}; a variance cannot be negative`);
    }
    if (e.part !== 'params' && e.part !== 'buffers' && e.part !== AVERAGED) {
      const why = trainer.config.optimizers[e.net].module.checkSlot?.(e.part, found.data);
      if (why) throw new CheckpointError(`checkpoint: tensor '${e.name}' ${why}`);
    }
    flat[e.net][e.part].set(found.data, e.tensor.offset);
  }
  const state = (net: NetName) => {
    const { params: _p, buffers: _b, [AVERAGED]: _a, ...slots } = flat[net];
    return { slots, step: updates[net] };
  };
  return {
    params: { generator: flat.generator.params, discriminator: flat.discriminator.params },
    buffers: { generator: flat.generator.buffers, discriminator: flat.discriminator.buffers },
    optimizer: { generator: state('generator'), discriminator: state('discriminator') },
    step,
    ...(trainer.config.ema ? { averaged: flat.generator[AVERAGED] } : {}),
  };
}

/** A counter from the metadata, written as a plain decimal integer no larger than `max`. */
function metadataCount(m: Record<string, string>, key: string, max = MAX_COUNTER): number {
  const v = m[key];
  if (v === undefined) throw new CheckpointError(`checkpoint: __metadata__.${key} is missing`);
  const n = /^(0|[1-9][0-9]{0,9})$/.test(v) ? Number(v) : NaN;
  if (!(n <= max)) throw new CheckpointError(`checkpoint: __metadata__.${key} is ${JSON.stringify(v)}, expected an integer in [0, ${max}]`);
  return n;
}
