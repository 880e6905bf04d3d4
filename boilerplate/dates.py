"""Dates as pages write them (ISO 8601; 2024年5月3日; May 3, 2024; 3 мая 2024; 3 maja 2024; 3 Μαΐου 2024; 03.05.2024)
→ ISO 8601, impossible ones (before 1994, after tomorrow, 2024-02-30) refused."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

EARLIEST = date(1994, 1, 1)  # no web page was published before
_MONTHS = {
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"), 1)},
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                   "dec"), 1)},
    "sept": 9,
    **{m: i for i, m in enumerate(("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                                   "сентября", "октября", "ноября", "декабря"), 1)},
    **{m: i for i, m in enumerate(("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
                                   "sierpnia", "września", "października", "listopada", "grudnia"), 1)},
    **{m: i for i, m in enumerate(("ιανουαρίου", "φεβρουαρίου", "μαρτίου", "απριλίου", "μαΐου", "ιουνίου",
                                   "ιουλίου", "αυγούστου", "σεπτεμβρίου", "οκτωβρίου", "νοεμβρίου", "δεκεμβρίου"), 1)},
}
_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
DATE_PATTERNS = [  # (pattern, group order): year, month, day
    (re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(rf"(?<!\w)({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)(?!\d)", re.I), "mdy"),
    (re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?({_MONTH})\.?,?\s+((?:19|20)\d\d)(?!\d)",
                re.I), "dmy"),
    (re.compile(rf"(?<!\d)((?:19|20)\d\d)\s+({_MONTH})\.?\s+(\d{{1,2}})(?!\d)", re.I), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)(?!\d)"), "dmy?"),
]
_YEAR = re.compile(r"(?:19|20)\d\d")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str | None, today: date | None = None) -> str | None:
    """The first plausible date in `text` as ISO 8601 (with its time and offset when `text` is an ISO
    timestamp); None when there is none, or it is before 1994 or after tomorrow."""
    if not text:
        return None
    text = text.strip()[:200]
    if _YEAR.search(text) is None:  # (every form has one)
        return None
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    iso = _iso(text)
    if iso is not None:
        return iso[1] if EARLIEST <= iso[0] <= latest else None
    for pattern, order in DATE_PATTERNS:
        for m in pattern.finditer(text):
            found = _ymd(m.groups(), order)
            if found is not None and EARLIEST <= found <= latest:
                return found.isoformat()
    return None


def _iso(text: str) -> tuple[date, str] | None:
    """An ISO 8601 timestamp or date (and its ISO form), or None."""
    if not _ISO_START.match(text):
        return None
    candidate = text.replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        stamp = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        return day, day.isoformat()
    if len(text) <= 10:
        return stamp.date(), stamp.date().isoformat()
    return stamp.date(), stamp.isoformat()


def _ymd(groups: tuple[str, ...], order: str) -> date | None:
    parts = dict(zip(order.rstrip("?"), groups))
    month = parts["m"]
    m = _MONTHS.get(month.lower().rstrip(".")) if not month.isdigit() else int(month)
    d, y = int(parts["d"]), int(parts["y"])
    if order == "dmy?" and m is not None and m > 12 and d <= 12:  # 05/13/2024: month first
        d, m = m, d
    try:
        return date(y, m, d) if m else None
    except ValueError:
        return None
