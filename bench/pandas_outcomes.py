"""The reference for bench/outcome_report.py: pandas reads the exported placements CSV and
counts the same periods' figures. Run as its own process, so its start-up counts too.

    python bench/pandas_outcomes.py FILE.csv LABEL:FIRST:LAST [LABEL:FIRST:LAST ...]

Prints one JSON object per period with the total and the breakdowns the CSV
can give (gender, job type, district, age group); the CSV carries no
workplace setting or funding, so pandas has less to do than the command.
"""

import json
import sys

import pandas as pd

WORK = ["arbete_osubventionerat", "arbete_subventionerat"]
STUDIES = ["studier"]


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    outcome = frame["followup_outcome"]
    return pd.DataFrame(
        {
            "ended": 1,
            "followed_up": outcome.notna().astype(int),
            "work": outcome.isin(WORK).astype(int),
            "work_subsidised": (outcome == "arbete_subventionerat").astype(int),
            "work_unsubsidised": (outcome == "arbete_osubventionerat").astype(int),
            "studies": outcome.isin(STUDIES).astype(int),
        }
    )


def main() -> None:
    path, *windows = sys.argv[1:]
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        usecols=[
            "personnummer",
            "gender",
            "job_type",
            "district",
            "start_date",
            "end_date",
            "followup_outcome",
        ],
        dtype={"personnummer": str, "district": str},
        parse_dates=["start_date", "end_date"],
    )
    birth = pd.to_datetime(frame["personnummer"].str[:8], format="%Y%m%d", errors="coerce")
    frame["age_group"] = (
        (
            frame["start_date"].dt.year * 10000
            + frame["start_date"].dt.month * 100
            + frame["start_date"].dt.day
        )
        - (birth.dt.year * 10000 + birth.dt.month * 100 + birth.dt.day)
        >= 300000
    ).map({True: "30+", False: "<30"})
    frame["district"] = frame["district"].fillna("okand")
    figures = counts(frame)
    out = []
    for window in windows:
        label, first, last = window.split(":")
        inside = frame["end_date"].between(pd.Timestamp(first), pd.Timestamp(last))
        part, part_figures = frame[inside], figures[inside]
        report = {"period": label, "total": part_figures.sum().to_dict()}
        for dimension in ("gender", "job_type", "district", "age_group"):
            grouped = part_figures.groupby(part[dimension]).sum()
            report[f"by_{dimension}"] = grouped.to_dict(orient="index")
        out.append(report)
    json.dump(out, sys.stdout, default=int)


if __name__ == "__main__":
    main()
