//! The GAS wire format (cis2.md §14.3): a `gpOBJECT` of `gpPARAM name="…"` elements. Requests are read
//! strictly with quick-xml (one `gpOBJECT`, flat `gpPARAM`s, the predefined and numeric entities only; a
//! `<!DOCTYPE USER SYSTEM "gpOBJECT.DTD">`, which real Identity Agents send, is skipped unread); answers are
//! written with quick-xml's `Writer`, every value escaped.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::{partial_escape, resolve_predefined_entity};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::reader::Reader;

/// The most `gpPARAM`s a request may carry.
const MAX_PARAMS: usize = 64;

/// One `gpPARAM`: its name, other attributes (in order) and text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) value: String,
}

/// A parsed `gpOBJECT`.
#[derive(Clone, Debug, Default)]
pub(crate) struct GpObject {
    pub(crate) params: Vec<Param>,
}

impl GpObject {
    /// The text of the first `gpPARAM` called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// The text of `name`, trimmed, or an error naming it.
    pub(crate) fn require(&self, name: &str) -> Result<&str, String> {
        match self.get(name).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(format!("gpPARAM {name:?} is required")),
        }
    }

    /// Parses a request body.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        if text.trim().is_empty() {
            return Err("the body is empty; expected a gpOBJECT".into());
        }
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(false);
        let mut out = GpObject::default();
        let mut depth = 0usize;
        let mut seen_root = false;
        let mut current: Option<Param> = None;
        loop {
            let ev = reader
                .read_event()
                .map_err(|e| format!("malformed XML at byte {}: {e}", reader.error_position()))?;
            match ev {
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) if depth == 0 => {}
                Event::Start(e) => {
                    let name = e.name();
                    match (depth, name.as_ref()) {
                        (0, b"gpOBJECT") if !seen_root => seen_root = true,
                        (1, b"gpPARAM") => current = Some(param_start(&e)?),
                        _ => return Err(unexpected(name.as_ref(), depth)),
                    }
                    depth += 1;
                }
                Event::Empty(e) => match (depth, e.name().as_ref()) {
                    (1, b"gpPARAM") => push(&mut out, param_start(&e)?)?,
                    (0, b"gpOBJECT") if !seen_root => seen_root = true,
                    (_, n) => return Err(unexpected(n, depth)),
                },
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    if depth == 1
                        && let Some(p) = current.take()
                    {
                        push(&mut out, p)?;
                    }
                }
                Event::Text(t) => {
                    let s = t.decode().map_err(|e| e.to_string())?;
                    text_in(&mut current, depth, &s)?;
                }
                Event::CData(c) => {
                    let s = c.decode().map_err(|e| e.to_string())?;
                    text_in(&mut current, depth, &s)?;
                }
                Event::GeneralRef(r) => {
                    let s: Cow<'_, str> = if r.is_char_ref() {
                        match r.resolve_char_ref().map_err(|e| e.to_string())? {
                            Some(c) => c.to_string().into(),
                            None => return Err("bad character reference".into()),
                        }
                    } else {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        match resolve_predefined_entity(&name) {
                            Some(v) => v.into(),
                            None => return Err(format!("entity &{name}; is not allowed")),
                        }
                    };
                    text_in(&mut current, depth, &s)?;
                }
                Event::Eof if depth > 0 => return Err("the document ends inside an element".into()),
                Event::Eof => break,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err("a declaration or DOCTYPE inside the document".into());
                }
            }
        }
        if !seen_root {
            return Err("expected a gpOBJECT element".into());
        }
        Ok(out)
    }
}

fn unexpected(name: &[u8], depth: usize) -> String {
    format!(
        "unexpected element <{}> at depth {depth}: expected <gpOBJECT> holding <gpPARAM>s",
        String::from_utf8_lossy(name)
    )
}

fn push(out: &mut GpObject, p: Param) -> Result<(), String> {
    if out.params.len() >= MAX_PARAMS {
        return Err(format!("more than {MAX_PARAMS} gpPARAMs"));
    }
    if out.params.iter().any(|q| q.name == p.name) {
        return Err(format!("gpPARAM {:?} appears twice", p.name));
    }
    out.params.push(p);
    Ok(())
}

fn text_in(current: &mut Option<Param>, depth: usize, s: &str) -> Result<(), String> {
    match current {
        Some(p) if depth == 2 => {
            p.value.push_str(s);
            Ok(())
        }
        _ if s.trim().is_empty() => Ok(()),
        _ => Err("text outside a gpPARAM".into()),
    }
}

fn param_start(e: &BytesStart<'_>) -> Result<Param, String> {
    let mut p = Param::default();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad attribute {key}: {e}"))?
            .into_owned();
        if key == "name" {
            p.name = value;
        } else {
            p.attrs.push((key, value));
        }
    }
    if p.name.is_empty() {
        return Err("a gpPARAM without a name".into());
    }
    Ok(p)
}

/// Writes a `gpOBJECT` answer: XML declaration, optional DOCTYPE, one `gpPARAM` per line.
pub(crate) fn write(params: &[Param], doctype: Option<&str>) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    if let Some(url) = doctype {
        let dt = format!("USER SYSTEM \"{}\"", partial_escape(url).replace('"', ""));
        let _ = w.write_event(Event::DocType(BytesText::from_escaped(dt)));
    }
    let _ = w.write_event(Event::Start(BytesStart::new("gpOBJECT")));
    for p in params {
        let mut start = BytesStart::new("gpPARAM");
        start.push_attribute(("name", p.name.as_str()));
        for (k, v) in &p.attrs {
            start.push_attribute((k.as_str(), v.as_str()));
        }
        let _ = w.write_event(Event::Start(start));
        // Text keeps its quotes as §14.3's example does (`"Admin &amp; Clerical"`); `<`, `>`, `&` escaped.
        let _ = w.write_event(Event::Text(BytesText::from_escaped(partial_escape(&p.value))));
        let _ = w.write_event(Event::End(BytesEnd::new("gpPARAM")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("gpOBJECT")));
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// A `gpPARAM` with only a name and text.
pub(crate) fn p(name: &str, value: impl Into<String>) -> Param {
    Param {
        name: name.to_owned(),
        attrs: Vec::new(),
        value: value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IA_ACTIVATE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE USER SYSTEM \"gpOBJECT.DTD\">\n<gpOBJECT>\n<gpPARAM name=\"auth_method\">3</gpPARAM>\n<gpPARAM name=\"app_url\">NHST</gpPARAM>\n<gpPARAM name=\"log_session_id\">Ao9qufl+uA</gpPARAM>\n<gpPARAM name=\"device_id\">ab12cd34,ClientIP=10.0.0.7</gpPARAM>\n<gpPARAM name=\"service\">ACTIVATION</gpPARAM>\n</gpOBJECT>";

    #[test]
    fn reads_what_an_identity_agent_sends() {
        let g = GpObject::parse(IA_ACTIVATE.as_bytes()).unwrap();
        assert_eq!(g.get("service"), Some("ACTIVATION"));
        assert_eq!(g.get("device_id"), Some("ab12cd34,ClientIP=10.0.0.7"));
        assert_eq!(g.params.len(), 5);
    }

    #[test]
    fn refuses_what_it_should() {
        for bad in [
            "",
            "not xml",
            "<gpOBJECT><gpPARAM>x</gpPARAM></gpOBJECT>",
            "<gpOBJECT><gpPARAM name=\"a\">&xxe;</gpPARAM></gpOBJECT>",
            "<gpOBJECT><gpPARAM name=\"a\">1</gpPARAM><gpPARAM name=\"a\">2</gpPARAM></gpOBJECT>",
            "<gpOBJECT><gpPARAM name=\"a\"><b/></gpPARAM></gpOBJECT>",
            "<other/>",
            "<gpOBJECT>loose</gpOBJECT>",
            "<gpOBJECT><gpPARAM name=\"a\">1</gpOBJECT>",
            "<gpOBJECT><gpPARAM name=\"a\">1</gpPARAM>",
        ] {
            assert!(GpObject::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let many: String = (0..65)
            .map(|i| format!("<gpPARAM name=\"p{i}\">x</gpPARAM>"))
            .collect();
        assert!(GpObject::parse(format!("<gpOBJECT>{many}</gpOBJECT>").as_bytes()).is_err());
    }

    #[test]
    fn round_trips_escaped_values() {
        let mut role = p("nhsjobrole0", "ORG <&> \"Admin & Clerical\":\"x\"");
        role.attrs.push(("id".into(), "1\"2".into()));
        let xml = write(&[role, p("sso_ticket", "AQ+/=@#")], None);
        assert!(
            xml.contains("ORG &lt;&amp;&gt; \"Admin &amp; Clerical\":\"x\""),
            "{xml}"
        );
        let g = GpObject::parse(xml.as_bytes()).unwrap();
        assert_eq!(g.get("nhsjobrole0"), Some("ORG <&> \"Admin & Clerical\":\"x\""));
        assert_eq!(g.params[0].attrs, [("id".to_owned(), "1\"2".to_owned())]);
        assert_eq!(g.get("sso_ticket"), Some("AQ+/=@#"));
    }
}
