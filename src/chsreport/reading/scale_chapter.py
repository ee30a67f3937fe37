"""Question 2, page by page: the sentences and what each cell of ``notebooks/scale.ipynb``
shows, in order (the charts are in :mod:`chsreport.reading.scale_story` and
:mod:`chsreport.reading.scale_maps`). Each sentence is a function of its figures, and each
branch is tested."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from chsreport import vocabulary
from chsreport.analysis import params, population_layers, scale
from chsreport.data import geography, inputs, pcn_lists
from chsreport.reading import charts, scale_maps, scale_story
from chsreport.reading.text import Markdown


def in_brief(p: dict, costs: pd.DataFrame) -> str:
    """The findings: big is best, the articles' council, PCN and ICB figures against the data,
    and England's count of neighbourhoods."""
    year, w, pc = p["population_year"], vocabulary.whole, vocabulary.percent
    no_district = population_layers.share_population_without_district(year)
    band = pcn_lists.pcn_band_summary(*p["pcn_band"])
    icb26 = geography.icb_populations_2026()
    d100 = population_layers.share_of_districts_below(100_000, year)
    d50 = population_layers.share_of_districts_below(50_000, year)
    return (
        f"- **Is big best?** {scale_story.big_is_best_sentence(scale.big_is_best(costs))}\n"
        f'- **Districts under 100k** (article 003: "about a third"): {d100["count"]} of '
        f"{d100['total']} ({pc(d100['share'])}) on mid-{year} estimates; under 50k: "
        f"{d50['count']}.\n"
        f'- **No district council** (article 003: "sixty per cent"): {pc(no_district["share"])} '
        f"of residents (mid-{year}).\n"
        f'- **PCNs** (article 001: "30-70,000"): median {w(band["median"])}; '
        f"{pc(band['share_inside'])} inside {w(band['low'])}-{w(band['high'])}.\n"
        f'- **ICBs** (article 003: "2 million or so"): {len(icb26)} ICBs, median '
        f"{vocabulary.people(icb26['patients'].median())} registered patients.\n"
        f"- **Neighbourhoods** of {w(p['neighbourhood_max'])}: about "
        f"{w(icb26['patients'].sum() / p['neighbourhood_max'])} in England."
    )


def profile_sentence(prof: dict, p: dict) -> str:
    """One ICB's layers in a sentence (``prof``: :func:`scale.icb_profile`)."""
    w, pc = vocabulary.whole, vocabulary.percent
    return (
        f"{prof['name']} has {w(prof['patients'])} registered patients "
        f"({geography.lists_month()}) and about {w(prof['residents'])} residents in the councils "
        f"mostly inside it (mid-{p['population_year']}); {pc(prof['rural_share'])} of its small "
        f"areas lie in councils classed rural. It has {len(prof['sub_icbs'])} sub-ICB locations, "
        f"{len(prof['councils'])} lower-tier or single-tier councils "
        f"({prof['districts'] or 'none'} of them district councils) and {prof['pcns']} PCNs "
        f"(median {w(prof['pcn_median'])} patients; {pc(prof['pcn_inside'])} inside the PCN "
        f"band). It would hold {w(prof['neighbourhoods_min'])} to "
        f"{w(prof['neighbourhoods_max'])} neighbourhoods of {w(p['neighbourhood_max'])} to "
        f"{w(p['neighbourhood_min'])} people."
    )


def icb_section(p: dict) -> list:
    """For a chosen ICB: its heading, its layers in a sentence, its sub-ICB locations and its
    councils (nothing for England)."""
    if not p["icb"]:
        return []
    prof = scale.icb_profile(p["icb"], p, p["population_year"])
    return [
        Markdown(f"## The layers of {params.valid_icbs()[p['icb']]}"),
        Markdown(profile_sentence(prof, p)),
        charts.Table(prof["sub_icbs"], f"sub_icbs_{p['icb']}.csv", "Sub-ICB locations."),
        charts.Table(
            prof["councils"], f"councils_{p['icb']}.csv",
            "Councils placed in this ICB, with the share of each council's small areas "
            "that lie in it.",
            columns=["name", "tier", "population_2024", "rural_urban", "share_in_icb"],
        ),
    ]  # fmt: skip


def layer_summary_table(layers: pd.DataFrame) -> charts.Table:
    """Units per layer, with median, smallest and largest."""
    return charts.Table(
        population_layers.layer_summary(layers), "layer_summary.csv",
        "Units per layer, with median, smallest and largest.",
    )  # fmt: skip


def mergers_section() -> list:
    """The 2026 ICB mergers: in words, as a chart and on a map."""
    mergers = geography.icb_mergers_2026()
    return [
        Markdown(scale_story.mergers_intro(mergers)),
        scale_story.icb_merger_figure(mergers, geography.icb_rurality()),
        scale_maps.icb_map(),
    ]


def icb_sizes_sentence(icb26: pd.DataFrame, icb22: pd.DataFrame) -> str:
    """The 2026 ICBs' sizes against the 2022 ICBs' and the articles' 2 million, and by
    rurality (``icb26`` with a ``rurality`` column)."""
    people, month = vocabulary.people, geography.lists_month()
    near = scale.near_two_million(icb26)
    by_rurality = icb26.groupby("rurality")["patients"].agg(["count", "median"])
    rural = "; ".join(
        f"{r.lower()} ICBs: {int(row['count'])}, median {people(row['median'])}"
        for r, row in by_rurality.iterrows()
    )
    return (
        f"England has {len(icb26)} ICBs ({month}), down from {len(icb22)}: median "
        f"{people(icb26['patients'].median())} registered patients, from "
        f"{people(icb26['patients'].min())} to {people(icb26['patients'].max())} (the 2022 ICBs: "
        f"median {people(icb22['patients_2026'].median())} on the same {month} lists; "
        f"{people(icb22['patients_2021'].median())} on the January 2021 lists the table below "
        f"uses). {len(near)} are within a quarter of 2 million and "
        f"{(icb26['patients'] >= scale.TWO_MILLION).sum()} have 2 million or more. {rural}. "
        "An ICB is mainly rural when at least half its small areas lie in councils classed rural."
    )


def icb_sizes_section() -> list:
    """The ICBs' sizes in words and how many small areas were placed by boundary."""
    icb26 = geography.icb_populations_2026().merge(geography.icb_rurality(), on="icb_code")
    return [
        Markdown(icb_sizes_sentence(icb26, geography.icb_populations_2022())),
        Markdown(scale_story.placed_by_boundary_sentence(geography.lsoas_placed_by_boundary())),
    ]


def districts_sentence(chosen: dict, half: dict, no_district: dict, cap: int, year: int) -> str:
    """District councils under the neighbourhood cap (and half of it), and the residents with
    no district council, against article 003."""
    w, pc = vocabulary.whole, vocabulary.percent
    return (
        f"On mid-{year} estimates {chosen['count']} of {chosen['total']} district councils "
        f"({pc(chosen['share'])}) have fewer than {w(cap)} residents and {half['count']} have "
        f"fewer than {w(cap // scale_story.CAP_DIVISOR)}; {pc(no_district['share'])} of "
        "England's residents live where there is no district council (unitary, metropolitan "
        "and London authorities), against article 003's sixty per cent."
    )


def districts_section(p: dict) -> list:
    """Article 003's council claims for each population year, and the chosen year in words."""
    cap, year = p["neighbourhood_cap"], p["population_year"]
    return [
        charts.Table(
            scale_story.council_claims_table(cap), "council_claims.csv",
            "Article 003's council claims, for each population year.",
        ),
        Markdown(districts_sentence(
            population_layers.share_of_districts_below(cap, year),
            population_layers.share_of_districts_below(cap // scale_story.CAP_DIVISOR, year),
            population_layers.share_population_without_district(year), cap, year,
        )),
    ]  # fmt: skip


def pcn_sentence(band: dict, pcns: pd.DataFrame, unallocated: int) -> str:
    """PCNs inside and outside the band, medians by rurality, the patients left out and the
    PCNs that span two ICBs (one or several)."""
    w, pc = vocabulary.whole, vocabulary.percent
    by_rural = pcns.groupby("rurality")["patients"].median()
    crossing = int(pcns["cross_border"].sum())
    spans = (
        f"{vocabulary.plural(crossing, 'PCN')} "
        + ("spans two ICBs (it is" if crossing == 1 else "span two ICBs (each")
        + " placed where most of its practices are)"
    )
    return (
        f"{band['inside']} of {band['count']} PCNs ({pc(band['share_inside'])}) hold "
        f"{w(band['low'])} to {w(band['high'])} registered patients; {band['below']} are smaller "
        f"and {band['above']} larger. The median PCN holds {w(band['median'])} patients. "
        + "; ".join(f"{r}: median {w(v)}" for r, v in by_rural.items())
        + f". {w(unallocated)} patients at practices in no PCN are left out, and {spans}."
    )


EXTREMES = 5  # the smallest and largest PCNs shown


def pcn_section(pcns: pd.DataFrame, pcn_band: list[int]) -> list:
    """The PCNs against the band in words, a download of those outside it and the extremes."""
    band = pcn_lists.pcn_band_summary(*pcn_band)
    outside = pcns[~pcns["patients"].between(band["low"], band["high"])].sort_values("patients")
    extremes = pd.concat([outside.head(EXTREMES), outside.tail(EXTREMES)])
    return [
        Markdown(pcn_sentence(band, pcns, pcn_lists.unallocated_patients())),
        HTML(charts.download_link(outside, "pcn_outliers.csv",
                                  f"All {len(outside)} PCNs outside the band")),
        charts.Table(
            extremes, "pcn_extremes.csv",
            f"The {vocabulary.count_words(EXTREMES)} smallest and "
            f"{vocabulary.count_words(EXTREMES)} largest PCNs.",
            columns=["pcn_name", "patients", "icb_name", "rurality", "cross_border"],
        ),
    ]  # fmt: skip


def acute_cost_figure(costs: pd.DataFrame) -> charts.Figure:
    """Cost per patient against catchment population, acute trusts."""
    return scale_story.size_cost_figure(
        costs, "catchment_population", "cost_per_patient", "Catchment population, 2022 (log scale)",
        "Operating expenses per patient, 2017/18 (£)", scale.ACUTE_TYPES, "acute_size_cost.csv",
        "Cost per patient in acute trusts",
    )  # fmt: skip


def estate_cost_figure(costs: pd.DataFrame) -> charts.Figure:
    """Estates cost per m² against floor area, every trust type with an estate."""
    return scale_story.size_cost_figure(
        costs, "floor_area_m2", "estate_cost_per_m2", "Floor area, 2019/20 (m², log scale)",
        "Estates and property cost per m² (£)", scale.ESTATE_TYPES, "estate_size_cost.csv",
        "Estates cost per m²",
    )  # fmt: skip


def size_cost_table(costs: pd.DataFrame) -> charts.Table:
    """Median size and cost by trust type, with what cost per bed does not mean."""
    by_type = scale.size_cost_by_type(costs)
    by_type["type"] = by_type["type"].map(vocabulary.TYPE_LABELS)
    return charts.Table(
        by_type, "size_cost_by_type.csv",
        "Median size and cost by trust type, 2017/18. Cost per bed means little outside acute "
        "trusts: community, mental-health and ambulance trusts spend most of their money "
        "away from beds. Trusts with cost data only; the CSV adds the median estate cost "
        "per m².",
        columns=["type", "trusts", "median_opex_m", "median_beds", "median_cost_per_bed",
                 "median_cost_per_patient"],
    )  # fmt: skip


def inputs_table() -> charts.Table:
    """The chapter's inputs."""
    return charts.inputs_table(inputs.SCALE, "scale_inputs.csv")
