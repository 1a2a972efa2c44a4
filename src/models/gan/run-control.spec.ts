// Running a GanTrainer as an application does: calls that overlap train()
// run after it, in order; an AbortSignal stops a run between command buffers;
// progress is reported; dispose() during train() stops it with a clear
// error; and a lost device rejects every pending and later call with
// DeviceLostError instead of resolving with stale results.
import { test, expect } from '../../../test/support/fixtures.js';

test('calls made while train() runs are queued in order: a read sees the finished run, a checkpoint load lands after it', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const config = () => ({ ...lib.presets.gaussian1d({ batchSize: 8, seed: 3 }), statsEvery: 5 });
    const a = await lib.GanTrainer.create(ctx, config());
    await a.train(5);
    const at5 = await lib.saveCheckpoint(a);
    const order: string[] = [];
    const training = a.train(40, { stepsPerSubmit: 2 }).then(() => order.push('train'));
    const read = a.readParameters('generator').then((p) => (order.push('read'), Array.from(p)));
    const loading = lib.loadCheckpoint(a, at5).then(() => order.push('load'));
    const counters = a.readCounters().then((c) => (order.push('counters'), c));
    await Promise.all([training, read, loading, counters]);
    // A second trainer trained 45 steps straight gives what the queued read must have seen.
    const b = await lib.GanTrainer.create(ctx, config());
    await b.train(45);
    const straight = Array.from(await b.readParameters('generator'));
    a.dispose();
    b.dispose();
    return { order, read: await read, straight, counters: await counters, step: a.step };
  });
  expect(r.order).toEqual(['train', 'read', 'load', 'counters']);
  expect(r.read).toEqual(r.straight);
  expect(r.counters).toEqual({ step: 5, halted: false }); // read after the load
  expect(r.step).toBe(5);
});

test('train() reports progress and stops on an AbortSignal between command buffers; training continues afterwards', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const trainer = await lib.GanTrainer.create(ctx, { ...lib.presets.gaussian1d({ batchSize: 8 }), statsEvery: 2 });
    const progress: { done: number; fraction: number; eta: number }[] = [];
    const done: number[] = [];
    const stats: number[] = [];
    const unknownEvent = (() => {
      try {
        trainer.on('finished' as 'done', () => undefined);
        return 'accepted';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    })();
    trainer.on('done', (e) => done.push(e.step));
    trainer.on('stats', (e) => stats.push(e.step));
    await trainer.train(12, { stepsPerSubmit: 4, onProgress: (p) => progress.push({ done: p.done, fraction: p.fraction, eta: p.etaSeconds }) });
    const controller = new AbortController();
    const aborted = await trainer
      .train(400, { stepsPerSubmit: 2, signal: controller.signal, onProgress: (p) => p.done >= 6 && controller.abort(new Error('stop now')) })
      .then(() => 'resolved', (e: Error) => e.message);
    const stepAfterAbort = trainer.step;
    const already = await trainer.train(1, { signal: controller.signal }).then(() => 'resolved', (e: Error) => e.message);
    await trainer.train(3);
    const final = trainer.step;
    trainer.dispose();
    return { progress, aborted, stepAfterAbort, already, final, done, stats, unknownEvent };
  });
  // 'done' for each call that ran all its steps (12 and 3), not for the aborted ones.
  expect(r.done).toEqual([12, r.final]);
  expect(r.unknownEvent).toBe("GanConfigError: on: unknown event \"finished\"; expected stats, halted, deviceLost, done");
  // Reports come in order, on statsEvery boundaries or at a call's last step (a busy staging ring merges
  // windows, never drops them): the first call's last is step 12, the last one's its final step.
  expect(r.stats.every((step, i) => i === 0 || step > r.stats[i - 1])).toBe(true);
  expect(r.stats.filter((step) => step <= 12).every((step) => step % 2 === 0)).toBe(true);
  expect(r.stats).toContain(12);
  expect(r.stats.at(-1)).toBe(r.final);
  expect(r.progress.map((p) => p.done)).toEqual([4, 8, 12]);
  expect(r.progress.map((p) => p.fraction)).toEqual([4 / 12, 8 / 12, 1]);
  expect(r.progress[2].eta).toBe(0);
  expect(r.aborted).toBe('stop now');
  // It stopped at the first command buffer boundary after the abort: 12 + 6 steps (at most one more buffer in flight).
  expect(r.stepAfterAbort).toBeGreaterThanOrEqual(18);
  expect(r.stepAfterAbort).toBeLessThanOrEqual(20);
  expect(r.already).toBe('stop now');
  expect(r.final).toBe(r.stepAfterAbort + 3);
});

test('dispose() during train() stops the run with a clear error and no GPU validation error; later calls are refused', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    // Buffers destroyed under queued work would be validation errors: the scope catches the first.
    ctx.device.pushErrorScope('validation');
    const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8 }));
    const run = trainer.train(2000, { stepsPerSubmit: 2 }).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    trainer.dispose();
    const later = await trainer.sample(4).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
    const result = await run;
    await ctx.device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 50)); // dispose() frees the buffers once the run has stopped
    await ctx.device.queue.onSubmittedWorkDone();
    const validation = await ctx.device.popErrorScope();
    return { run: result, later, step: trainer.step, validation: validation?.message ?? null };
  });
  expect(r.validation).toBeNull();
  expect(r.run).toMatch(/^GanConfigError: train: the trainer was disposed while training/);
  expect(r.later).toBe('GanConfigError: sample: this GanTrainer was disposed');
  expect(r.step).toBeLessThan(2000);
});

test('a lost device rejects the running train() and every later call with DeviceLostError; create() on the lost context too', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib } = window.harness;
    // Its own device: the shared one must survive for the other tests.
    const ctx = await lib.createGpuContext();
    const trainer = await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8 }));
    const events: string[] = [];
    trainer.on('deviceLost', (e) => events.push(`${e.name}: ${e.reason}`));
    const bytes = await lib.saveCheckpoint(trainer);
    const describe = (e: unknown) => (e instanceof lib.DeviceLostError ? `DeviceLostError: ${e.reason}` : `${(e as Error).name}: ${(e as Error).message}`);
    const run = trainer.train(3000, { stepsPerSubmit: 2 }).then(() => 'resolved', describe);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.device.destroy();
    const outcomes = {
      run: await run,
      train: await trainer.train(1).then(() => 'resolved', describe),
      sample: await trainer.sample(4).then(() => 'resolved', describe),
      load: await lib.loadCheckpoint(trainer, bytes).then(() => 'resolved', describe),
      read: await trainer.readParameters('generator').then(() => 'resolved', describe),
      create: await lib.GanTrainer.create(ctx, lib.presets.gaussian1d({ batchSize: 8 })).then(() => 'resolved', describe),
    };
    trainer.dispose();
    return { outcomes, isLost: ctx.isLost, events };
  });
  expect(r.isLost).toBe(true);
  expect(r.events).toEqual(['DeviceLostError: destroyed']);
  for (const [call, outcome] of Object.entries(r.outcomes)) expect(outcome, call).toBe('DeviceLostError: destroyed');
});
