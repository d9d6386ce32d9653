"""What a publish will change on the public map, in words an officer reads
before confirming: "3 new risk points, 1 zone lifted, 12 risk points expire
and will be hidden".

Pure Python: compares the features of the release the officer started from
with the new export, by uid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ...model import MODEL
from ...model.display_hints import display_hints

# names listed per change sentence before "and N more"
NAMES_SHOWN = 8


@dataclass(frozen=True)
class LayerChanges:
    layer: str
    added: Tuple[str, ...] = ()
    changed: Tuple[str, ...] = ()
    # features on the public map now that the new release no longer shows,
    # by why they go: "expired", "status" (lifted, closed...), "not_approved",
    # "deleted" (no longer in the workspace), "no_geometry"
    removed: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    unchanged: int = 0
    # uid -> the feature's name (new export first, else the base release)
    names: Mapping[str, str] = field(default_factory=dict)

    def name_of(self, uid: str) -> str:
        return self.names.get(uid) or uid[:8]

    @property
    def removed_count(self) -> int:
        return sum(len(v) for v in self.removed.values())

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed_count)


@dataclass(frozen=True)
class ChangeSummary:
    layers: Tuple[LayerChanges, ...]

    @property
    def is_empty(self) -> bool:
        return all(lc.is_empty for lc in self.layers)

    def layer(self, name: str) -> LayerChanges:
        return next(lc for lc in self.layers if lc.layer == name)

    def sentences(self, lang: str = "vi") -> List[str]:
        """One short sentence per non-empty kind of change, model order."""
        out: List[str] = []
        for lc in self.layers:
            out.extend(_layer_sentences(lc, lang))
        if not out:
            out.append(
                "Không có thay đổi nào trên bản đồ công khai."
                if lang == "vi"
                else "Nothing changes on the public map."
            )
        return out

    def listed(self, lang: str = "vi", limit: int = NAMES_SHOWN) -> List[str]:
        """:meth:`sentences` with the features named: "2 điểm nguy cơ mới:
        «Chợ Phủ Thông», «Trường Mầm non Nà Phặc»" (at most ``limit`` names
        a sentence, then "và 3 khác" / "and 3 more")."""
        out: List[str] = []
        for lc in self.layers:
            for sentence, uids in _layer_parts(lc, lang):
                out.append(f"{sentence}: {named(lc, uids, lang, limit)}")
        return out or self.sentences(lang)


def named(lc: LayerChanges, uids: Tuple[str, ...], lang: str,
          limit: int = NAMES_SHOWN) -> str:
    shown = ", ".join(f"«{lc.name_of(uid)}»" for uid in uids[:limit])
    rest = len(uids) - limit
    if rest > 0:
        shown += f" và {rest} khác" if lang == "vi" else f" and {rest} more"
    return shown


# What a status-driven removal means, per layer (vi, en).
_STATUS_GONE = {
    "risk_points": ("bị thu hồi", "withdrawn"),
    "quarantine_facilities": ("đóng cửa", "closed"),
    "isolation_zones": ("được dỡ bỏ", "lifted"),
    "checkpoints": ("giải thể", "disbanded"),
}

# Why a feature leaves the map: (vi, en singular, en plural).
_REASON_WORDS = {
    "expired": ("hết hạn và sẽ bị ẩn", "expires and will be hidden",
                "expire and will be hidden"),
    "not_approved": ("chưa được duyệt nên sẽ bị ẩn", "is no longer approved and will be hidden",
                     "are no longer approved and will be hidden"),
    "deleted": ("bị xoá khỏi bản đồ", "is removed", "are removed"),
    "no_geometry": ("thiếu vị trí nên sẽ bị ẩn", "has no location and will be hidden",
                    "have no location and will be hidden"),
}


def _noun(n: int, layer: str, lang: str) -> str:
    """The layer's short noun from the model's display hints (the feed and
    the web map say the same); the Vietnamese noun does not inflect."""
    try:
        word = display_hints(MODEL.layer(layer)).get("noun") or {}
    except KeyError:
        word = {}
    if lang == "vi":
        return word.get("vi", layer)
    en = word.get("en") or (layer, layer)
    return en[0] if n == 1 else en[1]


def _sentence(n: int, layer: str, lang: str, vi_tail: str, en_tail: str,
              en_new: bool = False) -> str:
    noun = _noun(n, layer, lang)
    if lang == "vi":
        return f"{n} {noun} {vi_tail}"
    return f"{n} new {noun}" if en_new else f"{n} {noun} {en_tail}"


def _layer_parts(lc: LayerChanges, lang: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """(sentence, the uids it is about) per kind of change."""
    out: List[Tuple[str, Tuple[str, ...]]] = []
    if lc.added:
        out.append((_sentence(len(lc.added), lc.layer, lang, "mới", "", en_new=True), lc.added))
    if lc.changed:
        out.append((_sentence(len(lc.changed), lc.layer, lang, "thay đổi", "changed"),
                    lc.changed))
    for reason, uids in lc.removed.items():
        n = len(uids)
        if not n:
            continue
        if reason == "status":
            vi, en = _STATUS_GONE.get(lc.layer, ("ngừng hiển thị", "hidden"))
        else:
            vi, en1, en_n = _REASON_WORDS.get(reason, ("bị ẩn", "hidden", "hidden"))
            en = en1 if n == 1 else en_n
        out.append((_sentence(n, lc.layer, lang, vi, en), tuple(uids)))
    return out


def _layer_sentences(lc: LayerChanges, lang: str) -> List[str]:
    return [sentence for sentence, _uids in _layer_parts(lc, lang)]


def _name(feature: Mapping[str, Any]) -> str:
    name = (feature.get("properties") or {}).get("name")
    return str(name).strip() if name else ""


def features_by_uid(geojson_bytes: Optional[bytes]) -> Dict[str, Any]:
    """uid -> feature of a release blob (empty for a layer never published)."""
    if not geojson_bytes:
        return {}
    collection = json.loads(geojson_bytes)
    return {str(f["id"]): f for f in collection.get("features", [])}


def diff_layer(
    layer: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    hidden: Mapping[str, str],
) -> LayerChanges:
    """Compare two uid->feature maps; ``hidden`` says why the new export left
    a uid out (from ``export.LayerExport.hidden``)."""
    added = tuple(sorted(set(after) - set(before)))
    changed = []
    unchanged = 0
    for uid in sorted(set(after) & set(before)):
        old, new = before[uid], after[uid]
        # updated_at alone moving is still a change the public sees
        if old.get("geometry") != new.get("geometry") or old.get("properties") != new.get(
            "properties"
        ):
            changed.append(uid)
        else:
            unchanged += 1
    removed: Dict[str, List[str]] = {}
    for uid in sorted(set(before) - set(after)):
        removed.setdefault(hidden.get(uid, "deleted"), []).append(uid)
    names = {uid: _name(feature) for uid, feature in before.items()}
    names.update({uid: _name(feature) for uid, feature in after.items()})
    return LayerChanges(
        layer=layer,
        added=added,
        changed=tuple(changed),
        removed={k: tuple(v) for k, v in removed.items()},
        unchanged=unchanged,
        names={uid: name for uid, name in names.items() if name},
    )


def summarize(
    before_blobs: Mapping[str, Optional[bytes]],
    after_blobs: Mapping[str, bytes],
    hidden: Mapping[str, Mapping[str, str]],
) -> ChangeSummary:
    """Per model layer: the release the officer started from vs the export."""
    return ChangeSummary(
        tuple(
            diff_layer(
                layer.name,
                features_by_uid(before_blobs.get(layer.name)),
                features_by_uid(after_blobs.get(layer.name)),
                hidden.get(layer.name, {}),
            )
            for layer in MODEL.layers
            if layer.name in after_blobs
        )
    )


# a release's change counts (the manifest's ``changes``), as the history shows them
_COUNT_WORDS = (("added", "mới", "new"), ("changed", "thay đổi", "changed"),
                ("removed", "bỏ khỏi bản đồ", "removed"))


def release_changes_text(changes: Optional[Mapping[str, Any]], lang: str = "vi") -> str:
    """"điểm nguy cơ: 3 mới, 1 bỏ khỏi bản đồ; vùng cách ly: 1 thay đổi"
    from ``{"risk_points": {"added": 3, "removed": 1}, ...}`` (model order)."""
    parts: List[str] = []
    for layer in MODEL.layers:
        counts = (changes or {}).get(layer.name) or {}
        words = []
        for key, vi, en in _COUNT_WORDS:
            n = int(counts.get(key) or 0)
            if n:
                words.append(f"{n} {vi if lang == 'vi' else en}")
        if words:
            total = sum(int(counts.get(k) or 0) for k, _vi, _en in _COUNT_WORDS)
            parts.append(f"{_noun(total, layer.name, lang)}: {', '.join(words)}")
    return "; ".join(parts)
