// The measuring functions of bench/bench.mjs and bench/profile-step.mjs, run
// both in Node (Dawn) and in a Chromium page (shipped there with
// fn.toString(), see shipFunctions()). Each is self-contained: no imports, no
// closures over this module; `lib` is the library (dist/node.js or the test
// harness page's src/index.js), `ctx` a GpuContext.

/**
 * Wraps device.create* so that a bench can count what it creates and sum the
 * live bytes of its buffers (createBuffer sizes, less destroyed ones).
 * Idempotent: returns the tracker already installed on this device.
 */
export function trackDevice(device) {
  if (device.__benchTracker) return device.__benchTracker;
  const COUNTED = [
    'createBuffer', 'createBindGroup', 'createBindGroupLayout', 'createPipelineLayout', 'createComputePipeline',
    'createComputePipelineAsync', 'createShaderModule', 'createQuerySet', 'createTexture',
  ];
  const t = { counts: Object.fromEntries(COUNTED.map((k) => [k, 0])), live: 0, peak: 0, buffers: 0 };
  for (const name of COUNTED) {
    if (typeof device[name] !== 'function') continue;
    const original = device[name].bind(device);
    device[name] = (...args) => {
      t.counts[name]++;
      const made = original(...args);
      if (name === 'createBuffer') {
        const size = Number(args[0].size);
        t.live += size;
        t.buffers++;
        t.peak = Math.max(t.peak, t.live);
        const destroy = made.destroy.bind(made);
        let gone = false;
        made.destroy = () => {
          if (!gone) {
            gone = true;
            t.live -= size;
            t.buffers--;
          }
          return destroy();
        };
      }
      return made;
    };
  }
  device.__benchTracker = t;
  return t;
}

/** FLOPs of one training step, from the nets' stages (matmuls and convolutions only; see bench/bench.mjs). */
export function stepFlops(config) {
  const B = config.batchSize;
  const dSteps = config.dSteps ?? 1;
  // Multiply-adds per sample of each stage, from its layer module (forward; each backward product has the same count).
  const macs = (s) => s.module.macs(s).forward;
  const net = (seq) => seq.stages.map(macs).filter((m) => m > 0);
  const g = net(config.generator);
  const d = net(config.discriminator);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const fwd = (m, n) => 2 * n * sum(m);
  const bwdW = (m, n) => 2 * n * sum(m);
  const bwdX = (m, n, firstToo) => 2 * n * sum(firstToo ? m : m.slice(1));
  // D update: G forward (B), D forward + weight grads + input grads past its first layer (2B: fake and real).
  const dUpdate = fwd(g, B) + fwd(d, 2 * B) + bwdW(d, 2 * B) + bwdX(d, 2 * B, false);
  // G update: G forward, D forward, D input grads down to the image (no D weight grads), G weight and input grads.
  const gUpdate = fwd(g, B) + fwd(d, B) + bwdX(d, B, true) + bwdW(g, B) + bwdX(g, B, false);
  return { flopsPerStep: dSteps * dUpdate + gUpdate, dUpdateFlops: dUpdate, gUpdateFlops: gUpdate, gMacsPerSample: sum(g), dMacsPerSample: sum(d) };
}

/**
 * Steps/s of one of our presets. Time to first step = GanTrainer.create (pipeline
 * compiles included) + train(1) (which ends with its readback). Then warm-up
 * steps (train(1) each, ≤ 3, fewer when slow) to estimate a step, then
 * `windows` windows of ~windowSeconds: train(n) ends with its own wait for the
 * GPU and one stats readback; a window under 0.8 × windowSeconds is rerun with
 * more steps and not counted. No window starts that would end past capSeconds
 * (at least one is taken). Peak JS heap and live GPU bytes are sampled after
 * the first step and after each window (GPU bytes need trackDevice()).
 */
export async function measureOurs(lib, ctx, name, digits, opts = {}) {
  const nWindows = opts.windows ?? 3;
  const windowSeconds = opts.windowSeconds ?? 4;
  const capSeconds = opts.capSeconds ?? Infinity;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const heap = () =>
    typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed : (performance.memory?.usedJSHeapSize ?? NaN);
  const tracker = ctx.device.__benchTracker;
  const out = { preset: name, heapAtStart: heap() };
  globalThis.benchProgress = out; // read by bench/bench.mjs when a run passes its time limit
  let peakHeap = out.heapAtStart;
  let peakGpu = tracker ? tracker.live : NaN;
  const sampleMemory = () => {
    peakHeap = Math.max(peakHeap, heap());
    if (tracker) peakGpu = Math.max(peakGpu, tracker.live);
  };
  const t0 = performance.now();
  out.startedAt = t0;
  const trainer = await lib.GanTrainer.create(ctx, lib.presets.preset(name, { digits, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) }));
  const createMs = performance.now() - t0;
  await trainer.train(1);
  out.firstStepMs = performance.now() - t0;
  out.createMs = createMs;
  sampleMemory();
  const elapsed = () => (performance.now() - t0) / 1000;
  let stepSec = Infinity;
  out.warmupSteps = 0;
  const tw = performance.now();
  while (out.warmupSteps < 3 && (out.warmupSteps === 0 || (performance.now() - tw) / 1000 < windowSeconds)) {
    const s = performance.now();
    await trainer.train(1);
    stepSec = Math.min(stepSec, (performance.now() - s) / 1000);
    out.warmupSteps++;
  }
  const windows = [], windowSecs = [], windowSteps = [];
  Object.assign(out, { windows, windowSeconds: windowSecs, windowSteps });
  out.discardedWindows = 0;
  let n = Math.max(1, Math.round(windowSeconds / stepSec));
  while (windows.length < nWindows) {
    if (windows.length > 0 && elapsed() + Math.max(windowSeconds, n * stepSec) > capSeconds) {
      out.partial = `${windows.length} of ${nWindows} windows within the ${capSeconds} s cap`;
      break;
    }
    const s = performance.now();
    await trainer.train(n, { stepsPerSubmit: 8 });
    const dt = (performance.now() - s) / 1000;
    stepSec = dt / n;
    if (dt >= 0.8 * windowSeconds || n >= 100000) {
      windows.push(n / dt);
      windowSecs.push(dt);
      windowSteps.push(n);
    } else {
      out.discardedWindows++;
    }
    sampleMemory();
    n = Math.max(1, Math.min(100000, Math.ceil((windowSeconds / stepSec) * 1.05)));
  }
  const stats = trainer.latestStats;
  Object.assign(out, {
    stepsPerSecond: median(windows),
    windows,
    windowSeconds: windowSecs,
    windowSteps,
    peakHeapBytes: peakHeap,
    peakGpuBytes: peakGpu,
    dispatchesPerStep: trainer.dispatchesPerStep,
    plan: trainer.plan,
    lastGLoss: stats?.lossG,
    totalSteps: trainer.step,
  });
  trainer.dispose();
  return out;
}

/**
 * GFLOP/s of our linear kernels (linear.wgsl, ACT none) at the given (B, K, N)
 * shapes: per entry and shape, one warm-up dispatch, then `runs` submits of
 * enough copies to take ~targetMs; the median wall time per dispatch.
 * opts.variant 'tuned': the variant the context's tuner picks for the shape
 * (timing the candidates if its mode is 'full'); default: today's kernel.
 */
export async function matmulSweep(lib, ctx, opts = {}) {
  const shapes = opts.shapes ?? [[128, 1024, 1024], [1024, 1024, 1024]];
  const entries = opts.entries ?? ['linear_forward', 'linear_backward_input', 'linear_backward_weight'];
  const runs = opts.runs ?? 3;
  const targetMs = opts.targetMs ?? 1000;
  const { device } = ctx;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const [B, K, N] of shapes) {
    const sizes = { x: B * K, w: N * K, bias: N, y: B * N, dz: B * N, dx: B * K, dw: N * K, dbias: N };
    const buffers = {};
    for (const [k, n] of Object.entries(sizes)) {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = Math.sin(i * 12.9898) * 0.5;
      buffers[k] = lib.createStorageBuffer(device, `mm_${k}`, n, data);
    }
    for (const entry of entries) {
      const u = { batch: B, in_features: K, out_features: N, act: 0, slope: 0.2 };
      let kernel;
      if (opts.variant === 'tuned') {
        const endTuning = ctx.kernels.beginTuning();
        kernel = await ctx.kernels.kernelFor(lib.kernels.linearKernels, entry, u);
        endTuning();
      } else {
        kernel = await ctx.kernels.kernel(lib.kernels.linearKernels, entry);
      }
      const bound = Object.fromEntries(kernel.info.bindings.filter((b) => b.kind !== 'uniform').map((b) => [b.name, buffers[b.name]]));
      const seq = new lib.SequenceBuilder(device, entry);
      seq.add(kernel, bound, u, entry);
      const rec = seq.build();
      const time = async (count) => {
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        for (let i = 0; i < count; i++) rec.encode(pass);
        pass.end();
        const t = performance.now();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        return performance.now() - t;
      };
      await time(1);
      const once = await time(1);
      const count = Math.max(1, Math.min(200, Math.round(targetMs / Math.max(once, 0.01))));
      const per = [];
      for (let r = 0; r < runs; r++) per.push((await time(count)) / count);
      const ms = median(per);
      const flops = 2 * B * K * N;
      rows.push({ entry, kernel: kernel.id, shape: `${B}×${K}×${N}`, msPerDispatch: ms, gflops: flops / (ms * 1e6), bestGflops: flops / (Math.min(...per) * 1e6), dispatches: count });
      rec.destroy();
    }
    for (const b of Object.values(buffers)) b.destroy();
  }
  return rows;
}

/**
 * The flatness check: `steps` steps of a preset after `warmSteps`, counting
 * device.create* calls (trackDevice) and reading the JS heap (after a GC when
 * `gc` is given) and live GPU bytes at warmSteps and at the end.
 */
export async function flatCheck(lib, ctx, name, digits, opts = {}) {
  const warmSteps = opts.warmSteps ?? 200;
  const steps = opts.steps ?? 2000;
  const gc = opts.gc ?? globalThis.gc;
  const tracker = ctx.device.__benchTracker;
  if (!tracker) throw new Error('flatCheck: trackDevice(device) first');
  const heap = () =>
    typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed : (performance.memory?.usedJSHeapSize ?? NaN);
  const snap = async (trainer) => {
    if (gc) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      gc();
    }
    const createCalls = Object.values(tracker.counts).reduce((a, b) => a + b, 0);
    return { step: trainer.step, heapBytes: heap(), gpuBytes: tracker.live, liveBuffers: tracker.buffers, createCalls, counts: { ...tracker.counts } };
  };
  const trainer = await lib.GanTrainer.create(ctx, lib.presets.preset(name, { digits }));
  let reports = 0;
  trainer.onStats(() => reports++);
  await trainer.train(warmSteps);
  const a = await snap(trainer);
  const mid = [];
  for (let done = warmSteps; done < steps; ) {
    const n = Math.min(600, steps - done);
    await trainer.train(n);
    done += n;
    if (done < steps) mid.push(await snap(trainer));
  }
  const b = await snap(trainer);
  trainer.dispose();
  const perCall = Object.fromEntries(Object.keys(a.counts).map((k) => [k, b.counts[k] - a.counts[k]]).filter(([, v]) => v !== 0));
  return {
    preset: name,
    from: a,
    to: b,
    mid,
    stepsBetween: b.step - a.step,
    creationsPerStep: (b.createCalls - a.createCalls) / (b.step - a.step),
    createdBetween: perCall,
    heapDeltaBytes: b.heapBytes - a.heapBytes,
    gpuDeltaBytes: b.gpuBytes - a.gpuBytes,
    statsReports: reports,
    gcUsed: !!gc,
  };
}

/**
 * Per-dispatch GPU times of one training step: the trainer's recorded
 * sequences (its private phases) replayed one dispatch per compute
 * pass with timestamp queries when the device has 'timestamp-query' (median
 * over `reps` steps), else each dispatch as its own submit +
 * onSubmittedWorkDone (median of 3). Also the wall time of a normal step.
 */
export async function profileStep(lib, ctx, name, digits, opts = {}) {
  const reps = opts.reps ?? 5;
  const { device } = ctx;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const trainer = await lib.GanTrainer.create(ctx, lib.presets.preset(name, { digits, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) }));
  await trainer.train(2);
  const ws = performance.now();
  await trainer.train(reps, { stepsPerSubmit: reps });
  const stepWallMs = (performance.now() - ws) / reps;
  const phases = trainer.phases ?? [...trainer.dPhases, trainer.gPhase]; // private: one recorded sequence per phase (older builds: dPhases + gPhase)
  const list = phases.flatMap((p) => p.dispatches).filter((d) => d.workgroups.every((w) => w > 0));
  const times = list.map(() => []);
  let method = 'timestamp-query';
  const run1 = (pass, d) => {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
  };
  if (device.features.has('timestamp-query') && !opts.noTimestamps) {
    const n = list.length;
    const qs = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    for (let r = 0; r <= reps; r++) {
      const enc = device.createCommandEncoder();
      list.forEach((d, i) => {
        const pass = enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        run1(pass, d);
        pass.end();
      });
      enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      if (r > 0) list.forEach((_, i) => times[i].push(Number(t[2 * i + 1] - t[2 * i]) / 1e6));
    }
    qs.destroy();
    resolve.destroy();
    read.destroy();
    // Some drivers write zeros; then time the dispatches one submit each.
    if (times.every((ts) => ts.every((x) => x <= 0))) {
      method = 'timestamp-query gave zeros; fell back';
      times.forEach((ts) => (ts.length = 0));
    }
  } else {
    method = 'no timestamp-query';
  }
  if (times[0].length === 0) {
    method += (method === 'timestamp-query' ? '' : ': ') + 'submit + onSubmittedWorkDone per dispatch, median of 3';
    for (let r = 0; r < 3; r++) {
      for (let i = 0; i < list.length; i++) {
        await device.queue.onSubmittedWorkDone();
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        run1(pass, list[i]);
        pass.end();
        const t = performance.now();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        times[i].push(performance.now() - t);
      }
    }
  }
  const rows = list.map((d, i) => ({ label: d.label, kernel: d.pipeline.label, workgroups: d.workgroups.join('×'), ms: median(times[i]) }));
  const totalMs = rows.reduce((a, r) => a + r.ms, 0);
  rows.forEach((r) => (r.share = r.ms / totalMs));
  const byKernel = {};
  for (const r of rows) {
    const k = (byKernel[r.kernel] ??= { kernel: r.kernel, ms: 0, dispatches: 0 });
    k.ms += r.ms;
    k.dispatches++;
  }
  const kernels = Object.values(byKernel).map((k) => ({ ...k, share: k.ms / totalMs })).sort((a, b) => b.ms - a.ms);
  trainer.dispose();
  return { preset: name, method, reps, dispatches: rows.length, sumMs: totalMs, stepWallMs, rows: rows.sort((a, b) => b.ms - a.ms), kernels };
}

/** Source that defines these functions on `window.benchFns` in a page. */
export function shipFunctions() {
  const fns = [trackDevice, stepFlops, measureOurs, matmulSweep, flatCheck, profileStep];
  return `window.benchFns = { ${fns.map((f) => `${f.name}: (${f.toString()})`).join(',\n')} };`;
}
