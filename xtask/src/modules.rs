//! The module graph of one crate, read from source with `syn`.
//!
//! Modules come from the crate root and its `mod` items: inline `mod x { … }` bodies and `mod x;` files
//! (`x.rs` or `x/mod.rs` next to a `mod.rs`-style file, under `<stem>/` next to any other file; a
//! `#[path = "…"]` attribute wins). A `mod x;` declaration is not an edge.
//!
//! An edge A → B means that code in A names a path into B:
//!
//! * paths starting with `crate::`, `super::` or `self::`, and paths whose first segment is a child module of
//!   A (`child::item`), in `use` trees, expressions, types, patterns, trait bounds and impl headers alike;
//! * the same prefixes inside macro invocations (`format!`, `json!`, …), found by scanning their tokens;
//! * each path resolves to the deepest module it walks through: `crate::a::b::C` → `a::b` when `b` is a
//!   module, `a` when `b` is an item; a glob (`use super::*`) → the module itself.
//!
//! Not edges: a path that stays in A (`self::f`), a path into another crate, attributes (`#[serde(with)]`),
//! visibility restrictions (`pub(super)`, `pub(in crate::a)`), doc links and method calls (there is no type
//! information). A re-export is an ordinary edge: when `a/mod.rs` says `pub use child::X` and `a::child`
//! says `use super::Y`, then `a` → `a::child` → `a`, which is a loop. Put `Y` in a sibling module instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Reads source files (the real file system, or a map in tests).
pub(crate) trait Source {
    /// The text of `path`, or `None` when there is no such file.
    fn read(&self, path: &Path) -> Option<String>;
}

/// The file system.
#[derive(Debug)]
pub(crate) struct Disk;

impl Source for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// One module.
#[derive(Debug)]
pub(crate) struct Module {
    /// `crate`, `crate::a`, `crate::a::b`.
    pub(crate) name: String,
    /// The file that holds it (an inline module: its parent's file).
    pub(crate) file: PathBuf,
    /// Whether the module has its own file (not an inline `mod x { … }`).
    pub(crate) own_file: bool,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
}

/// One edge, with the first path that made it (for the report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    /// From this module (index into [`Graph::modules`]).
    pub(crate) from: usize,
    /// To this one.
    pub(crate) to: usize,
    /// The path as written, e.g. `crate::login::sign_in` or `super::*`.
    pub(crate) example: String,
}

/// A crate's modules and the edges between them.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    /// Modules; index 0 is the crate root.
    pub(crate) modules: Vec<Module>,
    /// Edges, at most one per (from, to) pair.
    pub(crate) edges: Vec<Edge>,
    /// Problems met on the way (unparsable files, missing module files).
    pub(crate) warnings: Vec<String>,
}

/// The items of a module body, waiting for the edge pass.
struct Pending {
    module: usize,
    items: Vec<syn::Item>,
}

impl Graph {
    /// Reads the crate rooted at `root` (its `lib.rs` or `main.rs`).
    pub(crate) fn load(root: &Path, src: &dyn Source) -> Graph {
        let mut g = Graph::default();
        let mut pending = Vec::new();
        let Some(text) = src.read(root) else {
            g.warnings.push(format!("{}: cannot read", root.display()));
            return g;
        };
        let file = match syn::parse_file(&text) {
            Ok(f) => f,
            Err(e) => {
                g.warnings.push(format!("{}: {e}", root.display()));
                return g;
            }
        };
        g.modules.push(Module {
            name: "crate".to_owned(),
            file: root.to_path_buf(),
            own_file: true,
            parent: None,
            children: BTreeMap::new(),
        });
        let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        g.collect(0, file.items, &dir, src, &mut pending);
        for p in pending {
            let mut v = PathCollector::default();
            for item in &p.items {
                v.visit_item(item);
            }
            // Names a `use` brings in for a module (`use crate::bridge;`, `use super::x as y;`).
            let aliases: BTreeMap<String, usize> = v
                .aliases
                .iter()
                .filter_map(|(alias, path)| Some((alias.clone(), g.resolve_module(p.module, path)?)))
                .collect();
            for path in v.paths {
                g.add_edge(p.module, &path, false, &aliases);
            }
            for path in v.use_paths {
                g.add_edge(p.module, &path, true, &aliases);
            }
        }
        g
    }

    /// Registers the child modules declared in `items` (recursively) and queues the rest for the edge pass.
    /// `dir` is where `mod x;` files of this module live.
    fn collect(
        &mut self,
        module: usize,
        items: Vec<syn::Item>,
        dir: &Path,
        src: &dyn Source,
        pending: &mut Vec<Pending>,
    ) {
        let mut rest = Vec::new();
        for item in items {
            let syn::Item::Mod(m) = item else {
                rest.push(item);
                continue;
            };
            let name = m.ident.to_string();
            let path_attr = path_attribute(&m.attrs);
            let parent_file = self.modules[module].file.clone();
            let (file, child_dir, items, own_file) = match m.content {
                Some((_, items)) => {
                    let child_dir = match &path_attr {
                        Some(p) => dir.join(p),
                        None => dir.join(&name),
                    };
                    (parent_file, child_dir, items, false)
                }
                None => {
                    let candidates = match &path_attr {
                        Some(p) => vec![dir.join(p)],
                        None => vec![dir.join(format!("{name}.rs")), dir.join(&name).join("mod.rs")],
                    };
                    let found = candidates
                        .iter()
                        .find_map(|c| src.read(c).map(|t| (c.clone(), t)));
                    let Some((file, text)) = found else {
                        self.warnings.push(format!(
                            "{}: module file for `mod {name};` not found",
                            parent_file.display()
                        ));
                        continue;
                    };
                    let parsed = match syn::parse_file(&text) {
                        Ok(f) => f,
                        Err(e) => {
                            self.warnings.push(format!("{}: {e}", file.display()));
                            continue;
                        }
                    };
                    let stem_is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
                    let here = file.parent().map(Path::to_path_buf).unwrap_or_default();
                    // `mod.rs` files and `#[path]` files own their directory; `a.rs` keeps its children in `a/`.
                    let child_dir = if stem_is_mod || path_attr.is_some() {
                        here
                    } else {
                        here.join(&name)
                    };
                    (file, child_dir, parsed.items, true)
                }
            };
            let id = self.modules.len();
            let full = format!("{}::{name}", self.modules[module].name);
            self.modules.push(Module {
                name: full,
                file,
                own_file,
                parent: Some(module),
                children: BTreeMap::new(),
            });
            self.modules[module].children.insert(name, id);
            self.collect(id, items, &child_dir, src, pending);
        }
        pending.push(Pending { module, items: rest });
    }

    /// Resolves `path` (segments as written) from `from` and records the edge, if it leaves `from`.
    fn add_edge(&mut self, from: usize, path: &[String], in_use: bool, aliases: &BTreeMap<String, usize>) {
        let Some(to) = self.resolve(from, path, in_use, aliases) else {
            return;
        };
        if to == from || self.edges.iter().any(|e| e.from == from && e.to == to) {
            return;
        }
        self.edges.push(Edge {
            from,
            to,
            example: path.join("::"),
        });
    }

    /// The deepest module a path walks through, or `None` for a path that does not start in this crate.
    /// `in_use`: the path comes from a `use` tree, where a lone child module name counts. `aliases`: names
    /// this module imported for modules, through which a bare path resolves further.
    pub(crate) fn resolve(
        &self,
        from: usize,
        path: &[String],
        in_use: bool,
        aliases: &BTreeMap<String, usize>,
    ) -> Option<usize> {
        let first = path.first()?;
        let (mut at, mut rest) = match first.as_str() {
            "crate" => (0, path.get(1..).unwrap_or_default()),
            "self" => (from, path.get(1..).unwrap_or_default()),
            "super" => {
                let mut at = from;
                let mut i = 0;
                while path.get(i).is_some_and(|s| s == "super") {
                    at = self.modules.get(at)?.parent?;
                    i += 1;
                }
                (at, path.get(i..).unwrap_or_default())
            }
            // A bare path counts when it starts with a child module and goes on (`child::item`), or names the
            // child in a `use` tree; elsewhere a lone identifier is a local name (modules are not values).
            child if (path.len() > 1 || in_use) && self.modules.get(from)?.children.contains_key(child) => {
                (from, path)
            }
            alias if path.len() > 1 && !in_use => (*aliases.get(alias)?, path.get(1..).unwrap_or_default()),
            _ => return None,
        };
        while let Some((seg, tail)) = rest.split_first() {
            match self.modules.get(at).and_then(|m| m.children.get(seg)) {
                Some(&child) => {
                    at = child;
                    rest = tail;
                }
                None => break,
            }
        }
        Some(at)
    }

    /// The module a `use` path names exactly (every segment a module), if any.
    fn resolve_module(&self, from: usize, path: &[String]) -> Option<usize> {
        let at = self.resolve(from, path, true, &BTreeMap::new())?;
        // Exact when the module reached has the path's last segment as its own last name segment.
        let last = path.last()?;
        let own = self.modules.get(at)?.name.rsplit("::").next()?;
        let exact = match last.as_str() {
            "crate" => at == 0,
            "self" | "super" => true,
            name => own == name,
        };
        exact.then_some(at)
    }

    /// Module names, by index.
    pub(crate) fn name(&self, i: usize) -> &str {
        self.modules.get(i).map(|m| m.name.as_str()).unwrap_or("?")
    }

    /// Files that hold at least one module, each once, in module order.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        let mut seen = BTreeSet::new();
        self.modules
            .iter()
            .filter(|m| m.own_file && seen.insert(m.file.clone()))
            .map(|m| m.file.clone())
            .collect()
    }
}

/// `#[path = "…"]` on a `mod` item.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

/// Collects the paths a module body names (not its child modules' bodies).
#[derive(Default)]
struct PathCollector {
    paths: Vec<Vec<String>>,
    /// Paths from `use` trees: there even a lone `child` names a module (`use child as c;`).
    use_paths: Vec<Vec<String>>,
    /// Names brought in by `use` (alias → path), for paths that go on through them.
    aliases: Vec<(String, Vec<String>)>,
}

impl PathCollector {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let leaf = n.ident.to_string();
                let alias = if leaf == "self" {
                    prefix.last().cloned()
                } else {
                    Some(leaf.clone())
                };
                self.use_leaf(prefix, &leaf, alias);
            }
            syn::UseTree::Rename(r) => {
                self.use_leaf(prefix, &r.ident.to_string(), Some(r.rename.to_string()))
            }
            syn::UseTree::Glob(_) => self.use_paths.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn use_leaf(&mut self, prefix: &[String], leaf: &str, alias: Option<String>) {
        let mut p = prefix.to_vec();
        // `use a::{self}` names `a`.
        if leaf != "self" {
            p.push(leaf.to_owned());
        }
        if p.is_empty() {
            return;
        }
        if let Some(a) = alias {
            self.aliases.push((a, p.clone()));
        }
        self.use_paths.push(p);
    }

    /// `crate :: a :: b`, `super :: …`, `self :: …` and `child :: …` sequences in macro tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while let Some(t) = trees.get(i) {
            match t {
                TokenTree::Group(g) => {
                    self.tokens(g.stream());
                    i += 1;
                }
                TokenTree::Ident(id) => {
                    let mut path = vec![id.to_string()];
                    let mut j = i + 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        path.push(next.to_string());
                        j += 3;
                    }
                    // A preceding `::` means this is the middle of a path already seen, or an external one.
                    let after_colons =
                        i >= 1 && matches!(trees.get(i - 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                    if path.len() > 1 && !after_colons {
                        self.paths.push(path);
                    }
                    i = j.max(i + 1);
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
            }
        }
    }
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() {
            self.paths
                .push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if u.leading_colon.is_none() {
            self.use_tree(&mut Vec::new(), &u.tree);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.tokens(m.tokens.clone());
    }

    // Child modules are their own nodes.
    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

    // Attributes and visibility restrictions are not imports.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}
}
