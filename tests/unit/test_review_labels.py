"""The responses table's "Reviewed by a person" column, in words."""

from __future__ import annotations

import pandas as pd


def test_the_reviewed_column_reads_in_words() -> None:
    from components.review import reviewed_labels

    frame = pd.DataFrame(
        {"manually_updated": [True, True, False], "verdict_overridden": [True, False, False]}
    )
    assert list(reviewed_labels(frame)) == ["Verdict changed", "Verdict kept", "Not reviewed"]
