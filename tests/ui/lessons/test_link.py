"""A lesson's link: ``?lesson=`` is no setting, and the settings are written against the lesson's preset."""
from dataclasses import replace

from ui.mlp.settings import MlpSettings
from ui.rnn.settings import RnnSettings
from ui.url import decode, encode


def test_the_lesson_parameter_is_not_an_unknown_setting():
    settings, notices = decode({"lesson": "learning-rate", "lr": "0.3"}, MlpSettings)
    assert notices == [] and settings.lr == 0.3


def test_a_link_written_against_a_preset_reads_back_the_same_settings():
    preset = RnnSettings.for_task("delayed_recall", delay=100, compare="rnn")
    changed = replace(preset, units=32, lr=RnnSettings.lr)        # lr back to the page default: still written
    link = encode(changed, preset)
    assert link == {"units": "32", "lr": "0.01"}
    assert decode({**link, "lesson": "x"}, RnnSettings, base=preset) == (changed, [])
    assert decode({"lesson": "x"}, RnnSettings, base=preset) == (preset, [])


def test_without_a_base_the_link_is_the_page_defaults_as_before():
    s = MlpSettings(dataset="xor", hidden=())
    assert decode(encode(s), MlpSettings) == (s, [])
