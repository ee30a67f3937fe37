"""Layer 3, what readers see: charts, maps and tables, the sentences each chapter computes, the
claims register, the key findings and the locality pages. Imports the analysis and data layers."""
