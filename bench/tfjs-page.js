// The TF.js side of bench/tfjs-peer.mjs, bundled by it into dist/bench/tfjs-page.js
// and bench/bench.mjs, and loaded by bench/tfjs.html. The workloads are written
// the way a TF.js user would write them: layers API models,
// tf.train.adam(...).minimize(...), tf.losses.sigmoidCrossEntropy, tf.random*
// for noise and batches.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsWorkloads } from './lib/tfjs-workloads.js';

// GPU bytes as bench/lib/bench-fns.mjs's trackDevice() counts ours: wrap the
// device the webgpu backend asks for, and sum its live createBuffer sizes.
const gpuTracker = { live: 0, peak: 0, buffers: 0, created: 0 };
if (self.GPUAdapter) {
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (desc) => {
      const b = createBuffer(desc);
      const size = Number(desc.size);
      gpuTracker.live += size;
      gpuTracker.buffers++;
      gpuTracker.created++;
      gpuTracker.peak = Math.max(gpuTracker.peak, gpuTracker.live);
      const destroy = b.destroy.bind(b);
      let gone = false;
      b.destroy = () => {
        if (!gone) { gone = true; gpuTracker.live -= size; gpuTracker.buffers--; }
        return destroy();
      };
      return b;
    };
    return device;
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Digits binary (rows × 784 u8 pixels, then labels) → [rows, 784] tensor in [-1, 1]. */
async function loadDigits() {
  const bytes = new Uint8Array(await (await fetch('/dist/data/mnist-digits.bin')).arrayBuffer());
  const rows = bytes.length / 785;
  const pixels = new Float32Array(rows * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (bytes[i] / 255) * 2 - 1;
  return { pixels, rows };
}

const { WORKLOADS, makeStep } = tfjsWorkloads(tf);

async function backendInfo(backend) {
  const info = { tfjsVersion: tf.version.tfjs };
  if (backend === 'wasm') {
    info.wasmSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.wasmThreads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.crossOriginIsolated = self.crossOriginIsolated;
  }
  if (backend === 'webgpu') {
    const b = tf.backend();
    const a = b.adapterInfo ?? b.device?.adapterInfo;
    if (a) info.adapter = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ');
  }
  return info;
}

/**
 * Time to first step (models + optimizers + first step + readback), 3 warm-up
 * steps each with a readback (gives the first step-time estimate), then 3
 * windows of ~windowSeconds each: n steps sized from the last estimate, then
 * one `await loss.data()`; steps/s = n / (time including that readback).
 * Slow runs do fewer warm-up steps and may stop before 3 windows (budgetSeconds).
 */
async function run({ backend, workload, windowSeconds, budgetSeconds = Infinity, flags = {}, windows: nWindows = 3 }) {
  const out = { backend: `tfjs-${backend}`, preset: workload };
  self.benchProgress = out; // read by bench/bench.mjs when a run passes its time limit
  const heap = () => performance.memory?.usedJSHeapSize ?? NaN;
  out.heapAtStart = heap();
  let peakHeap = out.heapAtStart, peakTensorBytes = 0, peakGpuTensorBytes = 0;
  const sampleMemory = () => {
    const m = tf.memory();
    peakHeap = Math.max(peakHeap, heap());
    peakTensorBytes = Math.max(peakTensorBytes, m.numBytes);
    if (m.numBytesInGPU !== undefined) peakGpuTensorBytes = Math.max(peakGpuTensorBytes, m.numBytesInGPU);
  };
  // 'wasm-threads' is the wasm backend in a cross-origin isolated tab (the driver adds the headers).
  if (backend === 'wasm-threads') {
    if (!self.crossOriginIsolated) throw new Error('wasm-threads: the page is not cross-origin isolated');
    backend = 'wasm';
  }
  if (Object.keys(flags).length) out.tfjsFlags = flags;
  const tb = performance.now();
  if (backend === 'wasm') setWasmPaths('/dist/bench/');
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  await tf.ready();
  tf.env().setFlags(flags);
  out.backendInitMs = performance.now() - tb;
  Object.assign(out, await backendInfo(backend));
  if (!WORKLOADS[workload]) throw new Error(`unknown workload '${workload}'`);
  const digits = workload === 'gaussian1d' ? undefined : await loadDigits();

  const t0 = performance.now();
  out.startedAt = t0;
  const w = WORKLOADS[workload](digits);
  const step = makeStep(w);
  let loss = step();
  await loss.data();
  out.firstStepMs = performance.now() - t0;
  out.lastStepEndAt = performance.now();
  sampleMemory();

  // Warm-up: 3 steps, fewer when they are slow (at least 1).
  let stepSec = Infinity;
  const tw = performance.now();
  out.warmupSteps = 0;
  while (out.warmupSteps < 3 && (out.warmupSteps === 0 || performance.now() - tw < 2000 * windowSeconds)) {
    const s = performance.now();
    loss.dispose();
    loss = step();
    await loss.data();
    stepSec = Math.min(stepSec, (performance.now() - s) / 1000);
    (out.warmupStepSeconds ??= []).push((performance.now() - s) / 1000);
    out.warmupSteps++;
    out.lastStepEndAt = performance.now();
  }
  // Windows: nWindows, fewer when the next one would end past budgetSeconds (at least 1).
  // As in our measure(): n steps sized from the last estimate, then one
  // readback; a window shorter than 0.8 × windowSeconds is rerun with more
  // steps and not counted.
  const windows = [], windowSeconds_ = [], windowSteps = [];
  Object.assign(out, { windows, windowSeconds: windowSeconds_, windowSteps });
  const elapsed = () => (performance.now() - t0) / 1000;
  let n = Math.max(1, Math.min(100000, Math.round(windowSeconds / stepSec)));
  out.discardedWindows = 0;
  while (windows.length < nWindows) {
    if (windows.length > 0 && elapsed() + Math.max(windowSeconds, n * stepSec) > budgetSeconds) {
      out.partial = `only ${windows.length} of ${nWindows} windows fit in ${budgetSeconds} s`;
      break;
    }
    const s = performance.now();
    out.lastStepEndAt = s;
    out.pendingSteps = n;
    for (let i = 0; i < n; i++) {
      loss.dispose();
      loss = step();
    }
    out.lastGLoss = (await loss.data())[0];
    const dt = (performance.now() - s) / 1000;
    stepSec = dt / n;
    sampleMemory();
    out.stepsDone = (out.stepsDone ?? 0) + n;
    if (dt >= 0.8 * windowSeconds || n >= 100000) {
      windows.push(n / dt);
      windowSeconds_.push(dt);
      windowSteps.push(n);
    } else {
      out.discardedWindows++;
      if (elapsed() > budgetSeconds) { out.partial = `no window reached ${0.8 * windowSeconds} s within ${budgetSeconds} s`; break; }
    }
    n = Math.max(1, Math.min(100000, Math.ceil((windowSeconds / stepSec) * 1.05)));
  }
  out.stepsPerSecond = windows.length ? median(windows) : undefined;
  out.windows = windows;
  out.windowSeconds = windowSeconds_;
  out.windowSteps = windowSteps;
  out.numTensorsAfter = tf.memory().numTensors;
  out.peakHeapBytes = peakHeap;
  out.peakTensorBytes = peakTensorBytes;
  if (backend === 'webgpu') {
    out.peakGpuTensorBytes = peakGpuTensorBytes;
    out.peakGpuBytes = gpuTracker.peak;
    out.gpuBuffersCreated = gpuTracker.created;
  }
  loss.dispose();
  step.dispose();
  w.G.dispose(); w.D.dispose(); w.optD.dispose(); w.optG.dispose();
  w.extra.forEach((t) => t.dispose());
  return out;
}

window.tfjsPeer = { run, tf };
window.tfjsPeerReady = true;
