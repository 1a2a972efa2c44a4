// Where the CLI writes, and the filter for Dawn's stderr noise.
//
// Dawn (native code) writes its Vulkan loader warnings straight to file
// descriptor 2, past anything JavaScript could intercept. So a GPU command
// runs itself again as a child process whose fd 2 is a pipe that the parent
// reads line by line, dropping the known harmless lines and passing the rest
// on; the child writes its own messages and progress bar to fd 3, which is
// the parent's real stderr (a terminal stays a terminal). stdout is shared.
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isatty, WriteStream } from 'node:tty';

/** Lines Dawn and the Vulkan loader print that mean nothing is wrong (a driver search that moved on, a desktop variable). */
export const HARMLESS_STDERR: readonly RegExp[] = [
  /^Warning: vkCreateInstance: Found no drivers!\s*$/,
  /^Warning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER\s*$/,
  /^\s+at CheckVkSuccessImpl \(.*VulkanError\.cpp:\d+\)\s*$/,
  /XDG_RUNTIME_DIR/,
];

/** A line filter: harmless lines are dropped, and so is a blank line right after one (Dawn ends each warning with one). */
export function stderrLineFilter(pass: (line: string) => void): (line: string) => void {
  let dropped = false;
  return (line) => {
    if (HARMLESS_STDERR.some((re) => re.test(line)) || (dropped && line.trim() === '')) {
      dropped = true;
      return;
    }
    dropped = false;
    pass(line);
  };
}

const CHILD_ENV = 'WEBGPU_GAN_CLI_CHILD';
const ERR_FD_ENV = 'WEBGPU_GAN_CLI_ERR_FD';
export const RAW_STDERR_ENV = 'WEBGPU_GAN_RAW_STDERR';

/** Whether this process should run the command itself (it is the child, or filtering is off). */
export const runsHere = (): boolean => process.env[CHILD_ENV] === '1' || process.env[RAW_STDERR_ENV] === '1';

/** The fd of the user's stderr: 3 in the child, else 2. */
const errFd = (): number => Number(process.env[ERR_FD_ENV] ?? 2);

/** Writes all of `text` to `fd`, waiting out a full non-blocking pipe. */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

export interface CliOutput {
  /** To stdout. */
  out(text: string): void;
  /** To the user's stderr. */
  err(text: string): void;
  /** Whether the user's stderr is a terminal. */
  errIsTTY: boolean;
  outIsTTY: boolean;
  /** A stream on the user's stderr for the progress bar (a tty.WriteStream on a terminal). */
  errStream(): { write(s: string): boolean; isTTY?: boolean; columns?: number };
}

export function cliOutput(): CliOutput {
  const fd = errFd();
  const tty = isatty(fd);
  let stream: WriteStream | null = null;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => writeAll(fd, text),
    errIsTTY: tty,
    outIsTTY: process.stdout.isTTY === true,
    errStream() {
      if (tty) return (stream ??= fd === 2 ? (process.stderr as WriteStream) : new WriteStream(fd));
      return { isTTY: false, write: (s: string) => (writeAll(fd, s), true) };
    },
  };
}

/**
 * Runs this same command line in a child process with Dawn's stderr
 * filtered; resolves with the child's exit code. Ctrl-C reaches the child
 * (the terminal signals both; a signal sent to this process alone is passed on).
 */
export function runFiltered(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    stdio: ['inherit', 'inherit', 'pipe', 2],
    env: { ...process.env, [CHILD_ENV]: '1', [ERR_FD_ENV]: '3' },
  });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const pass = stderrLineFilter((line) => writeAll(2, `${line}\n`));
  createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', pass);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      writeAll(2, `webgpu-gan: could not start ${process.execPath}: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}
