"""Stable article ids: the same article always gets the same id, whichever feed brought it."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article itself.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "cmpid",
        "ito",
        "ocid",
    }
)
TRACKING_PREFIXES = ("utm_",)
_WHITESPACE = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def normalise_text(text: str) -> str:
    """Case-, accent- and whitespace-insensitive form of a text, for hashing."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE.sub(" ", stripped).strip().casefold()


def article_id(*, url: str | None, title: str, body: str) -> str:
    """Hash of the canonical URL, or of the normalised title and body when there is no URL."""
    basis = f"url:{canonical_url(url)}" if url else f"text:{normalise_text(title)}\n{normalise_text(body)}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
