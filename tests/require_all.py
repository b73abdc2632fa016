"""A pytest hook: where every tool is installed, a test skipped for a missing one fails the run.

Other skips (a database feature SQLite lacks) stay skips."""

import os

import pytest

MISSING_TOOL = "missing tool: "  # how tests/tools.py starts its skip reasons


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Where every tool is installed (CI sets REQUIRE_ALL_TESTS), a test skipped for a missing
    tool is a failure: there it would be a test that proves nothing."""
    if not os.environ.get("REQUIRE_ALL_TESTS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [
        report
        for report in (reporter.stats.get("skipped", []) if reporter else [])
        if MISSING_TOOL in str(report.longrepr[-1])
    ]
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(
            f"REQUIRE_ALL_TESTS: {len(skipped)} test(s) skipped for a missing tool", red=True
        )
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[-1]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
