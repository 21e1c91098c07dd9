"""The ``import-registry`` command checks a file, reports progress and problems with line numbers."""

from pathlib import Path

from click.testing import CliRunner

from portal.housing.commands import import_registry

SAMPLE = Path(__file__).parent / "registry_sample.csv"


def test_the_command_previews_the_sample_file(engines):
    result = CliRunner().invoke(import_registry, [str(SAMPLE), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "8 rows checked" in result.output
    assert "premises    new      6" in result.output
    assert "dry run: nothing written" in result.output


def test_the_command_refuses_a_bad_file_with_the_line(engines, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("1/2", "3/2")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(import_registry, [str(bad)])
    assert result.exit_code != 0
    assert "Строка 4:" in result.output
    assert "nothing was imported" in result.output
