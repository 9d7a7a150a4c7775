"""The airline-passengers tutorial: sliding windows, a holdout of the last two years, and the
tutorial's own test (train on the first 67%, predict each next month from true history).

Run: .venv/bin/python examples/tutorial_airline.py
"""

import rnnkit

print(rnnkit.explain_windows(144, lookback=24, horizon=24))  # [samples, timesteps, features]
f = rnnkit.Forecaster(seed=0)  # lookback, horizon, scaling: from the monthly season
holdout = f.evaluate("airline", test_size=24)  # fit on 1949-1958, forecast 1959-1960
print(holdout.table())
print("LSTM", holdout.verdict())
one_step = f.evaluate("airline", protocol="one-step")  # each month from the true months before
print(one_step.table())
