// CPU reference (float64) for softmax_cross_entropy.wgsl: logits (N, K),
// labels (N) as class indices stored as floats.
type Vec = Float64Array;

export interface SoftmaxCrossEntropyResult {
  /** scale · Σ_n −log softmax(logits_n)[y_n] */
  loss: number;
  /** (N, K): scale · (softmax(logits_n) − onehot(y_n)) */
  dlogits: Vec;
  /** Fraction of rows whose argmax (ties → lowest index) is the label. */
  accuracy: number;
}

/** The class a float label names: clamp(floor(label), 0, K − 1), as the kernels read it. */
export const labelClass = (label: number, classes: number): number => Math.min(Math.max(Math.floor(label), 0), classes - 1);

export function softmaxCrossEntropy(logits: Vec, labels: ArrayLike<number>, classes: number, scale: number): SoftmaxCrossEntropyResult {
  const rows = labels.length;
  const dlogits = new Float64Array(rows * classes);
  let loss = 0;
  let correct = 0;
  for (let n = 0; n < rows; n++) {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    const y = labelClass(labels[n], classes);
    const m = Math.max(...row);
    const logSum = Math.log(row.reduce((s, l) => s + Math.exp(l - m), 0)); // log Σ exp(l − m)
    loss += m - row[y] + logSum;
    row.forEach((l, k) => (dlogits[n * classes + k] = scale * (Math.exp(l - m - logSum) - (k === y ? 1 : 0))));
    if (row.indexOf(m) === y) correct++; // indexOf: the first maximum
  }
  return { loss: scale * loss, dlogits, accuracy: rows > 0 ? correct / rows : 0 };
}
