"""Items 8, 10 and 14 of the safety issue: hostile or broken model directories.

SECURITY.md ("No code from model files"): a model directory is data; loading
checks every file's sha256 against meta.json and every array's dtype and
shape, opens only fixed file names, refuses symlinks, and anything malformed
is a ModelFileError naming the file — never a traceback, a huge allocation
or a model that loads and then fails.
"""

import hashlib
import io
import json
import os
import re
import tracemalloc

import numpy as np
import pytest
import spacy

import closing_signal
from closing_signal import ModelFileError
from closing_signal.persistence import save_model
from closing_signal.pipeline.build import make_pipeline
from closing_signal.training import train


@pytest.fixture()
def saved(model, tmp_path):
    return model.to_disk(tmp_path / "m")


def _meta(d) -> dict:
    return json.loads((d / "meta.json").read_text())


def _set_meta(d, **changes) -> None:
    meta = _meta(d)
    meta.update(changes)
    (d / "meta.json").write_text(json.dumps(meta))


def _plant(d, name: str, data: bytes) -> None:
    """Replace ``name`` by ``data`` *with a matching hash*: only the other checks can refuse it."""
    (d / name).write_bytes(data)
    meta = _meta(d)
    meta["files"][name] = hashlib.sha256(data).hexdigest()
    (d / "meta.json").write_text(json.dumps(meta))


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _npy_header(shape, descr="<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _refused(d, file: str, match: str = "") -> None:
    with pytest.raises(ModelFileError, match=match) as e:
        closing_signal.load(d)
    assert file in str(e.value), str(e.value)


# -- item 8: size, header, dtype and shape before the data; hashed in bounded chunks -------------
def test_item8_a_2gb_coef_file_is_refused_before_it_is_read(saved):
    """SECURITY.md: array shapes are checked; a 2 GB coef.npy is refused by its size, nothing read."""
    coef = np.load(saved / "coef.npy")
    with open(saved / "coef.npy", "r+b") as f:  # a sparse file: no disk used
        f.write(_npy_header(coef.shape))
        f.truncate(2 * 2**30)
    tracemalloc.start()
    try:
        _refused(saved, "coef.npy", "bytes, more than")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("n_features", [None, 10**10])
def test_item8_a_header_claiming_a_huge_shape_is_refused_without_allocating(saved, n_features):
    """The header says (3, 10^10); with or without meta.json agreeing: no MemoryError, a ModelFileError."""
    _plant(saved, "coef.npy", _npy_header((3, 10**10)) + b"\0" * 64)
    if n_features:
        _set_meta(saved, n_features=n_features)
    _refused(saved, "meta.json" if n_features else "coef.npy", "n_features" if n_features else "shape")


@pytest.mark.parametrize("name,data,match", [
    ("coef.npy", b"not an array at all", "not a plain .npy array"),
    ("coef.npy", b"\x93NUMPY\x01\x00\xff\xff" + b" " * 100, "not a plain .npy array"),      # header past the bound
    ("coef.npy", b"\x93NUMPY\x03\x00" + b"\0" * 100, "not a plain .npy array"),             # unknown version
    ("coef.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': (((((", "not a plain .npy array"),     # unparsable header
    ("coef.npy", _npy_header((3, 4), "|O"), "dtype"),
    ("coef.npy", _npy(np.zeros((3, 4), dtype=np.float32)), "dtype"),
    ("coef.npy", _npy(np.zeros((3, 4))), "shape"),
    ("intercept.npy", _npy(np.zeros(4)), "shape"),
    ("intercept.npy", _npy(np.zeros(3, dtype=np.int64)), "dtype"),
])
def test_item8_every_malformed_array_file_is_a_model_file_error_naming_it(saved, name, data, match):
    _plant(saved, name, data)
    _refused(saved, name, match)


def test_item8_truncated_or_padded_array_data_is_refused(saved):
    good = (saved / "coef.npy").read_bytes()
    _plant(saved, "coef.npy", good[:-8])
    _refused(saved, "coef.npy", "bytes, expected")
    _plant(saved, "coef.npy", good + b"\0" * 8)
    _refused(saved, "coef.npy", "bytes, expected")


def test_item8_hash_is_checked_on_chunked_reads_and_other_layouts_load_alike(saved, model):
    coef = np.load(saved / "coef.npy")
    (saved / "coef.npy").write_bytes(_npy(np.asfortranarray(coef)))  # hash not updated
    _refused(saved, "coef.npy", "sha256")
    for layout in (np.asfortranarray(coef), coef.astype(">f8")):  # valid .npy files of the same values
        _plant(saved, "coef.npy", _npy(layout))
        assert np.array_equal(closing_signal.load(saved).component.scorer.coef, model.component.scorer.coef)


# -- item 10: a model that loads is a model that works ------------------------------------------
TWO_LABELS = [("I want this job", "interest"), ("Count me in", "interest"), ("I'm so excited", "interest"),
              ("Not for me", "disinterest"), ("I'll pass", "disinterest"), ("I took another offer", "disinterest")] * 2


def test_item10_a_model_without_one_label_is_refused_at_training_and_saving(tmp_path, model):
    """A model trained on two of the three labels is never written (it would fail on every prediction)."""
    with pytest.raises(ValueError, match="no examples of ambiguous"):
        train(TWO_LABELS)
    from closing_signal.scoring import LinearScorer

    s = model.component.scorer
    two = LinearScorer(("disinterest", "interest"), s.features, s.coef[:2], s.intercept[:2], s.temperature)
    with pytest.raises(ValueError, match="cannot save.*no examples of ambiguous"):
        save_model(tmp_path / "two", two, model.component.lexicon, settings={"bigrams": True})
    assert not (tmp_path / "two").exists()


@pytest.mark.parametrize("labels", [["yes", "maybe", "no"], ["interest", "interest", "disinterest"],
                                    ["interest", "disinterest"], ["interest", "ambiguous", "disinterest", "other"],
                                    "interest", [1, 2, 3]])
def test_item10_crafted_label_lists_are_refused(saved, labels):
    _set_meta(saved, labels=labels)
    _refused(saved, "meta.json", "labels")


def test_item10_a_two_label_model_directory_is_refused(saved):
    _plant(saved, "coef.npy", _npy(np.load(saved / "coef.npy")[:2]))
    _plant(saved, "intercept.npy", _npy(np.load(saved / "intercept.npy")[:2]))
    _set_meta(saved, labels=["disinterest", "interest"])
    _refused(saved, "meta.json", "no examples of ambiguous")


@pytest.mark.parametrize("temperature", [5e-324, 0, -1.0, 1e9, True, "1.0", None])
def test_item10_temperature_out_of_range_is_refused(saved, temperature):
    _set_meta(saved, temperature=temperature)
    _refused(saved, "meta.json", "temperature")


def test_item10_nan_or_infinite_temperature_is_refused(saved):
    text = re.sub(r'"temperature": [0-9.e+-]+', '"temperature": NaN', (saved / "meta.json").read_text())
    assert "NaN" in text
    (saved / "meta.json").write_text(text)
    _refused(saved, "meta.json", "temperature")


@pytest.mark.parametrize("name,value", [("coef.npy", 1e308), ("coef.npy", np.nan), ("coef.npy", -np.inf),
                                        ("intercept.npy", 1e308), ("intercept.npy", 2e6)])
def test_item10_huge_or_non_finite_weights_are_refused(saved, name, value):
    a = np.load(saved / name)
    a.flat[0] = value
    _plant(saved, name, _npy(a))
    _refused(saved, name, "finite and at most")


def test_item10_also_through_spacy_load(tmp_path):
    """spacy.load reads the component with the same checks (no all-NaN doc.cats)."""
    make_pipeline().to_disk(tmp_path / "pipe")
    meta_path = tmp_path / "pipe" / "closing_signal" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "temperature": 5e-324}))
    with pytest.raises(ModelFileError, match="temperature"):
        spacy.load(tmp_path / "pipe")


# -- item 14: every malformed file is a ModelFileError, links are refused ----------------------
def test_item14_npz_coefficients_are_refused(saved):
    buf = io.BytesIO()
    np.savez(buf, coef=np.load(saved / "coef.npy"))
    _plant(saved, "coef.npy", buf.getvalue())
    _refused(saved, "coef.npy", "not a plain .npy array")


@pytest.mark.parametrize("name", ["meta.json", "features.json", "lexicon.json"])
def test_item14_a_5000_digit_number_is_refused(saved, name):
    data = ("[" + "1" * 5000 + "]").encode()
    if name == "meta.json":
        text = re.sub(r'"n_features": \d+', '"n_features": ' + "1" * 5000, (saved / "meta.json").read_text())
        assert "1" * 5000 in text
        (saved / name).write_text(text)
    else:
        _plant(saved, name, data)
    _refused(saved, name, "not valid JSON")


@pytest.mark.parametrize("name", ["meta.json", "features.json", "lexicon.json"])
def test_item14_json_nested_past_the_recursion_limit_is_refused(saved, name):
    """SECURITY.md: JSON nested past Python's recursion limit is an error, not a crash."""
    data = b"[" * 200_000 + b"]" * 200_000
    if name == "meta.json":
        (saved / name).write_bytes(data)
    else:
        _plant(saved, name, data)
    _refused(saved, name, "not valid JSON")


@pytest.mark.parametrize("features", [[["w:love"]], [1, 2], {"w:love": 0}, "w:love"])
def test_item14_features_that_are_not_a_list_of_names_are_refused(saved, features):
    _plant(saved, "features.json", json.dumps(features).encode())
    _refused(saved, "features.json", "list of strings")


def test_item14_feature_count_must_match_meta(saved):
    names = json.loads((saved / "features.json").read_text())
    _plant(saved, "features.json", json.dumps(names[:-1]).encode())
    _refused(saved, "features.json", "distinct feature names")
    _plant(saved, "features.json", json.dumps(names[:-1] + names[:1]).encode())  # a duplicate
    _refused(saved, "features.json", "distinct feature names")


@pytest.mark.parametrize("settings", [[1, 2], "bigrams", 7, None, {"bigrams": "yes"}])
def test_item14_settings_that_are_not_an_object_are_refused(saved, settings):
    _set_meta(saved, settings=settings)
    _refused(saved, "meta.json", "settings")


@pytest.mark.parametrize("change", [
    lambda lex: lex.update(cues=["INTEREST"]),
    lambda lex: lex.update(cues={"INTEREST": "keen"}),
    lambda lex: lex.update(cues={"INTEREST": [["keen"]]}),
    lambda lex: lex.update(negators=[["not"]]),
    lambda lex: lex.update(fillers="um"),
    lambda lex: lex.pop("filler_phrases"),
    lambda lex: lex.update(spellings={"wanna": 1}),
    lambda lex: lex.update(spellings=["wanna"]),
])
def test_item14_malformed_lexicon_is_refused(saved, change):
    lex = json.loads((saved / "lexicon.json").read_text())
    change(lex)
    _plant(saved, "lexicon.json", json.dumps(lex).encode())
    _refused(saved, "lexicon.json")


def test_item14_non_object_lexicon_is_refused(saved):
    _plant(saved, "lexicon.json", b"[]")
    _refused(saved, "lexicon.json", "JSON object")


@pytest.mark.parametrize("name", ["meta.json", "features.json", "coef.npy", "intercept.npy", "lexicon.json"])
def test_item14_symlinked_files_are_refused(saved, tmp_path, name):
    """SECURITY.md: only fixed file names inside the directory; symlinks are refused."""
    outside = tmp_path / f"outside-{name}"
    (saved / name).rename(outside)
    (saved / name).symlink_to(outside)
    _refused(saved, name, "symbolic link")


def test_item14_meta_must_give_hashes_as_hex(saved):
    meta = _meta(saved)
    meta["files"]["coef.npy"] = ["not", "a", "hash"]
    (saved / "meta.json").write_text(json.dumps(meta))
    _refused(saved, "meta.json", "sha256")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_item14_a_fifo_in_place_of_a_file_is_refused_without_blocking(saved):
    (saved / "coef.npy").unlink()
    os.mkfifo(saved / "coef.npy")
    _refused(saved, "coef.npy", "not a regular file")


def test_item14_oversized_meta_is_refused_before_it_is_read(saved):
    with open(saved / "meta.json", "r+b") as f:
        f.truncate(64 * 2**20)
    _refused(saved, "meta.json", "bytes, more than")


def test_the_shipped_model_and_a_fresh_save_still_load(saved, model):
    again = closing_signal.load(saved)
    texts = ["Where do I sign?", "not sure yet", "thanks but no thanks"]
    assert list(again.predict_many(texts)) == list(model.predict_many(texts))
