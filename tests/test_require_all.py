"""CI sets REQUIRE_ALL_TESTS: there a test skipped for a missing tool fails the run, while
other skips stay skips."""

from django.conf import settings

pytest_plugins = ["pytester"]

SUITE = """
import pytest

@pytest.mark.skip(reason="missing tool: a tool")
def test_needs_a_tool():
    pass

@pytest.mark.skip(reason="the database lacks a feature")
def test_needs_a_database_feature():
    pass

def test_plain():
    pass
"""


def run(pytester, monkeypatch, require):
    monkeypatch.setenv("PYTHONPATH", str(settings.BASE_DIR))
    if require:
        monkeypatch.setenv("REQUIRE_ALL_TESTS", "1")
    else:
        monkeypatch.delenv("REQUIRE_ALL_TESTS", raising=False)
    pytester.makeconftest("from tests.require_all import pytest_sessionfinish")
    pytester.makepyfile(SUITE)
    return pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")


def test_a_skip_passes_on_a_developer_machine(pytester, monkeypatch):
    result = run(pytester, monkeypatch, require=False)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*1 passed, 2 skipped*"])


def test_a_skip_fails_where_every_tool_is_required(pytester, monkeypatch):
    result = run(pytester, monkeypatch, require=True)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*1 test(s) skipped for a missing tool*", "*test_needs_a_tool*missing tool: a tool*"]
    )
    assert "test_needs_a_database_feature:" not in result.stdout.str()
