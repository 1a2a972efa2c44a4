// webgpu-gan <command>: parse and check the command line, then run the
// command, here or (GPU commands) in a child whose Dawn stderr is filtered
// (output.ts). Returns the exit code (errors.ts).
import { COMMAND_SPECS, OVERVIEW, parseCommandLine, type Command, type ParsedCommand } from './args.js';
import { errorLine, exitCodeOf } from './errors.js';
import { prepareInfo } from './info.js';
import { prepareEval, prepareSample } from './inference.js';
import { cliOutput, runFiltered, runsHere } from './output.js';
import { prepareResume, prepareTrain, type Job } from './train.js';

const PREPARE: Record<Command, (p: ParsedCommand) => Job> = {
  train: prepareTrain,
  resume: prepareResume,
  sample: prepareSample,
  eval: prepareEval,
  info: prepareInfo,
};

export async function main(argv: readonly string[]): Promise<number> {
  const io = cliOutput();
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.command === null) {
      io.out(`${OVERVIEW}\n`);
      return 0;
    }
    if (parsed.help) {
      io.out(`${COMMAND_SPECS[parsed.command].help}\n`);
      return 0;
    }
    // Every check on the arguments runs here, before any data or GPU work (and before a child is started).
    const job = PREPARE[parsed.command](parsed);
    if (job.gpu && !runsHere()) return await runFiltered(argv);
    return await job.run(io);
  } catch (e) {
    io.err(`${errorLine(e)}\n`);
    return exitCodeOf(e);
  }
}
