"""The forecasting engine: functions of typed values, never of a Forecaster.

Read in this order: ``options`` (every argument, declared once), ``spec`` (the shape of a
forecast resolved from the arguments and the data; what a fit learned), ``networks`` (which
module trains), ``fit``, ``predict`` (and ``stateful`` for sequence-trained models),
``evaluate`` (holdout, backtest, forecasts from every origin). :class:`rnnkit.Forecaster` is
the scikit-learn facade over it.
"""
