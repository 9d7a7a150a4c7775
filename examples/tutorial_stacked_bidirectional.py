"""The stacked- and bidirectional-LSTM tutorials, on the same backtest as a plain LSTM: does
depth or reading the window both ways help here?

Run: .venv/bin/python examples/tutorial_stacked_bidirectional.py
"""

import pandas as pd

from rnnkit import Forecaster

variants = {"LSTM": {}, "stacked 2 x 64": {"num_layers": 2, "dropout": 0.1},
            "bidirectional": {"bidirectional": True}}
rows = {}
for name, arguments in variants.items():
    backtest = Forecaster(seed=0, horizon=12, **arguments).backtest("airline", n_windows=4)
    rows[name] = backtest.scores.loc[backtest.model]
    rows["seasonal naive"] = backtest.scores.loc["seasonal naive"]
print(pd.DataFrame(rows).T.round(3))
print(Forecaster(num_layers=2, horizon=12).fit("airline").summary())  # parameters per layer
