from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_support import one_line_error, run

AXES = ",".join(f"{k}_{a}" for k in ("body_acc", "gyro", "total_acc") for a in "xyz")


def test_classify_beats_its_baselines_and_writes_its_files(tmp_path, capsys):
    code, out, err = run(["classify", "activity", "--label-col", "activity", "--sequence-cols",
                          AXES, "--max-steps", "120", "--hidden-size", "16", "--out", tmp_path],
                         capsys)
    assert code == 0, err
    scores = json.loads((tmp_path / "metrics.json").read_text())
    assert scores["model"]["accuracy"] > scores["logistic on summaries"]["accuracy"]
    assert scores["model"]["accuracy"] > scores["majority class"]["accuracy"]
    for name in ("predictions.csv", "confusion.png", "learning_curves.png", "model/model.json"):
        assert (tmp_path / name).is_file()
    assert "logistic on summaries" in out
    predictions = pd.read_csv(tmp_path / "predictions.csv")
    assert set(predictions["predicted"]) <= {"walking", "running", "climbing", "cycling"}
    # inspect reads numeric sequences with the fitted columns (not as texts): as the API does
    import rnnkit
    from rnnkit.tasks.sequence_jobs import read_inputs

    code, out, err = run(["inspect", tmp_path / "model", "activity", "--sequence", "3",
                          "--out", tmp_path / "inspect"], capsys)
    assert code == 0, err
    shown = json.loads((tmp_path / "inspect" / "inspect.json").read_text())
    model = rnnkit.load(tmp_path / "model")
    X, _, ids = read_inputs(model, "activity")
    expected = model.inspect(X[3])
    assert shown["steps"] == expected.inputs.shape[0]
    assert shown["sequence_id"] == ids[3]  # which sequence --sequence 3 drew, by its id
    assert shown["most_active_units"] == expected.most_active_units("c", 0, 4).tolist()


def test_regress_with_static_covariates(tmp_path, capsys):
    code, out, err = run(["regress", "bmi", "--target-col", "bmi", "--sequence-cols", "counts",
                          "--static-cols", "age,sex,height", "--max-steps", "400", "--hidden-size",
                          "16", "--out", tmp_path], capsys)
    assert code == 0, err
    scores = json.loads((tmp_path / "metrics.json").read_text())
    assert scores["model"]["R2"] > scores["ridge on summaries"]["R2"] > scores["mean"]["R2"]
    assert (tmp_path / "scatter.png").is_file()
    # new data without a fitted column: that column is named, not the target it never needs
    import rnnkit

    new = tmp_path / "new.csv"
    rnnkit.load_dataset("bmi").drop(columns=["bmi", "height"]).to_csv(new, index=False)
    code, _, err = run(["predict", tmp_path / "model", new], capsys)
    assert code == 2 and "['height'] are not in the data" in err and "'bmi'" not in err


def test_a_misspelt_column_is_one_line(tmp_path, capsys):
    code, _, err = run(["classify", "activity", "--label-col", "activty", "--sequence-cols",
                        AXES, "--out", tmp_path], capsys)
    assert code == 2 and "Did you mean 'activity'" in err and len(err.strip().splitlines()) == 1


def test_text_classification_and_predict_on_new_data(tmp_path, capsys):
    code, out, err = run(["classify", "reviews", "--label-col", "sentiment", "--text-col",
                          "text", "--max-steps", "1000", "--out", tmp_path], capsys)
    assert code == 0, err
    scores = json.loads((tmp_path / "metrics.json").read_text())
    # negations ("not great" among the words of a positive review) defeat word counts, even
    # word pairs (TF-IDF of 1-2 grams); reading the sequence does not
    assert scores["model"]["accuracy"] > scores["TF-IDF + logistic"]["accuracy"] + 0.1
    assert "ROC-AUC" in scores["model"]
    new = tmp_path / "new.csv"
    pd.DataFrame({"id": [1, 2], "text": ["a superb film !", "the plot was not great"]}).to_csv(
        new, index=False)
    code, out, err = run(["predict", tmp_path / "model", new], capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("id,predicted,p(negative),p(positive)") and len(lines) == 3
    # inspect reads the file as the model was fitted (texts), one sequence of it
    code, out, err = run(["inspect", tmp_path / "model", new, "--sequence", "1", "--out",
                          tmp_path / "inspect"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "inspect" / "inspect.json").read_text())["steps"] == 5
    code, out, err = run(["inspect", tmp_path / "model", new, "--sequence", "2"], capsys)
    assert "--sequence 2 is out of range: DATA holds 2" in one_line_error(code, err)
    code, out, err = run(["inspect", tmp_path / "model"], capsys)
    assert "DATA is missing" in one_line_error(code, err)


def test_tag_labels_every_step_beside_a_model_without_context(tmp_path, capsys):
    code, out, err = run(["tag", "counting", "--sequence-cols", "a,marker,blank", "--epochs",
                          "12", "--hidden-size", "8", "--out", tmp_path], capsys)
    assert code == 0, err
    scores = json.loads((tmp_path / "metrics.json").read_text())
    # counting needs the steps before: each step alone is no better than the majority tag
    assert scores["model"]["accuracy"] > scores["logistic per step (no context)"]["accuracy"]
    assert scores["model"]["accuracy"] > 0.9
    predictions = pd.read_csv(tmp_path / "predictions.csv")
    assert list(predictions.columns) == ["id", "step", "true", "predicted"]
    assert len(predictions) == 150 * 18  # every step of the 25% held-out sequences
    assert (tmp_path / "confusion.png").is_file() and (tmp_path / "model").is_dir()
    code, out, err = run(["inspect", tmp_path / "model", "counting", "--sequence", "2",
                          "--out", tmp_path / "inspect"], capsys)  # read as `tag` read it
    assert code == 0, err
    assert json.loads((tmp_path / "inspect" / "inspect.json").read_text())["steps"] == 18
    code, out, err = run(["predict", tmp_path / "model", "counting"], capsys)  # every step
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "id,step,predicted" and len(lines) == 1 + 600 * 18
    code, out, err = run(["predict", tmp_path / "model", "counting", "--h", "5"], capsys)
    assert "--h 5: a SequenceTagger predicts one answer" in one_line_error(code, err)


def test_tag_regression_and_a_misspelt_label_column(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 10))
    frame = pd.DataFrame({"id": np.repeat(np.arange(60), 10), "step": np.tile(np.arange(10), 60),
                          "x": x.reshape(-1), "running": np.cumsum(x, axis=1).reshape(-1)})
    frame.to_csv(tmp_path / "sums.csv", index=False)
    code, out, err = run(["tag", tmp_path / "sums.csv", "--task", "regression", "--label-col",
                          "running", "--sequence-cols", "x", "--epochs", "20", "--hidden-size",
                          "8", "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    scores = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert scores["model"]["RMSE"] < scores["ridge per step (no context)"]["RMSE"]
    code, out, err = run(["tag", "counting", "--label-col", "tga", "--sequence-cols", "a"],
                         capsys)
    assert "--label-col tga is not a column" in one_line_error(code, err)


def test_tag_checks_out_before_training_and_a_split_without_training_part(tmp_path, capsys):
    (tmp_path / "taken.csv").write_text("x")
    code, out, err = run(["tag", "counting", "--sequence-cols", "a,marker,blank", "--epochs",
                          "1", "--out", tmp_path / "taken.csv"], capsys)
    assert "is a file" in one_line_error(code, err) and "accuracy" not in out  # no training
    code, out, err = run(["tag", "counting", "--sequence-cols", "a,marker,blank", "--epochs",
                          "1", "--test-size", "0.9999"], capsys)
    assert "--test-size 0.9999 cannot split 600 sequence(s)" in one_line_error(code, err)


def test_regress_on_texts_and_on_a_column_of_labels(tmp_path, capsys):
    """Text regression failed after training; a label column gave a traceback."""
    texts = ["good film", "bad film", "great film", "awful film"] * 6
    pd.DataFrame({"text": texts, "y": [1.0, -1.0, 2.0, -2.0] * 6}).to_csv(
        tmp_path / "reviews.csv", index=False)
    code, out, err = run(["regress", tmp_path / "reviews.csv", "--text-col", "text",
                          "--target-col", "y", "--max-steps", "3", "--hidden-size", "4",
                          "--embedding-dim", "4", "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    assert "TF-IDF + ridge" in json.loads((tmp_path / "out" / "metrics.json").read_text())
    with_gap = pd.DataFrame({"text": texts, "y": [1.0, -1.0, 2.0, -2.0] * 6})
    with_gap.loc[5, "text"] = ""  # read back as missing; named by its row, not the split's
    with_gap.to_csv(tmp_path / "gap.csv", index=False)
    code, out, err = run(["regress", tmp_path / "gap.csv", "--text-col", "text",
                          "--target-col", "y", "--max-steps", "1"], capsys)
    assert "column 'text' is empty in 1 row(s) (first: row 5 of the data)" in \
        one_line_error(code, err)
    frame = pd.DataFrame({"id": np.repeat(np.arange(8), 3), "step": np.tile(np.arange(3), 8),
                          "v": np.arange(24.0), "kind": np.repeat(["cat", "dog"] * 4, 3)})
    frame.to_csv(tmp_path / "labels.csv", index=False)
    code, out, err = run(["regress", tmp_path / "labels.csv", "--sequence-cols", "v",
                          "--target-col", "kind", "--max-steps", "2"], capsys)
    assert "--target-col kind must hold numbers" in one_line_error(code, err)


def _long(tmp_path, n=12, steps=5, **columns):
    """A small long frame (id, step, label, x) with columns changed or added."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": np.repeat([f"s{i}" for i in range(n)], steps),
                          "step": np.tile(np.arange(steps), n),
                          "label": np.repeat(["a", "b"] * (n // 2), steps),
                          "x": rng.normal(size=n * steps)})
    frame = frame.assign(**columns)
    frame.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path / "d.csv"


def test_a_column_plays_one_part_and_static_columns_are_numbers_per_sequence(tmp_path, capsys):
    """The label read as an input scored 1.000; a text static column was a traceback; a
    static column that changes within a sequence, or --text-col beside --sequence-cols
    (which it ignored), were silently accepted."""
    data = _long(tmp_path, sex=np.repeat(["f", "m"] * 6, 5), age=np.arange(60) // 5,
                 height=np.arange(60))
    out = ["--epochs", "1", "--out", tmp_path / "o"]
    cases = {
        "--sequence-cols label is already --label-col; a column plays one part: read as an "
        "input, the target gives the answer away. Drop it from --sequence-cols":
            ["classify", data, "--sequence-cols", "x, label"],
        "--static-cols x is already --sequence-cols":
            ["classify", data, "--sequence-cols", "x", "--static-cols", "x"],
        "--static-cols: column 'sex' must be numeric; sequence 's0' holds 'f'":
            ["regress", data, "--target-col", "age", "--sequence-cols", "x", "--static-cols",
             "sex"],
        "--static-cols: column 'height' changes within sequence 's0'":
            ["classify", data, "--sequence-cols", "x", "--static-cols", "age,height"],
        "--text-col x reads one text per row":
            ["classify", data, "--sequence-cols", "x", "--text-col", "x"],
    }
    for said, argv in cases.items():
        code, _, err = run([*argv, *out], capsys)
        assert said in one_line_error(code, err), err
    assert not (tmp_path / "o").exists()
    import rnnkit
    from rnnkit.tasks.sequence_jobs import run_sequence_job

    with pytest.raises(rnnkit.InputError, match="sequence_cols='label' is already target_col"):
        run_sequence_job("classification", data, "label", ["x", "label"])


def test_an_empty_label_is_named_by_its_sequence_and_numbers_are_sent_to_regress(
        tmp_path, capsys):
    """A missing label blamed --test-size (and quoted scikit-learn); so did numbers given to
    classify; a NaN target was named by its row after the shuffle."""
    label = np.repeat(["a", "b"] * 6, 5).astype(object)
    label[17] = None  # sequence s3, step 2
    data = _long(tmp_path, label=label)
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1"], capsys)
    assert "column 'label' (the target) is empty in 1 row(s) (first: sequence 's3', step 2)" \
        in one_line_error(code, err)
    data = _long(tmp_path, n=40, label=np.repeat(np.linspace(0, 1, 40), 5))
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1"], capsys)
    assert "the labels hold 40 different numbers over 40 sequences" in one_line_error(code, err)
    assert "rnnkit regress" in err
    data = _long(tmp_path, label=np.repeat(["a"] * 11 + ["b"], 5))
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1"], capsys)
    assert "class 'b' has 1 sequence" in one_line_error(code, err) and "test_size" not in err
    # integer classes, two of them with one sequence: classes still, not numbers to regress
    data = _long(tmp_path, n=22, label=np.repeat(list(range(10)) * 2 + [10, 11], 5))
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1"], capsys)
    assert "class 11 has 1 sequence" in one_line_error(code, err)


def test_time_col_none_reads_rows_in_order_and_a_text_step_is_one_line(tmp_path, capsys):
    data = _long(tmp_path, step="t" + pd.Series(np.tile(np.arange(5), 12)).astype(str))
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1"], capsys)
    assert "--time-col step must hold step numbers or timestamps" in one_line_error(code, err)
    code, _, err = run(["classify", data, "--sequence-cols", "x", "--epochs", "1",
                        "--hidden-size", "4", "--time-col", "none", "--out", tmp_path / "o"],
                       capsys)
    assert code == 0, err


def test_a_wide_file_and_a_numpy_file_say_what_the_command_line_reads(tmp_path, capsys):
    wide = pd.DataFrame(np.zeros((3, 40)), columns=[f"t{i}" for i in range(40)])
    wide.insert(0, "label", ["a", "b", "a"])
    wide.to_csv(tmp_path / "wide.csv", index=False)
    code, _, err = run(["classify", tmp_path / "wide.csv", "--sequence-cols", "t0"], capsys)
    line = one_line_error(code, err)
    assert "... (41 columns)]" in line and "long frame" in line and len(line) < 600
    np.savez(tmp_path / "arrays.npz", X=np.zeros((2, 3)), y=np.zeros(2))
    code, _, err = run(["classify", tmp_path / "arrays.npz", "--sequence-cols", "x"], capsys)
    assert "is a NumPy .npz file, not a table" in one_line_error(code, err)
    assert "numpy.load" in err
    code, _, err = run(["classify", "activity", "--label-col", "activity", "--sequence-cols",
                        AXES, "--epochs", "0"], capsys)
    assert "--epochs 0 must be an integer >= 1 (left out, it is set from the data)" in \
        one_line_error(code, err)
