"""Pydantic models of Aymara v2, lenient like the API: unknown fields ignored, enums as text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Statuses stay strings: a status the API adds tomorrow is data to show, not a crash.
FINISHED = "finished"
PROCESSING = "processing"
FAILED = "failed"
CREATED = "created"


class Lenient(BaseModel):
    """Base model: extra fields ignored, fields populated by name."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=False)


class FileReference(Lenient):
    """A reference to an uploaded file (image or video responses, ground truth)."""

    file_uuid: str | None = None
    remote_file_path: str | None = None

    @model_validator(mode="after")
    def _names_a_file(self) -> FileReference:
        # An object naming no file is some other shape: keep it as a plain dict instead.
        if not self.file_uuid and not self.remote_file_path:
            raise ValueError("a file reference names a file_uuid or a remote_file_path")
        return self


class PromptExample(Lenient):
    """An example prompt given to the eval's prompt generator."""

    content: str
    example_uuid: str | None = None
    type: str | None = None
    explanation: str | None = None


class Eval(Lenient):
    """An eval: what is tested (type, modality, instructions) for one AI."""

    ai_description: str = ""
    eval_type: str = "unknown"
    eval_uuid: str | None = None
    name: str | None = None
    ai_instructions: str | dict[str, Any] | None = None
    eval_instructions: str | None = None
    ground_truth: str | dict[str, Any] | None = None
    language: str | None = None
    modality: str | None = None
    num_prompts: int | None = None
    prompt_examples: list[PromptExample] | None = None
    is_jailbreak: bool | None = None
    is_sandbox: bool | None = None
    workspace_uuid: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None


class EvalPrompt(Lenient):
    """One prompt of an eval; `category` drives the per-category charts."""

    prompt_uuid: str
    content: str = ""
    category: str | None = None
    thread_uuid: str | None = None
    turn_number: int | None = 1


class WorkspaceRef(Lenient):
    """The workspace a user belongs to (the only place v2 names workspaces)."""

    name: str | None = None
    organization_name: str | None = None
    organization_uuid: str | None = None
    workspace_uuid: str | None = None


class User(Lenient):
    """A person who changed a verdict by hand."""

    email: str | None = None
    is_admin: bool | None = None
    workspace: WorkspaceRef | None = None


class AnswerHistory(Lenient):
    """One manual change to a response's verdict."""

    answer_history_uuid: str | None = None
    updated_at: datetime | None = None
    previous_is_passed: bool | None = None
    new_is_passed: bool | None = None
    previous_confidence: float | None = None
    new_confidence: float | None = None
    previous_explanation: str | None = None
    new_explanation: str | None = None
    updated_by: User | None = None


class ScoredResponse(Lenient):
    """An AI's response to one prompt, with the judge's verdict."""

    prompt_uuid: str
    response_uuid: str | None = None
    content: str | FileReference | dict[str, Any] | None = None
    content_type: str | None = "text"
    ai_refused: bool | None = False
    exclude_from_scoring: bool | None = False
    is_passed: bool | None = None
    confidence: float | None = None
    explanation: str | None = None
    thread_uuid: str | None = None
    turn_number: int | None = None
    continue_thread: bool | None = None
    next_prompt: EvalPrompt | None = None
    manually_updated: bool | None = None
    manually_updated_at: datetime | None = None
    manually_updated_by: User | None = None
    update_history: list[AnswerHistory] | None = None


class EvalRunExample(Lenient):
    """A pass/fail example given to the judge with a run."""

    prompt: str = ""
    response: str = ""
    type: str | None = None
    example_uuid: str | None = None
    explanation: str | None = None


class EvalRun(Lenient):
    """One scoring run of an eval (EvalRunResult in the API)."""

    eval_run_uuid: str
    eval_uuid: str
    status: str
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    ai_description: str | None = None
    evaluation: Eval | None = None
    is_sandbox: bool | None = None
    eval_run_examples: list[EvalRunExample] | None = None
    num_prompts: int | None = None
    num_responses_scored: int | None = None
    pass_rate: float | None = None
    responses: list[ScoredResponse] | None = None
    workspace_uuid: str | None = None


class EvalRunReport(Lenient):
    """One run's part of a suite report: summaries and advice."""

    eval_run_report_uuid: str | None = None
    eval_run_uuid: str
    eval_run: EvalRun | None = None
    passing_responses_summary: str | None = None
    failing_responses_summary: str | None = None
    improvement_advice: str | None = None


class EvalSuiteReport(Lenient):
    """A narrative report over one or more runs."""

    eval_suite_report_uuid: str
    status: str
    created_at: datetime
    updated_at: datetime
    eval_run_reports: list[EvalRunReport] = Field(default_factory=list)
    overall_passing_responses_summary: str | None = None
    overall_failing_responses_summary: str | None = None
    overall_improvement_advice: str | None = None
    remaining_reports: int | None = None


class EvalType(Lenient):
    """A kind of eval the API offers (safety, jailbreak, accuracy, ...)."""

    eval_type_uuid: str
    name: str = ""
    slug: str | None = None
    description: str | None = None
    supported_generation_inputs: list[str] = Field(default_factory=list)
    supported_modalities: list[str] | None = None


class FileDetail(Lenient):
    """An uploaded file; `file_url` is a short-lived presigned download link."""

    file_uuid: str
    content_type: str | None = None
    file_type: str | None = None
    remote_file_path: str | None = None
    file_url: str | None = None
    file_size_bytes: int | None = None


class ResponseToScore(Lenient):
    """One response to send to score-responses."""

    model_config = ConfigDict(extra="forbid")

    prompt_uuid: str
    content: str | FileReference | None = None
    content_type: str = "text"
    ai_refused: bool = False
    exclude_from_scoring: bool = False
    thread_uuid: str | None = None
    turn_number: int = 1
    continue_thread: bool = False


class ScoreRequest(Lenient):
    """The body of POST /v2/eval-runs/-/score-responses."""

    model_config = ConfigDict(extra="forbid")

    eval_uuid: str
    responses: list[ResponseToScore]
    name: str | None = None
    ai_description: str | None = None
    eval_run_examples: list[EvalRunExample] | None = None
