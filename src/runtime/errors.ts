// Errors every part of the engine can raise. The rooms above add their own,
// named for what failed (a layer's, a trainer's, a file's, a dataset's), all
// ConfigErrors where the input was bad.

/** Bad input (shapes, options, data, calls), always thrown before any GPU work. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Thrown when no WebGPU adapter or device can be had. */
export class WebGPUUnavailableError extends Error {
  override name = 'WebGPUUnavailableError';
}

/**
 * The GPU device was lost (driver reset, GPU process crash, device.destroy()).
 * Every pending and later call of the object that owned it rejects with this;
 * build a new context and trainer (a checkpoint restores the run).
 */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`the GPU device was lost (${reason}${detail ? `: ${detail}` : ''}); create a new GpuContext and load the last checkpoint to continue`);
  }
}

/** Thrown when training halts on a non-finite loss or gradient; the weights are those of the last good update. */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(
    /** The training step whose update was refused. */
    readonly step: number,
    /** The optimizer phase that saw it, named by the trainer that ran it (e.g. the net it trains). */
    readonly phase: string,
  ) {
    super(
      `The ${phase} loss or its gradient became non-finite at training step ${step}; training stopped and the ` +
        `weights of the last finite update were kept. Lower the learning rate or check the data for NaN/Inf.`,
    );
  }
}

/**
 * Thrown when work the library recorded fails WebGPU validation (a bug in the
 * library, not in the caller's input: please report it with the message). It
 * is raised where the work is built, so nothing runs that would be silently dropped.
 */
export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
  constructor(what: string, message: string) {
    super(`${what} failed WebGPU validation: ${message}`);
  }
}
