"""chsreport: the package behind the community health services reform book."""

__version__ = "0.1.0"
