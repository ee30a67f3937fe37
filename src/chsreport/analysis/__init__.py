"""Layer 2, the analysis: lineage and consolidation, scale, who runs community services, the
integration classes, models and checks, and the statistics behind every verdict. Imports the
data layer, never the layers that present it."""
