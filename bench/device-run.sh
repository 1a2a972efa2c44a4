#!/usr/bin/env bash
# On the lent GPU machine (device tool, carry .devpack and dist): unpack Node,
# Dawn and the Vulkan loader, point Vulkan at the NVIDIA driver, check the
# adapter is the GPU (not a software fallback), then run bench/gpu-node.mjs.
#   bash bench/device-run.sh [gpu-node.mjs options]   (default: --only peer,matmul,tune,profile)
#   bash bench/device-run.sh --only quality --presets mnistMlp,cdcgan [--train-seconds 60]   (issue 12's digit bars)
#   bash bench/device-run.sh toy [toy-coverage.mjs options]   (issue 12's toy bars: bench/toy-coverage.mjs into $OUT)
# Prepare here first with bash bench/device-pack.sh (node, Dawn, Vulkan loader, dist/ with TF.js bundled).
set -uo pipefail
for f in .devpack/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
export VK_ICD_FILENAMES=$VK_DRIVER_FILES
xz -dc .devpack/node.xz > /tmp/node && chmod +x /tmp/node
mkdir -p node_modules/webgpu/dist/linux-x64
cp .devpack/webgpu/* node_modules/webgpu/
xz -dc .devpack/dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
rm -rf node_modules/pngjs && cp -r .devpack/pngjs node_modules/pngjs
nvidia-smi -L
ls -la "$VK_DRIVER_FILES" || ls /usr/local/nvidia/share/vulkan/icd.d/ /etc/vulkan/icd.d/ /usr/share/vulkan/icd.d/ 2>&1
/tmp/node -e "import('./dist/node.js').then(async (l) => { const c = await l.createNodeGpuContext(); console.log('adapter:', c.adapterName); if (/swiftshader|llvmpipe/i.test(c.adapterName)) process.exit(3); })" || { echo 'no GPU adapter in Dawn'; exit 3; }
if [ "${1:-}" = toy ]; then
  shift
  # Records and table in /tmp/toy; back in $OUT the table and one JSON line per run (at most 8 files come back):
  # here, node bench/toy-coverage.mjs --import <that jsonl> files them under bench/results/ and redoes the table.
  /tmp/node bench/toy-coverage.mjs --out /tmp/toy "$@"
  cp /tmp/toy/toy-coverage.md "${OUT:-bench/results}/"
  /tmp/node -e "const fs = require('fs'); const d = '/tmp/toy/toy-coverage/'; for (const f of fs.readdirSync(d)) console.log(JSON.stringify(JSON.parse(fs.readFileSync(d + f, 'utf8'))));" > "${OUT:-bench/results}/toy-coverage.jsonl"
else
  /tmp/node bench/gpu-node.mjs --out "${OUT:-bench/results}" "$@"
fi
