"""The stateful-LSTM tutorial: the state is carried across the whole history instead of being
reset every window, and each new observation advances it without reading the past again.

Run: .venv/bin/python examples/tutorial_stateful.py
"""

from rnnkit import Forecaster
from rnnkit.datasets.synthetic import generate_series

meter = generate_series(1, 24 * 60, "h", seasons=((24, 2.0), (168, 1.0)), noise=0.3, seed=0)
history, new_hour = meter.iloc[:-1], meter.iloc[-1:]
stateful = Forecaster(training="sequence", horizon=24, seed=0).fit(history)
stateful.update(new_hour)  # the state steps over one hour: no recompute of 1,439 steps
print(stateful.predict().head())  # the next day, from the carried state
windows = Forecaster(horizon=24, seed=0).evaluate(meter, test_size=24)  # stateless windows
stateful_score = Forecaster(training="sequence", horizon=24, seed=0).evaluate(meter, test_size=24)
print("windows:\n" + windows.table() + "\nstateful:\n" + stateful_score.table())
