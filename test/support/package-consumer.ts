// The consumer project of test/package.spec.ts: sources written into a temporary project that has
// the packed webgpu-gan installed. Strings, not files of the repo: they import 'webgpu-gan' as a
// user does, which only resolves once the package is installed (the repo's tsc never sees them).

/** Node: every entry point, a few training steps on Dawn, the weights and digits through their exported subpaths. */
export const NODE_APP = `import { readFileSync } from 'node:fs';
import { createNodeGpuContext, GanTrainer, presets, digitQuality, type TrainingStats } from 'webgpu-gan/node';
import * as main from 'webgpu-gan';
import { kernels, type KernelFamily } from 'webgpu-gan/advanced';

const ctx = await createNodeGpuContext();
const device: GPUDevice = ctx.device;
const trainer = await GanTrainer.create(ctx, presets.gaussian1d({ seed: 1 }));
const last: TrainingStats | null = await trainer.train(20);
const samples: Float32Array = await trainer.sample(256);
const step = trainer.step;
trainer.dispose();
ctx.dispose();

/** A file the package exports, e.g. 'webgpu-gan/weights/digit-classifier.safetensors'. */
const packageFile = (specifier: string): Uint8Array => new Uint8Array(readFileSync(new URL(import.meta.resolve(specifier))));
const classifier = digitQuality.decodeClassifierWeights(digitQuality.digitClassifierNet(), packageFile('webgpu-gan/weights/digit-classifier.safetensors'));
const digits = presets.decodeDigits(packageFile('webgpu-gan/data/mnist-digits.bin'));
const families: KernelFamily[] = Object.values(kernels).filter((k): k is KernelFamily => typeof k === 'object' && k !== null && 'source' in k);

console.log(JSON.stringify({
  step,
  samples: samples.length,
  finite: samples.every(Number.isFinite) && (last === null || Number.isFinite(last.lossD)) && device !== undefined,
  oneEngine: main.GanTrainer === GanTrainer,
  classifierParameters: classifier.length,
  digits: digits.rows,
  kernels: families.length > 0,
}));
`;

/** Browser: the main and advanced entry points and the digits as an asset URL (esbuild's file loader). */
export const BROWSER_APP = `import { createGpuContext, GanTrainer, presets } from 'webgpu-gan';
import { kernels } from 'webgpu-gan/advanced';
import digitsUrl from 'webgpu-gan/data/mnist-digits.bin';

declare global {
  interface Window {
    result?: unknown;
  }
}

const ctx = await createGpuContext();
const trainer = await GanTrainer.create(ctx, presets.gaussian1d({ seed: 1 }));
await trainer.train(20);
const samples = await trainer.sample(256);
const step = trainer.step;
trainer.dispose();
ctx.dispose();
const digits = presets.decodeDigits(new Uint8Array(await (await fetch(digitsUrl)).arrayBuffer()));
window.result = {
  step,
  samples: samples.length,
  finite: samples.every(Number.isFinite),
  digits: digits.rows,
  presets: [...presets.PRESETS],
  kernels: Object.keys(kernels).length > 0,
};
`;

export const ASSETS_DTS = `declare module '*.bin' {
  const url: string;
  export default url;
}
`;

export const HTML = `<!doctype html>
<meta charset="utf-8">
<title>webgpu-gan package consumer</title>
<script type="module" src="browser-app.js"></script>
`;

/** Node without the optional peers (webgpu, mnist): the messages a user gets. */
export const MISSING_PEERS = `const out = {};
const node = await import('webgpu-gan/node');
try {
  await node.createNodeGpuContext();
  out.webgpu = 'no error';
} catch (e) {
  out.webgpu = String(e.message);
}
try {
  node.loadMnistDigits();
  out.mnist = 'no error';
} catch (e) {
  out.mnist = String(e.message);
}
console.log(JSON.stringify(out));
`;
