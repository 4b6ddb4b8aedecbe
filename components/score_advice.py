"""What the Score page tells a person: how rows are counted, and what a failed send means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from reporting.uploads.validate import show_value

ROW_CONVENTION = (
    "Row numbers count as a spreadsheet does: the header is row 1, so the first response is "
    "row 2. In a JSONL file they are line numbers."
)

Created = Literal["no", "maybe", "probably"]


@dataclass(frozen=True)
class FailureOutcome:
    """What a failed submission means for the run: created or not, and what to do next."""

    created: Created
    headline: str
    advice: str


_REFUSED_ADVICE: tuple[tuple[type[APIError], str], ...] = (
    (
        AuthenticationError,
        "Check the API key (current, for this base URL), restart the dashboard, and send again.",
    ),
    (
        PermissionDeniedError,
        "Use a key that may create runs in this workspace, or choose another workspace, then "
        "send again.",
    ),
    (
        NotFoundError,
        "The eval or workspace was not found (deleted, or in another workspace). Press Refresh, "
        "choose the eval again, and send again.",
    ),
    (
        ConflictError,
        "The eval is not ready to be scored (it may still be generating prompts). Wait until it "
        "is finished, then send again.",
    ),
    (RateLimitError, "The API is rate limiting this account. Wait a minute, then send again."),
    (
        BadRequestError,
        "Fix what the API's message names (for example a response field or prompt_uuid), "
        "upload the corrected file and send again.",
    ),
)


def failure_outcome(error: APIError, run_name: str) -> FailureOutcome:
    """Whether a failed submission may have created the run, and what the person should do."""
    look = (
        f"Press Refresh in the sidebar and look for a run named {show_value(run_name, 80)} on "
        "the Runs page before sending again: sending again could score the same responses twice."
    )
    for error_type, advice in _REFUSED_ADVICE:
        if isinstance(error, error_type):
            return FailureOutcome(
                "no", "The API refused the request before acting: nothing was created", advice
            )
    if error.status == 413:
        return FailureOutcome(
            "no",
            "The API refused the request as too large: nothing was created",
            "Split the file into smaller ones and send each.",
        )
    if isinstance(error, MalformedResponseError) and error.status and 200 <= error.status < 300:
        return FailureOutcome(
            "probably",
            "The API accepted the request but its answer could not be read: the run was "
            "probably created",
            look,
        )
    return FailureOutcome(
        "maybe",
        "No clear answer came back after the request was sent: the run MAY have been created",
        look,
    )


SANDBOX_SENTENCE = (
    "Sandbox runs are scored like any other but marked `is_sandbox`, which keeps them apart "
    "from your production results; turn it off to record a production run."
)
TEMPLATE_HELP = (
    "Fill in **content** with your AI's response. Optional: content_type (text, image, video; "
    "for image and video the content is the file_uuid of a file uploaded to Aymara), "
    "ai_refused, exclude_from_scoring and continue_thread (true/false), thread_uuid and "
    "turn_number (multi-turn). The prompt column is there for you and is ignored on upload."
)
