#!/usr/bin/env bash
# Packs what bench/device-run.sh needs on a bare GPU machine with no network
# and no Node (the lent NVIDIA machine): this machine's node binary and the
# linux-x64 Dawn addon (xz), pngjs, the Vulkan loader .deb. Into .devpack/
# (git-ignored via .git/info/exclude), carried with dist/ by the device tool;
# TF.js bundled into dist/bench/tfjs-node.mjs. The GPU run, in one command on
# the device (carry .devpack and dist; JSON lines and gpu-node.md land in $OUT):
#   bash bench/device-run.sh            # = peer, matmul, tune, profile (bench/gpu-node.mjs)
#   bash bench/device-run.sh --only quality --presets mnistMlp,cdcgan --train-seconds 60   # digit bars, 3 seeds
#   bash bench/device-run.sh toy --losses wgan-gp,wgan-gp-toy,hinge-sn,hinge-sn-g3 --steps 10000 --eval-every 2000 # toy bars, 3 seeds
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .devpack/gl .devpack/webgpu
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .devpack/node.xz
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .devpack/dawn.node.xz
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .devpack/webgpu/
rm -rf .devpack/pngjs && cp -r node_modules/pngjs .devpack/pngjs
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update >/dev/null
(cd .devpack/gl && apt-get $o download libvulkan1 >/dev/null)
node scripts/build.mjs
# TF.js (the webgpu backend's peer rows) as one file in dist/, which travels: no node_modules there.
npx esbuild bench/lib/tfjs-node.mjs --bundle --platform=node --format=esm --minify --log-level=warning --outfile=dist/bench/tfjs-node.mjs \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
du -sh .devpack dist
