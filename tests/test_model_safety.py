"""Model files load safely or not at all; saves replace a model in one step; files get the
umask's permissions. (bench/fuzz_models.py runs the fuzz at 10,000 mutations.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import one_series
from model_fuzz import fuzz, small_models

import rnnkit
from rnnkit.artifacts import META, meta_checksum
from rnnkit.errors import ArtifactError
from rnnkit.files import staged_dir, umask


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One small model of each kind (forecaster, numeric and text classifier, regressor)."""
    work = tmp_path_factory.mktemp("models")
    return work, small_models(work)


def test_mutated_model_files_are_refused_or_work(saved, tmp_path):
    """160 seeded mutations of every kind: each is refused with ArtifactError, or loads and
    predicts what the original did, or is a self-consistent file that predicts finite
    numbers; none hangs past 2 s (the bench runs 10,000)."""
    _, models = saved
    counts = fuzz(models, 160, seed=0, work=tmp_path)
    bad = {k: v for k, v in counts.items() if k not in ("refused", "same", "consistent")}
    assert not bad, bad
    assert counts["refused"] > 60 and counts["same"] > 10


def test_an_edited_model_json_is_refused_by_its_checksum(saved, tmp_path):
    work, _ = saved
    import shutil

    shutil.copytree(work / "forecaster", tmp_path / "m")
    doc = json.loads((tmp_path / "m" / META).read_text())
    doc["params"]["hidden_size"] = 9
    (tmp_path / "m" / META).write_text(json.dumps(doc))
    with pytest.raises(ArtifactError, match="does not match its checksum"):
        rnnkit.load(tmp_path / "m")
    doc["meta_sha256"] = meta_checksum(doc)  # consistent now, but the weights do not fit
    (tmp_path / "m" / META).write_text(json.dumps(doc))
    with pytest.raises(ArtifactError, match="does not make a working Forecaster"):
        rnnkit.load(tmp_path / "m")


def test_nan_in_model_json_and_symlinks_are_refused(saved, tmp_path):
    work, _ = saved
    import shutil

    shutil.copytree(work / "forecaster", tmp_path / "m")
    text = (tmp_path / "m" / META).read_text()
    (tmp_path / "m" / META).write_text(text.replace('"seed": 0', '"seed": NaN'))
    with pytest.raises(ArtifactError, match="NaN is not a finite number"):
        rnnkit.load(tmp_path / "m")
    (tmp_path / "m" / META).unlink()
    (tmp_path / "outside.json").write_text(text)
    os.symlink(tmp_path / "outside.json", tmp_path / "m" / META)
    with pytest.raises(ArtifactError, match="symbolic link"):
        rnnkit.load(tmp_path / "m")


KILL_SAVE = textwrap.dedent("""
    import os, signal, sys
    import rnnkit, rnnkit.files as files
    point, target = int(sys.argv[1]), sys.argv[2]
    model = rnnkit.load(sys.argv[3])
    model.hidden_size  # loaded
    calls = [0]
    real_rename, real_exchange = files._rename, files._exchange
    def hit():
        calls[0] += 1
        if calls[0] == point:
            os.kill(os.getpid(), signal.SIGKILL)
    def rename(a, b):
        hit(); real_rename(a, b); hit()
    def exchange(a, b):
        hit(); ok = real_exchange(a, b); hit(); return ok
    files._rename, files._exchange = rename, exchange
    model.save(target)
    print("saved", calls[0])
""")


def test_a_save_killed_at_every_rename_point_leaves_the_old_or_the_new_model(saved, tmp_path):
    work, models = saved
    old_path, predict = models["forecaster"]
    new = rnnkit.Forecaster(epochs=1, repeats=1, verbose=0, hidden_size=8).fit(
        one_series(120, "MS", seasons=((12, 2.0),), level=30.0))  # other data, forecasts
    new.save(tmp_path / "new")
    old_out = predict(rnnkit.load(old_path))
    new_out = predict(new)
    script = tmp_path / "kill_save.py"
    script.write_text(KILL_SAVE)
    target = tmp_path / "target"
    point, outcomes = 1, []
    while True:
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(old_path, target)
        run = subprocess.run([sys.executable, str(script), str(point), str(target),
                              str(tmp_path / "new")], capture_output=True, text=True)
        got = predict(rnnkit.load(target))  # never missing, never a mix
        assert np.array_equal(got, old_out) or np.array_equal(got, new_out)
        outcomes.append("new" if np.array_equal(got, new_out) else "old")
        if run.returncode == 0:
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        point += 1
    assert outcomes[0] == "old" and outcomes[-1] == "new" and point >= 2
    rnnkit.load(target).save(target)  # the next save removes what killed saves left
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".target")) == []


def test_outputs_are_staged_together_and_keep_the_users_other_files(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "forecast.csv").write_text("old")
    with pytest.raises(RuntimeError), staged_dir(out) as stage:
        (stage / "forecast.csv").write_text("new")
        raise RuntimeError("killed mid-run")
    assert (out / "forecast.csv").read_text() == "old"  # nothing half-written
    with staged_dir(out) as stage:
        (stage / "forecast.csv").write_text("new")
        (stage / "metrics.json").write_text("{}")
    assert (out / "forecast.csv").read_text() == "new" and (out / "notes.txt").read_text() \
        == "mine" and (out / "metrics.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    (out / "model").mkdir()
    (out / "model" / "readme.txt").write_text("my notes")  # where a CLI run saves its model
    with staged_dir(out) as stage:
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
    assert (out / "model" / "readme.txt").read_text() == "my notes"
    assert (out / "model" / "model.json").exists() and (out / "notes.txt").exists()


def test_outputs_never_replace_an_existing_out_folder(tmp_path, monkeypatch):
    """An existing --out was swapped whole: a log open in a subfolder lost its later lines,
    hard links came apart and a shell inside it was left in a deleted folder."""
    out = tmp_path / "project"
    (out / "logs").mkdir(parents=True)
    (out / "a").write_text("mine")
    os.link(out / "a", out / "b")
    inode = out.stat().st_ino
    log = open(out / "logs" / "train.log", "w")  # noqa: SIM115 (kept open across the run)
    log.write("before\n")
    log.flush()
    monkeypatch.chdir(out)
    with staged_dir(".") as stage:  # "." had no name to stage beside
        (stage / "metrics.json").write_text("{}")
    log.write("after\n")
    log.close()
    assert (out / "logs" / "train.log").read_text() == "before\nafter\n"
    assert out.stat().st_ino == inode and (out / "a").stat().st_ino == (out / "b").stat().st_ino
    assert (out / "metrics.json").exists() and Path.cwd().samefile(out)
    with staged_dir("..") as stage:  # copied the folder into itself
        (stage / "up.txt").write_text("x")
    assert (tmp_path / "up.txt").exists() and not any(".tmp-" in p.name for p in
                                                      tmp_path.rglob("*"))


def test_a_commands_outputs_of_its_last_run_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "run"
    with staged_dir(out, "backtest") as stage:
        for name in ("backtest_direct.png", "backtest_recursive.png", "metrics.json"):
            (stage / name).write_text("old")
    (out / "notes.txt").write_text("mine")
    with staged_dir(out, "forecast") as stage:  # another command's outputs stay
        (stage / "forecast.csv").write_text("f")
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
        (stage / "model" / "extra.bin").write_text("old model's")
    (out / "model" / "README.md").write_text("my notes")
    with staged_dir(out, "backtest") as stage:
        (stage / "backtest.png").write_text("new")
        (stage / "metrics.json").write_text("new")
    names = sorted(p.name for p in out.iterdir())
    assert names == [".rnnkit-outputs.json", "backtest.png", "forecast.csv", "metrics.json",
                     "model", "notes.txt"]
    with staged_dir(out, "forecast") as stage:  # the model is exchanged whole: the user's
        (stage / "model").mkdir()              # notes stay, the old model's extra goes
        (stage / "model" / "model.json").write_text("{}")
    assert sorted(p.name for p in (out / "model").iterdir()) == ["README.md", "model.json"]
    assert not (out / "forecast.csv").exists() and (out / "backtest.png").exists()


def test_an_output_where_the_user_has_another_kind_of_entry_is_refused(tmp_path):
    from rnnkit.errors import InputError

    out = tmp_path / "run"
    (out / "model").mkdir(parents=True)
    (out / "model" / "mine.txt").write_text("mine")
    with pytest.raises(InputError, match="holds 'model', where this run writes a file"), \
            staged_dir(out) as stage:
        (stage / "model").write_text("a file")
    assert (out / "model" / "mine.txt").read_text() == "mine"


def test_a_users_file_at_an_outputs_name_is_kept_and_a_bad_record_deletes_nothing(
        tmp_path, capsys):
    """`rnnkit forecast forecast.csv --out .` replaced the data with the forecast; a
    hand-edited record {"backtest": "abc"} deleted the user's files a, b and c."""
    out = tmp_path / "project"
    out.mkdir()
    (out / "forecast.csv").write_text("the user's data")
    for name in "abc":
        (out / name).write_text("mine")
    (out / ".rnnkit-outputs.json").write_text('{"backtest": "abc", "tag": [1, null]}')
    with staged_dir(out, "backtest") as stage:
        (stage / "forecast.csv").write_text("the forecast")
    assert (out / "forecast.csv").read_text() == "the forecast"
    assert (out / "forecast.csv.~1~").read_text() == "the user's data"
    assert "kept as 'forecast.csv.~1~'" in capsys.readouterr().err
    assert all((out / name).read_text() == "mine" for name in "abc")
    with staged_dir(out, "backtest") as stage:  # now recorded as rnnkit's: replaced
        (stage / "forecast.csv").write_text("again")
    assert not (out / "forecast.csv.~2~").exists() and capsys.readouterr().err == ""
    # an output the user edited since is not removed as stale
    with staged_dir(out, "backtest") as stage:
        (stage / "plot_a.png").write_text("a")
        (stage / "plot_b.png").write_text("b")
    (out / "plot_b.png").write_text("edited by hand")
    with staged_dir(out, "backtest") as stage:
        (stage / "forecast.csv").write_text("x")
    assert not (out / "plot_a.png").exists() and (out / "plot_b.png").exists()
    capsys.readouterr()
    # commands taking turns: each one's outputs are rnnkit's, whichever wrote them last
    for writer in ("forecast", "backtest", "forecast", "backtest"):
        with staged_dir(out, writer) as stage:
            (stage / "metrics.json").write_text(writer * 3)
            (stage / "model").mkdir()
            (stage / "model" / "model.json").write_text(writer)
    assert "kept as" not in capsys.readouterr().err
    assert not list(out.glob("*.~2~")) and not list(out.glob("model.~*"))
    record = json.loads((out / ".rnnkit-outputs.json").read_text())
    assert "metrics.json" in record["backtest"] and "metrics.json" not in record["forecast"]
    (out / "forecast.csv.~2~").symlink_to(tmp_path / "nowhere")  # a dangling link
    (out / "forecast.csv").write_text("the user's again")
    with staged_dir(out, "backtest") as stage:
        (stage / "forecast.csv").write_text("new")
    assert (out / "forecast.csv.~3~").read_text() == "the user's again"
    assert not (tmp_path / "nowhere").exists()


def test_a_recorded_name_is_not_enough_to_replace_a_file_nor_to_delete_through_a_link(
        tmp_path, capsys):
    """The record was read by name alone: a user's file put back at an output's name was
    replaced without a copy; stale removal followed a link at model/ out of the folder; a
    user's own model/ folder (never recorded) was exchanged and deleted."""
    out = tmp_path / "run"
    with staged_dir(out, "forecast") as stage:
        (stage / "forecast.csv").write_text("rnnkit's")
    (out / "forecast.csv").unlink()
    (out / "forecast.csv").write_text("the user's data, put back")
    with staged_dir(out, "forecast") as stage:
        (stage / "forecast.csv").write_text("new")
    assert (out / "forecast.csv.~1~").read_text() == "the user's data, put back"
    capsys.readouterr()
    # a model saved by a search, moved elsewhere and linked back
    with staged_dir(out, "tune") as stage:
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (out / "model").rename(tmp_path / "elsewhere" / "mine")
    (out / "model").symlink_to(tmp_path / "elsewhere" / "mine")
    with staged_dir(out, "tune") as stage:  # writes no model: its old one is stale
        (stage / "best.json").write_text("{}")
    assert (tmp_path / "elsewhere" / "mine" / "model.json").read_text() == "{}"
    # a model folder of the user's own, at the name where a run writes its model
    mine = tmp_path / "project"
    (mine / "model").mkdir(parents=True)
    (mine / "model" / "model.json").write_text("my model")
    with staged_dir(mine, "forecast") as stage:
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("the run's")
    assert (mine / "model.~1~" / "model.json").read_text() == "my model"
    assert (mine / "model" / "model.json").read_text() == "the run's"
    assert "kept as 'model.~1~'" in capsys.readouterr().err


def test_a_clash_is_refused_before_any_output_moves_and_a_link_is_replaced(tmp_path):
    from rnnkit.errors import InputError

    out = tmp_path / "run"
    (out / "z.png").mkdir(parents=True)  # a folder where a file goes
    with pytest.raises(InputError, match="holds 'z.png', where this run writes a file"), \
            staged_dir(out) as stage:
        (stage / "a.csv").write_text("new")
        (stage / "z.png").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["z.png"]  # a.csv did not move in
    (out / "z.png").rmdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("mine")
    (out / "model").symlink_to(tmp_path / "elsewhere")
    with staged_dir(out) as stage:
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
    assert not (out / "model").is_symlink() and (out / "model" / "model.json").exists()
    assert (tmp_path / "elsewhere" / "keep.txt").read_text() == "mine"


def test_a_models_folder_no_longer_written_is_removed_with_its_files(tmp_path):
    """tune(refit=False) into an earlier search's folder left its model beside a best.json
    that says no model was saved; a user's file in that folder stays, and so does it."""
    out = tmp_path / "search"
    with staged_dir(out, "tune") as stage:
        (stage / "best.json").write_text("{}")
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
    with staged_dir(out, "tune") as stage:
        (stage / "best.json").write_text("{}")
    assert not (out / "model").exists()
    with staged_dir(out, "tune") as stage:
        (stage / "model").mkdir()
        (stage / "model" / "model.json").write_text("{}")
    (out / "model" / "notes.txt").write_text("mine")
    with staged_dir(out, "tune") as stage:
        (stage / "best.json").write_text("{}")
    assert sorted(p.name for p in (out / "model").iterdir()) == ["notes.txt"]


def test_a_cli_run_refuses_an_out_whose_model_is_a_file(tmp_path):
    from rnnkit.errors import InputError
    from rnnkit.files import check_out_dir

    (tmp_path / "model").write_text("mine")
    with pytest.raises(InputError, match="holds a file named 'model'"):
        check_out_dir(tmp_path, model=True)
    check_out_dir(tmp_path)  # a job that saves no model (a backtest) keeps it


def test_saved_files_follow_the_umask(saved, tmp_path):
    work, _ = saved
    model = rnnkit.load(work / "forecaster")
    old = os.umask(0o022)
    try:
        model.save(tmp_path / "m")
        model.save(tmp_path / "m.zip")
    finally:
        os.umask(old)
    assert umask() == old
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "m" / META).stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "m.zip").stat().st_mode & 0o777 == 0o644


def test_readers_racing_resaves_never_see_a_mix(saved, tmp_path):
    """A reader loading while another process saves over the model 20 times."""
    work, models = saved
    path, predict = models["forecaster"]
    import shutil

    shutil.copytree(path, tmp_path / "m")
    expected = predict(rnnkit.load(path))
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import rnnkit
        m = rnnkit.load({str(path)!r})
        for _ in range(20):
            m.save({str(tmp_path / 'm')!r})
    """)])
    loads = 0
    while writer.poll() is None:
        assert np.array_equal(predict(rnnkit.load(tmp_path / "m")), expected)
        loads += 1
    assert writer.returncode == 0 and loads > 0


def test_a_save_never_replaces_a_folder_of_other_files_and_keeps_extras_of_a_model(
        saved, tmp_path):
    """save() over a folder replaced it whole: the user's files in it were deleted."""
    work, _ = saved
    model = rnnkit.load(work / "forecaster")
    mine = tmp_path / "thesis"
    (mine / "data").mkdir(parents=True)
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(ArtifactError, match="directory of other files.*not a model"):
        model.save(mine)
    assert (mine / "thesis.txt").read_text() == "years of work"
    model.save(tmp_path / "m")
    (tmp_path / "m" / "README.txt").write_text("what this model is")
    model.save(tmp_path / "m")  # a model's own folder: overwritten, the note kept
    assert (tmp_path / "m" / "README.txt").read_text() == "what this model is"
    (tmp_path / "empty").mkdir()
    model.save(tmp_path / "empty")
    assert rnnkit.load(tmp_path / "empty").predict().equals(model.predict())


def test_a_save_never_replaces_a_zip_of_other_files(saved, tmp_path):
    """save('photos.zip') replaced a user's zip with the model; a zipped model with a note
    beside it was refused as another zip."""
    import zipfile

    work, _ = saved
    model = rnnkit.load(work / "forecaster")
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as z:
        z.writestr("a.jpg", b"holiday")
    (tmp_path / "table.zip").write_text("a,b\n1,2\n")  # not a zip at all
    for name, said in (("photos.zip", "a zip of other files \\(a.jpg\\)"),
                       ("table.zip", "is not a zip, not a model")):
        before = (tmp_path / name).read_bytes()
        with pytest.raises(ArtifactError, match=said):
            model.save(tmp_path / name)
        assert (tmp_path / name).read_bytes() == before
    model.save(tmp_path / "m.zip")
    model.save(tmp_path / "m.zip")  # a zipped model: overwritten
    assert rnnkit.load(tmp_path / "m.zip").predict().equals(model.predict())
    import shutil

    model.save(tmp_path / "folder" / "v1")  # a model zipped in its folder: loads, and saves
    shutil.make_archive(str(tmp_path / "v1"), "zip", tmp_path / "folder", "v1")
    rnnkit.load(tmp_path / "v1.zip").save(tmp_path / "v1.zip")
    assert rnnkit.load(tmp_path / "v1.zip").predict().equals(model.predict())
    # a zip of a model's folder with a note beside: overwritten in place, the note kept
    (tmp_path / "folder" / "v1" / "README.txt").write_text("what this model is")
    shutil.make_archive(str(tmp_path / "noted"), "zip", tmp_path / "folder", "v1")
    model.save(tmp_path / "noted.zip")
    with zipfile.ZipFile(tmp_path / "noted.zip") as z:
        assert z.read("v1/README.txt") == b"what this model is"
        assert {"v1/model.json", "v1/weights.safetensors"} <= set(z.namelist())
        assert "model.json" not in z.namelist()
    assert rnnkit.load(tmp_path / "noted.zip").predict().equals(model.predict())


def test_a_link_to_a_model_saves_the_model_and_a_zip_of_its_folder_loads(saved, tmp_path):
    import shutil

    work, _ = saved
    model = rnnkit.load(work / "forecaster")
    model.save(tmp_path / "v1")
    os.symlink(tmp_path / "v1", tmp_path / "latest")
    model.save(tmp_path / "latest")
    assert (tmp_path / "latest").is_symlink() and (tmp_path / "v1" / META).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "v1"]
    archive = shutil.make_archive(str(tmp_path / "zipped"), "zip", tmp_path, "v1")
    assert rnnkit.load(archive).predict().equals(model.predict())


def test_a_season_longer_than_the_weights_still_loads(tmp_path):
    """Lengths in steps were bounded by the count of weights: a genuine model with a
    720-step season and a small network was refused as altered."""
    data = one_series(800, "h", seasons=((24, 2.0),), seed=0)
    model = rnnkit.Forecaster(hidden_size=1, season_length=720, lookback=24, horizon=200,
                              strategy="recursive", epochs=1, verbose=0).fit(data)
    model.save(tmp_path / "m")
    assert rnnkit.load(tmp_path / "m").predict().equals(model.predict())


def test_a_model_saved_with_both_training_budgets_still_loads(tmp_path):
    """Two budgets are refused at fit; a file that holds both (saved before) loads."""
    X = np.random.default_rng(0).normal(size=(12, 5, 1))
    model = rnnkit.SequenceClassifier(epochs=1, hidden_size=4, verbose=0).fit(X, [0, 1] * 6)
    model.set_params(max_steps=3).save(tmp_path / "both")
    np.testing.assert_array_equal(rnnkit.load(tmp_path / "both").predict_proba(X),
                                  model.predict_proba(X))
    with pytest.raises(rnnkit.InputError, match="two budgets"):
        model.fit(X, [0, 1] * 6)
