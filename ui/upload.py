"""Bringing a scenario file into the explorer: drop it on the zone, or choose it with the button
(a file input: keyboard- and test-friendly). Either way the size is checked before the content is
read (`model.scenario.MAX_UPLOAD_BYTES`), and the bytes go to `on_file(raw, name)`."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import ipyvuetify
import solara
import traitlets

from model.scenario import MAX_UPLOAD_BYTES


class FileChooserWidget(ipyvuetify.VuetifyTemplate):
    """A button that opens the browser's file chooser; the chosen file comes back to `on_chosen` as
    {name, size, base64} (base64 None when the file is over `max_bytes`: it is not read)."""

    template_file = (__file__, "file_chooser.vue")
    label = traitlets.Unicode("Choose a file").tag(sync=True)
    accept = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    on_chosen = traitlets.Callable(None, allow_none=True)

    def vue_file_chosen(self, data: dict[str, Any]) -> None:
        if self.on_chosen is not None:
            self.on_chosen(data)


def too_large(size: int, name: str) -> str:
    """The message for a file over the limit ('' when it fits)."""
    if size <= MAX_UPLOAD_BYTES:
        return ""
    return f"uploaded file {name!r}: {size:,} bytes: a scenario file may be at most {MAX_UPLOAD_BYTES:,} bytes"


@solara.component
def ScenarioUpload(on_file: Callable[[bytes, str], None], on_error: Callable[[str], None]) -> None:
    """The drop zone and the 'choose a file' button."""

    def dropped(file: dict) -> None:  # lazy: nothing read yet
        name = str(file.get("name", "upload"))
        message = too_large(int(file.get("size") or 0), name)
        if message:
            on_error(message)
        else:
            on_file(file["file_obj"].read(), name)

    def chosen(data: dict[str, Any]) -> None:  # from the browser: check everything
        name = str(data.get("name", "upload"))[:200]
        message = too_large(int(data.get("size") or 0), name)
        if message or data.get("base64") is None:
            on_error(message or f"uploaded file {name!r}: could not be read")
            return
        try:
            on_file(base64.b64decode(str(data["base64"]), validate=True), name)
        except (binascii.Error, ValueError):
            on_error(f"uploaded file {name!r}: the browser sent it damaged; try again")

    with solara.Column(style={"min-height": "56px", "gap": "4px", "flex-shrink": "0"}):  # not squeezed by open groups
        solara.FileDrop(label="Drop a scenario file (.toml) here", on_file=dropped, lazy=True)
        FileChooserWidget.element(label="or choose a file", accept=".toml,text/plain", on_chosen=chosen)
