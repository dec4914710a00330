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


_AMP_CACHE = re.compile(r"^[a-z0-9-]+\.cdn\.ampproject\.org$")
_AMP_PATH_SUFFIX = re.compile(r"(/amp/?|\.amp|/amp\.html)$")
_AMP_BEFORE_EXTENSION = re.compile(r"\.amp(\.html?)$")
AMP_PARAMETERS = frozenset({"amp", "outputtype", "amp_js_v", "usqp", "_gsa"})


def _without_amp(scheme: str, host: str, path: str) -> tuple[str, str, str]:
    """The regular page an AMP variant stands for: Google's AMP cache, amp. hosts, /amp paths."""
    if _AMP_CACHE.match(host):
        # https://www-example-com.cdn.ampproject.org/c/s/www.example.com/path -> https://www.example.com/path
        parts = path.split("/")
        if len(parts) > 3 and parts[1] in {"c", "v"}:
            secure = parts[2] == "s"
            rest = parts[3 if secure else 2 :]
            host, path, scheme = rest[0].lower(), "/" + "/".join(rest[1:]), "https" if secure else "http"
    if host.startswith("amp."):
        host = host[len("amp.") :]
    if path.startswith("/amp/"):
        path = path[len("/amp") :]
    stripped = _AMP_BEFORE_EXTENSION.sub(r"\1", _AMP_PATH_SUFFIX.sub("", path))
    if stripped != path:
        path = stripped or "/"
    return scheme, host, path


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments, tracking parameters and AMP
    variants (Google's AMP cache, amp. hosts, /amp paths, ?amp, ?outputType=amp), so the same
    article reached through two feeds or an AMP link has one id."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS
        and not key.lower().startswith(TRACKING_PREFIXES)
        and key.lower() not in AMP_PARAMETERS
    ]
    scheme, host, path = _without_amp(scheme, host, parts.path or "/")
    if scheme == "http" and host.endswith(":80"):
        host = host[: -len(":80")]
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


#: what a record's own id may be: it becomes the Kafka key and the primary key in storage
EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}")


def checked_external_id(value: object) -> str:
    """A record's own `id` (from an upstream system that has stable ids of its own, or a replay of
    our records), if it is a usable key: 1-128 characters, letters, digits and ._:@/- only, not
    starting with punctuation. Anything else raises ValueError saying so."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"id must be a string, got {type(value).__name__}")
    text = str(value)
    if not EXTERNAL_ID.fullmatch(text):
        raise ValueError(
            f"id {text[:40]!r} is not a usable key: 1-128 letters, digits or ._:@/- (or leave it out, and the "
            "id is derived from the URL or the text)"
        )
    return text
