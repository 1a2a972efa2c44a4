// info CHECKPOINT: what a safetensors file holds, without the GPU: for a
// checkpoint of this CLI its run, architecture and counters; for any file
// (a library checkpoint, a PyTorch state_dict) its metadata and tensors.
import { parseSafetensors } from '../../io/safetensors.js';
import { readCheckpointFile } from './checkpoint-files.js';
import { existingPath, type ParsedCommand } from './args.js';
import { EXIT_OK } from './errors.js';
import { readRunDescription, RUN_METADATA_KEY, type RunDescription } from './run.js';
import type { Job } from './train.js';

export interface CheckpointInfo {
  path: string;
  bytes: number;
  format: string | null;
  step: number | null;
  seed: number | null;
  generator: string | null;
  discriminator: string | null;
  run: RunDescription | null;
  /** Other metadata, as stored. */
  metadata: Record<string, string>;
  tensors: { name: string; shape: number[]; values: number }[];
  values: number;
}

const count = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);

export function checkpointInfo(path: string, bytes: Uint8Array): CheckpointInfo {
  const file = parseSafetensors(bytes, { halfPrecision: true });
  const m = file.metadata;
  const run = m[RUN_METADATA_KEY] !== undefined ? readRunDescription(m, path) : null;
  const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, values: t.data.length }));
  const known = new Set(['format', 'version', 'step', 'seed', 'generator', 'discriminator', RUN_METADATA_KEY]);
  return {
    path,
    bytes: bytes.length,
    format: m.format !== undefined ? `${m.format}${m.version !== undefined ? ` v${m.version}` : ''}` : null,
    step: count(m.step),
    seed: count(m.seed),
    generator: m.generator ?? null,
    discriminator: m.discriminator ?? null,
    run,
    metadata: Object.fromEntries(Object.entries(m).filter(([k]) => !known.has(k))),
    tensors,
    values: tensors.reduce((a, t) => a + t.values, 0),
  };
}

function describeRun(run: RunDescription): string {
  const what = run.preset ? `preset ${run.preset}` : `config ${run.config!.path}`;
  const d = run.data;
  const data = d ? `${d.kind === 'mnist' ? 'mnist (training digits)' : `${d.kind} ${d.path}${d.labels ? ` + labels ${d.labels}` : ''}`}, ${d.rows} × ${d.shape.join('×')}, range ${d.range}` : 'its own';
  return `${what}, seed ${run.seed}, batch ${run.batch}, run to step ${run.steps}; data: ${data}`;
}

export function infoText(i: CheckpointInfo): string {
  const lines = [`file           ${i.path} (${i.bytes} bytes)`];
  if (i.format) lines.push(`format         ${i.format}`);
  if (i.step !== null) lines.push(`step           ${i.step}${i.seed !== null ? `, seed ${i.seed}` : ''}`);
  if (i.run) lines.push(`run            ${describeRun(i.run)}`);
  if (i.generator) lines.push(`generator      ${i.generator}`);
  if (i.discriminator) lines.push(`discriminator  ${i.discriminator}`);
  for (const [k, v] of Object.entries(i.metadata)) lines.push(`${k.padEnd(14)} ${v}`);
  lines.push(`tensors        ${i.tensors.length}, ${i.values} values`);
  const width = Math.max(0, ...i.tensors.map((t) => t.name.length));
  for (const t of i.tensors) lines.push(`  ${t.name.padEnd(width)}  [${t.shape.join(', ')}]`);
  return lines.join('\n');
}

/** `info CHECKPOINT`: no GPU. */
export function prepareInfo(p: ParsedCommand): Job {
  const path = existingPath('info', 'the checkpoint', p.positionals[0]);
  return {
    gpu: false,
    async run(io) {
      const info = checkpointInfo(path, readCheckpointFile(path, { halfPrecision: true }).bytes);
      io.out(`${p.values.json ? JSON.stringify(info, null, 2) : infoText(info)}\n`);
      return EXIT_OK;
    },
  };
}
