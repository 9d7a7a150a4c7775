"""Small files in the published formats of the tutorials' datasets, written by the tests
(tests/datasets/test_formats.py, tests/test_readme.py): nothing binary is committed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnkit.datasets.formats import HAR_CHANNELS

TS = """# a UCR problem written by hand
@problemName Tiny
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true up down
@data
1,2,3:0.5,0.5,?:up
3,2,1:1,1,1:down
"""

ARFF_UNIVARIATE = """@relation Tiny
@attribute t0 numeric
@attribute t1 numeric
@attribute t2 numeric
@attribute target {up,down}
@data
1,2,3,up
3,2,1,down
"""

ARFF_MULTIVARIATE = """@relation TinyMV
@attribute relationalAtt relational
@attribute t0 numeric
@attribute t1 numeric
@end relationalAtt
@attribute target {a,b}
@data
'1,2\\n3,4',a
"5,6\\n7,8",b
"""

TSF = """# From the Monash archive's layout
@relation tiny_monthly
@attribute series_name string
@attribute start_timestamp date
@frequency monthly
@horizon 2
@missing false
@equallength false
@data
T1:2000-01-01 00-00-00:1,2,3
T2:2001-06-01 00-00-00:4,5
"""



def write_har(root: Path, n: int = 3) -> None:
    rng = np.random.default_rng(0)
    (root / "activity_labels.txt").parent.mkdir(parents=True)
    (root / "activity_labels.txt").write_text("1 WALKING\n2 SITTING\n")
    for part in ("train", "test"):
        signals = root / part / "Inertial Signals"
        signals.mkdir(parents=True)
        for channel in HAR_CHANNELS:
            np.savetxt(signals / f"{channel}_{part}.txt", rng.normal(size=(n, 128)))
        np.savetxt(root / part / f"y_{part}.txt", [1, 2, 1][:n], fmt="%d")


def write_imdb(root: Path) -> None:
    for part in ("train", "test"):
        for label, text in (("pos", "a superb film"), ("neg", "dull and long")):
            folder = root / part / label
            folder.mkdir(parents=True)
            (folder / "0_9.txt").write_text(text)
