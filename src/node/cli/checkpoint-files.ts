// Checkpoint files of the CLI: saveCheckpoint's bytes with the run's
// description added to __metadata__, written atomically (a temporary file in
// the same folder, flushed, then renamed over the name), so that a crash or a
// second Ctrl-C never leaves half a checkpoint under a checkpoint's name.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, encodeSafetensors, parseSafetensors, type SafetensorsFile } from '../../io/safetensors.js';
import { saveCheckpoint } from '../../models/gan/checkpoint.js';
import type { GanTrainer } from '../../models/gan/trainer.js';
import { RUN_METADATA_KEY, type RunDescription } from './run.js';

/** Writes `bytes` to `path` through a temporary file beside it and a rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A checkpoint's bytes with the run description in its __metadata__ (re-encoded with the library's own writer). */
export function withRunDescription(bytes: Uint8Array, run: RunDescription): Uint8Array {
  const file = parseSafetensors(bytes);
  return encodeSafetensors(file.tensors, { ...file.metadata, [RUN_METADATA_KEY]: JSON.stringify(run) });
}

export const checkpointPath = (out: string, name: string, step: number): string => join(out, `${name}-${step}.safetensors`);

/** Saves the trainer's state and the run to <out>/<name>-<step>.safetensors; returns the path. */
export async function saveRunCheckpoint(trainer: GanTrainer, run: RunDescription, out: string): Promise<string> {
  const bytes = withRunDescription(await saveCheckpoint(trainer), run);
  const path = checkpointPath(out, run.name, trainer.step);
  writeFileAtomic(path, bytes);
  return path;
}

/** Reads and parses a safetensors file; a CheckpointError names the file. */
export function readCheckpointFile(path: string, options: { halfPrecision?: boolean } = {}): { bytes: Uint8Array; file: SafetensorsFile } {
  const bytes = readFileSync(path);
  try {
    return { bytes, file: parseSafetensors(bytes, options) };
  } catch (e) {
    if (e instanceof CheckpointError) throw new CheckpointError(`${path}: ${e.message.replace(/^checkpoint: /, '')}`);
    throw e;
  }
}
