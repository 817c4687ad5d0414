#!/usr/bin/env bash
# Smoke-tests the built wasm/pkg in headless Chromium: serves wasm/smoke/index.html plus pkg/ from an ephemeral
# loopback port and checks that every line the page writes is a pass. Catches what unit tests cannot: a
# wasm-opt or minifier step that breaks instantiation, or a package entry that does not resolve.
set -euo pipefail
cd "$(dirname "$0")"
root=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$root"' EXIT
cp index.html "$root/"
cp -r ../pkg "$root/pkg"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$root" >"$root/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$root/server.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then echo "smoke: http server did not start" >&2; exit 1; fi
# --dump-dom returns when the virtual-time budget runs out; on a loaded machine the page may still be
# "pending" then, so try up to three times before judging.
result=""
for attempt in 1 2 3; do
  dom=$(timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --virtual-time-budget=20000 --dump-dom "http://127.0.0.1:$port/index.html" 2>/dev/null || true)
  result=$(printf '%s' "$dom" | sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g')
  printf '%s' "$result" | grep -q '^DONE$' && break
  echo "smoke: attempt $attempt did not finish; retrying" >&2
done
printf '%s\n' "$result"
if ! printf '%s' "$result" | grep -q '^DONE$' || printf '%s' "$result" | grep -q 'FAIL'; then
  echo "smoke: the built package failed in Chromium" >&2
  exit 1
fi
