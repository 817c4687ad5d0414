//! Workspace chores, run as `cargo xtask <command>` (an alias for `cargo run -p xtask --`).
//!
//! * `module-cycles [-p <package>]…`: builds the module graph of every workspace library crate (see
//!   [`modules`] for what counts as an edge) and reports every import loop: each strongly connected
//!   component with more than one module, with a ring through it and the path that makes each step. Exits 1
//!   when there is a loop.
//! * `file-sizes [--max-lines N] [-p <package>]…`: reports the library files (every file in a library
//!   crate's module tree) longer than N lines (default 600). Exits 1 when there is one.
//!
//! * `module-graph [-p <package>]…`: prints every edge (`from -> to  (first path)`), for review.
//!
//! Library crates come from `cargo metadata --no-deps`: every target of kind `lib`, `rlib`, `cdylib`,
//! `dylib` or `staticlib`, starting at its root file.

mod cycles;
mod modules;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modules::{Disk, Graph, Source};

const USAGE: &str = "usage: cargo xtask module-cycles [-p <package>]...\n       cargo xtask file-sizes [--max-lines N] [-p <package>]...\n       cargo xtask module-graph [-p <package>]...";

/// A library crate of the workspace.
#[derive(Debug)]
struct LibCrate {
    package: String,
    root: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; `Ok(false)` when it found problems.
fn run(args: &[String]) -> Result<bool, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.to_owned());
    };
    let mut packages = Vec::new();
    let mut max_lines = 600usize;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-p" | "--package" => packages.push(it.next().ok_or(USAGE)?.clone()),
            "--max-lines" => {
                max_lines = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--max-lines needs a number")?
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let crates = library_crates(&packages)?;
    let root = workspace_root()?;
    match command.as_str() {
        "module-cycles" => Ok(module_cycles(&crates, &root, &Disk)),
        "file-sizes" => Ok(file_sizes(&crates, &root, &Disk, max_lines)),
        "module-graph" => {
            module_graph(&crates, &Disk);
            Ok(true)
        }
        _ => Err(USAGE.to_owned()),
    }
}

fn cargo_metadata() -> Result<serde_json::Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

fn workspace_root() -> Result<PathBuf, String> {
    cargo_metadata()?
        .get("workspace_root")
        .and_then(|v| v.as_str())
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata: no workspace_root".to_owned())
}

/// The workspace's library crates (only `only`, when given).
fn library_crates(only: &[String]) -> Result<Vec<LibCrate>, String> {
    const LIB_KINDS: [&str; 5] = ["lib", "rlib", "cdylib", "dylib", "staticlib"];
    let meta = cargo_metadata()?;
    let mut out = Vec::new();
    for p in meta
        .get("packages")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(|v| v.as_str()).unwrap_or_default();
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        for t in p.get("targets").and_then(|v| v.as_array()).into_iter().flatten() {
            let is_lib = t.get("kind").and_then(|k| k.as_array()).is_some_and(|k| {
                k.iter()
                    .any(|k| k.as_str().is_some_and(|k| LIB_KINDS.contains(&k)))
            });
            if let (true, Some(src)) = (is_lib, t.get("src_path").and_then(|v| v.as_str())) {
                out.push(LibCrate {
                    package: name.to_owned(),
                    root: PathBuf::from(src),
                });
            }
        }
    }
    for o in only {
        if !out.iter().any(|c| &c.package == o) {
            return Err(format!("no library crate named {o:?} in the workspace"));
        }
    }
    out.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(out)
}

fn relative<'a>(p: &'a Path, root: &Path) -> std::borrow::Cow<'a, str> {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy()
}

/// Prints the import loops of each crate; true when there are none.
fn module_cycles(crates: &[LibCrate], root: &Path, src: &dyn Source) -> bool {
    let mut clean = true;
    for c in crates {
        let g = Graph::load(&c.root, src);
        for w in &g.warnings {
            println!("warning: {w}");
        }
        let report = cycle_report(&g, root);
        if report.is_empty() {
            println!(
                "{} ({}): {} modules, {} edges, no import loops",
                c.package,
                relative(&c.root, root),
                g.modules.len(),
                g.edges.len()
            );
        } else {
            clean = false;
            println!(
                "{} ({}): {} modules, {} edges, {} import loop(s)",
                c.package,
                relative(&c.root, root),
                g.modules.len(),
                g.edges.len(),
                report.len()
            );
            for (i, r) in report.iter().enumerate() {
                println!("  loop {}: {}", i + 1, r.join("\n    "));
            }
        }
    }
    clean
}

/// One entry per loop: the component's modules, then each step of a ring through it.
pub(crate) fn cycle_report(g: &Graph, root: &Path) -> Vec<Vec<String>> {
    let pairs: Vec<(usize, usize)> = g.edges.iter().map(|e| (e.from, e.to)).collect();
    cycles::loops(g.modules.len(), &pairs)
        .iter()
        .map(|comp| {
            let names: Vec<&str> = comp.iter().map(|&m| g.name(m)).collect();
            let mut lines = vec![format!("{} modules: {}", comp.len(), names.join(", "))];
            let ring = cycles::ring(comp, &pairs);
            lines.push(format!(
                "ring: {}",
                ring.iter().map(|&m| g.name(m)).collect::<Vec<_>>().join(" -> ")
            ));
            for step in ring.windows(2) {
                if let [a, b] = step
                    && let Some(e) = g.edges.iter().find(|e| e.from == *a && e.to == *b)
                {
                    let file = g
                        .modules
                        .get(*a)
                        .map(|m| relative(&m.file, root).into_owned())
                        .unwrap_or_default();
                    lines.push(format!(
                        "  {} -> {}: `{}` ({file})",
                        g.name(*a),
                        g.name(*b),
                        e.example
                    ));
                }
            }
            lines
        })
        .collect()
}

/// Prints every edge of each crate's module graph.
fn module_graph(crates: &[LibCrate], src: &dyn Source) {
    for c in crates {
        let g = Graph::load(&c.root, src);
        println!("{}:", c.package);
        let mut lines: Vec<String> = g
            .edges
            .iter()
            .map(|e| format!("  {} -> {}  ({})", g.name(e.from), g.name(e.to), e.example))
            .collect();
        lines.sort();
        for l in lines {
            println!("{l}");
        }
    }
}

/// Prints the library files over `max` lines; true when there are none.
fn file_sizes(crates: &[LibCrate], root: &Path, src: &dyn Source, max: usize) -> bool {
    let mut clean = true;
    for c in crates {
        let g = Graph::load(&c.root, src);
        let files = g.files();
        let big: Vec<(PathBuf, usize)> = files
            .iter()
            .filter_map(|f| {
                let n = src.read(f)?.lines().count();
                (n > max).then(|| (f.clone(), n))
            })
            .collect();
        if big.is_empty() {
            println!("{}: {} files, none over {max} lines", c.package, files.len());
            continue;
        }
        clean = false;
        println!(
            "{}: {} files, {} over {max} lines",
            c.package,
            files.len(),
            big.len()
        );
        for (f, n) in big {
            println!("  {n:>5}  {}", relative(&f, root));
        }
    }
    clean
}
