"""Layer 1, the data: the manifest of public files (verified by sha256) and a loader for each
source (ODS, the succession of trusts, geography and boundaries, flow outcomes, finance, the
community providers' returns). Imports only :mod:`chsreport.settings` and
:mod:`chsreport.vocabulary` from the package."""
