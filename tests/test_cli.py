"""The command line: clear errors, exit code 2, no kernel for a bad parameter."""

from __future__ import annotations

from chsreport import cli
from chsreport.publishing import build, execution, standalone


def test_run_with_unknown_icb_fails_fast(capsys, monkeypatch):
    monkeypatch.setattr(execution, "execute", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    assert cli.main(["run", "consolidation", "-p", "icb=XYZ"]) == 2
    err = capsys.readouterr().err
    assert "unknown ICB code 'XYZ'" in err and "QE1" in err


def test_run_with_wrong_type(capsys):
    assert cli.main(["run", "consolidation", "-p", "start_year=soon"]) == 2
    assert "valid integer" in capsys.readouterr().err


def test_run_passes_checked_values_and_file(tmp_path, monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(
        execution, "execute", lambda nb, v, out, log=print: seen.update(v=v, out=out)
    )
    monkeypatch.setattr(
        standalone, "write_html", lambda path, title, note: path.with_suffix(".html")
    )
    params_file = tmp_path / "mine.yml"
    params_file.write_text("start_year: 2015\n")
    assert (
        cli.main(
            [
                "run",
                "consolidation",
                "-f",
                str(params_file),
                "-p",
                "icb=qe1",
                "-o",
                str(tmp_path / "o.ipynb"),
            ]
        )
        == 0
    )
    assert seen["v"]["icb"] == "QE1" and seen["v"]["start_year"] == 2015
    assert seen["out"] == tmp_path / "o.ipynb"
    assert f"open in a browser: {tmp_path / 'o.html'}" in capsys.readouterr().out


def test_data_verify(capsys):
    assert cli.main(["data", "verify"]) == 0
    assert "all data files present and verified" in capsys.readouterr().out


def test_ctrl_c_says_the_last_good_book_is_unchanged(capsys, monkeypatch):
    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "build_book", interrupted)
    assert cli.main(["build"]) == 130
    assert "the last good book is unchanged" in capsys.readouterr().err
