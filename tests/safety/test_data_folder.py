"""Issue 17, the data folder: malformed settings, profiles and guided scripts never stop the trainer; each is
named with its reason and defaults are used; NaN or negative script values are refused with the reason;
profiles are written whole, and a damaged one is kept, not replaced."""

from __future__ import annotations

import json

import pytest

from vagal_coach.cli import main

BUNDLED = "src/vagal_coach/data/guided/soothing-rhythm.en.json"


def _script(**changes) -> str:
    from pathlib import Path

    d = json.loads((Path(__file__).resolve().parents[2] / BUNDLED).read_text(encoding="utf-8"))
    d["id"] = "mine"
    for k, v in changes.items():
        if k.startswith("phase0_"):
            d["phases"][0][k[7:]] = v
        else:
            d[k] = v
    return json.dumps(d, allow_nan=True)


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("VAGAL_COACH_HOME", str(h))
    (h / "guided").mkdir(parents=True)
    (h / "profiles").mkdir()
    return h


@pytest.mark.parametrize("changes,reason", [
    ({"phase0_share": float("nan")}, "'share' nan"), ({"phase0_share": -0.2}, "'share' -0.2"),
    ({"phase0_min_s": -5}, "'min_s' -5"), ({"inhale_fraction": 1.5}, "inhale_fraction"),
    ({"prompt_seconds": float("nan")}, "'prompt_seconds' nan"), ({"max_minutes": -1}, "max_minutes"),
])
def test_nan_or_negative_script_values_are_refused_with_the_reason(home, changes, reason):
    from vagal_coach.session.guided import available_scripts, script_problems

    (home / "guided" / "mine.json").write_text(_script(**changes))
    assert all(s.id != "mine" for s in available_scripts())
    problems = script_problems()
    assert len(problems) == 1 and "mine.json" in problems[0] and reason in problems[0], problems


def test_a_good_own_script_is_offered(home):
    from vagal_coach.session.guided import available_scripts, script_problems

    (home / "guided" / "mine.json").write_text(_script())
    assert any(s.id == "mine" for s in available_scripts()) and script_problems() == []


@pytest.fixture
def loop(qapp):
    import asyncio
    import gc

    qasync = pytest.importorskip("qasync")
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    gc.collect()
    gc.disable()
    try:
        lp.close()
    finally:
        gc.enable()


def test_malformed_files_never_stop_the_trainer_and_are_named(home, qtbot, loop):
    (home / "guided" / "mine.json").write_text("[1, 2]")
    (home / "settings.json").write_text('{"scale": "huge", "theme": 5, "rate_bpm": NaN, "last_device": 7}')
    (home / "profiles" / "default.json").write_text("[1, 2]")
    from vagal_coach.gui.app import TrainController

    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    text = ctrl.window.notice.text()
    assert ctrl.window.notice.isVisibleTo(ctrl.window)
    for needle in ("mine.json", "settings.json", "scale", "theme", "rate_bpm", "last_device", "default.json"):
        assert needle in text, (needle, text)
    assert ctrl.window.pacer_controls.rate.value() == pytest.approx(6.0)  # the default


def test_profile_shapes_never_stop_the_commands(home, capsys):
    (home / "profiles" / "default.json").write_text("[1, 2]")
    assert main(["record", "--simulate", "--protocol", "fine-tune", "--rate", "6", "--minutes", "0.2",
                 "--speed", "max"]) == 0
    (home / "profiles" / "default.json").write_text('{"resonance_bpm": "fast"}')
    assert main(["record", "--simulate", "--protocol", "fine-tune", "--minutes", "0.2", "--speed", "max"]) == 2
    assert "no resonance rate yet" in capsys.readouterr().err


def test_saving_over_a_damaged_profile_keeps_it_beside(home):
    from vagal_coach.session.library import load_profile, update_profile

    p = home / "profiles" / "default.json"
    p.write_text("{ half a profile")
    update_profile("default", coherence_target=2.0)
    assert load_profile("default")["coherence_target"] == 2.0
    kept = list((home / "profiles").glob("default.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{ half a profile"


def test_names_never_share_a_profile_or_folder_and_history_finds_them(home, capsys):
    from vagal_coach.session.library import load_profile, save_resonance

    save_resonance("Anna Müller", 5.5, 0.9, "stepped", "x")
    assert load_profile("Anna Möller").get("resonance_bpm") is None  # not the other client's rate
    assert load_profile("Anna Müller")["resonance_bpm"] == 5.5
    for who in ("Anna Müller", "Anna Möller", "Ana B."):
        assert main(["record", "--simulate", "--duration", "3", "--speed", "max", "--profile", who]) == 0
    folders = sorted(d.name for d in (home / "recordings").iterdir())
    assert len(folders) == 3
    capsys.readouterr()
    for who in ("Anna Müller", "Anna Möller", "Ana B."):
        assert main(["history", "--profile", who, "--json"]) == 0
        rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert [r["profile"] for r in rows] == [who]
    from vagal_coach.session.library import list_profiles

    assert {"Anna Müller", "Anna Möller", "Ana B."} <= set(list_profiles())
