// Steps/s of one of our presets on one GpuContext, in the page or in Node.
// The same protocol as bench/presets.mjs's measure(): build the trainer and
// train 1 step (time to first step, pipeline compiles included), 3 warm-up
// steps, then 3 timed windows of ~seconds/3 each, each ending in train()'s own
// wait for the GPU; the median window is reported.
// Self-contained (no imports, no closures) so that callers can ship it into a
// page with measureEngine.toString().
export async function measureEngine(lib, ctx, name, digits, seconds) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const t0 = performance.now();
  const trainer = await lib.GanTrainer.create(ctx, lib.presets.preset(name, { digits }));
  await trainer.train(1);
  const firstStepMs = performance.now() - t0;
  await trainer.train(3);
  const windows = [];
  const windowSeconds = [];
  let chunk = 4;
  for (let w = 0; w < 3; w++) {
    for (;;) {
      const s = performance.now();
      await trainer.train(chunk, { stepsPerSubmit: 8 });
      const dt = (performance.now() - s) / 1000;
      if (dt >= seconds / 3 || chunk >= 4096) {
        windows.push(chunk / dt);
        windowSeconds.push(dt);
        break;
      }
      chunk = Math.ceil(chunk * Math.min(8, (seconds / 3 / dt) * 1.1));
    }
  }
  const result = {
    preset: name,
    stepsPerSecond: median(windows),
    windows,
    windowSeconds,
    firstStepMs,
    dispatchesPerStep: trainer.dispatchesPerStep,
  };
  trainer.dispose();
  return result;
}
