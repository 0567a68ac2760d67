"""`focus sweep`: a parameter grid on a local Dask cluster, the cache, failed points, outputs and argument errors."""

from __future__ import annotations

import csv
import json
import re

import pytest
from driver_helpers import TINY_TASK, png_ok

from focus_tools.cli import main
from focus_tools.commands.sweep import grid, parse_params, point_dir
from focus_tools.errors import FocusError

WIDTHS = [256, 512, 1024]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep") / "out"


@pytest.mark.dask
@pytest.mark.timeout(120)
def test_sweep_three_link_widths_in_parallel_on_a_local_dask_cluster(focus_cache, sweep_dir, capsys):
    code = main(["sweep", str(TINY_TASK), "--param", "link_bits=" + ",".join(map(str, WIDTHS)),
                 "--out", str(sweep_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 point(s), 0 cached, running 3 on a local Dask cluster" in err
    workers = set(re.findall(r": ok on (tcp://\S+)", err))
    assert len(workers) == 2  # LocalCluster(n_workers=min(3, 2)): both workers ran points
    doc = json.loads((sweep_dir / "sweep.json").read_text())
    assert doc["params"] == {"link_bits": WIDTHS} and doc["x"] == "link_bits"
    points = doc["points"]
    assert [p["params"]["link_bits"] for p in points] == WIDTHS
    assert all(p["status"] == "ok" for p in points)
    assert [p["link_bits"] for p in points] == WIDTHS  # each point really ran with its width
    for p in points:
        assert p["total_cycles"] >= p["compute_lower_bound"] > 0
        assert p["slowdown"] == pytest.approx(p["total_cycles"] / p["compute_lower_bound"], rel=1e-5)
        report = json.loads((sweep_dir / p["dir"] / "report.json").read_text())
        assert report["total_cycles"] == p["total_cycles"] and report["link_bits"] == p["link_bits"]
        assert not (sweep_dir / p["dir"] / "trace.json").exists()  # artifacts=False
        assert (sweep_dir / "cache" / f"{p['key']}.json").is_file()
    # narrower links: every flit crossing a link takes more link cycles
    util = [p["max_link_utilization"] for p in points]
    assert util[0] > util[1] > util[2]
    rows = list(csv.DictReader((sweep_dir / "sweep.csv").open()))
    assert [int(r["param_link_bits"]) for r in rows] == WIDTHS
    assert [int(r["total_cycles"]) for r in rows] == [p["total_cycles"] for p in points]
    png_ok(sweep_dir / "sweep.png")
    for w in WIDTHS:
        assert re.search(rf"^\| {w} +\| ok +\|", out, re.MULTILINE)


def test_sweep_reuses_the_cache_and_reports_failed_points(focus_cache, sweep_dir, capsys):
    """Rerun the same widths (cached: `anneal` is the focus preset's placement) next to a bogus placement:
    those points fail with their one-line error, the others complete, the exit code is 2."""
    before = json.loads((sweep_dir / "sweep.json").read_text()) if (sweep_dir / "sweep.json").exists() else None
    code = main(["sweep", str(TINY_TASK), "--param", "link_bits=256,512,1024", "--param", "placement=anneal,bogus",
                 "--out", str(sweep_dir), "--scheduler", "synchronous"])
    out, err = capsys.readouterr()
    assert code == 2
    doc = json.loads((sweep_dir / "sweep.json").read_text())
    assert len(doc["points"]) == 6
    good = [p for p in doc["points"] if p["params"]["placement"] == "anneal"]
    bad = [p for p in doc["points"] if p["params"]["placement"] == "bogus"]
    assert all(p["status"] == "ok" for p in good) and all(p["status"] == "error" for p in bad)
    for p in bad:
        assert p["error"] == "place-subops: strategy 'bogus', expected one of hilbert, snake, random, anneal"
        assert "\n" not in p["error"]
    if before is not None:  # run after the Dask test: the good points came from its cache
        assert "6 point(s), 3 cached, running 3 in this process" in err
        assert [p["total_cycles"] for p in good] == [p["total_cycles"] for p in before["points"]]
        assert out.count("| cached ") == 3
    assert out.count("place-subops: strategy 'bogus'") == 3
    png_ok(sweep_dir / "sweep.png")
    rows = list(csv.DictReader((sweep_dir / "sweep.csv").open()))
    assert [r["status"] for r in rows] == ["ok", "error"] * 3


def test_parse_params_and_grid():
    params = parse_params(["link-bits=256,512", "mesh=8,4x6", "preset=focus-original", "multicast=star,steiner"])
    assert params == {"link_bits": [256, 512], "mesh": [8, "4x6"], "preset": ["focus-original"],
                      "multicast": ["star", "steiner"]}
    points = grid(params)
    assert len(points) == 8 and points[0] == {"link_bits": 256, "mesh": 8, "preset": "focus-original",
                                              "multicast": "star"}
    assert point_dir(points[-1]) == "link_bits=512_mesh=4x6_preset=focus-original_multicast=steiner"
    # the original's -fr Fmin-Fmax-Step range form
    assert parse_params(["flit_bits=256-1024-256", "mesh=4-9-1"]) == {"flit_bits": [256, 512, 768, 1024],
                                                                      "mesh": [4, 5, 6, 7, 8, 9]}


@pytest.mark.parametrize("spec, message", [
    ("width=1,2", "unknown parameter 'width'"),
    ("link_bits=wide", "link_bits=wide: not an integer"),
    ("link_bits=0", "expected >= 1"),
    ("mesh=8y8", "expected N (an NxN mesh) or WxH"),
    ("preset=mine", "preset 'mine' is unknown"),
    ("batch", "expected NAME=V1,V2,..."),
    ("seed=1,1", "a value is repeated"),
    ("link_bits=1024-256-256", "expected MIN-MAX-STEP with MIN <= MAX and STEP >= 1"),
])
def test_bad_params_are_one_line_errors(spec, message, tmp_path, capsys):
    with pytest.raises(FocusError, match=re.escape(message)):
        parse_params([spec])
    code = main(["sweep", str(TINY_TASK), "--param", spec, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err


def test_a_param_swept_twice_is_an_error():
    with pytest.raises(FocusError, match="'seed' is swept twice"):
        parse_params(["seed=1", "seed=2"])


@pytest.mark.dask
@pytest.mark.timeout(120)
def test_sweep_on_an_existing_scheduler(focus_cache, tmp_path, capsys):
    """`--scheduler ADDRESS`: points go to a cluster started elsewhere (here: threads of this process)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code = main(["sweep", str(TINY_TASK), "--param", "seed=1", "--out", str(tmp_path / "o"),
                     "--scheduler", cluster.scheduler_address])
        worker = next(iter(cluster.scheduler_info["workers"]))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert re.search(r"^\| 1 +\| ok +\|", out, re.MULTILINE)
    assert f"running 1 on {cluster.scheduler_address}" in err and f": ok on {worker}" in err
    doc = json.loads((tmp_path / "o" / "sweep.json").read_text())
    assert doc["points"][0]["status"] == "ok" and doc["x"] == "seed"
