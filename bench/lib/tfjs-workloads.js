// The TF.js workloads of the peer benchmarks, written the way a TF.js user
// would write them (layers API models, tf.train.adam(...).minimize(...),
// tf.losses.sigmoidCrossEntropy, tf.random* for noise and batches). Shared by
// bench/tfjs-page.js (in Chromium) and bench/gpu-node.mjs (TF.js's webgpu
// backend on Dawn in Node), each passing its own `tf`. A workload takes the
// digits ({ pixels: Float32Array in [-1, 1], rows }) and its batch size.
export function tfjsWorkloads(tf) {
  const dense = (o) => tf.layers.dense(o);

  /** W1, our `mnistMlp` preset. */
  function mnistMlp(digits, batch = 128) {
    const D = tf.sequential({
      layers: [
        dense({ inputShape: [784], units: 256 }), tf.layers.leakyReLU({ alpha: 0.2 }),
        dense({ units: 256 }), tf.layers.leakyReLU({ alpha: 0.2 }),
        dense({ units: 1 }),
      ],
    });
    const G = tf.sequential({
      layers: [
        dense({ inputShape: [96], units: 1024, activation: 'relu' }),
        dense({ units: 1024, activation: 'relu' }),
        dense({ units: 784, activation: 'tanh' }),
      ],
    });
    const data = tf.tensor2d(digits.pixels, [digits.rows, 784]);
    return {
      G, D, batch, extra: [data],
      optD: tf.train.adam(3e-4, 0.5, 0.999),
      optG: tf.train.adam(3e-4, 0.5, 0.999),
      noise: () => tf.randomUniform([batch, 96], -1, 1),
      real: () => tf.tidy(() => tf.gather(data, tf.randomUniform([batch], 0, digits.rows, 'int32'))),
    };
  }

  /** W3, our `gaussian1d` preset (its two-timescale Adam). */
  function gaussian1d(_digits, batch = 100) {
    const net = () =>
      tf.sequential({
        layers: [
          dense({ inputShape: [1], units: 50, activation: 'elu' }),
          dense({ units: 50, activation: 'elu' }),
          dense({ units: 1 }),
        ],
      });
    return {
      G: net(), D: net(), batch, extra: [],
      optD: tf.train.adam(1.6e-2, 0.5, 0.999),
      optG: tf.train.adam(1e-3, 0.97, 0.999),
      noise: () => tf.randomUniform([batch, 1], 0, 1),
      real: () => tf.randomNormal([batch, 1], 4, 1.25),
    };
  }

  /**
   * W2, our `dcgan28` preset, in NHWC as Keras has it. 'same' padding with k4 s2
   * gives PyTorch's p1 shapes (28 → 14 → 7 and back); BatchNorm momentum 0.9 /
   * epsilon 1e-5 are PyTorch's 0.1 / 1e-5.
   */
  function dcgan28(digits, batch = 64) {
    const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
    const G = tf.sequential({
      layers: [
        dense({ inputShape: [100], units: 128 * 7 * 7, useBias: false }),
        tf.layers.reshape({ targetShape: [7, 7, 128] }), bn(), tf.layers.reLU(),
        tf.layers.conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), bn(), tf.layers.reLU(),
        tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
      ],
    });
    const D = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 4, strides: 2, padding: 'same' }), tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), bn(), tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.flatten(),
        dense({ units: 1 }),
      ],
    });
    const data = tf.tensor4d(digits.pixels, [digits.rows, 28, 28, 1]);
    return {
      G, D, batch, extra: [data],
      optD: tf.train.adam(2e-4, 0.5, 0.999),
      optG: tf.train.adam(2e-4, 0.5, 0.999),
      noise: () => tf.randomNormal([batch, 100]),
      real: () => tf.tidy(() => tf.gather(data, tf.randomUniform([batch], 0, digits.rows, 'int32'))),
    };
  }

  const WORKLOADS = { mnistMlp, dcgan28, gaussian1d };

  /** One D update on real + fake, one G update with the non-saturating loss; returns G's loss. */
  function makeStep(w) {
    const ones = tf.ones([w.batch, 1]);
    const zeros = tf.zeros([w.batch, 1]);
    const dVars = w.D.trainableWeights.map((v) => v.read());
    const gVars = w.G.trainableWeights.map((v) => v.read());
    const step = () => {
      const dLoss = tf.tidy(() => {
        const real = w.real();
        const fake = w.G.apply(w.noise(), { training: true });
        return w.optD.minimize(
          () =>
            tf.losses.sigmoidCrossEntropy(ones, w.D.apply(real, { training: true }))
              .add(tf.losses.sigmoidCrossEntropy(zeros, w.D.apply(fake, { training: true }))),
          true,
          dVars,
        );
      });
      dLoss.dispose();
      return tf.tidy(() => {
        const z = w.noise();
        return w.optG.minimize(
          () => tf.losses.sigmoidCrossEntropy(ones, w.D.apply(w.G.apply(z, { training: true }), { training: true })),
          true,
          gVars,
        );
      });
    };
    step.dispose = () => { ones.dispose(); zeros.dispose(); };
    return step;
  }

  return { WORKLOADS, makeStep };
}
