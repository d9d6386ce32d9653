"""The Atom feed of the last releases (``/data/feed.atom``; RFC 4287).

One entry per release, newest first: its time, its publisher, the release
message, the change summary per layer in Vietnamese and English, and a link
to the map showing that release (``/?release=<id>``), plus links to its
manifest and signature. Links are relative to the feed's own URL
(``/data/feed.atom``), so the feed is right behind any host name, nginx or
bucket without the server knowing its public address.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from covidmaps_plugin.model import MODEL, wire
from covidmaps_plugin.model.display_hints import display_hints

from .grammar import NOT_XML_CHAR

FEED_ENTRIES = 20


def escape(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    text = NOT_XML_CHAR.sub("\ufffd", str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def quoteattr(text: str) -> str:
    return f'"{escape(text)}"'

WORDS = {
    "vi": {"added": "+{n} {noun}", "removed": "{n} {noun} {word}", "word": "đã gỡ",
           "changed": "{n} {noun} thay đổi",
           "none": "Không thay đổi dữ liệu", "rollback": "Quay lại bản {id}",
           "init": "Khởi tạo bản đồ"},
    "en": {"added": "+{n} {noun}", "removed": "{n} {noun} {word}", "word": "removed",
           "changed": "{n} {noun} changed",
           "none": "No change to the data", "rollback": "Rolled back to release {id}",
           "init": "Map created"},
}


def _hints(layer_id: str) -> Dict[str, Any]:
    try:
        return display_hints(MODEL.layer(layer_id))
    except (KeyError, ValueError):
        return {}


def noun(layer_id: str, lang: str, n: int = 2) -> str:
    """The layer's short noun from the model's display hints (the web map's
    "what changed" line uses the same), else its title."""
    word = (_hints(layer_id).get("noun") or {}).get(lang)
    if word:
        return word if isinstance(word, str) else word[0 if n == 1 else 1]
    try:
        layer = MODEL.layer(layer_id)
    except (KeyError, ValueError):
        return layer_id
    return (layer.title_vi if lang == "vi" else layer.title_en).lower()


def removed_word(layer_id: str, lang: str) -> str:
    """A feature leaves the public map when its status ends its public life
    (a lifted zone, a closed facility are not published): a removal says so."""
    return (_hints(layer_id).get("removed_word") or {}).get(lang) or WORDS[lang]["word"]


def change_summary(manifest: Dict[str, Any], lang: str) -> List[str]:
    """One line per changed layer, e.g. "+3 điểm nguy cơ, 1 vùng cách ly đã gỡ"."""
    words = WORDS[lang]
    lines = []
    for layer_id, counts in (manifest.get("changes") or {}).items():
        word = removed_word(layer_id, lang)
        parts = [words[kind].format(n=counts[kind], noun=noun(layer_id, lang, counts[kind]),
                                   word=word)
                 for kind in ("added", "changed", "removed") if counts.get(kind)]
        if parts:
            lines.append(", ".join(parts))
    if manifest.get("kind") == "rollback" and manifest.get("rolled_back_to"):
        lines.insert(0, words["rollback"].format(id=manifest["rolled_back_to"]))
    if manifest.get("kind") == "init":
        lines.append(words["init"])
    return lines or [words["none"]]


def _entry(manifest: Dict[str, Any]) -> str:
    rid = manifest["release_id"]
    message = manifest.get("message") or ""
    vi, en = change_summary(manifest, "vi"), change_summary(manifest, "en")
    title = f"{message} — {vi[0]}" if message else vi[0]
    text = "\n".join([message, "", *vi, "", *en]).strip()
    return (
        "<entry>"
        f"<id>urn:covidmaps:release:{escape(rid)}</id>"
        f"<title type=\"text\">{escape(title)}</title>"
        f"<updated>{escape(manifest['created_at'])}</updated>"
        f"<published>{escape(manifest['created_at'])}</published>"
        f"<author><name>{escape(manifest.get('publisher') or 'covidmaps')}</name></author>"
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr('../?release=' + rid)}/>"
        f"<link rel=\"related\" type=\"{wire.JSON_MEDIA}\" href={quoteattr(wire.RELEASE.name(rid))}"
        " title=\"manifest\"/>"
        f"<link rel=\"related\" type=\"{wire.JSON_MEDIA}\" "
        f"href={quoteattr(wire.SIGNATURE.name(rid))} title=\"signature\"/>"
        f"<summary type=\"text\">{escape(text)}</summary>"
        "</entry>"
    )


def atom_feed(head: Dict[str, Any], manifest_of: Callable[[str], Optional[Dict[str, Any]]],
              entries: int = FEED_ENTRIES) -> bytes:
    """The feed of ``head`` and its ancestors (at most ``entries``)."""
    chain: List[Dict[str, Any]] = []
    node: Optional[Dict[str, Any]] = head
    while node and len(chain) < entries:
        chain.append(node)
        parent = node.get("parent_id")
        node = manifest_of(parent) if parent else None
    profile = head.get("profile") or {}
    licence = profile.get("licence") or {}
    attribution = (licence.get("attribution") or {}).get("vi", "")
    rights = ", ".join(x for x in (attribution, licence.get("name", "")) if x)
    name = profile.get("name") or ""
    title = f"Bản đồ thông tin dịch COVID-19 {name}".strip()
    feed_id = f"urn:covidmaps:feed:{profile.get('id', 'covidmaps')}"
    parts = [
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">",
        f"<id>{escape(feed_id)}</id>",
        f"<title type=\"text\">{escape(title)}</title>",
        f"<subtitle type=\"text\">{escape('Các bản cập nhật dữ liệu / Data releases')}</subtitle>",
        f"<updated>{escape(head['created_at'])}</updated>",
        f"<link rel=\"self\" type=\"{wire.ATOM_MEDIA}\" href=\"{wire.FEED.name()}\"/>",
        "<link rel=\"alternate\" type=\"text/html\" href=\"../\"/>",
        f"<author><name>{escape(attribution or name or 'CovidMaps')}</name></author>",
        f"<rights>{escape(rights)}</rights>" if rights else "",
        "<generator>covidmaps-publish</generator>",
        *(_entry(m) for m in chain),
        "</feed>\n",
    ]
    return "".join(parts).encode("utf-8")
