// TF.js's webgpu backend in Node, on the same Dawn as our engine: TF.js finds
// WebGPU through navigator.gpu, which Node lacks, so it is given one (a Dawn
// GPU object) before TF.js loads. Then the peer workloads of
// bench/lib/tfjs-workloads.js, timed as bench/tfjs-page.js times them: time to
// first step (models, optimizers, first step and its readback), up to 3
// warm-up steps, then windows of n steps each ended by one loss readback.
import { tfjsWorkloads } from './tfjs-workloads.js';

/** Loads TF.js with its webgpu backend on `gpu` (from the `webgpu` package's create()). */
export async function loadTfjsWebgpu(gpu) {
  if (!globalThis.navigator) globalThis.navigator = {};
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') returned false");
  await tf.ready();
  const b = tf.backend();
  const a = b.adapterInfo ?? b.device?.adapterInfo;
  return { tf, adapter: a ? [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') : 'unknown', version: tf.version.tfjs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Steps/s of one workload at `batch`: { firstStepMs, stepsPerSecond, windows }. */
export async function measureTfjs(tf, workload, digits, batch, { windowSeconds = 2, windows: nWindows = 3 } = {}) {
  const { WORKLOADS, makeStep } = tfjsWorkloads(tf);
  const t0 = performance.now();
  const w = WORKLOADS[workload](digits, batch);
  const step = makeStep(w);
  let loss = step();
  await loss.data();
  const firstStepMs = performance.now() - t0;
  let stepSec = Infinity;
  for (let i = 0; i < 3 && (i === 0 || stepSec < windowSeconds); i++) {
    const s = performance.now();
    loss.dispose();
    loss = step();
    await loss.data();
    stepSec = Math.min(stepSec, (performance.now() - s) / 1000);
  }
  const windows = [];
  let n = Math.max(1, Math.round(windowSeconds / stepSec));
  while (windows.length < nWindows) {
    const s = performance.now();
    for (let i = 0; i < n; i++) {
      loss.dispose();
      loss = step();
    }
    await loss.data();
    const dt = (performance.now() - s) / 1000;
    if (dt >= 0.8 * windowSeconds || n >= 100000) windows.push(n / dt);
    n = Math.max(1, Math.min(100000, Math.ceil((windowSeconds / (dt / n)) * 1.05)));
  }
  loss.dispose();
  step.dispose();
  w.G.dispose(); w.D.dispose(); w.optD.dispose(); w.optG.dispose();
  w.extra.forEach((t) => t.dispose());
  return { firstStepMs, stepsPerSecond: median(windows), windows };
}
