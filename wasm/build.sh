#!/usr/bin/env bash
# Builds the npm package cis2-browser into wasm/pkg: wasm-pack (ES module for bundlers and <script type="module">,
# `--target web`), binaryen's wasm-opt (npm devDependency), then the package entry `pkg/index.js` / `index.d.ts`
# that adds the `Cis2Error` class to the generated exports.
#
# Usage: wasm/build.sh [--dev]
# Env: CIS2_WASM_OPT=0 skips wasm-opt. The release build uses the workspace's `[profile.wasm-release]`.
set -euo pipefail
cd "$(dirname "$0")"

profile=(--profile wasm-release)
release=1
if [ "${1:-}" = "--dev" ]; then profile=(--dev); release=0; fi
CIS2_GIT_SHA="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
export CIS2_GIT_SHA

# The package version is package.json's; it must match the crate's.
crate_version=$(cargo metadata --no-deps --format-version 1 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages.find(p=>p.name==="cis2-wasm");process.stdout.write(p.version)})')
npm_version=$(node -p 'require("./package.json").version')
if [ "$crate_version" != "$npm_version" ]; then
  echo "version mismatch: cis2-wasm $crate_version, package.json $npm_version" >&2
  exit 1
fi

# --mode no-install: use the wasm-bindgen CLI on PATH (scripts/install-deps installs the one matching
# Cargo.lock); wasm-pack must not download binaries.
wasm-pack build . --target web "${profile[@]}" --mode no-install --out-dir pkg --out-name cis2_browser --no-pack

wasm=pkg/cis2_browser_bg.wasm
# binaryen's wasm-opt from devDependencies (npm "binaryen", pinned). Not Debian 12's binaryen 108: it rewrites
# wasm-bindgen's externref table as `anyref` and the module then fails to instantiate in current browsers.
wasm_opt=node_modules/.bin/wasm-opt
if [ "$release" = 1 ] && [ "${CIS2_WASM_OPT:-1}" != 0 ]; then
  if [ -x "$wasm_opt" ]; then
    # -Os, not -Oz: -Oz gives fewer raw bytes, but -Os's output compresses better (200-600 bytes less gzip,
    # which is what is downloaded). --converge was measured too and gains nothing more.
    # --one-caller-inline-max-function-size=20: binaryen otherwise inlines every function that has one caller,
    # whatever its size; capping it costs ~1.9 KB raw but saves 470-660 bytes gzip (15-30 all win about as much).
    # --strip-target-features: linker metadata that browsers ignore (~100 bytes gzip).
    "$wasm_opt" -Os --one-caller-inline-max-function-size=20 \
      --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      --strip-debug --strip-producers --strip-target-features "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
  else
    echo "warning: $wasm_opt missing (run npm ci in wasm/); the .wasm is not size-optimised" >&2
  fi
fi

# Minify the JS glue (the JSDoc in it duplicates the .d.ts, which keeps the docs). esbuild comes from
# devDependencies (`npm ci` in wasm/); without it the glue ships as generated.
if [ "$release" = 1 ] && [ -x node_modules/.bin/esbuild ]; then
  node_modules/.bin/esbuild pkg/cis2_browser.js --minify --format=esm --target=es2020 --log-level=warning \
    --outfile=pkg/cis2_browser.js --allow-overwrite
  # Short import names in the .wasm and the glue (see short-imports.mjs): 2.2 KB gzip.
  node short-imports.mjs "$wasm" pkg/cis2_browser.js
fi

# wasm-pack's own package.json / .gitignore would shadow ours (the .gitignore would even empty `npm pack`).
rm -f pkg/package.json pkg/.gitignore pkg/README.md

snippet=$(cd pkg && find snippets -path '*/js/errors.js' | head -n 1)
if [ -z "$snippet" ]; then echo "errors.js snippet not found in pkg/snippets" >&2; exit 1; fi
sed "s#__ERRORS_SNIPPET__#./${snippet}#" js/index.js > pkg/index.js
cp js/index.d.ts pkg/index.d.ts
echo "built cis2-browser $npm_version in $(pwd)/pkg"
