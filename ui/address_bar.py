"""The address bar as a share link: the page's query string follows what is shown.

Written in the browser with `history.replaceState`, not through Solara's router: a router push
re-renders the whole page from its root on every lever move (a second full pass competing with the
run that move started), and a share link only needs the address to be right, not a re-render.
"""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets


class AddressBarWidget(ipyvuetify.VuetifyTemplate):
    """Keeps `window.location.search` equal to `?` + `query` (nothing drawn)."""

    template_file = (__file__, "address_bar.vue")
    query = traitlets.Unicode("").tag(sync=True)


@solara.component
def AddressBar(query: str) -> None:
    """Write `query` (without '?') into the address bar whenever it changes."""
    AddressBarWidget.element(query=query)
