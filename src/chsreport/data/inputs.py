"""Which manifest inputs each chapter reads (shown on each chapter's page and used by the build to
say which data a page depends on).
"""

from __future__ import annotations

from chsreport.data import community_returns

CONSOLIDATION = [
    "ods_etr_2026_07",
    "ods_etr_2022_03",
    "ods_etr_2016_01",
    "ods_succ_2026_05",
    "trust_change_paths_2000_2018",
    "eric_trust_2013_14",
    "eric_trust_2014_15",
    "eric_trust_2015_16",
    "eric_trust_2016_17",
    "trust_list_2026_08",
    "gp_practice_map_2026_08",
]

SCALE = [
    "gp_age_2026_08",
    "gp_practice_map_2026_08",
    "gp_practice_map_2022_01",
    "gp_practice_lists_2021_01",
    "la_register",
    "ons_mye_2024",
    "ons_lsoa11_icb22",
    "ons_ruc21_ltla24",
    "trust_peer_finder_2018",
    "kh03_beds_2010_2022",
    "ohid_catchment_2022",
    "eric_site_2019_20",
    "ods_etr_2026_07",
    "ods_succ_2026_05",
    "trust_list_2026_08",
]


INTEGRATION = [
    *community_returns.chs_names(),
    "pelld_csds_mar_2025",
    "ohid_catchment_share_ltla21",
    "ohid_catchment_2022",
    "flow_ctr_daily",
    "flow_discharged_daily",
    "flow_delay_reasons",
    "flow_ae_attribution",
    "flow_beds_monthly",
    "flow_ae_monthly",
    "flow_sitrep_long",
    "staff_survey_2021_2024",
    "trust_peer_finder_2018",
    "ohid_catchment_share_icb22",
    "ons_lsoa11_icb22",
    "ods_etr_2022_03",
    "ods_succ_2026_05",
    "trust_list_2026_08",
]

COMMUNITY = [
    *community_returns.chs_names(),
    "pelld_ucr_2024_25",
    "pelld_csds_mar_2025",
    "pelld_community_bed_audit_2026",
    "gp_age_2026_08",
    "gp_practice_map_2026_08",
    "ons_lsoa11_icb22",
    "ods_etr_2026_07",
    "ods_succ_2026_05",
    "trust_list_2026_08",
]

LOCALITY = [
    "gp_age_2026_08",
    "gp_practice_map_2026_08",
    "la_register",
    "ons_mye_2024",
    "ons_lsoa11_icb22",
    "ons_ruc21_ltla24",
    "ods_etr_2026_07",
    "ods_succ_2026_05",
    "trust_list_2026_08",
    "ohid_catchment_share_icb22",
    "flow_ctr_daily",
    "flow_beds_monthly",
    "flow_ae_monthly",
    "flow_ae_attribution",
    "flow_sitrep_long",
    "flow_icb_ctr_daily",
    "virtual_wards_icb",
]
