"""Label what a job candidate says at the close of an interview: interest, ambiguous or disinterest.

    closing-signal predict "I'd love to move forward"      label texts (or --input FILE, - for stdin)
    closing-signal train data/train.jsonl --out DIR         train a model (safe format + model card)
    closing-signal evaluate data/test.jsonl [--model DIR]   scores, confusion matrix, calibration, errors
    closing-signal score data/transcripts --out results.jsonl   label interview transcripts (files, folders, -)
    closing-signal review results.jsonl --out queue.jsonl   the closings to label next (least certain first)
    closing-signal annotate queue.jsonl --out labels.jsonl  label them in your browser (127.0.0.1 only)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .transcripts.readers import FORMATS
from .version import __version__

__all__ = ["main", "build_parser"]


def _usage_error(message: str) -> SystemExit:
    """Exit 2 with ``message`` on stderr, as argparse does for usage errors."""
    print(f"closing-signal: {message}", file=sys.stderr)
    return SystemExit(2)


def _int_at_least(minimum: int):
    """An argparse type: a whole number no smaller than ``minimum``."""
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {n}")
        return n
    return parse


_positive_int, _count = _int_at_least(1), _int_at_least(0)


def _read_inputs(args) -> list[str]:
    texts = list(args.texts)
    if args.input:
        if args.input == "-":
            raw = sys.stdin.read()
        else:
            try:
                data = Path(args.input).read_bytes()
            except OSError as e:
                raise _usage_error(f"cannot read {args.input}: {e.strerror}")
            try:
                raw = data.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                line = data[: e.start].count(b"\n") + 1
                raise _usage_error(f"{args.input}:{line}: not UTF-8 text (a binary file?); "
                                   "give a text file with one closing per line")
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.lstrip().startswith("{"):
                try:
                    line = json.loads(line)["text"]
                except (json.JSONDecodeError, KeyError, TypeError, RecursionError):
                    raise _usage_error(f"{args.input}:{n}: expected a JSON object with 'text'")
            texts.append(line)
    if not texts:
        raise _usage_error("predict: give texts as arguments or --input FILE")
    return texts


def _style_groups(recs) -> dict[str, list[bool]]:
    """Masks of the clean and ASR-style records, for per-subset scores."""
    return {s: [r.style == s for r in recs] for s in ("clean", "asr") if any(r.style == s for r in recs)}


def _predict(args) -> int:
    import closing_signal

    model = closing_signal.load(args.model)
    texts = _read_inputs(args)
    for text, p in zip(texts, model.predict_many(texts, batch_size=args.batch_size, n_process=args.jobs)):
        if args.format == "jsonl":
            print(json.dumps({"text": text, **p.to_dict()}, ensure_ascii=False))
        else:
            probs = "  ".join(f"{k[:3]} {v:.2f}" for k, v in p.probabilities.items())
            ev = ", ".join(repr(e.text) for e in p.evidence[:3])
            print(f"{p.label.value:11s}  {probs}  | {text[:70]}{'…' if len(text) > 70 else ''}")
            if ev:
                print(f"{'':13s}evidence: {ev}")
    return 0


def _train(args) -> int:
    import warnings

    # startup time: a command imports only what it uses
    from .data.records import DataError
    from .evaluation import evaluate
    from .overwrite import check_not_input, check_replaceable
    from .training import load_files, train, write_model

    if not (args.data or args.base or args.add):
        raise _usage_error("train: give labeled files, --base or --add FILE")
    check_not_input(args.out, [*args.data, *args.eval, *args.add])
    check_replaceable(args.out, force=args.force)  # before the work, not after it
    try:
        records = load_files(args.data, weights=args.weights)
        added = load_files(args.add)
        held_out = {str(p): load_files([p]) for p in args.eval}
        load_files(args.calibrate_on)  # bad lines are reported now, before training
    except DataError as e:
        print(f"closing-signal train: {e}", file=sys.stderr)
        return 2
    data_files, base, held_added = list(args.data), args.base, []
    if added:  # your labels: a fixed share is held out to compare the shipped model with the new one
        # startup time: a command imports only what it uses
        from .review.holdout import split_holdout, without
        from .training import base_corpus, base_corpus_paths

        added, held_added = split_holdout(added, args.holdout)
        if base:  # the shipped corpus joins here, so that no held-out text is trained on
            data_files, base = [*data_files, *base_corpus_paths()], False
            records = [*records, *base_corpus()]
        records, data_files = without([*records, *added], held_added), [*data_files, *args.add]
    params = {k: v for k, v in (("C", args.C), ("min_df", args.min_df)) if v is not None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = train(records, params=params, random_state=args.seed, data_files=data_files, base=base,
                          calibrate_on=args.calibrate_on)
        except DataError as e:
            print(f"closing-signal train: {e}", file=sys.stderr)
            return 2
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    metrics = {}
    for path, recs in held_out.items():
        texts, gold = [r.text for r in recs], [r.label for r in recs]
        groups = _style_groups(recs)
        rep = evaluate(model, texts, gold, groups=groups, n_errors=0)
        stems = [Path(p).stem for p in held_out]
        name = Path(path).stem if stems.count(Path(path).stem) == 1 else Path(path).with_suffix("").as_posix()
        metrics[name] = {"file": Path(path).as_posix(), **{k: v for k, v in rep.to_dict().items()
                                                                      if k not in ("errors", "reliability")}}
        print(f"== held-out {path}\n{rep}\n")
    if args.add:
        metrics.update(_added_report(model, held_added, args))
    out = write_model(model, args.out, metrics=metrics, force=args.force)
    counts = model.meta["training"]["label_counts"]
    print(f"wrote {out} (trained on {model.meta['training']['n_records']} records: {counts})")
    return 0


def _added_report(model, held: list, args) -> dict:
    """Before (shipped model) / after (new model) on the held-out share of --add, printed and for the card."""
    import closing_signal

    # startup time: a command imports only what it uses
    from .review.holdout import HOLDOUT_RULE, before_after

    rule = HOLDOUT_RULE.format(pct=round(100 * args.holdout))
    if not held:
        print(f"== none of your labels was held out ({rule}): label more for a before/after comparison")
        return {}
    r = before_after(held, closing_signal.load(), model)
    print(f"== held-out part of your labels: {r['n']} closings, never trained on ({rule})\n"
          f"macro-F1: shipped model {r['before']['macro_f1']:.4f} -> new model {r['after']['macro_f1']:.4f}\n")
    note = f"{', '.join(map(str, args.add))}: {rule}; shipped model macro-F1 {r['before']['macro_f1']}"
    return {"your-labels-held-out": {"file": note, **r["after"], "before": r["before"]}}


def _evaluate(args) -> int:
    import closing_signal

    # startup time: a command imports only what it uses
    from .data.records import DataError
    from .evaluation import cross_validate, evaluate, evaluate_transcripts, is_transcript_gold, write_report
    from .training import load_files

    if len(args.data) == 1 and is_transcript_gold(args.data[0]) and not args.cv:  # {"file", "label"} lines
        try:
            rep = evaluate_transcripts(args.data[0], model=closing_signal.load(args.model), n_errors=args.errors)
        except DataError as e:
            print(f"closing-signal evaluate: {e}", file=sys.stderr)
            return 2
        print(json.dumps(rep.to_dict(), indent=2) if args.json else rep)
        return 0
    try:
        recs = load_files(args.data)
    except DataError as e:
        print(f"closing-signal evaluate: {e}", file=sys.stderr)
        return 2
    if args.cv:
        result = cross_validate(recs, k=args.cv, random_state=args.seed)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            folds = "  ".join(f"{f['macro_f1']:.4f}" for f in result["folds"])
            print(f"{args.cv}-fold cross-validation on {result['n']} records: macro-F1 "
                  f"{result['macro_f1_mean']:.4f} ± {result['macro_f1_std']:.4f}  (folds: {folds})")
        return 0
    if args.report and not args.report.lower().endswith((".html", ".htm", ".md")):
        raise _usage_error(f"--report {args.report}: the report is written as .html or .md; name it so")
    model = closing_signal.load(args.model)
    texts, gold = [r.text for r in recs], [r.label for r in recs]
    groups = _style_groups(recs)
    rep = evaluate(model, texts, gold, groups=groups, n_errors=args.errors)
    print(json.dumps(rep.to_dict(), indent=2) if args.json else rep)
    if args.report:
        path = write_report(rep, args.report, title=f"closing_signal on {', '.join(map(str, args.data))}",
                            model=str(args.model or "default"))
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _table_row(row: dict) -> tuple:
    label = row["label"] or "failed"
    conf = f"{max(row['probabilities'].values()):.2f}" if row.get("probabilities") else ""
    words = row.get("decided_by") or ", ".join(e["text"] for e in (row.get("evidence") or [])[:3])
    words = " ".join(str(words).split())
    return (row["file"], label, conf, row.get("candidate") or "", words[:60] + ("…" if len(words) > 60 else ""))


def _score(args) -> int:
    import os
    import tempfile
    import time
    from collections import Counter

    # startup time: a command imports only what it uses
    from .output import RowWriter, format_of
    from .overwrite import check_not_input
    from .transcripts import iter_transcript_paths, score_transcripts
    from .transcripts.decode import display_name

    out_path = args.out
    if args.resume and out_path == "-":
        raise _usage_error("score: --resume needs --out FILE")
    if args.resume and args.force:
        raise _usage_error("score: --resume continues --out, --force empties it: choose one")
    fmt = args.format or ("table" if out_path == "-" and sys.stdout.isatty() else None)
    if fmt == "table" and out_path != "-":
        raise _usage_error("score: --format table prints to the terminal; give --out FILE.jsonl or FILE.csv "
                           "for a file")
    if fmt != "table":
        try:
            fmt = format_of(out_path, fmt)
        except ValueError as e:
            raise _usage_error(f"score: --out {e}")
    if out_path != "-":
        check_not_input(out_path, [p for p in args.paths if p != "-"])
    # fails now, before any work, if --out is not writable, is locked, or holds what is not ours
    writer = None if fmt == "table" else RowWriter(out_path, fmt=fmt, append=args.resume, force=args.force)
    done = writer.done if writer else set()
    table: list[tuple] = []
    tmp = None
    try:
        inputs = list(args.paths)
        if "-" in inputs:  # a transcript on stdin
            tmp = tempfile.NamedTemporaryFile(prefix="stdin-", suffix=".txt", delete=False)
            tmp.write(sys.stdin.buffer.read())
            tmp.close()
            inputs = [tmp.name if p == "-" else p for p in inputs]
        paths = [p for p in iter_transcript_paths(inputs) if display_name(p) not in done and
                 (out_path == "-" or os.path.abspath(p) != os.path.abspath(out_path))]
        from tqdm import tqdm

        counts: Counter = Counter()
        started = time.perf_counter()
        bar = tqdm(total=len(paths), unit="file", file=sys.stderr, disable=not sys.stderr.isatty())
        client = None
        if args.scheduler or args.dask:
            rows, client = _dask_rows(args, paths)
        else:
            import closing_signal

            model = closing_signal.load(args.model)
            rows = (r.to_row() for r in score_transcripts(paths, n_jobs=args.jobs, candidate=args.candidate,
                                                          format=args.input_format, model=model))
        try:
            for row in rows:
                if tmp is not None and row["file"] == tmp.name:
                    row["file"] = "-"
                if writer:
                    writer.write(row)
                else:
                    table.append(_table_row(row))
                if row["error"]:
                    bar.clear()
                    print(f"closing-signal: failed: {row['file']}: {row['error']}", file=sys.stderr)
                counts["failed" if row["error"] else row["label"]] += 1
                bar.update(1)
        finally:
            bar.close()
            if client is not None:
                client.close()
    finally:
        if writer:
            writer.close()
        if tmp is not None:
            os.unlink(tmp.name)
    if table:
        from wasabi import table as render

        print(render(table, header=("file", "label", "confidence", "candidate", "deciding words"), divider=True,
                     max_col=64))
    took = time.perf_counter() - started
    parts = ", ".join(f"{k} {counts[k]}" for k in ("interest", "ambiguous", "disinterest", "failed") if counts[k])
    skipped = f" ({len(done)} already in {out_path})" if done else ""
    print(f"scored {sum(counts.values())} file(s) in {took:.1f}s{skipped}: {parts or 'nothing to do'}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _review(args) -> int:
    import os
    from collections import Counter

    import closing_signal

    # startup time: a command imports only what it uses
    from .data.records import DataError
    from .overwrite import OverwriteError, check_not_input
    from .review import candidates, formats, sampling
    from .training import load_files

    try:
        fmt = formats.format_for(args.out, args.format)
    except ValueError as e:
        raise _usage_error(f"review: --out {e}")
    check_not_input(args.out, [*args.inputs, *args.exclude])
    if os.path.lexists(args.out) and not args.force:  # before the work, not after it
        raise OverwriteError(f"{args.out} exists; it was left as it is. Choose another --out, or pass --force")
    try:
        pool = [c for path in args.inputs for c in candidates.read_candidates(path)]
        done = [r.text for r in load_files(args.exclude)]
    except DataError as e:
        print(f"closing-signal review: {e}", file=sys.stderr)
        return 2
    items = sampling.select(pool, closing_signal.load(args.model), args.n, strategy=args.strategy, seed=args.seed,
                            exclude=done)
    formats.write_queue(items, args.out, fmt, force=args.force)
    guesses = ", ".join(f"{k} {v}" for k, v in sorted(Counter(i["guess"] for i in items).items()))
    print(f"wrote {len(items)} of {len(pool)} closings to {args.out} ({fmt}; least certain first by "
          f"{args.strategy}, near-duplicates left out; the model guessed {guesses or 'nothing'})", file=sys.stderr)
    if fmt == "label-studio":
        print(f"Label Studio labeling interface: {formats.LABEL_STUDIO_CONFIG}", file=sys.stderr)
    return 0


def _annotate(args) -> int:
    # startup time: a command imports only what it uses
    from .overwrite import check_not_input
    from .review.server import serve

    check_not_input(args.out, [args.queue])
    return serve(args.queue, args.out, port=args.port, force=args.force)


def _dask_rows(args, paths):
    """Rows scored on a Dask cluster: the one at ``--scheduler``, or a local one (``--dask``)."""
    try:
        from distributed import Client, LocalCluster

        # optional dependency (Dask): imported only when asked for
        from .distributed import ModelPlugin, iter_scored
    except ImportError as e:
        raise SystemExit(f"closing-signal score: {e}")
    if args.scheduler:
        client = Client(args.scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=max(1, args.jobs), threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None)
        client = Client(cluster)
        close = client.close
        client.close = lambda: (close(), cluster.close())  # the cluster is ours: close it with the client
    model_path = None if args.model is None else str(Path(args.model).resolve())
    client.register_plugin(ModelPlugin(model_path))
    return iter_scored(client, paths, model_path=model_path, candidate=args.candidate,
                       format=args.input_format), client


def build_parser() -> argparse.ArgumentParser:

    ap = argparse.ArgumentParser(prog="closing-signal", description=__doc__.split("\n\n")[0],
                                 epilog="Labeling guide: docs/labeling.md. Each command has --help.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("predict", help="label closing texts")
    p.add_argument("texts", nargs="*", help="texts to label")
    p.add_argument("--input", "-i", help="file with one text per line (or JSONL with 'text'); - for stdin")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument("--format", choices=("table", "jsonl"), default="table",
                   help="table: a line per text with its evidence; jsonl: one JSON object per text")
    p.add_argument("--batch-size", type=_positive_int, default=1000, help="texts per batch (default 1000)")
    p.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    p.set_defaults(func=_predict)

    p = sub.add_parser("score", help="label interview transcripts (one row per file)")
    p.add_argument("paths", nargs="+", help="transcript files or folders (recursive); - for stdin")
    p.add_argument("--out", "-o", default="-", help="output file (.jsonl or .csv); default stdout")
    p.add_argument("--format", choices=("jsonl", "csv", "table"),
                   help="output format (default: from --out's ending; with no --out, a table on a terminal "
                        "and JSONL in a pipe)")
    p.add_argument("--input-format", choices=FORMATS,
                   help="transcript format (default: detected per file)")
    p.add_argument("--candidate", help="the candidate's speaker label (default: inferred)")
    p.add_argument("--jobs", "-j", type=_positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--resume", action="store_true", help="skip files that already have a row in --out")
    p.add_argument("--force", action="store_true",
                   help="overwrite --out even if it is not a closing-signal result file")
    p.add_argument("--scheduler", metavar="ADDRESS", help="score on the Dask cluster at ADDRESS (needs .[dask])")
    p.add_argument("--dask", action="store_true", help="score on a local Dask cluster of --jobs workers")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.set_defaults(func=_score)

    p = sub.add_parser("review", help="pick the closings to label next: least certain first, no near-duplicates")
    p.add_argument("inputs", nargs="+", metavar="FILE",
                   help="rows of closing-signal score (JSONL/CSV), JSONL of {\"text\"}, or one text a line")
    p.add_argument("--out", "-o", required=True, help="the queue file (.jsonl, .json for Label Studio, .csv)")
    p.add_argument("--n", type=_positive_int, default=200, help="how many closings to pick (default 200)")
    p.add_argument("--format", choices=("jsonl", "label-studio", "prodigy", "csv"),
                   help="queue format (default: from --out's ending; prodigy must be asked for)")
    p.add_argument("--strategy", choices=("margin", "entropy", "random"), default="margin",
                   help="uncertainty of the calibrated probabilities: margin of the top two (default) or entropy; "
                        "random for a baseline")
    p.add_argument("--seed", type=int, default=0, help="breaks ties (and orders --strategy random); default 0")
    p.add_argument("--exclude", nargs="+", default=[], metavar="FILE",
                   help="labeled files whose texts are already done (e.g. labels.jsonl of a previous round)")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=_review)

    p = sub.add_parser("annotate", help="label a review queue in your browser (a page on 127.0.0.1)")
    p.add_argument("queue", help="the queue from closing-signal review (JSONL)")
    p.add_argument("--out", "-o", required=True, help="labels file: every answer is appended at once; "
                                                      "restarting resumes it")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0: any free port)")
    p.add_argument("--force", action="store_true", help="replace --out if it is not a closing-signal labels file")
    p.set_defaults(func=_annotate)

    p = sub.add_parser("train", help="train a model on labeled JSONL/CSV")
    p.add_argument("data", nargs="*", help="labeled files (JSONL or CSV with text,label; Prodigy JSONL; "
                                          "Label Studio JSON; labels from closing-signal annotate)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--force", action="store_true",
                   help="replace --out even if it is not a closing-signal model directory")
    p.add_argument("--eval", nargs="*", default=[], help="held-out files to score and record in the model card")
    p.add_argument("--base", action="store_true", help="also train on the shipped corpus")
    p.add_argument("--add", nargs="+", default=[], metavar="FILE",
                   help="your labels (e.g. from closing-signal annotate): --holdout of them is kept apart by a "
                        "hash of the text, and the shipped and new models are compared on it")
    p.add_argument("--holdout", type=float, default=0.2, metavar="FRACTION",
                   help="share of --add held out for the before/after comparison (default 0.2)")
    p.add_argument("--weights", nargs="+", type=float, metavar="W",
                   help="one weight per DATA file: how much its records count (default 1 each)")
    p.add_argument("--calibrate-on", nargs="+", default=[], metavar="FILE",
                   help="held-out labeled files to fit the probability temperature on (never trained on)")
    p.add_argument("--C", type=float, default=None,
                   help="inverse regularisation strength of the logistic regression (default: the shipped setting)")
    p.add_argument("--min-df", type=_positive_int, default=None,
                   help="keep features seen in at least this many texts (default: the shipped setting)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the calibration folds (default 0)")
    p.set_defaults(func=_train)

    p = sub.add_parser("evaluate", help="evaluate a model on labeled data")
    p.add_argument("data", nargs="+", help="labeled files (JSONL or CSV with text,label; Prodigy JSONL), or one "
                                          "transcript gold file (JSONL of file, label[, candidate, closing_start])")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument("--errors", type=_count, default=10, help="how many of the worst errors to show (default 10)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--cv", type=_positive_int, metavar="K", help="k-fold cross-validation of training on DATA instead")
    p.add_argument("--seed", type=int, default=0, help="random seed of the cross-validation folds (default 0)")
    p.add_argument("--report", metavar="FILE", help="write an .html or .md report with plots (needs matplotlib)")
    p.set_defaults(func=_evaluate)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0
    except (OSError, ValueError) as e:  # ModelFileError and TranscriptError are ValueErrors
        print(f"closing-signal: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
