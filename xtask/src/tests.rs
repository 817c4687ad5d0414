use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::modules::{Graph, Source};

/// A crate in memory: path → text.
struct Mem(BTreeMap<PathBuf, String>);

impl Mem {
    fn new(files: &[(&str, &str)]) -> Self {
        Self(
            files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
                .collect(),
        )
    }
}

impl Source for Mem {
    fn read(&self, path: &Path) -> Option<String> {
        self.0.get(path).cloned()
    }
}

fn load(files: &[(&str, &str)]) -> Graph {
    Graph::load(Path::new("src/lib.rs"), &Mem::new(files))
}

fn edges(g: &Graph) -> Vec<String> {
    let mut v: Vec<String> = g
        .edges
        .iter()
        .map(|e| format!("{} -> {}", g.name(e.from), g.name(e.to)))
        .collect();
    v.sort();
    v
}

fn loops(g: &Graph) -> Vec<Vec<String>> {
    crate::cycle_report(g, Path::new(""))
}

#[test]
fn a_layered_crate_has_no_loop() {
    let g = load(&[
        (
            "src/lib.rs",
            "mod state; mod room; pub use room::handler; pub use state::State;",
        ),
        ("src/state.rs", "pub struct State; pub(crate) fn lock() {}"),
        ("src/room/mod.rs", "mod a; mod b; pub(crate) use a::handler;"),
        (
            "src/room/a.rs",
            "use crate::state::{State, lock}; pub fn handler() { super::b::helper(); lock(); }",
        ),
        (
            "src/room/b.rs",
            "pub(super) fn helper() -> crate::state::State { crate::state::State }\n\
             #[cfg(test)] mod tests { use super::*; #[test] fn t() { helper(); } }",
        ),
    ]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    assert_eq!(
        edges(&g),
        [
            "crate -> crate::room",
            "crate -> crate::state",
            "crate::room -> crate::room::a",
            "crate::room::a -> crate::room::b",
            "crate::room::a -> crate::state",
            "crate::room::b -> crate::state",
            "crate::room::b::tests -> crate::room::b",
        ]
    );
    assert!(loops(&g).is_empty());
}

#[test]
fn a_ring_is_found_and_shown() {
    let g = load(&[
        ("src/lib.rs", "mod login; mod authorize; mod logout;"),
        ("src/authorize.rs", "use crate::login::continue_after_auth;"),
        ("src/login.rs", "fn f() { crate::logout::end(); }"),
        (
            "src/logout.rs",
            "fn g() -> String { format!(\"{}\", crate::authorize::cookie()) }",
        ),
    ]);
    let l = loops(&g);
    assert_eq!(l.len(), 1, "{l:?}");
    let text = l[0].join("\n");
    assert!(text.contains("3 modules"), "{text}");
    assert!(
        text.contains("ring: crate::login -> crate::logout -> crate::authorize -> crate::login"),
        "{text}"
    );
    assert!(text.contains("`crate::authorize::cookie`"), "{text}");
}

#[test]
fn a_parent_reexport_and_a_child_using_super_is_a_loop() {
    let g = load(&[
        ("src/lib.rs", "mod room;"),
        ("src/room/mod.rs", "mod child; pub use child::X; pub struct Y;"),
        ("src/room/child.rs", "pub struct X(super::Y);"),
    ]);
    assert_eq!(
        edges(&g),
        [
            "crate::room -> crate::room::child",
            "crate::room::child -> crate::room"
        ]
    );
    assert_eq!(loops(&g).len(), 1);
}

#[test]
fn the_root_reexport_is_an_edge_too() {
    // A module that names an item through the crate root depends on the root, which re-exports it back.
    let g = load(&[
        ("src/lib.rs", "mod a; pub use a::A; pub struct Shared;"),
        ("src/a.rs", "pub struct A(crate::Shared);"),
    ]);
    assert_eq!(loops(&g).len(), 1);
}

#[test]
fn what_is_not_an_edge() {
    let g = load(&[
        (
            "src/lib.rs",
            "mod a; mod b; pub(crate) use a::f; fn local() { let b = 1; let _ = b; }",
        ),
        (
            "src/a.rs",
            "#[serde(with = \"crate::b\")] pub(in crate::b) struct S;\n\
             /// See [`crate::b::g`].\n\
             pub(crate) fn f() { self::h(); ::b::external(); }\n\
             fn h() {}",
        ),
        (
            "src/b.rs",
            "mod inner { pub(super) fn g() {} } fn k() { inner::g(); }",
        ),
    ]);
    assert_eq!(edges(&g), ["crate -> crate::a", "crate::b -> crate::b::inner"]);
}

#[test]
fn paths_go_on_through_imported_modules() {
    let g = load(&[
        ("src/lib.rs", "mod a; mod c;"),
        ("src/a/mod.rs", "pub(crate) mod b; pub(crate) mod d;"),
        ("src/a/b.rs", "pub fn f() {}"),
        ("src/a/d.rs", "pub fn h() {}"),
        (
            "src/c.rs",
            "use crate::a; use crate::a::d as dee; fn g() { a::b::f(); dee::h(); let a = 1; let _ = a; }",
        ),
    ]);
    assert_eq!(
        edges(&g),
        [
            "crate::c -> crate::a",
            "crate::c -> crate::a::b",
            "crate::c -> crate::a::d"
        ]
    );
}

#[test]
fn paths_resolve_to_the_deepest_module_and_files_follow_the_rules() {
    let g = load(&[
        ("src/lib.rs", "mod a; mod c;"),
        ("src/a.rs", "mod b;"),
        ("src/a/b.rs", "pub struct T;"),
        (
            "src/c.rs",
            "use crate::a::b::T; fn f() -> crate::a::Missing { todo!() } fn g() { super::a::b::T; }",
        ),
    ]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    assert_eq!(edges(&g), ["crate::c -> crate::a", "crate::c -> crate::a::b"]);
    let files: Vec<String> = g.files().iter().map(|p| p.display().to_string()).collect();
    assert_eq!(files, ["src/lib.rs", "src/a.rs", "src/a/b.rs", "src/c.rs"]);
}
