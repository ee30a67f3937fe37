"""chsreport: the package behind the community health services reform book."""

__version__ = "0.2.0"
