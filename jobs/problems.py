"""What did not load, as data: a listing's error, shortfall and skipped items become problems.

Kept on purpose: partial failure travels as data (`Listing` -> `LoadProblem` -> the one panel
in components/errors.py), so part of the data failing never hides the rest or drops rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from client.errors import APIError
from client.paging import Listing
from reporting.text import plural


@dataclass(frozen=True)
class LoadProblem:
    """Something that did not load, said so that a person can act on it."""

    what: str
    message: str
    hint: str = ""
    request_id: str | None = None

    @classmethod
    def from_error(cls, what: str, error: APIError) -> LoadProblem:
        """A problem from a typed API error."""
        return cls(what, error.message, error.hint, error.request_id)


def listing_problems(
    what: str, listing: Listing[Any], problems: list[LoadProblem]
) -> APIError | None:
    """Record what a listing missed, worded alike for both APIs; return its error."""
    if listing.error is not None:
        problems.append(LoadProblem.from_error(what, listing.error))
    if listing.error is None and listing.shortfall:
        problems.append(
            LoadProblem(
                what,
                f"The API counted {listing.reported_count:,} items but returned "
                f"{len(listing.items) + len(listing.skipped):,}; {listing.shortfall:,} missing.",
                "The data may have changed while it was read. Press Refresh to read it again.",
            )
        )
    if listing.skipped:
        shown = "; ".join(listing.skipped[:3]) + (" …" if len(listing.skipped) > 3 else "")
        problems.append(
            LoadProblem(
                what,
                f"{plural(len(listing.skipped), 'item')} did not fit the expected shape and "
                "are not "
                f"shown: {shown}",
                "The API sent data in an unexpected shape; report it with the details above.",
            )
        )
    return listing.error


@dataclass(frozen=True)
class Missing:
    """Which parts of a dataset did not load, so each number can say whether it is partial."""

    listings: tuple[str, ...] = ()  # "evals", "runs", "reports" not read in full
    runs: int = 0  # runs whose responses did not load in full
    runs_total: int = 0
    evals: int = 0  # evals whose prompts did not load in full
    evals_total: int = 0

    def __bool__(self) -> bool:
        return bool(self.listings or self.runs or self.evals)

    @property
    def responses(self) -> bool:
        """True when numbers built from responses leave some out."""
        return bool(self.runs) or "runs" in self.listings

    def parts(self) -> list[str]:
        """What is missing, in words, for the notice."""
        said = [f"the list of {name} (only part of it was read)" for name in self.listings]
        if self.runs:
            said.append(f"the responses of {self.runs:,} of {self.runs_total:,} runs")
        if self.evals:
            said.append(f"the prompts of {self.evals:,} of {self.evals_total:,} evals")
        return said
