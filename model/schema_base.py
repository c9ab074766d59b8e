"""Building blocks of the scenario schema, shared by `model.schema` and the modules that register
variants with their own parameters (`model.tariffs`, `model.special_tariffs`).

Kept apart from `model.schema` so that a registry module can define its variants' parameter tables
next to their behaviour while `model.schema` builds its unions from the registries (no import cycle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

MONTHS = 12
HOURS = 24
DISCRIMINATORS = ("kind", "design")  # the fields that name a table's variant


class Strict(BaseModel):
    """Base: unknown fields are rejected; values are validated on assignment too; numbers must be
    numbers (a string "1687" is an error, not 1687) and finite (no NaN or infinity)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False)


class Sourced(Strict):
    """A table of real-world figures: needs a `source` (citation) or a labelled `assumption`."""

    source: str | None = Field(None, description="Citation for the figures in this table (publication, date, URL).")
    assumption: str | None = Field(
        None, description="When no source exists: what was assumed and why; users may change it.",
    )

    @model_validator(mode="after")
    def _needs_provenance(self) -> Sourced:
        if not ((self.source or "").strip() or (self.assumption or "").strip()):
            raise ValueError("needs a 'source' (citation) or an 'assumption' (labelled placeholder) for its figures")
        return self


# dates: TOML dates or ISO strings (from levers and overrides), within the years a run can cover
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
Date = Annotated[dt.date, Field(strict=False, ge=FIRST_DATE, le=LAST_DATE)]
Id = Annotated[str, Field(min_length=1, pattern=r"\S")]  # an id or name other tables refer to: not blank
# Upper bounds far beyond any real value in any currency, low enough that sums of money and energy
# keep their precision (a 1e30 entry would swallow every other rupee of a month)
QUANTITY_MAX = 1e15   # any amount: currency, MWh, customers …
RATE_MAX = 1e6        # a price per kWh or per kW (a tariff, a cost, a capacity payment)
NonNeg = Annotated[float, Field(ge=0, le=QUANTITY_MAX)]
Rate = Annotated[float, Field(ge=0, le=RATE_MAX)]
Share = Annotated[float, Field(ge=0, le=1)]
Hour = Annotated[int, Field(ge=0, le=23)]
Monthly = Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=MONTHS, max_length=MONTHS)]
MonthlyShare = Annotated[list[Share], Field(min_length=MONTHS, max_length=MONTHS)]
Daily = Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=HOURS, max_length=HOURS)]


def names(registry: Sequence[str] | dict[str, Any]) -> Any:
    """A `Literal` type of a registry's names (its keys), so that the registry is their one source."""
    return Literal[tuple(registry)]


def variant_tag(model: type[BaseModel]) -> tuple[str, str] | None:
    """(discriminator field, tag) of a variant table: its `kind` or `design` fixed to one literal."""
    for name in DISCRIMINATORS:
        info = model.model_fields.get(name)
        if info is not None and get_origin(info.annotation) is Literal and len(get_args(info.annotation)) == 1:
            return name, get_args(info.annotation)[0]
    return None


def variant_union(variants: Sequence[type[BaseModel]], default: str | None = None) -> Any:
    """A discriminated union of variant tables, chosen by their `kind` (or `design`) field.

    With `default`, a table without the field is that variant (so older files without it still load).
    """
    tags = [variant_tag(v) for v in variants]
    if any(t is None for t in tags) or len({t[0] for t in tags}) != 1:  # type: ignore[index]
        raise TypeError(f"variants {variants} need one common discriminator field fixed to one literal each")
    field = tags[0][0]  # type: ignore[index]
    if default is None:
        return Annotated[Union[tuple(variants)], Field(discriminator=field)]  # noqa: UP007
    return Annotated[
        Union[tuple(Annotated[v, Tag(t[1])] for v, t in zip(variants, tags, strict=True))],  # type: ignore[index]  # noqa: UP007
        Discriminator(_pick(field, default)),
    ]


def _pick(field: str, default: str) -> Callable[[Any], Any]:
    def pick(value: Any) -> Any:
        return value.get(field, default) if isinstance(value, dict) else getattr(value, field, default)
    pick.__name__ = field  # pydantic names the discriminator after the function in its messages
    return pick
