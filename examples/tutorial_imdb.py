"""The IMDB tutorial: word embeddings read by an LSTM, and a convolution before the LSTM
(CNN + LSTM). Pass the aclImdb folder (or "imdb" to download it); the bundled reviews
otherwise.

Run: .venv/bin/python examples/tutorial_imdb.py [aclImdb | imdb]
"""

import sys

import rnnkit
from rnnkit.datasets.sequences import sentiment

if len(sys.argv) > 1:
    data = rnnkit.datasets.load(sys.argv[1])  # 25,000 + 25,000 reviews
    train, y_train, test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
else:
    texts, labels = sentiment(2000)  # the bundled reviews: cues negated, intensified, turned
    train, y_train, test, y_test = texts[:1500], labels[:1500], texts[1500:], labels[1500:]
for name, arguments in {"embedding + LSTM": {}, "CNN + LSTM": {
        "front_end": "conv", "conv_channels": 32, "conv_kernel": 3, "conv_pool": 2}}.items():
    model = rnnkit.SequenceClassifier(embedding_dim=32, max_length=500, max_vocab=5000,
                                      seed=0, verbose=0, **arguments).fit(train, y_train)
    print(f"{name}: test accuracy {model.score(test, y_test):.3f}")
