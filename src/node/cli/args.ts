// The command line: commands, their options (node:util parseArgs), help
// texts, and the checks on values that run before any data or GPU work.
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PIXEL_RANGES, type PixelRange } from '../../data/images.js';
import { PRESET_OBJECTIVES, PRESETS } from '../../presets/presets.js';
import { jsonLayerForms } from '../../models/layers/layer.js';
import { lossNames } from '../../models/losses/index.js';
import { optimizerNames } from '../../models/optim/index.js';
import { UsageError } from './errors.js';

export const COMMANDS = ['train', 'resume', 'sample', 'eval', 'info'] as const;
export type Command = (typeof COMMANDS)[number];

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

interface CommandSpec {
  /** Positional arguments, by name (each required). */
  positionals: string[];
  options: Record<string, OptionSpec>;
  help: string;
}

/** The layers a config file may name, from the layer registry: "Name required [optional]", one per line. */
function layerFormsHelp(): string {
  return Object.entries(jsonLayerForms())
    .map(([name, form]) => `    ${[name, ...form.fields.map(([field, required]) => (required ? field : `[${field}]`))].join(' ')}`)
    .join('\n');
}

const HELP_OPTION: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h' } };
const RUN_OPTIONS: Record<string, OptionSpec> = {
  steps: { type: 'string' },
  out: { type: 'string' },
  'save-every': { type: 'string' },
  keep: { type: 'string' },
  'log-every': { type: 'string' },
  progress: { type: 'string' },
};
const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: { type: 'string' },
  labels: { type: 'string' },
};

export const STDERR_NOTE = `Dawn (the WebGPU of Node) may print Vulkan loader lines on stderr while it looks for a driver, such as
"Warning: vkCreateInstance: Found no drivers!" before it falls back to SwiftShader, or an XDG_RUNTIME_DIR
notice. They are harmless, and the GPU commands filter them out; set WEBGPU_GAN_RAW_STDERR=1 to see them.`;

const RUN_HELP = `How long, and what is written:
  --steps N         training steps (train: default per preset, a config's "steps", else 1000;
                    resume: default what is left of the run's --steps)
  --out DIR         where checkpoints and the final samples go (train: default out;
                    resume: default the checkpoint's folder)
  --save-every N    also save a checkpoint every N steps (default 0: at the end and on Ctrl-C only)
  --keep K          keep only the K newest checkpoints this run wrote (default 0: keep all)
  --log-every N     print a statistics line every N steps: means over those N steps of the losses,
                    D's outputs and the gradient norms (default: the preset's or config's statsEvery;
                    0: no lines)
  --progress WHEN   progress bar with steps/s and ETA on stderr: auto (default: when stderr is a
                    terminal), always, never

Checkpoints are <out>/<name>-<step>.safetensors (<name>: the preset, or the config file's name), written
to a temporary file and renamed, so a checkpoint on disk is always whole. Each records the run (preset or
config, seed, batch, data) in its __metadata__, which is what resume, sample and eval rebuild it from.
Ctrl-C stops the run between command buffers, saves a checkpoint and exits with code 130.`;

export const COMMAND_SPECS: Record<Command, CommandSpec> = {
  train: {
    positionals: [],
    options: {
      ...HELP_OPTION,
      ...RUN_OPTIONS,
      ...DATA_OPTIONS,
      preset: { type: 'string' },
      config: { type: 'string' },
      range: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      objective: { type: 'string' },
    },
    help: `Usage: webgpu-gan train [--preset NAME | --config FILE] [options]

Trains a GAN in Node (WebGPU through Dawn) and saves checkpoints.

What to train:
  --preset NAME     a built-in preset (default gaussian1d): ${PRESETS.join(', ')}
  --config FILE     nets, noise, loss and optimizers from a JSON file (see "Config files" below)
  --data PATH       the training images: mnist (the 8,000 training digits of the mnist package, what
                    the digit presets use by default), an IDX images file (.gz or not, any size), a
                    .npy file, or a folder of PNGs (grayscale or RGB, all one size; a folder of
                    class subfolders gives labels)
  --labels PATH     labels for an IDX or .npy --data: an IDX or .npy file of integers, one per image
  --range R         how pixels are scaled: tanh ([-1, 1], default), unit ([0, 1]) or raw (as stored);
                    integer pixels are 0-255, float pixels 0-1 (config runs only: presets scale their own)
  --seed S          seed of the initial weights and every noise and batch draw (default: the preset's
                    or config's, else 0)
  --batch B         batch size (default: the preset's or config's)
  --objective O     what a preset trains with: ${PRESET_OBJECTIVES.join(', ')} (default bce, the preset's own;
                    hinge-sn: hinge loss + spectral norm on D; wgan-gp: Wasserstein loss + gradient
                    penalty, 5 critic updates, Adam betas (0, 0.9); both drop D's BatchNorm)

${RUN_HELP}

Config files (--config net.json), JSON:
  {
    "generator":     [ { "layer": "Linear", "inFeatures": 64, "outFeatures": 256 }, "ReLU",
                       { "layer": "Linear", "inFeatures": 256, "outFeatures": 784 }, "Tanh" ],
    "discriminator": { "inputShape": [1, 28, 28], "layers": [
                       { "layer": "Conv2d", "inChannels": 1, "outChannels": 8, "kernel": 4, "stride": 2, "padding": 1 },
                       { "layer": "LeakyReLU", "negativeSlope": 0.2 }, "Flatten",
                       { "layer": "Linear", "inFeatures": 1568, "outFeatures": 1 } ] },
    "noise": { "distribution": "normal", "mean": 0, "std": 1 },
    "batchSize": 64,
    "optimizerD": { "lr": 0.0002, "beta1": 0.5, "beta2": 0.999 },
    "optimizerG": { "lr": 0.0002, "beta1": 0.5, "beta2": 0.999 },
    "data": "mnist"
  }
  A net is a list of layers, or { "inputShape": [C, H, W], "layers": [...] } for one that starts on images.
  A layer is { "layer": NAME, ...fields } with the fields of the library's layer factory of that name:
${layerFormsHelp()}
  and a layer without required fields may be just its name ("ReLU"). Also, as in a GanConfig: dSteps, loss
  (${lossNames().join(', ')}, or { "name": ..., options }), optimizers by "name" (${optimizerNames().join(', ')};
  default adam), realLabel, ema ({ "decay": 0.999 }), spectralNorm ("discriminator", "generator", "both", or
  { "nets": ..., "gain": 3 } for Lipschitz 3 per layer; on a layer: true or { "gain": 3 }), penalty ("wgan-gp",
  "r1" or { "name", "weight" }), seed, statsEvery, plan. And: "steps" (the default --steps),
  "classes" (K: train class-conditional on the data's labels), "data" (the default --data: "mnist", a path,
  { "path", "labels", "range" }, or { "kind": "normal", "mean", "std" } for 1-D samples; relative paths
  are from the config file's folder). Unknown fields are errors.

Exit codes: 0 done, 1 the work failed (no GPU, device lost, a non-finite loss), 2 bad input (the command
line, a file, the config, the data), 130 stopped by Ctrl-C (after saving).`,
  },
  resume: {
    positionals: ['CHECKPOINT'],
    options: { ...HELP_OPTION, ...RUN_OPTIONS, ...DATA_OPTIONS },
    help: `Usage: webgpu-gan resume CHECKPOINT [options]

Continues a run from a checkpoint that train or resume wrote: the same nets, seed, batch and data
(recorded in the checkpoint), with the optimizer state and the step counter restored, so that
train --steps 20 then resume --steps 10 gives bit for bit what train --steps 30 gives.

  --data PATH, --labels PATH
                    where the run's data is now, if it moved (it must be the same data: the checkpoint
                    records its rows, shape and checksum)

${RUN_HELP}`,
  },
  sample: {
    positionals: ['CHECKPOINT'],
    options: { ...HELP_OPTION, n: { type: 'string' }, out: { type: 'string' }, labels: { type: 'string' }, columns: { type: 'string' } },
    help: `Usage: webgpu-gan sample CHECKPOINT [--n N] [--out PREFIX]

Draws samples from the checkpoint's generator (eval mode, fresh noise) and writes PREFIX.npy, float32 of
shape (N, C, H, W) for images or (N, F), and for images of 1 or 3 channels PREFIX.png, a grid of them.
The run's data is not needed.

  --n N             how many samples (default 64)
  --out PREFIX      default: the checkpoint's path without .safetensors, plus -samples
  --labels L        conditional GANs: the class of every sample (one number), or one class per sample
                    (comma-separated); default: sample i gets class i mod K
  --columns C       columns of the grid (default: K for conditional GANs sampled by default, else
                    about √N)`,
  },
  eval: {
    positionals: ['CHECKPOINT'],
    options: { ...HELP_OPTION, samples: { type: 'string' }, classifier: { type: 'string' } },
    help: `Usage: webgpu-gan eval CHECKPOINT [--samples N] [--classifier FILE]

Scores a digit GAN (samples of 28×28, one channel) with the engine's digit metrics and prints them as
JSON: the classifier-FID of N generated digits against the 2,000 held-out digits of the mnist package,
mode coverage over the 10 classes, and for conditional GANs the fraction of G(z, y) the classifier
labels y.

  --samples N       generated digits to score (default 2000)
  --classifier FILE the digit classifier's weights (default: weights/digit-classifier.safetensors of
                    this package)`,
  },
  info: {
    positionals: ['CHECKPOINT'],
    options: { ...HELP_OPTION, json: { type: 'boolean' } },
    help: `Usage: webgpu-gan info CHECKPOINT [--json]

Prints a checkpoint's run (preset or config, seed, batch, data), its architecture, its step and its
tensors with their shapes, without any GPU work. Any safetensors file (a PyTorch state_dict too) is
listed: its metadata and tensors.

  --json            print it as JSON`,
  },
};

export const OVERVIEW = `Usage: webgpu-gan <command> [options]     (npm run train -- [train options] runs train)

Commands:
  train     train a preset or a config file, saving checkpoints
  resume    continue a run from a checkpoint, exactly
  sample    draw samples from a checkpoint: a .npy of them and a PNG grid
  eval      score a digit GAN checkpoint: classifier-FID, mode coverage, conditional accuracy (JSON)
  info      a checkpoint's run, architecture, step and tensors, without the GPU

webgpu-gan <command> --help says more about each.

${STDERR_NOTE}`;

export interface ParsedCommand {
  command: Command;
  help: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * The command and its options, or UsageError. A first argument that is an
 * option (not --help) is the old form of train: `train.js --preset P --steps N`.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommand | { command: null; help: boolean } {
  const first = argv[0];
  if (first === undefined) throw new UsageError(`expected a command: ${COMMANDS.join(', ')} (webgpu-gan --help lists them)`);
  if (first === '--help' || first === '-h' || first === 'help') return { command: null, help: true };
  let command: Command;
  let rest: readonly string[];
  if ((COMMANDS as readonly string[]).includes(first)) [command, rest] = [first as Command, argv.slice(1)];
  else if (first.startsWith('-')) [command, rest] = ['train', argv];
  else throw new UsageError(`unknown command '${first}'; expected one of ${COMMANDS.join(', ')}`);
  const spec = COMMAND_SPECS[command];
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: spec.options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw new UsageError(`${command}: ${argumentProblem(e as Error & { code?: string }, spec)} (webgpu-gan ${command} --help)`);
  }
  const help = parsed.values.help === true;
  if (!help) {
    const want = spec.positionals;
    if (parsed.positionals.length < want.length) throw new UsageError(`${command}: expected ${want.join(' ')} (webgpu-gan ${command} --help)`);
    if (parsed.positionals.length > want.length) {
      const extra = parsed.positionals[want.length];
      throw new UsageError(`${command}: unexpected argument '${extra}'; expected ${want.length ? want.join(' ') + ' and ' : ''}options (webgpu-gan ${command} --help)`);
    }
  }
  return { command, help, positionals: parsed.positionals, values: parsed.values };
}

function argumentProblem(e: Error & { code?: string }, spec: CommandSpec): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1]?.replace(/ <value>$/, '');
  const names = Object.keys(spec.options).map((n) => `--${n}`).join(', ');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'; expected one of ${names}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(e.message)) return `option ${quoted} takes no value`;
      return `option ${quoted} needs a value`;
    default:
      return e.message.split('\n')[0];
  }
}

/** An integer option: undefined when absent, else an integer ≥ min; UsageError saying what was expected. */
export function intOption(command: string, name: string, raw: string | boolean | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min) {
    const what = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new UsageError(`${command}: --${name} must be ${what}, got '${String(raw)}'`);
  }
  return v;
}

/** A string option that must be one of `choices`. */
export function choiceOption<T extends string>(command: string, name: string, raw: string | boolean | undefined, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`${command}: --${name} must be one of ${choices.join(', ')}, got '${String(raw)}'`);
  }
  return raw as T;
}

export const rangeOption = (command: string, raw: string | boolean | undefined): PixelRange | undefined => choiceOption(command, 'range', raw, PIXEL_RANGES);

/** A path that must exist (as a file, or as a folder when `folder` allows it); UsageError otherwise. */
export function existingPath(command: string, what: string, path: string | boolean | undefined, kind: 'file' | 'file or folder' = 'file'): string {
  if (typeof path !== 'string' || path === '') throw new UsageError(`${command}: ${what} needs a path`);
  if (!existsSync(path)) throw new UsageError(`${command}: ${what} '${path}' does not exist; expected a ${kind}`);
  if (kind === 'file' && !statSync(path).isFile()) throw new UsageError(`${command}: ${what} '${path}' is not a file`);
  return path;
}
