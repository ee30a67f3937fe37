"""Definitions every layer shares: the outcome periods, the primary outcome, the controls, the
classification rules and the population years. They are choices of the book, not data, so they
sit beneath the loaders; each is set once here and read everywhere else.
"""

from __future__ import annotations

RULES = {"strict": 10, "default": 5, "loose": 1}

# Every resampling (wild cluster bootstrap, bootstrap intervals of means, LOWESS bands) starts
# from this seed, so a rebuild prints the same intervals to the last digit; the year of the
# book's first edition, chosen before any result was seen. Changing it moves intervals only
# within their Monte Carlo error.
SEED = 2026


# --------------------------------------------------------------------------- controls and model
CONTROLS = ("size", "region", "rurality", "deprivation", "age")


OUTCOME_PERIODS = {  # months each outcome's data cover
    "ctr_per_100_beds": ("2022-04", "2025-08"),
    "discharges_per_100_beds_day": ("2022-04", "2025-08"),
    "ae_4hr_performance": ("2021-04", "2025-07"),
    "dta_over_4h": ("2021-04", "2025-07"),
    "community_delay_share": ("2024-06", "2025-05"),
    "delay_days_14_per_100_beds": ("2022-04", "2024-01"),
    "delay_days_21_per_100_beds": ("2022-04", "2024-01"),
}
PRIMARY = "ctr_per_100_beds"
POPULATION_YEARS = (2020, 2024)
# the months of the integration chapter's primary outcome (delays), so a trust's figure here is
# the chapter's and the claims register's; A&E data end a month earlier (flow_period_words)
PERIOD = OUTCOME_PERIODS[PRIMARY]
