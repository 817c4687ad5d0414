#!/usr/bin/env bash
# Smoke-tests the built wasm/pkg in headless Chromium, twice: as a plain <script type="module"> page
# (index.html, with an import map to ./pkg/index.js) and as a Vite production build of the same page, where
# "cis2-browser" resolves through node_modules (package.json "exports") and Vite emits the .wasm as an asset.
# Every line the page writes must be a pass. Catches what unit tests cannot: a wasm-opt or minifier step that
# breaks instantiation, a package entry that does not resolve, glue a bundler cannot follow.
# run.mjs drives the pages with playwright-core from e2e/ (the e2e tests' launcher, Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

if [ ! -d ../../e2e/node_modules/playwright-core ] ||
   [ ../../e2e/package-lock.json -nt ../../e2e/node_modules/.package-lock.json ]; then
  echo "==> npm ci --prefix e2e (playwright-core)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix ../../e2e --no-audit --no-fund >&2
fi

mkdir "$root/plain"
cp index.html checks.js "$root/plain/"
cp -r ../pkg "$root/plain/pkg"

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

node run.mjs plain="$root/plain" vite="$app/dist"
