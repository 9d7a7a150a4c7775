"""The activity-recognition tutorial: windows of 128 steps x 9 sensor channels, 6 activities
(UCI HAR; pass its folder, or "uci_har" to download it) or the bundled 4-activity set.

Run: .venv/bin/python examples/tutorial_activity.py ["UCI HAR Dataset" | uci_har]
"""

import sys

import rnnkit
from rnnkit.datasets.sequences import activity
from rnnkit.evaluate.sequence_scores import classification_baselines

if len(sys.argv) > 1:
    har = rnnkit.datasets.load(sys.argv[1])
    X, y, X_test, y_test = har.X_train, har.y_train, har.X_test, har.y_test
else:
    X_all, y_all = activity(600, seed=0)  # [600, 128, 9]
    X, y, X_test, y_test = X_all[:450], y_all[:450], X_all[450:], y_all[450:]
model = rnnkit.SequenceClassifier(seed=0, verbose=0).fit(X, y)  # LSTM-FCN blocks + LSTM
print(f"rnnkit: test accuracy {model.score(X_test, y_test):.3f}")
for name, scores in classification_baselines(X, y, X_test, y_test).items():
    print(f"{name}: test accuracy {scores['accuracy']:.3f}")
