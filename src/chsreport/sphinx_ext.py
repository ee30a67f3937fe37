"""A small Sphinx extension for the book.

sphinx-thebe 0.3.1 registers its inline ``const THEBE_JS_URL = ...`` script once per read phase,
and Jupyter Book can run that phase twice, so pages carried the script twice and the browser
raised "Identifier 'THEBE_JS_URL' has already been declared" (sphinx-togglebutton's inline
script repeats the same way). This drops repeated scripts.
"""

from __future__ import annotations


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # inline scripts come with filename None or "": treat both alike
    return (getattr(script, "filename", str(script)) or "", attributes.get("body"))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
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


def setup(app):
    # early: Sphinx emits this event with emit_firstresult, so a late handler may never run
    app.connect("html-page-context", drop_repeated_scripts, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
