import nbformat

from chsreport.publishing import standalone


def test_a_rerun_is_one_page_with_its_text_and_outputs_but_no_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("icb = 'QE1'")
    params.metadata["tags"] = ["parameters", "remove-cell"]
    shown = nbformat.v4.new_code_cell("secret_code()")
    shown.metadata["tags"] = ["remove-input"]
    shown.outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "**Bold** <script>x</script>"}),
        nbformat.v4.new_output(
            "display_data", {"text/html": '<figure class="chs-chart">f</figure>'}
        ),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nAs {cite:t}`west000` wrote."),
        params,
        shown,
    ]
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    page = standalone.write_html(path, "Title", "A re-run.").read_text()
    assert "<h1>Title</h1>" in page and "As west000 wrote." in page
    assert "<strong>Bold</strong>" in page and "<script>x</script>" not in page
    assert '<figure class="chs-chart">f</figure>' in page
    assert "secret_code" not in page and "icb = " not in page
    assert (tmp_path / "_static" / "vega-bundle.js").stat().st_size > 100_000
    assert (tmp_path / "_static" / "chs.css").exists()
