#!/usr/bin/env bash
# Installs Debian's redis-server for the queue-mode e2e test (npm run test:queue), once.
# Idempotent: does nothing when redis-server is already on PATH. Needs root (or sudo) and apt.
# The test itself never installs anything: it starts its own redis-server on a free 127.0.0.1
# port without persistence and stops it at the end; this script only provides the binary.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "[install-redis] $(redis-server --version)" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo DEBIAN_FRONTEND=noninteractive"; else
    echo "[install-redis] redis-server is missing and this is not root (no sudo): install it with your package manager" >&2
    exit 1
  fi
fi

echo "[install-redis] installing redis-server with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# On a host running systemd the Debian package also starts its own service on port 6379; the
# test does not use it (disable it with `systemctl disable --now redis-server` if unwanted).
# Waits (up to 10 min) for another apt/dpkg run to release its lock instead of failing at once.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600)
"${APT[@]}" install -y --no-install-recommends redis-server >&2 || {
  "${APT[@]}" update >&2
  "${APT[@]}" install -y --no-install-recommends redis-server >&2
}
command -v redis-server >/dev/null 2>&1 || { echo "[install-redis] redis-server still not on PATH" >&2; exit 1; }
echo "[install-redis] $(redis-server --version)" >&2
