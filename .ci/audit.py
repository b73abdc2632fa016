"""Known vulnerabilities in the locked dependencies (every group, as CI installs them).

pip-audit asks the package index's JSON API about each locked version
(`--vulnerability-service pypi`). An index that answers the project's page but not the
version's (a mirror) makes pip-audit skip every package and still print "No known
vulnerabilities found". So its skips are counted, and a skipped package is looked up again
on the project's page, whose vulnerability list is that of the latest release: exact for a
package locked at its latest release; a package locked behind it stays "not audited" and
is named. The index is the one the lock was resolved against (uv.lock).

Exit 1 on a known vulnerability. An audit that could not be done (no pip-audit, the index
unreachable) is reported loudly but passes, unless AUDIT_REQUIRED=1: a network hiccup must
not fail the build, and must not pass for a clean audit either.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PIP_AUDIT = "pip-audit==2.10.1"
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20  # seconds for one page of the index


class NotAudited(Exception):
    """The audit could not be done at all."""


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_requirements(folder):
    out = Path(folder, "requirements.txt")
    subprocess.run(
        ["uv", "export", "--frozen", "--no-hashes", "--all-groups", "--no-emit-project"]
        + ["--format", "requirements-txt", "--quiet", "-o", str(out)],
        cwd=ROOT,
        check=True,
    )
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", out.read_text(), re.M)
    return out, {canonical(name): version for name, version in pins}


def pip_audit(requirements, folder):
    """pip-audit's report: {"dependencies": [...]} (each with vulns or a skip_reason)."""
    report = Path(folder, "audit.json")
    command = ["uvx", PIP_AUDIT, "-r", str(requirements), "--no-deps", "--disable-pip"]
    command += ["--vulnerability-service", "pypi", "--progress-spinner", "off"]
    command += ["--format", "json", "-o", str(report)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1) or not report.exists():  # 1: vulnerabilities found
        raise NotAudited(f"pip-audit did not run: {done.stderr.strip()[-500:]}")
    return json.loads(report.read_text())


def index_api():
    """The JSON API of the index uv.lock was resolved against."""
    found = re.search(r'registry = "([^"]+)/simple/?"', (ROOT / "uv.lock").read_text())
    if not found:
        raise NotAudited("uv.lock names no package index")
    return found[1] + "/pypi"


def project_page(api, name):
    request = urllib.request.Request(f"{api}/{name}/json", headers={"Accept": "application/json"})
    for attempt in range(2):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            if attempt:
                return error
    return None


def latest_release_findings(api, skipped):
    """{name: vulns} for skipped packages locked at their latest release, and the names of
    those locked behind it (or not answered), which stay unaudited."""
    with ThreadPoolExecutor(8) as pool:
        pages = dict(zip(skipped, pool.map(lambda n: project_page(api, n), skipped), strict=True))
    if pages and all(isinstance(page, Exception) for page in pages.values()):
        raise NotAudited(f"the package index does not answer: {next(iter(pages.values()))}")
    audited, unaudited = {}, {}
    for name, version in skipped.items():
        page = pages[name]
        latest = page["info"]["version"] if isinstance(page, dict) else None
        if latest != version:
            unaudited[name] = f"{version} (latest {latest})" if latest else version
            continue
        vulns = [v for v in page.get("vulnerabilities") or [] if not v.get("withdrawn")]
        audited[name] = [{"id": v["id"], "fix_versions": v.get("fixed_in") or []} for v in vulns]
    return audited, unaudited


def audit():
    """(findings {name: (version, vulns)}, unaudited {name: why}, audited count)."""
    with tempfile.TemporaryDirectory(prefix="audit-") as folder:
        requirements, pins = locked_requirements(folder)
        report = pip_audit(requirements, folder)
    findings, skipped = {}, {}
    for dependency in report["dependencies"]:
        name = canonical(dependency["name"])
        if "skip_reason" in dependency:
            skipped[name] = pins.get(name, dependency.get("version", "?"))
        elif dependency["vulns"]:
            findings[name] = (dependency["version"], dependency["vulns"])
    total = len(report["dependencies"])
    print(f"pip-audit: {total - len(skipped)} of {total} locked packages audited")
    if not skipped:
        return findings, {}, total
    audited, unaudited = latest_release_findings(index_api(), skipped)
    print(f"the index's data of the latest release: {len(audited)} more audited")
    for name, vulns in audited.items():
        if vulns:
            findings[name] = (skipped[name], vulns)
    return findings, unaudited, total - len(unaudited)


def main():
    try:
        findings, unaudited, audited = audit()
    except NotAudited as error:
        print(f"NOT AUDITED: {error}")
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    for name, (version, vulns) in sorted(findings.items()):
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE: {name} {version}: {vuln['id']} (fixed in: {fixed})")
    if unaudited:
        print(f"not audited (the index has no data for the locked version): {len(unaudited)}")
        for name, why in sorted(unaudited.items()):
            print(f"  {name} {why}  (uv lock --upgrade-package {name})")
    print(f"{audited} locked packages audited: {len(findings)} with known vulnerabilities")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
