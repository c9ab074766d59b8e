"""Text on the page: markdown rendered on the server, so the browser never fetches a math renderer.

Solara's own `Markdown` asks a CDN for KaTeX after every re-render; offline that is a failed request and
a page error (shared/reference/solara-fast-offline.md). The same look, with no request: render here.
"""

from __future__ import annotations

import markdown as _markdown
import solara

_CLASSES = ["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"]


def to_html(text: str) -> str:
    """Markdown (with tables) as HTML."""
    return _markdown.markdown(text, extensions=["tables"])


@solara.component
def Md(text: str, style: str | dict | None = None) -> None:
    """A block of markdown text, rendered on the server."""
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text), classes=_CLASSES, style=style)
