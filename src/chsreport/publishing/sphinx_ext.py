"""A small Sphinx extension for the book.

Glossary terms are linked on their first use in each page (``link_glossary_terms``): the first
mention of, say, "criteria to reside" or "PCN" in a page's text links to its entry on the
glossary page, so a reader can look up any word without the authors marking each by hand.

sphinx-thebe 0.3.1 registers its inline ``const THEBE_JS_URL = ...`` script once per read phase,
and Jupyter Book can run that phase twice, so pages carried the script twice and the browser
raised "Identifier 'THEBE_JS_URL' has already been declared" (sphinx-togglebutton's inline
script repeats the same way). This drops repeated scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# phrase as it appears in text -> the glossary term it links to (acronyms match case-sensitively)
GLOSSARY_LINKS: dict[str, str] = {
    r"criteria to reside": "Criteria to reside",
    r"G&A beds?": "G&A beds",
    r"(?-i:ICBs?)": "ICB",
    r"sub-ICB locations?": "Sub-ICB location",
    r"(?-i:PCNs?)": "PCN",
    r"neighbourhoods?": "Neighbourhood",
    r"(?-i:CHS SitRep)": "CHS SitRep",
    r"sitreps?": "Sitrep",
    r"4-hour standard": "A&E 4-hour standard",
    r"(?-i:LOWESS)": "LOWESS",
    r"(?-i:LSOAs?)": "LSOA",
    r"standalone community trusts?": "Community trust",
    r"community health services": "Community health services",
    r"ODS codes?": "ODS code",
    r"acute trusts? merged with a community trust": "Acute trust merged with a community trust",
    r"class \(a\)": "Class (a), (b), (c), (d)",
}
_SKIP = (nodes.title, nodes.reference, nodes.literal, nodes.literal_block, nodes.raw,
         nodes.term, nodes.FixedTextElement, nodes.Inline)  # fmt: skip


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # inline scripts come with filename None or "": treat both alike
    return (getattr(script, "filename", str(script)) or "", attributes.get("body"))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep one copy of each script a page lists more than once."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def _pattern() -> re.Pattern:
    return re.compile(
        "|".join(f"(?P<g{i}>(?<!\\w){p}(?!\\w))" for i, p in enumerate(GLOSSARY_LINKS)),
        re.IGNORECASE,
    )


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _SKIP) and not isinstance(parent, (nodes.emphasis, nodes.strong)):
            return True
        parent = parent.parent
    return False


class LinkGlossaryTerms(SphinxPostTransform):
    """Link the first use of each glossary term in a page to the term's entry."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        std = self.env.get_domain("std")
        targets = {}
        for i, term in enumerate(GLOSSARY_LINKS.values()):
            found = std._terms.get(term.lower())  # (docname, label id), keyed in lower case
            if found and found[0] != self.env.docname:
                targets[f"g{i}"] = found
        if not targets:
            return
        pattern, seen = _pattern(), set()
        for text in list(self.document.findall(nodes.Text)):
            if _skipped(text):
                continue
            value = str(text)
            pieces, last = [], 0
            for match in pattern.finditer(value):
                key = match.lastgroup
                term = key and targets.get(key)
                if not term or term in seen:
                    continue
                seen.add(term)
                docname, labelid = term
                uri = self.app.builder.get_relative_uri(self.env.docname, docname)
                pieces.append(nodes.Text(value[last : match.start()]))
                link = nodes.reference("", "", internal=True, refuri=f"{uri}#{labelid}")
                link["classes"].append("chs-term")
                link += nodes.Text(match.group(0))
                pieces.append(link)
                last = match.end()
            if pieces:
                pieces.append(nodes.Text(value[last:]))
                text.parent.replace(text, pieces)


def plain_list_roles(app, pagename, templatename, context, doctree) -> None:
    """docutils marks each bibliography entry role="doc-biblioentry", a role ARIA 1.2 deprecates
    (axe-core reports it on the References page): make the entries plain list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


TEMPLATES = Path(__file__).parent / "templates"


def use_our_templates(app, config) -> None:
    """Our copies of two theme components (accessible names) come before the theme's own, which
    pydata-sphinx-theme looks up by bare name in its components folder."""
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def setup(app):
    """Register the extension: our theme templates, plain bibliography list items, links from
    terms to the glossary, and one copy of each script."""
    app.connect("config-inited", use_our_templates)
    app.connect("html-page-context", plain_list_roles, priority=1)
    app.add_post_transform(LinkGlossaryTerms)
    # early: Sphinx emits this event with emit_firstresult, so a late handler may never run
    app.connect("html-page-context", drop_repeated_scripts, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
