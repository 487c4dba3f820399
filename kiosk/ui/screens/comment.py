"""The optional comment, typed on an on-screen keyboard with å, ä and ö; redacted on save. Each
visitor finds the keyboard fresh: letters, in the case an empty field wants. What is typed goes
to the session as it changes, so a visitor who walks away still has it sent with the rating."""

from __future__ import annotations

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen


class CommentScreen(KioskScreen):
    def on_kv_post(self, base_widget: object) -> None:
        super().on_kv_post(base_widget)
        self.ids.comment.bind(text=self._draft_changed)

    def on_pre_enter(self, *args: object) -> None:
        super().on_pre_enter(*args)
        field = self.ids.comment
        field.text = ""
        field.focus = True
        self.ids.keyboard.reset()

    def refresh(self, view: View) -> None:
        self.ids.comment.max_chars = view.comment_max_chars
        if not view.warning:
            self.ids.comment.focus = True  # the cursor back after "Do you need more time?"

    def _draft_changed(self, _field: object, text: str) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.app.session.update_draft(text)

    def send(self) -> None:
        self.app.session.submit_comment(self.ids.comment.text)

    def skip(self) -> None:
        self.app.session.submit_comment(None)
