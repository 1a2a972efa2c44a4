// The submit loop every trainer shares: recorded steps encoded into compute
// passes, `perSubmit` steps per command buffer, a stats copy every
// `statsEvery` steps (and after the last), at most two command buffers
// queued. Nothing is read back or awaited per step.
import type { StatsReadback } from './stats.js';

export interface StepLoop {
  device: GPUDevice;
  readback: StatsReadback;
  steps: number;
  perSubmit: number;
  statsEvery: number;
  /** Encodes one step into the open pass and returns the number of steps submitted so far, this one included. */
  encodeStep: (pass: GPUComputePassEncoder) => number;
  /** Checked between command buffers: stop early (a halt was reported). */
  stopped: () => boolean;
  label: string;
}

/** Resolves once the GPU has run every submitted step and the stats copies are read. */
export async function runSteps(o: StepLoop): Promise<void> {
  const { device, readback } = o;
  const inFlight: Promise<unknown>[] = [];
  let done = 0;
  while (done < o.steps && !o.stopped()) {
    const chunk = Math.min(o.perSubmit, o.steps - done);
    const encoder = device.createCommandEncoder({ label: o.label });
    let pass = encoder.beginComputePass();
    for (let i = 0; i < chunk; i++) {
      const total = o.encodeStep(pass);
      if (total % o.statsEvery === 0 || done + i + 1 === o.steps) {
        pass.end();
        readback.encode(encoder);
        pass = encoder.beginComputePass();
      }
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    readback.submitted();
    done += chunk;
    // Flow control, not a readback: keep at most two command buffers queued.
    inFlight.push(device.queue.onSubmittedWorkDone());
    if (inFlight.length > 2) await inFlight.shift();
  }
  await device.queue.onSubmittedWorkDone();
  await readback.flush();
}
