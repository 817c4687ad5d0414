//! The one strict way into roxmltree: size cap, UTF-8, no DOCTYPE or entity declarations, node and depth caps.

use roxmltree::{Document, Node, ParsingOptions};

use super::error::Cis1Error;

/// The largest CIS1 document read (a RoleAssertion with many roles stays far below).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// The deepest element nesting read (the documented RoleAssertion nests 11 deep).
pub const MAX_DEPTH: usize = 32;
/// The most nodes (elements, attributes' owners, text) one document may have.
const MAX_NODES: u32 = 64 * 1024;

/// Parses `bytes` as XML under the caps.
pub(crate) fn parse(bytes: &[u8]) -> Result<Document<'_>, Cis1Error> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Cis1Error::TooLarge {
            limit: MAX_DOCUMENT_BYTES,
            actual: bytes.len(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Cis1Error::NotUtf8)?;
    // roxmltree accepts an empty `<!DOCTYPE x>` even with DTDs off; refuse any declaration outright.
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(Cis1Error::Doctype);
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => Cis1Error::Doctype,
        roxmltree::Error::NodesLimitReached => Cis1Error::TooDeep { limit: MAX_DEPTH },
        e => Cis1Error::Xml(e.to_string()),
    })?;
    // Pre-order: a parent's depth is known before its children's. Ids index the document's node list.
    let mut depths: Vec<usize> = Vec::new();
    for node in doc.root().descendants() {
        let depth = match node.parent() {
            Some(p) => depths
                .get(p.id().get_usize())
                .copied()
                .unwrap_or(0)
                .saturating_add(1),
            None => 0,
        };
        if depth > MAX_DEPTH {
            return Err(Cis1Error::TooDeep { limit: MAX_DEPTH });
        }
        let id = node.id().get_usize();
        if depths.len() <= id {
            depths.resize(id.saturating_add(1), 0);
        }
        if let Some(slot) = depths.get_mut(id) {
            *slot = depth;
        }
    }
    Ok(doc)
}

/// `{namespace}local` of an element, for error messages.
pub(crate) fn qualified(node: Node<'_, '_>) -> String {
    let name = node.tag_name();
    match name.namespace() {
        Some(ns) => format!("{{{ns}}}{}", name.name()),
        None => name.name().to_owned(),
    }
}

/// Whether `node` is the element `local` in namespace `ns` (by URI, never by prefix).
pub(crate) fn is(node: Node<'_, '_>, ns: Option<&str>, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == ns
}

/// The only child element `ns:local`, if any; two are an error.
pub(crate) fn only_child<'a, 'i>(
    parent: Node<'a, 'i>,
    ns: Option<&str>,
    local: &str,
    label: &'static str,
) -> Result<Option<Node<'a, 'i>>, Cis1Error> {
    let mut found = None;
    for child in parent.children().filter(|c| is(*c, ns, local)) {
        if found.replace(child).is_some() {
            return Err(Cis1Error::DuplicateElement(label));
        }
    }
    Ok(found)
}

/// The text content of a leaf element, trimmed. Child elements are refused; comments are skipped.
pub(crate) fn leaf_text(node: Node<'_, '_>, label: &'static str) -> Result<String, Cis1Error> {
    let mut out = String::new();
    for child in node.children() {
        if child.is_element() {
            return Err(Cis1Error::InvalidValue {
                field: label,
                reason: "holds an element where text was expected",
            });
        }
        if let Some(t) = child.is_text().then(|| child.text()).flatten() {
            out.push_str(t);
        }
    }
    let trimmed = out.trim();
    Ok(if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    })
}
