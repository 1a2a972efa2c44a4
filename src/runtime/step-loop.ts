// The submit loop every trainer shares: recorded steps encoded into compute
// passes, `perSubmit` steps per command buffer, a stats copy every
// `statsEvery` steps (and after the last), at most two command buffers
// queued. Nothing is read back or awaited per step. A copy skipped because
// the staging ring was busy leaves its steps in the accumulators; the run
// ends with one more copy for them, so the last report covers the last step.
import type { StatsReadback } from './readback.js';

export interface StepLoop {
  device: GPUDevice;
  readback: StatsReadback;
  steps: number;
  perSubmit: number;
  statsEvery: number;
  /** Encodes one step into the open pass and returns the number of steps submitted so far, this one included. */
  encodeStep: (pass: GPUComputePassEncoder) => number;
  /** Checked between command buffers: stop early (a halt was reported, the run was aborted, the device lost). */
  stopped: () => boolean;
  /** Called before the steps of a command buffer are encoded, with how many it will hold. */
  beforeChunk?: (steps: number) => void;
  /** Called after each command buffer is submitted, with the steps submitted in this run so far. */
  submitted?: (steps: number) => void;
  label: string;
}

/** Resolves once the GPU has run every submitted step and the stats copies are read. */
export async function runSteps(o: StepLoop): Promise<void> {
  const { device, readback } = o;
  const inFlight: Promise<unknown>[] = [];
  let done = 0;
  let unreported = false; // steps encoded since the last copy that found a free slot
  while (done < o.steps && !o.stopped()) {
    const chunk = Math.min(o.perSubmit, o.steps - done);
    o.beforeChunk?.(chunk);
    const encoder = device.createCommandEncoder({ label: o.label });
    let pass = encoder.beginComputePass();
    for (let i = 0; i < chunk; i++) {
      const total = o.encodeStep(pass);
      unreported = true;
      if (total % o.statsEvery === 0 || done + i + 1 === o.steps) {
        pass.end();
        if (readback.encode(encoder)) unreported = false;
        pass = encoder.beginComputePass();
      }
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    readback.submitted();
    done += chunk;
    o.submitted?.(done);
    // Flow control, not a readback: keep at most two command buffers queued.
    inFlight.push(device.queue.onSubmittedWorkDone());
    if (inFlight.length > 2) await inFlight.shift();
  }
  await device.queue.onSubmittedWorkDone();
  await readback.flush();
  if (unreported) {
    // Every slot is free after the flush: one copy for the steps a busy ring skipped (once per run, not per step).
    const encoder = device.createCommandEncoder({ label: `${o.label} (last stats)` });
    readback.encode(encoder);
    device.queue.submit([encoder.finish()]);
    readback.submitted();
    await readback.flush();
  }
}
