"""The admin PIN pad, reached by a long press in the start screen's top-left corner."""

from __future__ import annotations

import threading
import time

from kivy.clock import mainthread
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from kiosk.admin_lock import PinLockout
from kiosk.i18n import N_
from kiosk.pin import verify_pin
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.keyboard import KEY_BOUNCE_S

MAX_PIN_DIGITS = 8
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok")


class AdminPinScreen(KioskScreen):
    digits = StringProperty("")
    message = StringProperty(N_("Enter the admin PIN."))
    wrong = BooleanProperty(False)
    checking = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lockout = PinLockout()

    def on_kv_post(self, base_widget: object) -> None:
        for key in KEYPAD:
            kind = Factory.PrimaryButton if key == "ok" else Factory.SecondaryButton
            button = kind(control=f"pin-{key}", font_size=self.app.font_l, bounce_s=KEY_BOUNCE_S)
            button.key = key
            if key == "ok":
                self.app.bind(
                    lang=lambda _a, lang, b=button: setattr(b, "text", self.app.t("OK", lang))
                )
                button.text = self.app.t("OK", self.app.lang)
            else:
                button.text = "⌫" if key == "clear" else key
                button.font_name = "DejaVuSans" if key == "clear" else "Roboto"
            button.bind(on_activate=lambda b: self.press(b.key))
            self.ids.keypad.add_widget(button)

    def on_pre_enter(self, *args: object) -> None:
        super().on_pre_enter(*args)
        self.digits = ""
        self.wrong = False
        self.message = N_("Enter the admin PIN.")

    def press(self, key: str) -> None:
        if self.checking:
            return
        if key == "clear":
            self.digits = self.digits[:-1]
        elif key == "ok":
            self._check()
        elif len(self.digits) < MAX_PIN_DIGITS:
            self.digits += key

    def cancel(self) -> None:
        self.app.close_admin()

    def _check(self) -> None:
        now = time.monotonic()
        if self.lockout.locked(now):
            self.wrong = True
            self.message = N_("Too many wrong tries. Wait a minute and try again.")
            return
        pin, pin_hash = self.digits, self.app.kiosk_config.admin.pin_hash
        self.checking = True
        # Hashing a PIN takes a moment on a Pi: keep the frame running meanwhile.
        threading.Thread(
            target=lambda: self._checked(verify_pin(pin, pin_hash)), daemon=True
        ).start()

    @mainthread
    def _checked(self, ok: bool) -> None:
        self.checking = False
        self.digits = ""
        if self.app.manager.current != self.name:
            return  # timed out back to start meanwhile: the admin screen stays closed
        if ok:
            self.lockout.succeeded()
            self.app.show_screen("admin")
            return
        self.lockout.failed(time.monotonic())
        self.wrong = True
        self.message = N_("Wrong PIN. Try again.")
