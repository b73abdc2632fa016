"""A pytest hook: where every tool is installed, a skipped test fails the run."""

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Where every tool is installed (CI sets REQUIRE_ALL_TESTS), a skipped test is a failure:
    a skip there means a test that proves nothing."""
    if not os.environ.get("REQUIRE_ALL_TESTS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"REQUIRE_ALL_TESTS: {len(skipped)} test(s) skipped", red=True)
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[-1]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
