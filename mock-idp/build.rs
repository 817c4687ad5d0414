//! Embeds the NHS.UK frontend (`nhsuk-frontend`, installed by `npm ci --prefix mock-idp/assets`) when it is
//! present. Without it the crate still builds: `$OUT_DIR/nhsuk_assets.rs` then lists no files and the mock
//! serves its small built-in stylesheet instead.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A directory: cargo rescans it (node_modules holds one small package), so `npm ci` triggers a rebuild.
    println!("cargo:rerun-if-changed=assets");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("assets/node_modules/nhsuk-frontend/dist/nhsuk");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("nhsuk_assets.rs");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut version = String::new();
    if dist.join("nhsuk-frontend.min.css").is_file() {
        version = read_version(&manifest.join("assets/node_modules/nhsuk-frontend/package.json"));
        for name in ["nhsuk-frontend.min.css", "nhsuk-frontend.min.js"] {
            files.push((name.to_owned(), dist.join(name)));
        }
        collect(&dist.join("assets"), "", &mut files);
    } else {
        println!(
            "cargo:warning=nhsuk-frontend is not installed (run `npm ci --prefix mock-idp/assets`); \
             the mock IdP will serve its fallback stylesheet"
        );
    }
    let mut src = String::from("/// NHS.UK frontend files: (path under `/assets/`, bytes).\n");
    src.push_str("pub(crate) static NHSUK_FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(
            src,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    src.push_str("];\n/// The embedded `nhsuk-frontend` version (empty when not installed).\n");
    let _ = writeln!(src, "pub(crate) const NHSUK_VERSION: &str = {version:?};");
    if let Err(e) = std::fs::write(&out, src) {
        println!("cargo:warning=could not write {}: {e}", out.display());
    }
}

fn read_version(package_json: &Path) -> String {
    let text = std::fs::read_to_string(package_json).unwrap_or_default();
    // `"version": "10.6.1"` — a tiny scan, to keep build-dependencies at zero.
    text.split("\"version\"")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .unwrap_or("")
        .to_owned()
}

/// Files under `dir` (images, manifest), keyed by their path relative to `dist/nhsuk/assets` — the CSS refers
/// to them as `/assets/images/…`.
fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = e.path();
        if path.is_dir() {
            collect(&path, &rel, files);
        } else if !name.ends_with(".map") {
            files.push((rel, path));
        }
    }
}
