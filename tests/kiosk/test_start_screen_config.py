"""The start screen's config keys: `[kiosk] help_line`, `[display] logo` and `[display] clock`,
and the comment field's edge against its background."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config, text
from kiosk.theme import PALETTE, contrast_ratio, hex_rgb
from tests.support.kiosk_config import example_config
from tests.support.paths import EXAMPLE_CONFIG


def test_the_example_has_a_help_line_a_logo_and_a_clock():
    config = load_config(EXAMPLE_CONFIG)
    assert text(config.kiosk.help_line, "sv").startswith("Behöver du hjälp?")
    assert config.display.clock is True
    # Relative to the config file's folder: the example's logo is in assets/images.
    assert config.logo_path is not None and config.logo_path.is_file()
    assert config.logo_path.suffix == ".png"


def test_the_keys_are_optional():
    lines = example_config().splitlines(keepends=True)
    bare = "".join(line for line in lines if not line.startswith(("help_line", "logo", "clock")))
    config = parse_config(bare, source="/etc/hymy/kiosk.toml")
    assert config.kiosk.help_line is None
    assert config.logo_path is None and config.display.clock is False


def test_an_absolute_logo_is_taken_as_it_is(tmp_path: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text(example_config(display__logo="/srv/hymy/logo.png"), encoding="utf-8")
    assert load_config(path).logo_path == Path("/srv/hymy/logo.png")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"display__clock": "yes"}, "display.clock"),
        ({"kiosk__help_line": "Vastaanotto on aulassa"}, "kiosk.help_line"),
        ({"kiosk__help_line": {"fi": ""}}, "kiosk.help_line"),
    ],
)
def test_a_wrong_value_names_its_key(change, key):
    with pytest.raises(ConfigError) as caught:
        parse_config(example_config(**change), source="/etc/hymy/kiosk.toml")
    assert key in str(caught.value)


def test_the_comment_field_has_an_edge_a_visitor_sees():
    """The field's edge (kiosk/ui/widgets/keyboard.kv: the muted text colour) stands at least
    3:1 against the screen and against the field (WCAG 1.4.11, non-text contrast)."""
    edge = hex_rgb(PALETTE.text_muted)
    for ground in (PALETTE.background, PALETTE.surface):
        assert contrast_ratio(edge, hex_rgb(ground)) >= 3.0
