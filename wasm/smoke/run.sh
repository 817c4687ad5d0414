#!/usr/bin/env bash
# Smoke-tests the built wasm/pkg in headless Chromium, twice: as a plain <script type="module"> page
# (index.html, with an import map to ./pkg/index.js) and as a Vite production build of the same page, where
# "cis2-browser" resolves through node_modules (package.json "exports") and Vite emits the .wasm as an asset.
# Every line the page writes must be a pass. Catches what unit tests cannot: a wasm-opt or minifier step that
# breaks instantiation, a package entry that does not resolve, glue a bundler cannot follow.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(mktemp -d)
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$root"' EXIT

# Serves $1 on an ephemeral loopback port, loads index.html in headless Chromium and checks the #out lines.
check_page() {
  local dir=$1 what=$2 port="" result="" dom
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$dir" >"$root/server.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$root/server.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  if [ -z "$port" ]; then echo "smoke ($what): http server did not start" >&2; exit 1; fi
  # --dump-dom returns when the virtual-time budget runs out; on a loaded machine the page may still be
  # "pending" then, so try up to three times before judging.
  for attempt in 1 2 3; do
    dom=$(timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --virtual-time-budget=20000 --dump-dom "http://127.0.0.1:$port/index.html" 2>/dev/null || true)
    result=$(printf '%s' "$dom" | sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g')
    printf '%s' "$result" | grep -q '^DONE$' && break
    echo "smoke ($what): attempt $attempt did not finish; retrying" >&2
  done
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
  printf '%s\n' "$result" | sed "s/^/$what: /"
  if ! printf '%s' "$result" | grep -q '^DONE$' || printf '%s' "$result" | grep -q 'FAIL'; then
    echo "smoke ($what): the built package failed in Chromium" >&2
    exit 1
  fi
}

mkdir "$root/plain"
cp index.html checks.js "$root/plain/"
cp -r ../pkg "$root/plain/pkg"
check_page "$root/plain" plain

# The Vite app: the same page, with the package installed as npm would (package.json + pkg/).
app="$root/vite"
mkdir -p "$app/node_modules/cis2-browser"
grep -v 'type="importmap"' index.html >"$app/index.html" # Vite resolves the name itself
cp checks.js "$app/"
cp ../package.json "$app/node_modules/cis2-browser/"
cp -r ../pkg "$app/node_modules/cis2-browser/pkg"
(cd "$app" && "$here/../node_modules/.bin/vite" build --logLevel warn --outDir dist >&2)
if ! compgen -G "$app/dist/assets/*.wasm" >/dev/null; then
  echo "smoke (vite): the build emitted no .wasm asset" >&2
  exit 1
fi
check_page "$app/dist" vite
