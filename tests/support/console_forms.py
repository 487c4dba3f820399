"""The console's forms as a browser submits them, for tests of the admin pages: what a form
holds (`form_of`), the form sent with changes (`submit`), and an admin signed in (`as_admin`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from tests.support.console import person, sign_in


class FormReader(HTMLParser):
    """What a browser would submit of the form with `action`: text and hidden inputs with
    their values, checked checkboxes and radio buttons, selected options, textareas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif a.get("type") != "submit":
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((self._textarea, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(html: str, action: str) -> dict[str, list[str]]:
    reader = FormReader(action)
    reader.feed(html)
    assert reader.fields, f"no form {action}"
    fields: dict[str, list[str]] = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields


def submit(client: TestClient, url: str, form: dict[str, list[str]], **changes):
    """The form as read, with `changes` (a value, a list, or None to leave it out)."""
    data = dict(form)
    for name, value in changes.items():
        if re.match(r"(sp|rs|rsp|rrs|site)_", name) and name != "site_file":
            name = name.replace("_", "-")  # sp_0_prefix: the field sp-0-prefix
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data=data, follow_redirects=False)


def as_admin(client: TestClient, email: str = "admin@example.fi") -> None:
    client.headers["Accept-Language"] = "en"
    person(client, email, "admin", [])
    assert sign_in(client, email).status_code == 303


def config(client: TestClient, enrolment: dict):
    return client.get("/api/v1/config", headers={"Authorization": f"Bearer {enrolment['token']}"})
