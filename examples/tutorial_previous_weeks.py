"""The 1-minute tutorial's inputs: to forecast the next hour, read the last hour and the same
minutes in each of the previous 14 weeks (a week is 10,080 minutes): ``season_lags=14``.

Measured (seed 0, the last hour held out): on this generated load, a daily cycle, a weekend
step and noise, the last hour already says most of it; the lags help the window MLP (RMSE
3.00 -> 2.92) and not the LSTM (3.05 -> 3.19). One hour of 60 minutes is also too little to
tell those apart: lags pay where the week's pattern is not visible in the last hour.

Run: .venv/bin/python examples/tutorial_previous_weeks.py
"""

import numpy as np
import pandas as pd

import rnnkit

minutes = pd.date_range("2024-01-01", periods=16 * 10080, freq="min")  # 16 weeks
t = np.arange(len(minutes))
weekend = np.asarray(minutes.day_of_week >= 5, dtype=float)
load = 50 + 20 * np.sin(2 * np.pi * t / 1440) + 15 * weekend
data = pd.DataFrame({"ds": minutes, "y": load + np.random.default_rng(0).normal(0, 3, len(t))})
for lags in (0, 14):
    f = rnnkit.Forecaster(season_length=10080, season_lags=lags, lookback=60, horizon=60,
                          seed=0, verbose=0)
    evaluation = f.evaluate(data, test_size=60)
    print(f"season_lags={lags}:\n{evaluation.table()}\nLSTM {evaluation.verdict()}")
