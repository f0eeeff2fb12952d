"""The review loop (issue #15): sampling, queue export and annotation import, the labels log, train --add."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from closing_signal.data.dedup import near_duplicate
from closing_signal.data.records import DataError, read_records
from closing_signal.labels import Label
from closing_signal.prediction import Prediction
from closing_signal.review.candidates import Candidate, read_candidates
from closing_signal.review.formats import CSV_HEADER, write_queue
from closing_signal.review.holdout import split_holdout
from closing_signal.review.log import LabelsLog
from closing_signal.review.sampling import select, uncertainty
from closing_signal.overwrite import OverwriteError

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def pool():
    """300 closings of the dev split, as texts to review."""
    return [Candidate(r.text, r.source) for r in read_records(ROOT / "data" / "dev.jsonl")[:300]]


# --- sampling ----------------------------------------------------------------------------------------------


def test_picks_the_least_certain_and_passes_over_only_near_duplicates(pool, model):
    queue = select(pool, model, 40, seed=1)
    assert len(queue) == 40 and [q["rank"] for q in queue] == list(range(1, 41))
    us = [q["uncertainty"] for q in queue]
    assert us == sorted(us, reverse=True)
    picked = {q["text"] for q in queue}
    by_text = {c.text: c for c in pool}
    for c, p in zip(pool, model.predict_many([c.text for c in pool])):
        if c.text not in picked and uncertainty(p.probabilities) > us[-1]:  # more uncertain, yet not picked:
            assert any(near_duplicate(c.text, t) for t in picked), c.text  # only as a near-duplicate of a pick
    texts = list(picked)
    assert not any(near_duplicate(a, b) for i, a in enumerate(texts) for b in texts[i + 1:])
    q = queue[0]
    assert set(q) >= {"id", "text", "guess", "probabilities", "evidence", "uncertainty", "source"}
    assert q["guess"] == max(q["probabilities"], key=q["probabilities"].get) and by_text[q["text"]]


def test_entropy_ranks_by_entropy(pool, model):
    queue = select(pool, model, 10, strategy="entropy")
    assert [q["uncertainty"] for q in queue] == sorted((q["uncertainty"] for q in queue), reverse=True)
    assert all(q["strategy"] == "entropy" for q in queue)


class _Flat:
    """A model unsure of everything in the same way: every rank is a tie."""

    path = None

    def predict_many(self, texts, batch_size=1000):
        return [Prediction(Label.AMBIGUOUS, {"interest": 0.3, "ambiguous": 0.4, "disinterest": 0.3}) for _ in texts]


def test_ties_are_broken_by_the_seed(pool):
    a, b, c = (select(pool, _Flat(), 20, seed=s) for s in (7, 7, 8))
    assert a == b
    assert [q["text"] for q in a] != [q["text"] for q in c]


def test_exact_and_near_duplicates_never_both_in_the_queue():
    texts = ["I'd be keen if the salary is right.", "um i'd be keen if the salary is right",
             "I'd be keen if the salary was right", "Count me in.", "What happens next?"]
    queue = select([Candidate(t, f"x:{i}") for i, t in enumerate(texts)], _Flat(), 5)
    assert len(queue) == 3


def test_review_command_is_deterministic_and_reads_score_rows(tmp_path):
    rows = tmp_path / "rows.jsonl"
    assert run("score", "data/transcripts", "--out", rows).returncode == 0
    cands = read_candidates(rows)
    assert len(cands) == 25  # decided_by, or the last closing turn re-read for an ambiguous closing
    assert all(c.text.strip() for c in cands)
    short = next(c for c in cands if c.text == "Absolutely.")  # a reply comes with its question
    assert short.source.endswith("t10_zoom.vtt") and "still interested" in short.context
    assert run("score", "data/transcripts", "--out", tmp_path / "rows.csv").returncode == 0
    assert [(c.text, c.context) for c in read_candidates(tmp_path / "rows.csv")] == [(c.text, c.context)
                                                                                      for c in cands]
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        r = run("review", rows, "--n", "8", "--seed", "3", "--out", tmp_path / name)
        assert r.returncode == 0, r.stderr
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and len(outs[0].splitlines()) == 8
    again = run("review", rows, "--n", "8", "--out", tmp_path / "a.jsonl")
    assert again.returncode == 2 and "--force" in again.stderr and (tmp_path / "a.jsonl").read_bytes() == outs[0]


def test_review_reads_texts_and_leaves_out_what_is_labeled(tmp_path):
    done = tmp_path / "done.jsonl"
    done.write_text(json.dumps({"text": "So what are the next steps?", "label": "ambiguous"}) + "\n")
    r = run("review", "data/samples/closings.txt", "--n", "50", "--out", tmp_path / "q.jsonl", "--exclude", done)
    assert r.returncode == 0, r.stderr
    texts = [json.loads(x)["text"] for x in (tmp_path / "q.jsonl").read_text().splitlines()]
    assert len(texts) == 9 and "So what are the next steps?" not in texts and not any(t.startswith("#") for t in texts)


# --- export and import -------------------------------------------------------------------------------------


ITEMS = [{"id": f"c-{i}", "text": t, "guess": g, "probabilities": {"interest": 0.4, "ambiguous": 0.35,
                                                                     "disinterest": 0.25},
          "evidence": [{"text": "keen", "start": 0, "end": 4, "cue": "INTEREST", "weight": 1.0}], "uncertainty": 0.95,
          "source": f"s:{i}", "model": "default"}
         for i, (t, g) in enumerate([("=keen, if the pay is right", "interest"), ("Where do I sign?", "ambiguous"),
                                     ("I'll pass, thanks", "ambiguous"), ("Not sure yet", "interest")])]


def test_label_studio_round_trip(tmp_path):
    tasks = json.loads(write_queue(ITEMS, tmp_path / "tasks.json").read_text())
    pred = tasks[0]["predictions"][0]
    assert tasks[0]["data"]["text"] == ITEMS[0]["text"] and pred["result"][0]["value"] == {"choices": ["interest"]}
    assert pred["result"][0]["from_name"] == "label" and pred["result"][0]["to_name"] == "text"

    def ann(label, cancelled=False):
        return {"id": 1, "was_cancelled": cancelled, "result": [{"from_name": "label", "to_name": "text",
                                                                 "type": "choices", "value": {"choices": [label]}}]}

    tasks[0]["annotations"] = [ann("ambiguous")]
    tasks[1]["annotations"] = [ann("disinterest", cancelled=True), ann("interest")]
    tasks[2]["annotations"] = [ann("disinterest")]  # tasks[3]: not annotated, left out
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    got = [(r.text, r.label) for r in read_records(tmp_path / "export.json")]
    assert got == [(ITEMS[0]["text"], "ambiguous"), ("Where do I sign?", "interest"), ("I'll pass, thanks", "disinterest")]
    out = run("evaluate", tmp_path / "export.json", "--json")  # the command reads the export too
    assert out.returncode == 0 and json.loads(out.stdout)["n"] == 3, out.stderr
    tasks[2]["annotations"] = [ann("maybe")]
    (tmp_path / "bad.json").write_text(json.dumps(tasks))
    with pytest.raises(DataError, match=r"bad\.json:task 3 .*'maybe'"):
        read_records(tmp_path / "bad.json")


def test_prodigy_round_trip(tmp_path):
    path = write_queue(ITEMS, tmp_path / "tasks.jsonl", "prodigy")
    tasks = [json.loads(x) for x in path.read_text().splitlines()]
    assert tasks[1]["label"] == "ambiguous" and isinstance(tasks[1]["_input_hash"], int) and "meta" in tasks[1]
    with pytest.raises(DataError, match="not answered"):  # the guess is not a label
        read_records(path)
    tasks[0] |= {"answer": "accept", "accept": ["ambiguous"]}   # choice interface
    tasks[1] |= {"answer": "reject"}                            # binary: "not ambiguous" says no label
    tasks[2] |= {"answer": "accept", "label": "disinterest"}    # binary, label corrected
    tasks[3] |= {"answer": "ignore"}
    (tmp_path / "db-out.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))
    got = [(r.text, r.label) for r in read_records(tmp_path / "db-out.jsonl")]
    assert got == [(ITEMS[0]["text"], "ambiguous"), ("I'll pass, thanks", "disinterest")]


def test_csv_round_trip(tmp_path):
    path = write_queue(ITEMS, tmp_path / "queue.csv")
    rows = list(csv.reader(path.open()))
    assert tuple(rows[0]) == CSV_HEADER and rows[1][1] == "'=keen, if the pay is right"  # no spreadsheet formula
    rows[1][2], rows[3][2] = "interest", "Disinterest"  # the others left blank: not labeled yet
    with (tmp_path / "filled.csv").open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    got = [(r.text, r.label) for r in read_records(tmp_path / "filled.csv")]
    assert got == [("=keen, if the pay is right", "interest"), ("I'll pass, thanks", "disinterest")]


def test_a_queue_is_not_labels_and_is_never_overwritten(tmp_path):
    q = write_queue(ITEMS, tmp_path / "queue.jsonl")
    with pytest.raises(DataError, match="annotate"):
        read_records(q)
    with pytest.raises(OverwriteError, match="--force"):
        write_queue(ITEMS[:1], q)
    assert len(q.read_text().splitlines()) == 4


def test_labels_log_folds_undo_and_drops_a_torn_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    log = LabelsLog(path)
    log.append("label", "a", text="Count me in", label="interest")
    log.append("label", "b", text="Where's the exit?", label="interest")
    log.append("undo", "b")
    log.append("label", "b", text="Where's the exit?", label="disinterest")
    log.append("skip", "c", text="Hmm")
    log.close()
    with path.open("ab") as f:
        f.write(b'{"log": "closing_signal.labels/1", "event": "lab')  # killed mid-write
    assert [(r.text, r.label) for r in read_records(path)] == [("Count me in", "interest"),
                                                                ("Where's the exit?", "disinterest")]
    log = LabelsLog(path)  # reopening drops the torn line; nothing else is rewritten
    assert len(log.events) == 5 and path.read_bytes().endswith(b"\n")
    log.close()


def test_a_foreign_labels_file_is_left_alone(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"text": "mine", "label": "interest"}\n')
    with pytest.raises(OverwriteError, match="--force"):
        LabelsLog(path)
    assert path.read_text() == '{"text": "mine", "label": "interest"}\n'
    LabelsLog(path, force=True).close()
    assert path.read_text() == ""


def test_holdout_split_is_deterministic_and_keeps_near_duplicates_together():
    recs = read_records(ROOT / "data" / "dev.jsonl")
    train, held = split_holdout(recs)
    assert 0.15 < len(held) / len(recs) < 0.25 and split_holdout(recs) == (train, held)
    assert len(train) + len(held) == len(recs)
    held_texts = [r.text for r in held]
    assert not any(near_duplicate(r.text, h) for r in train[:150] for h in held_texts)


def test_train_add_holds_out_part_of_the_labels_and_reports_before_and_after(tmp_path):
    labels = tmp_path / "labels.jsonl"
    log = LabelsLog(labels)
    for i, r in enumerate(read_records(ROOT / "data" / "domains" / "offshore" / "train.jsonl")):
        log.append("label", f"c-{i}", text=r.text, label=r.label)
    log.close()
    out = run("train", "--base", "--add", labels, "--out", tmp_path / "m")
    assert out.returncode == 0, out.stderr
    assert "held-out part of your labels" in out.stdout and "shipped model" in out.stdout, out.stdout
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    m = meta["metrics"]["your-labels-held-out"]
    assert m["n"] >= 5 and "before" in m and "20%" in m["file"]
    assert meta["training"]["n_records"] > 2000  # the shipped corpus was included
    assert "your-labels-held-out" in (tmp_path / "m" / "README.md").read_text()
    assert run("train", "--out", tmp_path / "n").returncode == 2  # nothing to train on


def test_simulated_loop_quick_run(tmp_path):
    """benchmarks/review_loop.py --quick: a third of the pool, 40 random labels then 3 rounds of 40, one seed."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "review_loop.py"), "--quick", "--out",
                          str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rec = json.loads(next(tmp_path.glob("review-loop-*-quick.json")).read_text())
    mean = rec["mean"]
    assert mean["margin"]["n_labels"] == [40, 80, 120, 160]
    assert mean["margin"]["data/dev.jsonl"][0] == mean["random"]["data/dev.jsonl"][0]  # the same start
    assert "| labels |" in (tmp_path / "review-loop-latest-quick.md").read_text()


def test_simulated_loop_uncertainty_beats_random(tmp_path):
    """The whole pool, 100 random labels then 3 rounds of 100, two seeds: uncertainty sampling ends ahead of
    random on the hand-written dev split in each seed. (On a third of the pool with rounds of 40 and one
    seed — the quick run — the order of the two is a coin toss.)"""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "review_loop.py"), "--seeds", "0", "1",
                          "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    rec = json.loads(next(tmp_path.glob("review-loop-*.json")).read_text())
    assert rec["seeds"] == [0, 1] and rec["mean"]["margin"]["n_labels"] == [100, 200, 300, 400]
    for a, b in zip(rec["runs"]["margin"], rec["runs"]["random"]):
        assert a[-1]["data/dev.jsonl"] > b[-1]["data/dev.jsonl"]


@pytest.mark.parametrize("body", ['[1, "x", null]', '[{"data": "text"}]', '[{"data": {"text": "Hi"}, "annotations": 5}]',
                                  '[{"data": {"text": "Hi"}, "annotations": [{"result": [{"type": "choices", '
                                  '"value": "interest"}]}]}]',
                                  '[{"data": {"text": "Hi"}, "annotations": [{"result": [{"type": "choices", '
                                  '"value": {"choices": []}}]}]}]', '[{"text": "Hi", "label": {"choices": []}}]',
                                  '[{"data": {"text": 7}, "annotations": [{"result": [{"type": "choices", '
                                  '"value": {"choices": ["interest", "ambiguous"]}}]}]}]', "[" * 100_000, "[]"])
def test_a_damaged_label_studio_file_is_a_data_error(tmp_path, body):
    (tmp_path / "export.json").write_text(body)
    with pytest.raises(DataError, match="export.json"):
        read_records(tmp_path / "export.json")


def test_candidates_from_jsonl_of_utterances_and_bad_lines_named(tmp_path):
    good = tmp_path / "utterances.jsonl"
    good.write_text('{"text": "Count me in!", "speaker": "C"}\n\n{"text": "   "}\n{"text": "What next?"}\n')
    assert [(c.text, c.source.rsplit("/", 1)[-1]) for c in read_candidates(good)] == [
        ("Count me in!", "utterances.jsonl:1"), ("What next?", "utterances.jsonl:4")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"txt": "typo"}\n[1]\n{not json\n')
    with pytest.raises(DataError, match=r"(?s)3 bad line\(s\).*bad\.jsonl:2: no 'text'.*bad\.jsonl:3.*bad\.jsonl:4"):
        read_candidates(bad)
    (tmp_path / "bin.txt").write_bytes(b"ok\n\xff\xfe\x00")
    with pytest.raises(DataError, match=r"bin\.txt:2: not UTF-8"):
        read_candidates(tmp_path / "bin.txt")
