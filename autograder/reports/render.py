"""The one way a report page is rendered: nbconvert's HTMLExporter (lab template), sanitised.

``sanitize_html`` is on, so every piece of HTML a notebook brings (markdown cells, HTML and
markdown outputs, raw cells) goes through the template's ``clean_html`` filter and JavaScript
outputs are left out. nbconvert's own filter allows so few tags that markdown headings,
paragraphs and images come out as escaped text, so the exporter is given a ``clean_html`` with a
wider list of harmless tags, still bleach's allow-list: no scripts, no event attributes, no
``style``, links only to http(s), mailto and in-page anchors, ``data:`` only as an image's source.
Inputs are cleaned first (``safe.clean_notebook``); nothing is executed.

The page template extends the lab template: it drops the scripts a report does not need
(RequireJS, Mermaid, widgets), adds a banner and the report's CSS, and can wrap runs of cells in
side-by-side blocks (``layout`` maps a cell id to "open", "switch" and/or "close").
"""
from __future__ import annotations

import functools

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import DictLoader
from nbconvert import HTMLExporter

_TAGS = {*bleach.ALLOWED_TAGS, "p", "div", "span", "pre", "code", "br", "hr", "img", "h1", "h2", "h3", "h4",
         "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "sup", "sub", "del",
         "dl", "dt", "dd", "kbd", "var", "samp", "figure", "figcaption", "caption"}
_ATTRIBUTES = {"*": ["class", "id", "title", "align"], "a": ["href", "title"], "img": ["src", "alt", "width", "height"],
               "abbr": ["title"], "acronym": ["title"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"]}


def _allowed(tag: str, name: str, value: str) -> bool:
    if name not in _ATTRIBUTES.get(tag, []) and name not in _ATTRIBUTES["*"]:
        return False
    if tag == "img" and name == "src":
        return value.startswith(("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/svg+xml",
                                 "http://", "https://")) or ":" not in value
    return not value.lower().startswith("data:")


def clean_html(html) -> str:
    """``html`` with only bleach-allowed, inert markup left (see the module's docstring)."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return bleach.clean(html, tags=_TAGS, attributes=_allowed, protocols=["http", "https", "mailto", "data"],
                        strip=True, css_sanitizer=CSSSanitizer(allowed_css_properties=[]))


PAGE = "nncourse_page.html.j2"
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}<style type="text/css">{{ resources.nncourse.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}
<header class="nncourse-banner">{{ resources.nncourse.banner | escape_html }}
{%- for href, label in resources.nncourse.links %}
 <a href="{{ href | escape_html }}">{{ label | escape_html }}</a>
{%- endfor -%}
</header>
{%- endblock body_header -%}
{%- block any_cell -%}
{%- set place = resources.nncourse.layout.get(cell.id, '') -%}
{%- if 'open' in place %}<section class="answer-block"><div class="answer-side">{% endif -%}
{%- if 'switch' in place %}</div><div class="context-side">{% endif -%}
{{ super() }}
{%- if 'close' in place %}</div></section>{% endif -%}
{%- endblock any_cell -%}
"""

CSS = """
.nncourse-banner { margin: 0 0 1em; padding: 0.6em 1em; background: #fff6d5; border: 1px solid #e0c96b;
  font: 14px/1.4 sans-serif; }
.nncourse-banner a { color: #0645ad; text-decoration: underline; margin-left: 1em; }
.answer-side h1, .answer-side h2, .answer-side h3 { font-size: 1.15em; }
.answer-block { display: flex; gap: 1.5em; align-items: flex-start; border-top: 2px solid #888;
  padding: 1em 0; }
.answer-side { flex: 2 1 0; min-width: 0; }
.context-side { flex: 3 1 0; min-width: 0; max-height: 90vh; overflow: auto; background: #f7f7f7; }
.context-side img { max-width: 100%; height: auto; }
@media print { .nncourse-banner a { color: #0645ad; text-decoration: underline; margin-left: 1em; }
.answer-side h1, .answer-side h2, .answer-side h3 { font-size: 1.15em; }
.answer-block { display: block; } .context-side { max-height: none; } }
"""


@functools.lru_cache(maxsize=2)
def exporter(show_inputs: bool = True) -> HTMLExporter:
    """The HTMLExporter for report pages (made once); ``show_inputs=False`` leaves out code and prompts."""
    return HTMLExporter(template_name="lab", extra_loaders=[DictLoader({PAGE: TEMPLATE})], template_file=PAGE,
                        sanitize_html=True, embed_images=False, exclude_input=not show_inputs,
                        exclude_input_prompt=not show_inputs, exclude_output_prompt=not show_inputs,
                        filters={"clean_html": clean_html})


def render(nb, title: str, banner: str, links=(), layout: dict | None = None, show_inputs: bool = True) -> str:
    """The HTML page of the (already cleaned) notebook ``nb``; ``links``: (href, label) pairs for
    the banner, written by the caller (never from the notebook)."""
    resources = {"metadata": {"name": title},
                 "nncourse": {"banner": banner, "css": CSS, "links": list(links), "layout": layout or {}}}
    html, _ = exporter(show_inputs).from_notebook_node(nb, resources=resources)
    return html
