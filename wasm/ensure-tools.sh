#!/usr/bin/env bash
# Installs what building and testing cis2-browser needs, on a fresh Debian machine with rustup and Node:
# the wasm32 target, wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version, wasm-pack, Chromium and
# chromedriver, and the npm devDependencies (TypeScript, esbuild, binaryen's wasm-opt, Vite for the smoke test's bundler build).
# Idempotent: every step is skipped when its tool is already there at the right version.
# Usage: wasm/ensure-tools.sh [--browser]   (--browser: also Chromium + chromedriver)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
WASM_PACK_VERSION=0.15.1

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || {
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$" ||
   ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  log "cargo install wasm-bindgen-cli $wb_version (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

if ! wasm-pack --version 2>/dev/null | grep -q " $WASM_PACK_VERSION\$"; then
  log "cargo install wasm-pack $WASM_PACK_VERSION"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
fi

need_apt=()
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x wasm/node_modules/.bin/tsc ] || [ ! -x wasm/node_modules/.bin/esbuild ] ||
   [ ! -x wasm/node_modules/.bin/wasm-opt ] || [ ! -x wasm/node_modules/.bin/vite ]; then
  log "npm ci (wasm/: typescript, esbuild, binaryen, vite)"
  (cd wasm && npm ci --no-audit --no-fund)
fi
