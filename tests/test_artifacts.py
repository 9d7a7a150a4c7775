from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from rnnkit.artifacts import FORMAT_VERSION, META, WEIGHTS, read_model, write_model
from rnnkit.errors import ArtifactError


def _write(path):
    tensors = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(3)}
    return write_model(path, "Thing", {"params": {"a": 1}, "fitted": {"x": [0.1, 1e-300]}},
                       tensors), tensors


@pytest.mark.parametrize("name", ["model", "model.zip"])
def test_round_trip_is_exact(tmp_path, name):
    path, tensors = _write(tmp_path / name)
    meta, back = read_model(path)
    assert meta["kind"] == "Thing" and meta["format_version"] == FORMAT_VERSION
    assert meta["fitted"]["x"] == [0.1, 1e-300]
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and np.array_equal(back[k], v)


def test_no_pickle_in_the_file(tmp_path):
    path, _ = _write(tmp_path / "m")
    assert {p.name for p in path.iterdir()} == {META, WEIGHTS}
    json.loads((path / META).read_text())  # plain JSON


def test_overwrite_replaces_atomically_and_leaves_no_temporaries(tmp_path):
    _write(tmp_path / "m")
    _write(tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_failed_write_keeps_the_old_model(tmp_path):
    path, _ = _write(tmp_path / "m")
    with pytest.raises(ValueError):  # NaN is not JSON: the write fails before any rename
        write_model(path, "Thing", {"fitted": {"x": float("nan")}}, {})
    read_model(path)
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_truncated_weights(tmp_path):
    path, _ = _write(tmp_path / "m")
    blob = (path / WEIGHTS).read_bytes()
    (path / WEIGHTS).write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ArtifactError, match="checksum"):
        read_model(path)


def test_corrupt_json(tmp_path):
    path, _ = _write(tmp_path / "m")
    (path / META).write_text('{"format": "rnnkit-mo')
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        read_model(path)


def test_future_format(tmp_path):
    path, _ = _write(tmp_path / "m")
    meta = json.loads((path / META).read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (path / META).write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="Upgrade rnnkit"):
        read_model(path)


def test_a_models_own_file_a_cut_zip_an_export_and_an_empty_path_are_named(tmp_path):
    """Each was 'not an rnnkit model ... Pass what rnnkit's save() wrote', although the
    first is what save wrote (its folder is the model) and the second a damaged model."""
    path, _ = _write(tmp_path / "m")
    with pytest.raises(ArtifactError, match=f"one file of the model in {tmp_path / 'm'}.*Pass "
                                            f"{tmp_path / 'm'}"):
        read_model(path / META)
    zipped, _ = _write(tmp_path / "m.zip")
    blob = zipped.read_bytes()
    (tmp_path / "cut.zip").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ArtifactError, match="cut.zip is a damaged zip .*save the model again"):
        read_model(tmp_path / "cut.zip")
    with zipfile.ZipFile(tmp_path / "graph.pt", "w") as z:  # TorchScript's layout
        for name in ("graph/data.pkl", "graph/code/__torch__.py", "graph/constants.pkl"):
            z.writestr(name, b"x")
    with pytest.raises(ArtifactError, match="is a TorchScript graph .* torch.jit.load"):
        read_model(tmp_path / "graph.pt")
    (tmp_path / "graph.onnx").write_bytes(b"\x08\x07onnx")
    with pytest.raises(ArtifactError, match="is an ONNX graph .* onnxruntime"):
        read_model(tmp_path / "graph.onnx")
    with pytest.raises(ArtifactError, match="model path is empty"):
        read_model("")
    with zipfile.ZipFile(tmp_path / "data.zip", "w") as z:  # whole, just not a model
        z.writestr("train.csv", "ds,y\n")
    with pytest.raises(ArtifactError, match="data.zip is not an rnnkit model"):
        read_model(tmp_path / "data.zip")


def test_not_an_rnnkit_file(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"hello")
    with pytest.raises(ArtifactError, match="not an rnnkit model"):
        read_model(tmp_path / "x.zip")
    (tmp_path / "d").mkdir()
    with pytest.raises(ArtifactError, match="missing"):
        read_model(tmp_path / "d")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr(META, json.dumps({"format": "something-else"}))
        z.writestr(WEIGHTS, b"")
    with pytest.raises(ArtifactError, match="not an rnnkit model"):
        read_model(tmp_path / "other.zip")
    with pytest.raises(ArtifactError, match="does not exist"):
        read_model(tmp_path / "nowhere")
