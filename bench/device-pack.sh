#!/usr/bin/env bash
# Packs what bench/device-run.sh needs on a bare GPU machine with no network
# and no Node (the lent NVIDIA machine): this machine's node binary and the
# linux-x64 Dawn addon (xz), pngjs, the Vulkan loader .deb. Into .devpack/
# (git-ignored via .git/info/exclude), carried with dist/ by the device tool.
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
du -sh .devpack dist
