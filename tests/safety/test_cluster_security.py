"""Issue 17: a tls:// Dask cluster with --tls-ca/--tls-cert/--tls-key (certificates required, encrypted);
tls:// without them is one line; tcp:// to another host warns in one line that it is unauthenticated."""

from __future__ import annotations

import pytest

from tests.conftest import RECORDINGS
from vagal_coach.cli import main

pytest.importorskip("distributed")
pytest.importorskip("pandas")


def test_tls_without_certificates_is_one_line(tmp_path, capsys):
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--out", str(tmp_path / "t.csv"),
                 "--scheduler", "tls://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--tls-ca" in err[0], err


def test_tls_flags_without_tls_are_one_line(tmp_path, capsys):
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--out", str(tmp_path / "t.csv"),
                 "--tls-ca", "x.pem"]) == 2
    assert "tls://" in capsys.readouterr().err


def test_tcp_to_another_host_warns_in_one_line(tmp_path, capsys, monkeypatch):
    import distributed

    class Refused:  # no network needed: the warning comes before any connection
        def __init__(self, *a, **k):
            raise OSError("refused")

    monkeypatch.setattr(distributed, "Client", Refused)
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--out", str(tmp_path / "t.csv"),
                 "--scheduler", "tcp://scheduler.lab.example:8786"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    warn = [x for x in err if "warning" in x]
    assert len(warn) == 1 and "unauthenticated" in warn[0] and "tls://" in warn[0]
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--out", str(tmp_path / "t.csv"),
                 "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "warning" not in capsys.readouterr().err  # this machine: no warning


def _certificates(d):
    """A private CA and one certificate (for 127.0.0.1) signed by it, made with the openssl tool."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl tool to make test certificates")

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=test-ca")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "cert.pem", "-days", "1", "-extfile", "ext.cnf")
    return d / "ca.pem", d / "cert.pem", d / "key.pem"


def test_a_tls_cluster_runs_the_cohort(tmp_path, capsys):
    from distributed import LocalCluster
    from distributed.security import Security

    ca, cert, key = _certificates(tmp_path)
    sec = Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key),
                   tls_scheduler_cert=str(cert), tls_scheduler_key=str(key), tls_worker_cert=str(cert),
                   tls_worker_key=str(key), require_encryption=True)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tls://", host="127.0.0.1",
                      security=sec, dashboard_address=None) as cluster:
        out = tmp_path / "t.csv"
        rc = main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--out", str(out), "--scheduler",
                   cluster.scheduler_address, "--tls-ca", str(ca), "--tls-cert", str(cert), "--tls-key", str(key)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert out.read_text().count("\n") == 2 and "warning" not in err
