"""Bytes to text, for every reader: one guarded decode path that never raises.

A charset label (``<meta charset>``, an XML declaration, a Content-Type) is read as browsers
read it (the WHATWG Encoding Standard): only the encodings of the web are accepted, and some
labels mean another encoding than their name ("iso-8859-1" is windows-1252). A label naming no
text encoding of the web ("idna", "punycode", "undefined", "rot13", "base64" …, all of which
Python's codec registry knows) is no label at all. Whatever is left undecodable is replaced
with U+FFFD, with a warning.

webencodings (the WHATWG label table as a library) is not a dependency; Python's registry
resolves the labels instead, and ``_WEB_CODECS`` keeps the encodings the standard has.
"""

from __future__ import annotations

import codecs
import re

from newsbrief.errors import BinaryInput, InputTooLarge, excerpt

# A page or feed is text: few control characters (as ingest.text.MAX_CONTROL_SHARE). Unlike a
# text file, a stray NUL is no proof of binary data: real pages carry a few (one in the
# trafilatura-eval dev set has 22 in 190 KB), while images, PDFs and archives are far above
# the share. UTF-16 pages pass only with their byte-order mark, decoded before this check.
MAX_CONTROL_SHARE = 0.05
# Where a document declares its charset: <meta charset>, <meta http-equiv content="…;
# charset=…"> or an XML declaration, all of which HTML requires in the first 1024 bytes; 4096
# allows for pages that put comments or scripts first.
CHARSET_SCAN_BYTES = 4096
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The encodings of the WHATWG Encoding Standard, by the name Python's registry gives them
# (codecs.lookup(label).name), each with the codec that decodes it as a browser does:
# latin-1 and ASCII are windows-1252, ISO-8859-9 is windows-1254, TIS-620 windows-874, the
# GB family GB18030, Big5 Big5-HKSCS, Shift_JIS windows-31J, EUC-KR windows-949; a declared
# UTF-16 without a byte-order mark is UTF-8 (the mark, read first, decides otherwise).
_WEB_CODECS = {
    "utf-8": "utf-8",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "cp866": "cp866",
    **{f"iso8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "cp874": "cp874",
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    "mac-roman": "mac-roman",
    "mac-cyrillic": "mac-cyrillic",
    **{f"cp{n}": f"cp{n}" for n in range(1250, 1259)},
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "euc_jp": "euc_jp",
    "iso2022_jp": "iso2022_jp",
    "shift_jis": "cp932",
    "cp932": "cp932",
    "euc_kr": "cp949",
    "cp949": "cp949",
}
# Labels of the standard that Python's registry does not know.
_WEB_LABELS = {
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "koi8-ru": "koi8-u",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
}


def web_codec(label: str) -> str | None:
    """The codec that decodes text labelled ``label`` as a browser would, or None when the
    label names no text encoding of the web."""
    name = label.strip().lower()
    if name in _WEB_LABELS:
        return _WEB_LABELS[name]
    try:
        canonical = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL
        return None
    return _WEB_CODECS.get(canonical)


def decode_as(data: bytes, codec: str, *, origin: str) -> tuple[str, tuple[str, ...]]:
    """``data`` decoded with ``codec`` (one of ``web_codec``'s), undecodable bytes replaced,
    with a warning; never raises."""
    try:
        text = data.decode(codec, errors="replace")
    except Exception as exc:  # none of _WEB_CODECS raises with "replace": a guard all the same
        text = data.decode("cp1252", errors="replace")
        return text, (f"{origin}: cannot decode as {codec} ({excerpt(str(exc))}); read as cp1252",)
    bad = text.count("\ufffd")
    return text, (f"{origin}: {bad} byte(s) undecodable as {codec}",) if bad else ()


def check_size(data: bytes, *, origin: str, cap: int) -> None:
    """Refuse ``data`` above ``cap``; callers read at most cap + 1 bytes, so the true size may
    be larger."""
    if len(data) > cap:
        raise InputTooLarge(
            f"{origin}: more than the size cap of {cap:,} bytes (setting max_input_bytes)"
        )


def decode_markup(
    data: bytes, *, origin: str, expected: str = "an HTML page"
) -> tuple[str, tuple[str, ...]]:
    """An HTML page or an XML feed as text, with warnings; refuses binary data (``expected``
    names the kind in the message), else never raises. Callers check the size first.

    1. a byte-order mark decides;
    2. valid UTF-8 is UTF-8 (a legacy page is almost never valid UTF-8 by chance, while pages
       that declare latin-1 but hold UTF-8 are common);
    3. the charset the document declares, when it names an encoding of the web (web_codec);
    4. windows-1252, undecodable bytes replaced, with a warning.
    """
    # 1. byte-order mark
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return decode_as(data[len(bom) :], encoding, origin=origin)
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and controls / len(sample) > MAX_CONTROL_SHARE:
        raise BinaryInput(f"{origin}: expected {expected}, found binary data")
    data = data.replace(b"\x00", b"")  # no character of a document, and lxml refuses them
    # 2. UTF-8
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    # 3. declared
    declared = _DECLARED.search(data[:CHARSET_SCAN_BYTES])
    label = declared[1].decode("ascii", errors="replace") if declared else None
    codec = web_codec(label) if label else None
    if codec is not None:
        return decode_as(data, codec, origin=origin)
    # 4. windows-1252
    text, _ = decode_as(data, "cp1252", origin=origin)
    found = f"{excerpt(label, 40)!r}, which names no text encoding" if label else "none"
    return text, (
        f"{origin}: not UTF-8 and no usable charset declared (found {found}); read as windows-1252",
    )
