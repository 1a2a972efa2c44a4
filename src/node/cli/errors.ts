// How the CLI fails: exit code 2 when nothing ran because an input was wrong
// (the command line, a file it names, a config, the data, a checkpoint that
// does not fit), 1 when the work itself failed (no GPU, device lost, a
// non-finite loss), 130 when Ctrl-C stopped a run (after it was saved).
import { ConfigError } from '../../runtime/errors.js';

/** A command line that cannot be run: an unknown command or option, a bad number, a missing file. */
export class UsageError extends ConfigError {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad input of any kind (every ConfigError: usage, config, data, checkpoint) is a usage failure; anything else failed while working. */
export function exitCodeOf(e: unknown): number {
  return e instanceof ConfigError ? EXIT_USAGE : EXIT_FAILED;
}

/** The one line the CLI prints for an error: its name and message (a usage error's message alone). */
export function errorLine(e: unknown): string {
  if (e instanceof UsageError) return `webgpu-gan: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
