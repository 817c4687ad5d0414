#!/usr/bin/env python3
"""Offline link check for the mdBook in docs/ (no network: external links are not fetched).

Checks that every page SUMMARY.md names exists, that every relative link in docs/src/*.md resolves to a file,
that every `#anchor` (on the same page or another page) names a heading there, and that every
`{{#include ...}}` target exists. Exits 1 and lists the problems when anything is broken.

Usage: scripts/check-links.py [docs/src]
"""

import os
import re
import sys

LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML_ATTR = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
INCLUDE = re.compile(r"\{\{#include\s+([^}\s:]+)(?::[^}]*)?\s*\}\}")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ID = re.compile(r"\{#([A-Za-z0-9_-]+)(?:\s[^}]*)?\}\s*$")
HTML_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
FENCE = re.compile(r"^\s*(```|~~~)")


def strip_code(text, inline=True):
    """Removes fenced code blocks and (unless `inline` is false) inline code, keeping line count. Headings keep
    their inline code: mdBook's heading ids include its text."""
    out = []
    in_fence = None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if m:
            if in_fence is None:
                in_fence = m.group(1)
            elif m.group(1) == in_fence:
                in_fence = None
            out.append("")
            continue
        if in_fence is not None:
            out.append("")
            continue
        out.append(re.sub(r"`+[^`]*`+", "", line) if inline else line)
    return "\n".join(out)


def slug(text):
    """mdBook's heading id: lower case, markup dropped, spaces to '-', only alphanumerics, '-' and '_' kept."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("`", "").replace("*", "")
    out = []
    for ch in text.strip().lower():
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def expand_includes(path, text, depth=0):
    def repl(m):
        target = os.path.normpath(os.path.join(os.path.dirname(path), m.group(1)))
        if depth > 5 or not os.path.isfile(target):
            return ""
        with open(target, encoding="utf-8") as f:
            return expand_includes(target, f.read(), depth + 1)

    return INCLUDE.sub(repl, text)


def anchors_of(path, cache):
    if path in cache:
        return cache[path]
    with open(path, encoding="utf-8") as f:
        text = expand_includes(path, f.read())
    ids = set()
    counts = {}
    for line in strip_code(text, inline=False).split("\n"):
        m = HEADING.match(line)
        if m:
            title = m.group(2)
            e = EXPLICIT_ID.search(title)
            if e:
                ids.add(e.group(1))
                continue
            base = slug(title)
            n = counts.get(base, 0)
            counts[base] = n + 1
            ids.add(base if n == 0 else f"{base}-{n}")
        for h in HTML_ID.findall(line):
            ids.add(h)
    cache[path] = ids
    return ids


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "docs", "src")
    root = os.path.normpath(root)
    problems = []
    cache = {}

    summary = os.path.join(root, "SUMMARY.md")
    if not os.path.isfile(summary):
        print(f"{summary}: missing", file=sys.stderr)
        return 1
    with open(summary, encoding="utf-8") as f:
        summary_text = strip_code(f.read())
    pages = [m.group(1) for m in LINK.finditer(summary_text)]
    if not pages:
        problems.append(f"{summary}: names no pages")
    for page in pages:
        target = os.path.normpath(os.path.join(root, page.split("#")[0]))
        if not page.split("#")[0]:
            problems.append(f"SUMMARY.md: draft chapter without a file: {page}")
        elif not os.path.isfile(target):
            problems.append(f"SUMMARY.md: page {page} does not exist")

    md_files = []
    for dirpath, _, files in os.walk(root):
        md_files += [os.path.join(dirpath, f) for f in files if f.endswith(".md")]
    listed = {os.path.normpath(os.path.join(root, p.split("#")[0])) for p in pages}
    for path in sorted(md_files):
        if os.path.basename(path) != "SUMMARY.md" and path not in listed:
            problems.append(f"{os.path.relpath(path, root)}: not listed in SUMMARY.md (mdBook would not build it)")

    for path in sorted(md_files):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        for m in INCLUDE.finditer(raw):
            target = os.path.normpath(os.path.join(os.path.dirname(path), m.group(1)))
            if not os.path.isfile(target):
                problems.append(f"{rel}: include {m.group(1)} does not exist")
        text = strip_code(expand_includes(path, raw))
        targets = (
            [m.group(1) for m in LINK.finditer(text)]
            + [m.group(1) for m in IMAGE.finditer(text)]
            + [m.group(1) for m in REF_DEF.finditer(text)]
            + [m.group(1) for m in HTML_ATTR.finditer(text)]
        )
        for link in targets:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) or link.startswith("//"):
                continue  # external (http:, https:, mailto:): not fetched offline
            file_part, _, anchor = link.partition("#")
            file_part = file_part.split("?")[0]
            if file_part:
                target = os.path.normpath(os.path.join(os.path.dirname(path), file_part))
                if file_part.endswith(".html"):
                    md = target[: -len(".html")] + ".md"
                    target = md if os.path.isfile(md) else target
                if not os.path.exists(target):
                    problems.append(f"{rel}: link {link}: {os.path.relpath(target, root)} does not exist")
                    continue
            else:
                target = path
            if anchor:
                if not target.endswith(".md"):
                    continue
                if anchor not in anchors_of(target, cache):
                    problems.append(f"{rel}: link {link}: no heading #{anchor} in {os.path.relpath(target, root)}")

    if problems:
        for p in problems:
            print(f"broken: {p}", file=sys.stderr)
        print(f"{len(problems)} broken link(s) in {root}", file=sys.stderr)
        return 1
    print(f"links ok: {len(pages)} pages in SUMMARY.md, {len(md_files)} markdown files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
