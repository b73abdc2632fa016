"""The production stack on one machine, for bench/scaleout.py and bench/faults.py.

Two gunicorn app servers on two loopback ports (the flags of deploy/briefing-web.service),
two `manage.py db_worker` processes (deploy/briefing-worker@.service), one PostgreSQL
(DATABASE_URL), Redis as the shared cache (CACHE_URL), and nginx in front with the
repository's deploy/nginx.conf: a copy made for the test, where only the upstream servers,
the listening addresses and the certificate (self-signed, made here) differ. Everything
started here runs in its own process group and is stopped by `Stack.stop`.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HTTP_PORT, HTTPS_PORT = 8780, 8743
APP_PORTS = (8741, 8742)


def site_config(source, app_ports, http_port, https_port, cert, key):
    """deploy/nginx.conf with the test's upstreams, listening ports and certificate."""
    text = Path(source).read_text()
    servers = "".join(f"    server 127.0.0.1:{port} fail_timeout=0;\n" for port in app_ports)
    text, found = re.subn(r"    server 127\.0\.0\.1:8000 fail_timeout=0;\n", servers, text)
    assert found == 1, "deploy/nginx.conf: the upstream's server line moved"
    replacements = [
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"ssl_certificate /etc/ssl/briefing/fullchain.pem;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key /etc/ssl/briefing/privkey.pem;", f"ssl_certificate_key {key};"),
    ]
    for old, new in replacements:
        text, found = re.subn(re.escape(old), new, text)
        assert found == 1, f"deploy/nginx.conf: {old!r} not found once"
    # No IPv6 listeners on a test machine's loopback.
    text = re.sub(r"\n\s*listen \[::\]:[^\n]*", "", text)
    return text


def main_config(folder, site):
    return f"""worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {site};
}}
"""


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def children(pid):
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(p) for p in found]


class Stack:
    def __init__(
        self, folder, *, web_workers=3, recycle=True, cache_prefix="", nginx=True,
        web_ports=APP_PORTS, worker_ids=False,
    ):  # fmt: skip
        self.folder = Path(folder)
        self.web_ports, self.worker_ids = web_ports, worker_ids
        self.folder.mkdir(parents=True, exist_ok=True)
        self.web_workers, self.recycle, self.use_nginx = web_workers, recycle, nginx
        self.web, self.workers, self.worker_id, self.nginx = {}, {}, {}, None
        self.base = f"https://127.0.0.1:{HTTPS_PORT}"
        self.env = os.environ | {
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.base,
            "BEHIND_TLS_PROXY": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": cache_prefix or f"scaleout-{os.getpid()}",
        }
        for name in ("DATABASE_URL", "CACHE_URL", "MEDIA_ROOT"):
            if not os.environ.get(name):
                raise SystemExit(f"set {name}")
        self.env.setdefault("STATIC_ROOT", str(self.folder / "static"))

    # processes ---------------------------------------------------------------------------

    def _spawn(self, command, log):
        out = open(self.folder / log, "ab")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start(self):
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=self.env, check=True, capture_output=True)
        for port in self.web_ports:
            self.start_web(port)
        for n in (1, 2):
            self.start_worker(n)
        if self.use_nginx:
            self.start_nginx()
        self.wait_ready()
        return self

    def start_web(self, port):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "reports_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.web_workers),
            "--timeout",
            "120",
            "--graceful-timeout",
            "60",
        ]  # fmt: skip  (deploy/briefing-web.service)
        if self.recycle:
            command += ["--max-requests", "2000", "--max-requests-jitter", "200"]
        self.web[port] = self._spawn(command, f"web-{port}.log")

    def start_worker(self, n):
        command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
        if self.worker_ids:  # known ids, so a test can tell which process has a job
            self.worker_id[n] = f"bench-{n}-{time.time_ns()}"
            command += ["--worker-id", self.worker_id[n]]
        self.workers[n] = self._spawn(command, f"worker-{n}.log")
        return self.workers[n]

    def start_nginx(self):
        folder = self.folder / "nginx"
        for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for sub in (folder / "tmp").rglob("*"):
            sub.chmod(0o777)
        cert, key = folder / "cert.pem", folder / "key.pem"
        if not cert.exists():
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                check=True, capture_output=True,
            )  # fmt: skip
        site = folder / "site.conf"
        site.write_text(
            site_config(
                ROOT / "deploy/nginx.conf", self.web_ports, HTTP_PORT, HTTPS_PORT, cert, key
            )
        )
        conf = folder / "nginx.conf"
        conf.write_text(main_config(folder, site))
        test = subprocess.run(["nginx", "-t", "-p", str(folder), "-c", str(conf)],
                              capture_output=True, text=True)  # fmt: skip
        if test.returncode:
            raise SystemExit(f"nginx -t failed:\n{test.stderr}")
        self.nginx = self._spawn(["nginx", "-p", str(folder), "-c", str(conf)], "nginx.log")

    def wait_ready(self, timeout=60):
        urls = [f"http://127.0.0.1:{port}/healthz" for port in self.web]
        if self.use_nginx:
            urls.append(f"http://127.0.0.1:{HTTP_PORT}/healthz")
        until = time.monotonic() + timeout
        for url in urls:
            while True:
                try:
                    status = httpx.get(url, timeout=5).status_code
                    if status == 200:
                        break
                except httpx.HTTPError:
                    status = None
                if time.monotonic() > until:
                    raise SystemExit(f"{url} did not answer 200 (last: {status})")
                time.sleep(0.5)

    @staticmethod
    def _stop(process, sig=signal.SIGTERM, timeout=60):
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)  # the group this script started, nothing else
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self):
        self._stop(self.nginx, signal.SIGQUIT)
        for process in self.web.values():
            self._stop(process)
        for process in self.workers.values():
            self._stop(process)

    # memory ------------------------------------------------------------------------------

    def processes(self):
        """[(label, pid)]: each app server's master and workers, each worker and its
        render processes."""
        found = []
        for port, master in self.web.items():
            if master.poll() is None:
                found.append((f"web {port} master", master.pid))
                for n, pid in enumerate(sorted(children(master.pid)), 1):
                    found.append((f"web {port} worker {n}", pid))
        for n, worker in self.workers.items():
            if worker.poll() is None:
                found.append((f"db_worker {n}", worker.pid))
                for m, pid in enumerate(sorted(children(worker.pid)), 1):
                    found.append((f"db_worker {n} render {m}", pid))
        return found

    def sample(self):
        """{label: (pid, RSS in kB)} now."""
        return {label: (pid, rss_kb(pid)) for label, pid in self.processes()}


def clean_folder(folder):
    shutil.rmtree(folder, ignore_errors=True)


def temp_folder(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))
