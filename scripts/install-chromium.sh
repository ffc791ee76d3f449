#!/usr/bin/env bash
# Installs Debian's Chromium for the real-browser test (`npm run test:browser`). Idempotent: does
# nothing when `chromium` is already on PATH. The test drives it with playwright-core, which never
# downloads a browser of its own.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "[install-chromium] already installed: $(command -v chromium)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "[install-chromium] installing chromium with apt-get (~20 s, ~480 MB)" >&2
$SUDO apt-get install -y chromium || { $SUDO apt-get update && $SUDO apt-get install -y chromium; }
command -v chromium
