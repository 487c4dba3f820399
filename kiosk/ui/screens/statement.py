"""One statement of the national set per screen: a face for each agreement step with its words
(disagree on the left, agree on the right), "I cannot say", and "Stop and send" for a visitor who
wants to stop (what was answered is sent). The step given before is shown chosen when the
visitor comes back to it."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.answer_words import step_names
from kiosk.session import QuestionView
from kiosk.ui.geometry import agreement_level
from kiosk.ui.screens.question import QuestionScreen
from kiosk.ui.widgets.buttons import BounceFilteredButton, fit_font


def shared_step_font(names: list[str], width: float, largest: float) -> float:
    """One font size for every step's words under faces `width` wide, so the faces stay in
    line: the largest at which each name's longest word fits."""
    return min((fit_font(name, width, largest) for name in names), default=largest)


class StatementScreen(QuestionScreen):
    cannot_say = BooleanProperty(True)  # the scale offers "I cannot say"
    chosen = NumericProperty(-1)  # the step given before; 0 for "I cannot say"; -1 for none

    def show_question(self, asked: QuestionView, language: str) -> None:
        self.cannot_say = asked.cannot_say
        names = step_names(lambda m: self.app.t(m, language), asked.steps, asked.labels)
        self._show_steps(names)
        if not asked.answered:
            self.chosen = -1
        else:
            self.chosen = 0 if asked.chosen is None else asked.chosen

    def _show_steps(self, names: tuple[str, ...]) -> None:
        """A face button per step, disagree first: built again only when the number of steps
        changes (a new config)."""
        row = self.ids.steps
        if len(row.children) != len(names):
            row.clear_widgets()
            for step in range(1, len(names) + 1):
                button = AgreementStep(step=step, control=f"agree-{step}")
                button.rating = agreement_level(step, len(names))
                button.bind(on_activate=lambda b: self.app.session.answer(b.step))
                row.add_widget(button)
        row.names = list(names)
        for button in row.children:
            button.word = names[button.step - 1]


class AgreementStep(BounceFilteredButton, BoxLayout):
    """An agreement step: its face over its words (beside them in a one-column list); the
    whole box is one touch target."""

    step = NumericProperty(1)
    rating = NumericProperty(4)  # the face's level (kiosk.ui.geometry.agreement_level)
    word = StringProperty("")
    bg = ColorProperty("#ffffff")
