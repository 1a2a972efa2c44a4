// A lost device in Node (Dawn): destroying it mid-run rejects the running
// train() and every later call with DeviceLostError, as in the browser
// (src/models/gan/run-control.spec.ts), and a new context trains again from
// the last checkpoint to the same weights as a run that was never interrupted.
// Runs in a child process so that a Dawn failure cannot take the test runner down.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { test, expect } from '@playwright/test';

const SCRIPT = `
import { createNodeGpuContext, GanTrainer, presets, saveCheckpoint, loadCheckpoint, DeviceLostError } from '${process.cwd()}/dist/node.js';
const config = () => ({ ...presets.gaussian1d({ batchSize: 8, seed: 4 }), statsEvery: 5 });
const describe = (e) => (e instanceof DeviceLostError ? 'DeviceLostError: ' + e.reason : e.name + ': ' + e.message);
const ctx = await createNodeGpuContext();
const trainer = await GanTrainer.create(ctx, config());
await trainer.train(10);
const saved = await saveCheckpoint(trainer);
const run = trainer.train(100000, { stepsPerSubmit: 2 }).then(() => 'resolved', describe);
await new Promise((r) => setTimeout(r, 200));
ctx.device.destroy();
const outcomes = {
  run: await run,
  train: await trainer.train(1).then(() => 'resolved', describe),
  sample: await trainer.sample(4).then(() => 'resolved', describe),
  load: await loadCheckpoint(trainer, saved).then(() => 'resolved', describe),
  create: await GanTrainer.create(ctx, config()).then(() => 'resolved', describe),
};
// Recovery by hand: a new context, the last checkpoint, 20 more steps; against 30 steps straight.
const fresh = await createNodeGpuContext();
const resumed = await GanTrainer.create(fresh, config());
await loadCheckpoint(resumed, saved);
await resumed.train(20);
const straight = await GanTrainer.create(fresh, config());
await straight.train(30);
const same = JSON.stringify(Array.from(await resumed.readParameters('generator'))) === JSON.stringify(Array.from(await straight.readParameters('generator')));
console.log(JSON.stringify({ outcomes, isLost: ctx.isLost, same, step: resumed.step }));
process.exit(0);
`;

test('node: a device destroyed during train() rejects it and every later call with DeviceLostError; a new context resumes from the checkpoint exactly', () => {
  test.setTimeout(180_000);
  mkdirSync('test-results', { recursive: true });
  const file = 'test-results/device-loss.mjs';
  writeFileSync(file, SCRIPT);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 150_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(line, r.stdout + r.stderr).toBeDefined();
  const got = JSON.parse(line!);
  expect(got.isLost).toBe(true);
  for (const [call, outcome] of Object.entries(got.outcomes)) expect(outcome, call).toBe('DeviceLostError: destroyed');
  expect(got.same).toBe(true);
  expect(got.step).toBe(30);
});
