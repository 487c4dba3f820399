"""A site's question set, the `[questions]` table of its site file (docs/question-sets.md):
the four smileys by default, or the national feedback model, checked as the kiosks will ask it
and turned into the kiosk config's `questions` (sync.protocol.ConfigQuestions)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from pydantic import ConfigDict, ValidationError, model_validator

from hymy_domain.national import QuestionSetName
from sync.protocol import ConfigQuestions, QuestionSetKeys


class Questions(QuestionSetKeys):
    """What the site's kiosks ask (docs/question-sets.md): `set = "smileys"` (the default: the
    four faces, reasons and comment) or `set = "national"`, the national feedback model with
    the keys of sync.protocol.QuestionSetKeys. Raise `version` whenever a question's wording
    changes: every answer carries the version it answered, and reports keep versions apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    set: QuestionSetName = "smileys"

    @model_validator(mode="after")
    def _national_is_complete(self) -> Questions:
        if self.set == "national":
            self.for_kiosk("site")  # the kiosk's rules: complete, unique ids, labels
        return self

    def for_kiosk(self, site_id: str) -> ConfigQuestions | None:
        """The set as the kiosks get it; None for the smileys. Raises ValueError (the set's
        problem in words) for a set the kiosks could not ask."""
        if self.set == "smileys":
            return None
        data = self.model_dump(exclude={"set"}, exclude_none=True)
        data["id"] = self.id or f"{site_id}-national"
        try:
            return ConfigQuestions.model_validate(data)
        except ValidationError as err:
            problems = (
                ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] if e["loc"] else e["msg"]
                for e in err.errors()
            )
            raise ValueError("; ".join(problems)) from None


def example_questions() -> dict[str, Any]:
    """The example national set (`hymy-central example questions`: Hymy's own wording in the
    national model's structure) as a site file's `[questions]` table."""
    text = (resources.files("hymy_assets") / "config" / "example-questions.toml").read_text(
        encoding="utf-8"
    )
    return tomllib.loads(text)["questions"]
