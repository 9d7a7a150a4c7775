"""What a forecast of many series costs around the network: the future timestamps, the grid
check of new rows, the session calendar and the future covariates, each timed against the
per-series Python loop it replaced (kept here as the reference) on the same inputs, with the
outputs checked equal. Run from the project root: ``python bench/panel_prediction.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from rnnkit.data.frames import _reindex
from rnnkit.data.frequency import future_times_many
from rnnkit.data.sessions import Sessions

SERIES, H = 300, 169


def best_of(fn, *args, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - started)
    return min(times), out


def report(name: str, reference, ours, same: bool) -> None:
    (t_ref, _), (t_ours, _) = reference, ours
    print(f"{name:<52} loop {t_ref * 1e3:8.1f} ms   rnnkit {t_ours * 1e3:7.1f} ms   "
          f"{t_ref / t_ours:5.1f}x   identical: {same}")


def future_times_loop(lasts, freq, h):
    return np.stack([pd.date_range(pd.Timestamp(t), periods=h + 1, freq=freq)[1:].to_numpy()
                     for t in lasts])


def reindex_loop(values, times, freq):
    out_v, out_t = [], []
    for v, t in zip(values, times, strict=True):
        grid = pd.date_range(t[0], t[-1], freq=freq)
        out_v.append(pd.DataFrame(v, index=pd.DatetimeIndex(t)).reindex(grid).to_numpy())
        out_t.append(grid.to_numpy(dtype="datetime64[ns]"))
    return out_v, out_t


def slot_walk(sessions: Sessions, last, h: int) -> np.ndarray:
    last = pd.Timestamp(last)
    day, out = last.normalize(), []
    k = int((last - day - sessions.first) / sessions.step)
    while len(out) < h:
        k += 1
        if k >= sessions.slots:
            k, day = 0, day + pd.Timedelta(days=1)
            while day.day_of_week not in sessions.weekdays:
                day += pd.Timedelta(days=1)
        out.append(day + sessions.first + k * sessions.step)
    return pd.DatetimeIndex(out).as_unit("ns").to_numpy()


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{SERIES} series, horizon {H}")
    for freq in ("h", "MS"):
        grid = pd.date_range("2000-01-01", periods=400, freq=freq).as_unit("ns").to_numpy()
        lasts = list(grid[rng.integers(0, 400, SERIES)])
        h = H if freq == "h" else 24
        ref = best_of(future_times_loop, lasts, freq, h)
        ours = best_of(future_times_many, lasts, freq, h)
        report(f"future timestamps, freq {freq}, h {h}", ref, ours,
               bool(np.array_equal(ref[1], ours[1])))

    values = [rng.normal(size=(24, 2)) for _ in range(SERIES)]
    times = [pd.date_range("2024-01-01", periods=24, freq="h").to_numpy() for _ in range(SERIES)]
    ref, ours = best_of(reindex_loop, values, times, "h"), best_of(_reindex, values, times, "h")
    same = all(np.array_equal(a, b) for a, b in zip(ref[1][0], ours[1][0], strict=True))
    report("grid check of 24 new hourly rows a series", ref, ours, same)

    sessions = Sessions.from_freq("sessions:5min@07:00x169@0,1,2,3,4")
    days = pd.bdate_range("2024-01-01", periods=60)
    starts = [days[rng.integers(60)] + sessions.first + int(rng.integers(169)) * sessions.step
              for _ in range(SERIES)]
    ref = best_of(lambda: [slot_walk(sessions, t, H) for t in starts])
    ours = best_of(lambda: [sessions.following(t, H) for t in starts])
    report("open slots ahead of a 5-minute session calendar", ref, ours,
           all(np.array_equal(a, b) for a, b in zip(ref[1], ours[1], strict=True)))


if __name__ == "__main__":
    main()
