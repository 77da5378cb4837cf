"""``$filter`` of resource lists: ``resourceType eq '...'``, ``name eq '...'``, ``location eq '...'``,
``tagName eq '...' [and tagValue eq '...']``, joined by ``and`` (case-insensitive values, like ARM).

Anything else is refused with ``InvalidFilterInQueryString`` naming what is supported, rather than
ignored: an ignored filter would answer with resources the caller did not ask for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import ArmError

_CLAUSE = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_FIELDS = {"resourcetype": "type", "name": "name", "location": "location", "tagname": "", "tagvalue": ""}

View = Mapping[str, Any]


def view_filter(text: str | None) -> Callable[[View], bool]:
    """A predicate over resource views (``{"type", "name", "location", "tags"}``) for ``$filter``."""
    if not text or not text.strip():
        return lambda view: True
    wanted: dict[str, str] = {}
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if match is None or match.group(1).casefold() not in _FIELDS:
            raise ArmError(
                "InvalidFilterInQueryString",
                f"Invalid $filter '{text}': the emulator supports clauses \"<field> eq '<value>'\" joined by 'and', "
                "with field resourceType, name, location, tagName or tagValue.",
            )
        wanted[match.group(1).casefold()] = match.group(2).replace("''", "'").casefold()

    def matches(view: View) -> bool:
        for field, value in wanted.items():
            if field == "tagname":
                tags = {str(k).casefold(): str(v).casefold() for k, v in (view.get("tags") or {}).items()}
                if value not in tags or ("tagvalue" in wanted and tags[value] != wanted["tagvalue"]):
                    return False
            elif field != "tagvalue" and str(view.get(_FIELDS[field]) or "").casefold() != value:
                return False
        return True

    return matches
