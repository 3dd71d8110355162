"""What the person is aiming for: the role, the setting, and the time and money they can give.

Goals are not part of the profile interchange format (a profile describes what
someone *has*); they steer the assessment (role and setting) and the plan: its
pace (study hours a week), its budget, and whether the quickest or the
cheapest roadmap is wanted.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_ROLE = "medical_office_manager"


class Goals(BaseModel):
    """A person's target and means, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = DEFAULT_ROLE
    setting: str = "small_practice"
    hours_per_week: Annotated[int, Field(ge=1, le=80)] = 10
    budget_usd: Annotated[int, Field(ge=0, le=500_000)] = 2_000
    optimize: Literal["time", "cost"] = "time"
