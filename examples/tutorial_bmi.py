"""The minute-level activity tutorial: a day of 1,440 one-minute activity counts plus age,
sex and height, to predict a BMI-like number (a sequence and its static covariates).

Run: .venv/bin/python examples/tutorial_bmi.py
"""

import rnnkit
from rnnkit.datasets.sequences import sequence_and_static
from rnnkit.evaluate.sequence_scores import regression_baselines

day, covariates, bmi = sequence_and_static(400, steps=1440, seed=0)  # [400, 1440, 1], [400, 3]
train, test = slice(0, 300), slice(300, None)
model = rnnkit.SequenceRegressor(seed=0, verbose=0)
model.fit(day[train], bmi[train], static=covariates[train])
predicted = model.predict(day[test], static=covariates[test])
print(f"rnnkit: RMSE {((predicted - bmi[test]) ** 2).mean() ** 0.5:.3f}")
for name, scores in regression_baselines(day[train], bmi[train], day[test], bmi[test],
                                         covariates[train], covariates[test]).items():
    print(f"{name}: RMSE {scores['RMSE']:.3f}")
