"""A stored gzip or brotli variant is compared with its blob step by step
(representation.decodes_to: the reader, the web map's files and ``verify``),
with the same verdicts as decoding it whole, without a second copy of a big
blob in memory."""

from __future__ import annotations

import pytest
from covidmaps_publish.representation import brotli_bytes, decodes_to, decompress, gzip_bytes

# several steps of the comparison (1 MiB each), not all alike
DATA = b"".join(b'{"type":"Feature","id":"%06d","properties":{"n":%d}},' % (i, i * 7919 % 10007)
                for i in range(60000))


@pytest.mark.parametrize("suffix,pack", [(".gz", gzip_bytes), (".br", brotli_bytes)])
def test_variant_compared_in_steps_as_decoded_whole(suffix, pack):
    assert len(DATA) > 3 * (1 << 20)
    packed = pack(DATA)
    assert decodes_to(packed, suffix, DATA) and decompress(packed, suffix) == DATA
    changed = DATA[:2_500_000] + b"X" + DATA[2_500_001:]  # one byte, in the third step
    for other in (changed, DATA + b" ", DATA[:-1], b""):
        assert not decodes_to(packed, suffix, other)
    for damaged in (packed[:-16], packed + b"\x00\x01"):
        try:
            verdict = decodes_to(damaged, suffix, DATA)
        except Exception:  # noqa: BLE001 - undecodable: the callers count it as damaged
            verdict = False
        assert verdict is False
