"""Request bodies and queries of the registrant operations, with Zoom's limits (contract.md §1.2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from moot.domain.meeting_requests import Email, PageNumber
from moot.domain.registrants import MAX_STATUS_CHANGES
from moot.domain.validation import ZoomInput

Name = Annotated[str, StringConstraints(max_length=64)]
Text = Annotated[str, StringConstraints(max_length=256)]
OccurrenceId = Annotated[str, StringConstraints(max_length=32)]

# The request enum of no_of_employees (the response enum differs: see docs/registrants.md).
NoOfEmployees = Literal[
    "",
    "1-20",
    "21-50",
    "51-100",
    "101-250",
    "251-500",
    "101-500",
    "500-1,000",
    "501-1,000",
    "1,001-5,000",
    "5,001-10,000",
    "More than 10,000",
]
PurchasingTimeFrame = Literal[
    "", "Within a month", "1-3 months", "4-6 months", "More than 6 months", "No timeframe"
]
RoleInPurchaseProcess = Literal["", "Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"]
Language = Literal[
    "en-US",
    "de-DE",
    "es-ES",
    "fr-FR",
    "jp-JP",
    "pt-PT",
    "ru-RU",
    "zh-CN",
    "zh-TW",
    "ko-KO",
    "it-IT",
    "vi-VN",
    "pl-PL",
    "Tr-TR",
]


class _Nested(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class CustomQuestion(_Nested):
    title: Text
    value: Annotated[str, StringConstraints(max_length=128)] = ""


class RegistrantInput(ZoomInput):
    """The body of ``POST /meetings/{meetingId}/registrants``."""

    first_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    email: Email
    last_name: Name | None = None
    address: Text | None = None
    city: Text | None = None
    state: Text | None = None
    zip: Text | None = None
    country: Text | None = None
    phone: Text | None = None
    comments: Annotated[str, StringConstraints(max_length=2048)] | None = None
    industry: Text | None = None
    org: Text | None = None
    job_title: Text | None = None
    no_of_employees: NoOfEmployees | None = None
    purchasing_time_frame: PurchasingTimeFrame | None = None
    role_in_purchase_process: RoleInPurchaseProcess | None = None
    language: Language | None = None
    custom_questions: list[CustomQuestion] | None = Field(default=None, max_length=100)
    auto_approve: bool | None = None

    def profile(self) -> dict[str, str]:
        """The optional text fields that were sent."""
        fields = self.model_dump(
            include=self.sent(),
            exclude={"first_name", "email", "custom_questions", "auto_approve", "language"},
        )
        return {name: str(value) for name, value in fields.items()}


class RegistrantCreateQuery(ZoomInput):
    occurrence_ids: Annotated[str, StringConstraints(max_length=2048)] | None = None

    def ids(self) -> list[str]:
        return [part.strip() for part in (self.occurrence_ids or "").split(",") if part.strip()]


class ListRegistrantsQuery(ZoomInput):
    """Query of ``GET /meetings/{meetingId}/registrants``."""

    occurrence_id: OccurrenceId | None = None
    status: Literal["pending", "approved", "denied"] | None = None
    page_size: int | None = Field(default=None, ge=1)
    page_number: PageNumber | None = None
    next_page_token: Annotated[str, StringConstraints(max_length=2048)] | None = None


class OccurrenceQuery(ZoomInput):
    """``?occurrence_id`` of ``DELETE .../registrants/{id}`` and ``PUT .../registrants/status``."""

    occurrence_id: OccurrenceId | None = None


class RegistrantRef(_Nested):
    id: Annotated[str, StringConstraints(max_length=64)] | None = None
    email: Annotated[str, StringConstraints(max_length=128)] | None = None

    @model_validator(mode="after")
    def _named(self) -> RegistrantRef:
        if not self.id and not self.email:
            raise ValueError("Either id or email is required.")
        return self


def _at_most_30(refs: list[RegistrantRef]) -> list[RegistrantRef]:
    if len(refs) > MAX_STATUS_CHANGES:
        raise ValueError(f"A maximum of {MAX_STATUS_CHANGES} registrants can be updated at a time.")
    return refs


class RegistrantStatusInput(ZoomInput):
    """The body of ``PUT /meetings/{meetingId}/registrants/status``."""

    action: Literal["approve", "cancel", "deny"]
    registrants: Annotated[list[RegistrantRef], AfterValidator(_at_most_30)] | None = None
