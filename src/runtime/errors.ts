/** Thrown for bad input (shapes, options, data), always before any GPU work. */
export class GanConfigError extends Error {
  override name = 'GanConfigError';
}

/** Thrown when no WebGPU adapter or device can be had. */
export class WebGPUUnavailableError extends Error {
  override name = 'WebGPUUnavailableError';
}

/** Thrown when a loss stops being finite; the weights are those of the last good update. */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(
    readonly step: number,
    readonly phase: 'discriminator' | 'generator',
  ) {
    super(
      `The ${phase} loss (or, in the fused plan, its gradient) became non-finite at training step ${step}; training stopped and the ` +
        `weights of the last finite update were kept. Lower the learning rate or check the data for NaN/Inf.`,
    );
  }
}

/** Thrown when a checkpoint file is malformed or does not fit the model; nothing was loaded. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}
