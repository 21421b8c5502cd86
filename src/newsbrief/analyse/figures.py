"""Figures: the numbers of a sentence that measure or count something, with their unit, hedge
and written precision, in one unit per dimension so that figures written in different units
compare ("12 mph" and "19 km/h" are both km/h; "10 miles" and "16 km" both kilometres).

A figure has a unit ("3 days", "5%", "3.7 million miles", "115 mph"), a currency ("$5.7
billion"), a grade ("Category 3", "a 6.1-magnitude quake") or a counted noun ("50,000
pages"). Years, numbers in names and codes ("No. 2", "9/11") are no figures, and a conversion
in brackets right after a figure ("115 mph (185 km/h)") is that figure again, not a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    w: float(i)
    for i, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "dozen": 12.0, "a": 1.0, "an": 1.0}
# The words _QUANTITY captures and a table then looks up (number words, hedges, scales, units)
# are matched as ASCII, (?a:…): under re.IGNORECASE alone "İ", "ı", "ſ" and the Kelvin sign
# match i, s and k, and "mİllİon" would be no key of _SCALES (as in analyse/timeline.py).
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?a:"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + "))"
)
_HEDGES = {
    "nearly": "below",
    "almost": "below",
    "under": "below",
    "less than": "below",
    "fewer than": "below",
    "up to": "below",
    "as many as": "below",
    "as much as": "below",
    "just under": "below",
    "close to": "below",
    "over": "above",
    "more than": "above",
    "above": "above",
    "at least": "above",
    "a minimum of": "above",
    "a maximum of": "below",
    "upwards of": "above",
    "just over": "above",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "an estimated": "about",
    "some": "about",
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}
# "$US1 million ($1.52 million)": two dollars in one sentence, so neither figure is compared.
_CURRENCIES = {"$": "dollar", "us$": "dollar", "$us": "dollar", "a$": "dollar", "c$": "dollar",
               "£": "pound", "€": "euro"}  # fmt: skip
# Written unit → (unit of its dimension, factor to it). Lengths in kilometres and metres, speeds
# in km/h: the units a reader converts between.
_MILE = 1.609344
_UNITS = {
    "second": ("second", 1.0), "minute": ("minute", 1.0), "hour": ("hour", 1.0),
    "day": ("day", 1.0), "week": ("week", 1.0), "month": ("month", 1.0), "year": ("year", 1.0),
    "percent": ("percent", 1.0), "per cent": ("percent", 1.0),
    "mile": ("kilometre", _MILE), "kilometer": ("kilometre", 1.0),
    "kilometre": ("kilometre", 1.0), "km": ("kilometre", 1.0),
    "foot": ("metre", 0.3048), "feet": ("metre", 0.3048), "inch": ("metre", 0.0254),
    "inches": ("metre", 0.0254), "meter": ("metre", 1.0), "metre": ("metre", 1.0),
    "degree": ("degree", 1.0), "acre": ("acre", 1.0), "ton": ("ton", 1.0),
    "tonne": ("tonne", 1.0),
    "mph": ("km/h", _MILE), "miles per hour": ("km/h", _MILE), "mile per hour": ("km/h", _MILE),
    "miles an hour": ("km/h", _MILE), "km/h": ("km/h", 1.0), "kph": ("km/h", 1.0),
    "kmh": ("km/h", 1.0), "kilometers per hour": ("km/h", 1.0),
    "kilometres per hour": ("km/h", 1.0), "knot": ("km/h", 1.852),
}  # fmt: skip
_UNIT_WORDS = sorted((u for u in _UNITS if " " in u or "/" in u), key=len, reverse=True) + sorted(
    (u for u in _UNITS if " " not in u and "/" not in u), key=len, reverse=True
)
_QUANTITY = re.compile(
    r"(?:\b(?a:(?P<hedge>" + "|".join(sorted(_HEDGES, key=len, reverse=True)) + r"))\s+)?"
    r"(?:(?a:(?P<cur>US\$|\$US|A\$|C\$|\$|£|€))|\b)(?P<num>" + _NUM + r")"
    r"(?P<half>[\s-]+and[\s-]+a[\s-]+half)?"
    r"(?:[\s-]+(?a:(?P<scale>thousand|million|billion|trillion))\b|(?a:(?P<bn>bn))\b)?"
    r"(?:[\s-]*(?a:(?P<unit>" + "|".join(re.escape(u) for u in _UNIT_WORDS) + r"))(?:e?s)?\b"
    r"|\s?(?P<pct>%))?",
    re.IGNORECASE,
)
# A grade names its scale before the number ("Category 3", "a level-4 alert") or, for
# magnitude, after it ("a 6.1-magnitude quake", "magnitude 6.1").
_GRADE = re.compile(
    r"\b(?P<scale>Category|Cat\.|Level|Grade|Stage|Phase|Tier|Magnitude)[\s-]+(?P<num>\d+(?:\.\d+)?)\b"
    r"|\b(?P<num2>\d+(?:\.\d+)?)[\s-]*(?P<scale2>magnitude)\b",
    re.IGNORECASE,
)
# What a bare number counts: a plural noun within the next few words ("12 Russian intelligence
# officers", "50,000 pages"); a function word before it means it counts nothing we can name.
_COUNTED = re.compile(
    r"(?:[\s-]+[A-Za-z][\w’'-]*){0,2}?[\s-]+(?P<noun>[a-z]{3,}s|people|children|men|women)\b"
)
_NOT_NOUNS = frozenset(
    """this his its was has is as us does says less across unless plus thus yes various
    previous serious famous always perhaps whereas""".split()
)
_FUNCTION = frozenset(
    """of in on at to for from by with and or but the a an that who which were are was is
    be been had have has will would could should may might than as per""".split()
)
_CONVERSION = re.compile(r"\s*[(\[]\s*(?:about\s+|roughly\s+|some\s+)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A figure of a text: ``start`` and ``end`` are offsets in the text as given (plus the
    offset passed to :func:`figures`), ``value`` and ``precision`` are in ``unit``."""

    start: int
    end: int
    text: str
    hedge: str  # below | above | about | exact
    value: float
    unit: str
    precision: float  # the place of its last written digit: 1e6 for "$43 million", 10 for "310"
    scaled: bool  # written with a scale word ("$43 million")


def figures(text: str, offset: int = 0) -> list[Figure]:
    """The figures of ``text`` in order, see the module's docstring."""
    out = _quantities(text, offset) + _grades(text, offset)
    out.sort(key=lambda f: f.start)
    kept: list[Figure] = []
    for f in out:
        if any(k.start <= f.start < k.end for k in kept):
            continue  # "Category 3" read as a count too
        last = kept[-1] if kept else None
        if (
            last is not None
            and last.unit == f.unit
            and _CONVERSION.fullmatch(text[last.end - offset : f.start - offset]) is not None
        ):
            continue  # "115 mph (185 km/h)": the same figure, converted
        kept.append(f)
    return kept


def _grades(text: str, offset: int) -> list[Figure]:
    out = []
    for m in _GRADE.finditer(text):
        num = m["num"] or m["num2"]
        scale = (m["scale"] or m["scale2"]).lower().rstrip(".")
        decimals = num.partition(".")[2]
        out.append(
            Figure(
                start=offset + m.start(),
                end=offset + m.end(),
                text=m[0],
                hedge="exact",
                value=float(num),
                unit={"cat": "category"}.get(scale, scale),
                precision=10.0 ** -len(decimals),
                scaled=False,
            )
        )
    return out


def _quantities(text: str, offset: int) -> list[Figure]:
    out = []
    for m in _QUANTITY.finditer(text):
        num = m["num"].lower()
        before, after = text[: m.start("num")], text[m.end() :]
        if re.search(r"(?:[\d/:.-]|\bNo\.\s*)$", before) or re.match(r"[/:]\d|-\d", after):
            continue  # "9/11", "816-474", "No. 2"
        scale = _SCALES[(m["scale"] or m["bn"]).lower()] if m["scale"] or m["bn"] else 1.0
        if m["unit"] and num in ("a", "an") and m["unit"].lower() == "second":
            continue  # "a second summit"
        factor = 1.0
        if m["unit"]:
            unit_name, factor = _UNITS[m["unit"].lower()]
        elif m["pct"]:
            unit_name = "percent"
        elif m["cur"]:
            unit_name = _CURRENCIES[m["cur"].lower()]
        else:
            counted = _COUNTED.match(after)
            words = re.findall(r"[A-Za-z][\w’'-]*", after[: counted.end()] if counted else "")
            if (
                counted is None
                or num in ("a", "an")
                or counted["noun"] in _NOT_NOUNS
                or any(w.lower() in _FUNCTION for w in words)
                or (re.fullmatch(r"1[89]\d\d|20\d\d", num) and scale == 1.0)
            ):
                continue
            unit_name = counted["noun"].removesuffix("s")
        digits = num.replace(",", "")
        if num in NUMBER_WORDS:
            value, precision = NUMBER_WORDS[num], 1.0
        else:
            value = float(digits)
            whole, _, decimals = digits.partition(".")
            trailing = len(whole) - len(whole.rstrip("0")) if not decimals else 0
            precision = 10.0 ** (trailing - len(decimals))
        if m["half"]:
            value, precision = value + 0.5, 0.5
        hedge = _HEDGES[m["hedge"].lower()] if m["hedge"] else "exact"
        out.append(
            Figure(
                start=offset + m.start(),
                end=offset + m.end(),
                text=m[0],
                hedge=hedge,
                value=value * scale * factor,
                unit=unit_name,
                precision=precision * scale * factor,
                scaled=scale > 1,
            )
        )
    return out
