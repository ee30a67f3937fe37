"""How long people wait for community health services, from NHS England's CHS SitRep workbooks
(one per month held, 2023-01 to 2025-10), and the other published measures of the services
themselves: two-hour urgent community response (2024-25), CSDS care contacts by ICB (March 2025)
and the community bed audit (4 March 2026).

Each CHS workbook has: Table 1, the number of organisations in scope that did not submit, by
England, region and ICB and month of the financial year; Table 2, England's total waiting list by
service for each month of the financial year so far (so months whose provider tables are not held
are still covered nationally); Table 3, England's waiting list by service and weeks waited for the
workbook's month (including the services published only nationally); Table 4, the total waiting
list by provider, ICB and service line; Tables 4a-4h the same by weeks waited. The workbooks are
unvalidated management information.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from chsreport.data import community_returns, manifest

BAND_SHEET = re.compile(r"Table 4[a-h]")
BAND = re.compile(r"waiting >?(\d+)-(\d+) weeks|waiting (?:over |>)(\d+) weeks", re.IGNORECASE)
STANDARD_WEEKS = 18  # the planning framework's community standard counts waits within 18 weeks
LONG_WEEKS = 52


def band_of(heading: str) -> tuple[float, float]:
    """The weeks a Table 4a-4h heading covers, as (more than, up to); up to is inf when open:
    "Number waiting >18-52 weeks ..." -> (18, 52); "... over 52 weeks ..." -> (52, inf);
    "0-1 weeks" -> (0, 1)."""
    found = BAND.search(heading or "")
    if not found:
        raise ValueError(f"no weeks band in {heading!r}")
    if found.group(3):
        return float(found.group(3)), np.inf
    return float(found.group(1)), float(found.group(2))


def parse_chs_bands(path: Path) -> pd.DataFrame:
    """Tables 4a-4h of one CHS workbook -> the long frame of
    :func:`community_returns.parse_chs_table4` with the band's ``over_weeks`` and ``up_to_weeks``
    (inf when open), providers and ICBs."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    frames = []
    for name, table in sheets.items():
        if not BAND_SHEET.fullmatch(name):
            continue
        heading = next((v for v in table.iloc[:3, :3].to_numpy().ravel() if isinstance(v, str)), "")
        low, high = band_of(heading)
        frame = community_returns.chs_sheet(table, path, name)
        frames.append(frame.assign(over_weeks=low, up_to_weeks=high))
    if len(frames) < 7:
        raise manifest.SchemaError(f"{path.name}: fewer than seven weeks-waited tables (4a-4h)")
    out = pd.concat(frames, ignore_index=True)
    bands = out[["over_weeks", "up_to_weeks"]].drop_duplicates().sort_values("over_weeks")
    if bands["over_weeks"].iloc[1:].tolist() != bands["up_to_weeks"].iloc[:-1].tolist():
        raise manifest.SchemaError(f"{path.name}: the weeks bands of Tables 4a-4h do not join up")
    return out


def _month_columns(row) -> dict[int, pd.Timestamp]:
    """Column -> month for a header row whose months are dates or text like "Apr-25"."""
    out = {}
    for j, value in enumerate(row):
        if isinstance(value, datetime):
            out[j] = pd.Timestamp(value).to_period("M").to_timestamp()
        elif isinstance(value, str) and re.fullmatch(r"[A-Z][a-z]{2}-\d\d", value.strip()):
            out[j] = pd.Timestamp(pd.to_datetime(value.strip(), format="%b-%y"))
    return out


def parse_national_series(path: Path) -> pd.DataFrame:
    """Table 2 -> England's waiting list by service and month (the months of the financial year
    the workbook has reached): month, service, value, and ``published`` (the workbook's month)."""
    table = pd.read_excel(path, sheet_name="Table 2", header=None, dtype=object)
    published = community_returns.chs_sheet_month(path)
    for i in range(min(10, len(table))):
        months = _month_columns(table.iloc[i])
        if len(months) >= 3:
            break
    else:
        raise manifest.SchemaError(f"{path.name}: Table 2 has no row of months")
    rows = []
    for k in range(i + 1, len(table)):
        labels = [v for v in table.iloc[k, : min(months)] if isinstance(v, str) and v.strip()]
        if not labels:
            continue
        for j, month in months.items():
            value = pd.to_numeric(table.iloc[k, j], errors="coerce")
            if pd.notna(value):
                rows.append((month, labels[-1].strip(), float(value)))
    frame = pd.DataFrame(rows, columns=["month", "service", "value"]).assign(published=published)
    if "England" not in set(frame["service"]):
        raise manifest.SchemaError(f"{path.name}: Table 2 has no England row")
    return frame


def parse_national_bands(path: Path) -> pd.DataFrame:
    """Table 3 -> England's waiting list for the workbook's month by service: the total and the
    number in each weeks band (over_weeks, up_to_weeks); services published only nationally
    (safeguarding, looked-after children) included, with their bands where given."""
    table = pd.read_excel(path, sheet_name="Table 3", header=None, dtype=object)
    month = community_returns.chs_sheet_month(path)
    for i in range(min(12, len(table))):
        if any(isinstance(v, str) and v.strip() == "Total waiting list" for v in table.iloc[i]):
            break
    else:
        raise manifest.SchemaError(f"{path.name}: Table 3 has no 'Total waiting list' column")
    header = table.iloc[i]
    total_col = next(j for j, v in enumerate(header) if str(v).strip() == "Total waiting list")
    bands = {j: band_of(str(v)) for j, v in enumerate(header) if isinstance(v, str) and "eeks" in v}
    rows = []
    for k in range(i + 1, len(table)):
        labels = [v for v in table.iloc[k, :total_col] if isinstance(v, str) and v.strip()]
        if not labels:
            continue
        service = labels[-1].strip()
        total = pd.to_numeric(table.iloc[k, total_col], errors="coerce")
        rows.append((month, service, np.nan, np.nan, float(total)))
        for j, (low, high) in bands.items():
            value = pd.to_numeric(table.iloc[k, j], errors="coerce")
            rows.append((month, service, low, high, float(value)))
    columns = ["month", "service", "over_weeks", "up_to_weeks", "value"]
    return pd.DataFrame(rows, columns=columns)


def parse_non_submission(path: Path) -> pd.DataFrame:
    """Table 1 -> organisations in scope that did not submit, per area (England, region or 2022
    ICB, by name) and month of the financial year so far, with the number in scope."""
    table = pd.read_excel(path, sheet_name="Table 1", header=None, dtype=object)
    title = next(
        (v for v in table.iloc[:2].to_numpy().ravel() if isinstance(v, str) and "in scope" in v),
        "",
    )
    found = re.search(r"of (\d+)", title)
    if not found:
        raise manifest.SchemaError(f"{path.name}: Table 1's title gives no number in scope")
    for i in range(min(8, len(table))):
        months = _month_columns(table.iloc[i])
        if months:
            break
    else:
        raise manifest.SchemaError(f"{path.name}: Table 1 has no row of months")
    rows, level = [], "England"
    for k in range(i + 1, len(table)):
        cells = [v for v in table.iloc[k, : min(months)] if isinstance(v, str) and v.strip()]
        if not cells:
            continue
        if cells[0].strip() in ("Region", "ICB"):
            level = cells[0].strip()
        area = cells[-1].strip()
        if area == "England":
            level = "England"
        for j, month in months.items():
            value = pd.to_numeric(table.iloc[k, j], errors="coerce")
            if pd.notna(value):
                rows.append((month, level, area, int(value)))
    frame = pd.DataFrame(rows, columns=["month", "level", "area", "not_submitted"])
    return frame.assign(
        in_scope=int(found.group(1)), published=community_returns.chs_sheet_month(path)
    )


# --------------------------------------------------------------------------- loaded, all months
@lru_cache(maxsize=1)
def load_bands() -> pd.DataFrame:
    """Every workbook's Tables 4a-4h (providers with codes filled in as
    :func:`community_returns.chs_cells` fills them); loaded once (the chapter reads it for each
    month it pools), so callers select from it and never change it."""
    frames = [manifest.cached_frame(n, parse_chs_bands) for n in community_returns.chs_names()]
    bands = pd.concat(frames, ignore_index=True)
    return community_returns.fill_codes(bands)


def load_national_series() -> pd.DataFrame:
    """England's waiting list by service and month across every workbook: each month from the
    latest workbook that gives it (later workbooks revise earlier months)."""
    frames = [
        manifest.cached_frame(n, parse_national_series) for n in community_returns.chs_names()
    ]
    series = pd.concat(frames, ignore_index=True).sort_values("published")
    return series.drop_duplicates(["month", "service"], keep="last").reset_index(drop=True)


def load_national_bands() -> pd.DataFrame:
    frames = [manifest.cached_frame(n, parse_national_bands) for n in community_returns.chs_names()]
    return pd.concat(frames, ignore_index=True)


def load_non_submission() -> pd.DataFrame:
    """Non-submission counts per area and month, each month from the latest workbook."""
    frames = [manifest.cached_frame(n, parse_non_submission) for n in community_returns.chs_names()]
    table = pd.concat(frames, ignore_index=True).sort_values("published")
    return table.drop_duplicates(["month", "level", "area"], keep="last").reset_index(drop=True)


# --------------------------------------------------------------------------- the JSON summaries
LEVELS = (("england", "england"), ("icb", "icbs"), ("provider", "providers"))


def parse_ucr(path: Path) -> pd.DataFrame:
    """Two-hour urgent community response, 2024-25 -> per England, ICB (2022) and provider: the
    average monthly share of two-hour referrals reached within two hours (0-1), the latest
    month's share, and the year's referrals."""
    metric = community_returns.summary_metric
    frame = community_returns.summary_rows(
        json.loads(path.read_text(encoding="utf-8")),
        LEVELS,
        lambda item: {
            "within_2h": metric(item, "ucr-two-hour-achievement", "percent") / 100,
            "latest_within_2h": metric(item, "ucr-two-hour-achievement", "latest_percent") / 100,
            "referrals": metric(item, "ucr-referrals", "count"),
        },
    )
    manifest.check_range(frame.dropna(subset=["within_2h"]), "within_2h", 0, 1, path.name)
    if (frame["level"] == "provider").sum() < 50:
        raise manifest.SchemaError(f"{path.name}: fewer than 50 providers")
    return frame


def load_ucr() -> pd.DataFrame:
    return manifest.cached_frame("pelld_ucr_2024_25", parse_ucr)


def parse_bed_audit(path: Path) -> pd.DataFrame:
    """Community bed audit, 4 March 2026 -> per England and 2022 ICB: community beds available."""
    frame = community_returns.summary_rows(
        json.loads(path.read_text(encoding="utf-8")),
        LEVELS[:2],
        lambda item: {
            "beds": community_returns.summary_metric(item, "community-bed-capacity", "count")
        },
    )
    if (frame["level"] == "icb").sum() != 42:
        raise manifest.SchemaError(f"{path.name}: expected the 42 ICBs of 2022")
    return frame


def load_bed_audit() -> pd.DataFrame:
    return manifest.cached_frame("pelld_community_bed_audit_2026", parse_bed_audit)


def parse_csds_icbs(path: Path) -> pd.DataFrame:
    """CSDS March 2025 -> per England and 2022 ICB: care contacts, and adult ones (19 and over)."""
    return community_returns.summary_rows(
        json.loads(path.read_text(encoding="utf-8")),
        LEVELS[:2],
        lambda item: {
            "care_contacts": community_returns.summary_metric(item, "csds-care-contacts", "count"),
            "adult_care_contacts": community_returns.adult_care_contacts(item),
        },
    )


def load_csds_icbs() -> pd.DataFrame:
    return manifest.cached_frame("pelld_csds_mar_2025", parse_csds_icbs)
