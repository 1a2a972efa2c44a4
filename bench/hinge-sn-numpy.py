# An independent check of the toy table's hinge-sn row, outside the engine:
# the same hinge GAN on ring8 or grid25 (G and D 2-64-64 ELU MLPs, batch 256, Adam 2e-3
# (0.5, 0.999), one D update per G update, the data drawn once, 4,096 rows) in
# float64 numpy, with spectral norm on every D layer or without it. It scores
# 2,500 samples every 250 steps with the toy bench's rule (a mode is covered
# when ≥ 1% of the samples lie within 3σ = 0.15 of it; high quality = within
# 3σ of the nearest mode).
#
# Spectral norm as torch.nn.utils.spectral_norm computes it, with an optional
# Lipschitz gain g per layer (g = 1 is the SN-GAN paper's):
#   v ← Wᵀu / ‖Wᵀu‖,  u ← Wv / ‖Wv‖,  σ = uᵀWv,  W_sn = g·W/σ,
#   dW = (g/σ)·(dW_sn − ⟨dW_sn, W_sn⟩/g · u vᵀ)        (u, v held constant).
#
# Needs only numpy (not part of npm test):
#   python3 bench/hinge-sn-numpy.py --sn --steps 1000 --seed 0
#   python3 bench/hinge-sn-numpy.py --steps 1000           (no spectral norm)
#   python3 bench/hinge-sn-numpy.py --sn --gain 2.15       (Lipschitz bound 2.15³ ≈ 10)
#   python3 bench/hinge-sn-numpy.py --set grid25 --sn --gain 3   (the 5×5 grid instead of the ring)
import argparse

import numpy as np

parser = argparse.ArgumentParser(description="hinge GAN on ring8 or grid25, with or without spectral norm on D, in numpy")
parser.add_argument('--set', choices=['ring8', 'grid25'], default='ring8')
parser.add_argument('--sn', action='store_true', help='spectral norm on every D layer')
parser.add_argument('--gain', type=float, default=1.0, help="each normalised layer's Lipschitz bound")
parser.add_argument('--margin', type=float, default=1.0, help="the hinge margin m: E relu(m − D(x)) + E relu(m + D(G(z)))")
parser.add_argument('--steps', type=int, default=1000)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--eval-every', type=int, default=250)
args = parser.parse_args()

rng = np.random.default_rng(args.seed)
BATCH, ROWS, LR, BETAS = 256, 4096, 2e-3, (0.5, 0.999)
RING8 = [[2 * np.cos(k * np.pi / 4), 2 * np.sin(k * np.pi / 4)] for k in range(8)]
GRID25 = [[k // 5 - 2, k % 5 - 2] for k in range(25)]
CENTERS = np.array(RING8 if args.set == 'ring8' else GRID25, dtype=float)  # (modes, 2)
DATA = CENTERS[rng.integers(0, len(CENTERS), ROWS)] + 0.05 * rng.standard_normal((ROWS, 2))  # (ROWS, 2)


def linear(fan_in, fan_out):
    """PyTorch's default Linear init: W and b uniform in ±1/√fan_in."""
    bound = 1 / np.sqrt(fan_in)
    return [rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)]


def mlp(outputs):
    """[W0, b0, W1, b1, W2, b2] of 2-64-64-outputs."""
    return linear(2, 64) + linear(64, 64) + linear(64, outputs)


def elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def delu(z):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))


class SpectralNorm:
    """The persisted u of each layer; `weights` runs one power iteration and returns (W_sn, (u, v, σ)) per layer."""

    def __init__(self, params):
        self.u = [rng.standard_normal(params[2 * k].shape[0]) for k in range(3)]
        self.u = [u / np.linalg.norm(u) for u in self.u]

    def weights(self, params):
        out = []
        for k in range(3):
            w = params[2 * k]
            v = w.T @ self.u[k]
            v /= np.linalg.norm(v)
            u = w @ v
            u /= np.linalg.norm(u)
            self.u[k] = u
            sigma = u @ w @ v
            out.append((args.gain * w / sigma, (u, v, sigma)))
        return out


def plain(params):
    return [(params[2 * k], None) for k in range(3)]


def forward(params, layers, x):
    """The MLP's output and each layer's (input, pre-activation)."""
    cache, h = [], x
    for k, (w, _) in enumerate(layers):
        z = h @ w.T + params[2 * k + 1]
        cache.append((h, z))
        h = elu(z) if k < 2 else z
    return h, cache


def backward(layers, cache, dout):
    """Gradients [dW0, db0, …] (through σ where normalised) and dx."""
    grads, d = [None] * 6, dout
    for k in (2, 1, 0):
        h, z = cache[k]
        w, sn = layers[k]
        if k < 2:
            d = d * delu(z)
        dw = d.T @ h
        grads[2 * k + 1] = d.sum(0)
        if sn is not None:
            u, v, sigma = sn
            dw = (args.gain / sigma) * (dw - np.sum(dw * w) / args.gain * np.outer(u, v))
        grads[2 * k] = dw
        d = d @ w
    return grads, d


class Adam:
    def __init__(self, params):
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        b1, b2 = BETAS
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= LR * (m / (1 - b1**self.t)) / (np.sqrt(v / (1 - b2**self.t)) + 1e-8)


def coverage(x):
    dist = np.linalg.norm(x[:, None, :] - CENTERS[None], axis=2)  # (n, 8)
    nearest, good = dist.argmin(1), dist.min(1) < 0.15
    covered = sum(int(np.sum(good & (nearest == k)) >= 0.01 * len(x)) for k in range(len(CENTERS)))
    return covered, good.mean()


G, D = mlp(2), mlp(1)
norm = SpectralNorm(D) if args.sn else None
adam_g, adam_d = Adam(G), Adam(D)
for step in range(1, args.steps + 1):
    # D: hinge, E relu(m − D(x)) + E relu(m + D(G(z))).
    layers_d = norm.weights(D) if norm else plain(D)
    fake, _ = forward(G, plain(G), rng.standard_normal((BATCH, 2)))
    d_real, cache_real = forward(D, layers_d, DATA[rng.integers(0, ROWS, BATCH)])
    d_fake, cache_fake = forward(D, layers_d, fake)
    m = args.margin
    loss_d = np.maximum(0, m - d_real).mean() + np.maximum(0, m + d_fake).mean()
    grads_real, _ = backward(layers_d, cache_real, -(d_real < m).astype(float) / BATCH)
    grads_fake, _ = backward(layers_d, cache_fake, (d_fake > -m).astype(float) / BATCH)
    adam_d.step(D, [a + b for a, b in zip(grads_real, grads_fake)])
    # G: −E D(G(z)) through D's updated weights at the same σ (u and v are not iterated again).
    layers_d = [(args.gain * D[2 * k] / sn[2], sn) for k, (_, sn) in enumerate(layers_d)] if norm else plain(D)
    fake, cache_g = forward(G, plain(G), rng.standard_normal((BATCH, 2)))
    d_fake, cache_fake = forward(D, layers_d, fake)
    _, dfake = backward(layers_d, cache_fake, -np.ones_like(d_fake) / BATCH)
    grads_g, _ = backward(plain(G), cache_g, dfake)
    adam_g.step(G, grads_g)
    if step % args.eval_every == 0:
        x, _ = forward(G, plain(G), rng.standard_normal((2500, 2)))
        covered, quality = coverage(x)
        print(f"{'sn' if norm else 'plain'} gain {args.gain:g} margin {args.margin:g} seed {args.seed} {args.set} step {step}: {covered}/{len(CENTERS)} · {100 * quality:.1f}%"
              f"  D loss {loss_d:.3f}  E D(x) {d_real.mean():.3f}  E D(G(z)) {d_fake.mean():.3f}", flush=True)
