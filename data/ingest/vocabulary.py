"""The vocabulary an import reads headings with: the contract's (data.ingest.headings), then what an analyst taught
(data.mappings) for every unit and for the import's unit."""
from __future__ import annotations

from dataclasses import dataclass

from data.ingest.headings import Reading, _factor, recognise
from data.mappings import NONE, Mappings
from data.schema import normalize_header, split_unit


def taught_column(mappings: Mappings, text: str, unit: str | None) -> str | None:
    """The column a taught mapping gives the heading (for `unit`, else for every unit), its unit suffix set aside."""
    h = normalize_header(text)
    for key in dict.fromkeys((h, split_unit(h)[0])):
        name = mappings.column_for(key, unit)
        if name is not None:
            return name
    return None


@dataclass(frozen=True)
class Vocabulary:
    """The headings an import reads: the contract's, then those taught (for every unit and for the import's unit)."""

    mappings: Mappings = NONE
    unit: str | None = None

    def read(self, text: object, group: object = None) -> Reading | None:
        """The reading of a heading: recognised, else taught, else None."""
        r = recognise(text, group)
        if r is not None or not isinstance(text, str) or not text.strip():
            return r
        if not self.mappings.columns and not self.mappings.units:
            return None  # nothing taught (most stores): no second lookup per cell
        name = taught_column(self.mappings, text, self.unit)
        if name is None:
            return None
        return Reading(name, _factor(name, split_unit(text)[1]), taught=text.strip())

    def set_aside(self, text: object) -> str | None:
        """The column a taught mapping would give a heading the contract recognises (that mapping is set aside)."""
        if not isinstance(text, str) or not self.mappings.columns and not self.mappings.units:
            return None
        return taught_column(self.mappings, text, self.unit)

    def name(self, value: object, group: object = None) -> str | None:
        """What a cell names as a heading (a column or a derived amount), or None: header detection counts these."""
        r = self.read(value, group) if isinstance(value, str) and value.strip() else None
        return r.reads if r is not None else None


BUILTIN = Vocabulary()
