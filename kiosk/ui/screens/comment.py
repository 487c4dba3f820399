"""The optional comment, typed on an on-screen keyboard with å, ä and ö; redacted on save. Each
visitor finds the keyboard fresh: letters, in the case an empty field wants."""

from __future__ import annotations

from kiosk.session import View
from kiosk.ui.screens.base import KioskScreen


class CommentScreen(KioskScreen):
    def on_pre_enter(self, *args: object) -> None:
        super().on_pre_enter(*args)
        field = self.ids.comment
        field.text = ""
        field.focus = True
        self.ids.keyboard.reset()

    def refresh(self, view: View) -> None:
        self.ids.comment.max_chars = view.comment_max_chars

    def send(self) -> None:
        self.app.session.submit_comment(self.ids.comment.text)

    def skip(self) -> None:
        self.app.session.submit_comment(None)
