"""Layer 4, publishing: executing the notebooks (papermill), staging and compiling the Jupyter
Book, the PDFs, the build log, the standalone re-run page and the Sphinx extension. The command
line (:mod:`chsreport.cli`) sits on top."""
