#!/usr/bin/env node
// The webgpu-gan command (package.json "bin", bundled to dist/train.js):
//   webgpu-gan train|resume|sample|eval|info [options]     (webgpu-gan --help)
// `npm run train -- --preset P --steps N` is `train` without its name.
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
