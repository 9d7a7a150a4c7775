"""The published formats of the tutorials' datasets, read from small files written here, and
downloads from a local HTTP server on loopback (no test touches the internet)."""

from __future__ import annotations

import hashlib
import http.server
import tarfile
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest
from format_fixtures import ARFF_MULTIVARIATE, ARFF_UNIVARIATE, TS, TSF, write_har, write_imdb

import rnnkit.datasets
from rnnkit.datasets import download
from rnnkit.datasets.formats import read, read_arff, read_ts, read_tsf
from rnnkit.errors import InputError


def test_ts_reads_dimensions_labels_and_missing_values(tmp_path):
    (tmp_path / "Tiny_TRAIN.ts").write_text(TS)
    X, y, info = read_ts(tmp_path / "Tiny_TRAIN.ts")
    assert X.shape == (2, 3, 2) and y.tolist() == ["up", "down"]
    np.testing.assert_array_equal(X[0, :, 0], [1, 2, 3])
    assert np.isnan(X[0, 2, 1]) and info["classes"] == ["up", "down"]


def test_a_train_file_brings_its_test_twin_and_lengths_may_differ(tmp_path):
    (tmp_path / "Tiny_TRAIN.ts").write_text(TS)
    ragged = TS.replace("3,2,1:1,1,1:down", "3,2:1,1:down")
    (tmp_path / "Tiny_TEST.ts").write_text(ragged)
    data = read(tmp_path / "Tiny_TRAIN.ts")
    assert data.name == "Tiny" and data.X_train.shape == (2, 3, 2)
    assert isinstance(data.X_test, list) and data.X_test[1].shape == (2, 2)


def test_arff_univariate_and_multivariate(tmp_path):
    (tmp_path / "u.arff").write_text(ARFF_UNIVARIATE)
    X, y, _ = read_arff(tmp_path / "u.arff")
    assert X.shape == (2, 3, 1) and y.tolist() == ["up", "down"]
    (tmp_path / "m.arff").write_text(ARFF_MULTIVARIATE)
    X, y, _ = read_arff(tmp_path / "m.arff")
    assert X.shape == (2, 2, 2) and y.tolist() == ["a", "b"]
    np.testing.assert_array_equal(X[1], [[5, 7], [6, 8]])  # [steps, channels]


def test_tsf_becomes_a_long_frame_with_timestamps(tmp_path):
    (tmp_path / "tiny.tsf").write_text(TSF)
    frame, info = read_tsf(tmp_path / "tiny.tsf")
    assert list(frame.columns) == ["unique_id", "ds", "y"] and len(frame) == 5
    assert frame["ds"].iloc[3] == pd.Timestamp("2001-06-01") and info["horizon"] == 2
    assert frame["ds"].iloc[2] == pd.Timestamp("2000-03-01")


def test_a_forecaster_reads_a_tsf_file_or_its_dataset_and_refuses_a_dataset_of_sequences(
        tmp_path, capsys):
    """fit(Dataset) said 'not readable' without naming .frame; the CLI refused .tsf."""
    from cli.cli_support import one_line_error, run

    import rnnkit

    (tmp_path / "tiny.tsf").write_text(TSF)
    dataset = read(tmp_path / "tiny.tsf")
    assert repr(dataset) == f"Dataset({dataset.name!r}: frame: 5 rows of 2 series)"
    from rnnkit.data.reading import read_data

    pd.testing.assert_frame_equal(read_data(dataset), dataset.frame)
    pd.testing.assert_frame_equal(read_data(tmp_path / "tiny.tsf"), dataset.frame)
    write_har(tmp_path / "UCI HAR Dataset")
    har = read(tmp_path / "UCI HAR Dataset")
    assert repr(har) == ("Dataset('uci_har': X_train [3, 128, 9], y_train [3], "
                         "X_test [3, 128, 9], y_test [3])")
    with pytest.raises(InputError, match="of sequences .* Fit a SequenceClassifier"):
        rnnkit.Forecaster().fit(har)
    code, _, err = run(["forecast", tmp_path / "tiny.tsf", "--horizon", "1"], capsys)
    assert "series 'T2' (2 observations)" in one_line_error(code, err)  # read: too short


def test_a_malformed_line_names_the_file_and_the_line(tmp_path):
    (tmp_path / "bad.ts").write_text(TS.replace("3,2,1:1,1,1:down", "3,x,1:1,1,1:down"))
    with pytest.raises(InputError, match=r"bad.ts, line 12: expected comma-separated"):
        read_ts(tmp_path / "bad.ts")


def test_the_uci_har_and_aclimdb_folders(tmp_path):
    write_har(tmp_path / "UCI HAR Dataset")
    har = read(tmp_path / "UCI HAR Dataset")
    assert har.X_train.shape == (3, 128, 9) and har.y_test.tolist() == ["WALKING", "SITTING",
                                                                       "WALKING"]
    write_imdb(tmp_path / "aclImdb")
    imdb = read(tmp_path / "aclImdb")
    assert imdb.X_train == ["dull and long", "a superb film"]
    assert imdb.y_train.tolist() == ["neg", "pos"]
    with pytest.raises(InputError, match="is not a dataset rnnkit reads"):
        read(tmp_path)  # two datasets side by side: which one?


@pytest.fixture()
def server(tmp_path):
    """A static file server on 127.0.0.1 (a free port), counting its requests."""
    root = tmp_path / "served"
    root.mkdir()
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def test_a_download_is_checked_cached_and_unpacked(server, tmp_path):
    root, base, hits = server
    source = tmp_path / "src"
    source.mkdir()
    (source / "Tiny_TRAIN.ts").write_text(TS)
    (source / "Tiny_TEST.ts").write_text(TS)
    with zipfile.ZipFile(root / "Tiny.zip", "w") as z:
        for f in source.iterdir():
            z.write(f, f.name)
    digest = hashlib.sha256((root / "Tiny.zip").read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    data = rnnkit.datasets.load(f"{base}/Tiny.zip", sha256=digest, cache_dir=cache)
    assert data.name == "Tiny" and data.X_test.shape == (2, 3, 2)
    again = rnnkit.datasets.load(f"{base}/Tiny.zip", sha256=digest, cache_dir=cache)
    assert len(hits) == 1 and again.y_train.tolist() == ["up", "down"]  # from the cache
    with pytest.raises(InputError, match=f"arrived with SHA-256 {digest}, expected 00"):
        rnnkit.datasets.load(f"{base}/Tiny.zip", sha256="00" * 32, cache_dir=tmp_path / "c2")
    assert not [p for p in (tmp_path / "c2").rglob("*") if p.is_file()]  # nothing kept


def test_without_a_checksum_the_first_digest_is_recorded_and_then_checked(server, tmp_path):
    root, base, hits = server
    (root / "tiny.tsf").write_text(TSF)
    cache = tmp_path / "cache"
    first = rnnkit.datasets.load(f"{base}/tiny.tsf", cache_dir=cache)
    (cached,) = cache.rglob("tiny.tsf")
    assert cached.with_name("tiny.tsf.sha256").read_text().strip() == \
        hashlib.sha256(TSF.encode()).hexdigest()
    cached.write_text(TSF.replace("1,2,3", "9,9,9"))  # the cache corrupted: fetched again
    second = rnnkit.datasets.load(f"{base}/tiny.tsf", cache_dir=cache)
    assert len(hits) == 2 and second.frame.equals(first.frame)


def test_known_names_nested_archives_and_tarballs(server, tmp_path, monkeypatch):
    root, base, _ = server
    write_har(tmp_path / "har" / "UCI HAR Dataset")
    inner = tmp_path / "UCI HAR Dataset.zip"
    with zipfile.ZipFile(inner, "w") as z:  # UCI ships a zip inside its zip
        for f in (tmp_path / "har").rglob("*"):
            z.write(f, f.relative_to(tmp_path / "har"))
    with zipfile.ZipFile(root / "har.zip", "w") as z:
        z.write(inner, inner.name)
    write_imdb(tmp_path / "imdb" / "aclImdb")
    with tarfile.open(root / "aclImdb_v1.tar.gz", "w:gz") as t:
        t.add(tmp_path / "imdb" / "aclImdb", "aclImdb")
    monkeypatch.setitem(download.KNOWN, "uci_har", (f"{base}/har.zip", None, "test"))
    monkeypatch.setitem(download.KNOWN, "imdb", (f"{base}/aclImdb_v1.tar.gz", None, "test"))
    monkeypatch.setenv("RNNKIT_CACHE", str(tmp_path / "cache"))
    assert rnnkit.datasets.load("uci_har").X_train.shape == (3, 128, 9)
    assert rnnkit.datasets.load("imdb").y_test.tolist() == ["neg", "pos"]


def test_an_archive_escaping_its_folder_is_refused(server, tmp_path):
    root, base, _ = server
    with zipfile.ZipFile(root / "evil.zip", "w") as z:
        z.writestr("../outside.ts", TS)
    with pytest.raises(InputError, match="outside the folder it unpacks into"):
        rnnkit.datasets.load(f"{base}/evil.zip", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "outside.ts").exists()


def test_an_unknown_source_and_an_unreachable_server_are_one_line(tmp_path):
    with pytest.raises(InputError, match="neither a path that exists, a URL nor a known"):
        rnnkit.datasets.load("uci_harr")
    with pytest.raises(InputError, match="could not download http://127.0.0.1:9/x.ts"):
        rnnkit.datasets.load("http://127.0.0.1:9/x.ts", cache_dir=tmp_path)


def test_a_bad_number_in_arff_or_tsf_names_the_file_and_the_line(tmp_path):
    (tmp_path / "u.arff").write_text(ARFF_UNIVARIATE.replace("3,2,1,down", "3,abc,1,down"))
    with pytest.raises(InputError, match=r"u.arff, line 8: expected numbers.*'abc'"):
        read_arff(tmp_path / "u.arff")
    (tmp_path / "t.tsf").write_text(TSF.replace("4,5", "4,x"))
    with pytest.raises(InputError, match=r"t.tsf, line 11: expected numbers.*'x'"):
        read_tsf(tmp_path / "t.tsf")


def test_a_changed_archive_is_unpacked_again(tmp_path):
    import zipfile

    archive = tmp_path / "Tiny.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Tiny_TRAIN.ts", TS)
    assert rnnkit.datasets.load(archive).y_train.tolist() == ["up", "down"]
    import os
    import time

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Tiny_TRAIN.ts", TS.replace(":up", ":left").replace(":down", ":right"))
    os.utime(archive, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert rnnkit.datasets.load(archive).y_train.tolist() == ["left", "right"]


@pytest.mark.parametrize(("frequency", "start", "expected"), [
    ("weekly", "1996-03-18 00-00-00", ["1996-03-18", "1996-03-25", "1996-04-01"]),  # Mondays
    ("monthly", "1990-01-15 12-00-00", ["1990-01-15 12:00", "1990-02-15 12:00",
                                         "1990-03-15 12:00"]),
    ("yearly", "1990-06-01 00-00-00", ["1990-06-01", "1991-06-01", "1992-06-01"]),
    # a month end stays a month end (stepping through February carried the 29th on)
    ("monthly", "2000-01-31 00-00-00", ["2000-01-31", "2000-02-29", "2000-03-31"]),
    ("quarterly", "2020-11-30 00-00-00", ["2020-11-30", "2021-02-28", "2021-05-31"]),
])
def test_tsf_dates_start_at_the_start_timestamp(tmp_path, frequency, start, expected):
    """Anchored pandas frequencies moved the first date to the next anchor (a Monday start
    to a Sunday, the 15th to the 1st): the steps are calendar offsets from the start."""
    (tmp_path / "f.tsf").write_text(
        "# a series\n@relation r\n@attribute series_name string\n"
        f"@attribute start_timestamp date\n@frequency {frequency}\n@horizon 2\n"
        f"@missing true\n@equallength false\n@data\nT1:{start}:1,2,?\n")
    frame, _ = read_tsf(tmp_path / "f.tsf")
    assert frame["ds"].tolist() == pd.to_datetime(expected).tolist()


def test_a_damaged_download_is_one_line_and_never_kept(server, tmp_path):
    """A corrupt archive was cached with its digest trusted for good (every later load
    failed the same way, with a traceback) and left a staging folder behind."""
    root, base, hits = server
    (root / "Broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    cache = tmp_path / "cache"
    for _ in range(2):  # the second load downloads again: nothing damaged was kept
        with pytest.raises(InputError, match="Broken.zip is not a readable archive"):
            rnnkit.datasets.load(f"{base}/Broken.zip", cache_dir=cache)
    assert len(hits) == 2
    assert not [p for p in cache.rglob("*") if p.is_file() or p.name.endswith(".d")]


def test_macos_resource_files_in_a_zip_are_not_unpacked(tmp_path):
    with zipfile.ZipFile(tmp_path / "Inner.zip", "w") as z:
        z.writestr("Tiny_TRAIN.ts", TS)
        z.writestr("Tiny_TEST.ts", TS)
    with zipfile.ZipFile(tmp_path / "Outer.zip", "w") as z:
        z.write(tmp_path / "Inner.zip", "Inner.zip")
        z.writestr("__MACOSX/._Inner.zip", b"\x00\x05\x16\x07 resource fork")
    assert rnnkit.datasets.load(tmp_path / "Outer.zip").X_train.shape == (2, 3, 2)


def test_a_regression_target_that_is_no_number_names_the_sequence(tmp_path):
    from rnnkit.datasets.formats import read_ts

    text = ("@problemName R\n@univariate true\n@equalLength true\n@seriesLength 3\n"
            "@targetLabel\ttrue\n@data\n1,2,3:0.5\n1,2,3:?\n")  # a tab after the key, too
    (tmp_path / "r.ts").write_text(text)
    with pytest.raises(InputError, match=r"r.ts: sequence 1 has the target '\?', not a number"):
        read_ts(tmp_path / "r.ts")
