"""``text``'s two patterns are compiled when first used, not when the module is imported
(issue 19: every GUI and CLI start imports ``text``; few use them), and they find and
rewrite the same text as the patterns compiled at import did."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC

from tdm1_scheduler import text
from tdm1_scheduler.domain.calendar import ClinicCalendar

# The patterns as they were compiled at import before.
OLD_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")
OLD_SPACE = re.compile(r"(?<=\d) (?=(?:h|min|s|mL|mg|kg|%)\b)|(?<=\d h) (?=\d)")
SAMPLES = [
    "moved from 2026-11-18T15:00:00+00:00 to 2026-11-18 16:30Z",
    "at 2026-03-08T07:00:00.123+0000, then 2026-03-08T08:00-05:00 and 2026-13-40T99:99Z",
    "2 h 00 min, 40,000 /mm3, 3.6 mg/kg, 90 %, 2 h 5 min, 12 s, 250 mL, 3 kg",
    "no instant here: 2026-11-18 and 15:00",
    "",
]


def test_the_same_matches_and_rewrites() -> None:
    calendar = ClinicCalendar(UTC)
    for sample in SAMPLES:
        assert text.has_iso_instant(sample) == (OLD_ISO.search(sample) is not None)
        assert text.unbroken(sample) == OLD_SPACE.sub("\u00a0", sample).replace("/mm", "/\u2060mm")
        assert not text.has_iso_instant(text.wall_message(sample, calendar)) or "13-40" in sample
    assert text.compiled(text.ISO_INSTANT).pattern == OLD_ISO.pattern
    assert text.compiled(text.ISO_INSTANT) is text.compiled(text.ISO_INSTANT)  # once


def test_importing_text_compiles_neither_pattern() -> None:
    code = (
        "import tdm1_scheduler.text as t; before = t.compiled.cache_info().currsize; "
        "t.unbroken('2 h'); print(before, t.compiled.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "1"]
