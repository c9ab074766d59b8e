"""A scenario file is parsed once per process (`model.scenario._parse`), but every reader gets its own
copy, and a file that does not parse fails every time."""

import pytest

from model.scenario import ScenarioError, _parse, read_scenario


def test_each_read_gets_its_own_copy_of_the_parsed_data():
    first, _ = read_scenario("pakistan-2025")
    first["settlement"]["recovery_ratio"] = -1.0
    first["plants"].clear()
    second, _ = read_scenario("pakistan-2025")
    assert second["settlement"]["recovery_ratio"] != -1.0
    assert len(second["plants"]) > 40


def test_bad_toml_fails_on_every_call_with_the_same_message():
    raw = b"[meta]\nname = 'x'\nbroken = \n"
    for _ in range(2):
        with pytest.raises(ScenarioError, match="upload.toml: not valid TOML"):
            _parse(raw, "upload.toml")
