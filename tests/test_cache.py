"""The disk cache of derived results (qsym.cache, qsym.report.derive): a fresh entry is used
and gives the same results; a stale or corrupt one is detected, reported and rebuilt."""
from __future__ import annotations

import json
import warnings

import pytest

from qsym import cache
from qsym.derivation import check_result
from qsym.report import derive

NAME = "fogedby-single-qubit"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QSYM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QSYM_CACHE", raising=False)
    return tmp_path / "cache"


def _entry(cache_dir, kind="results"):
    (path,) = [p for p in cache_dir.glob("*.qc") if f".{kind}" in p.name]
    return path


def _same(a, b):
    assert [r.name for r in a] == [r.name for r in b]
    for x, y in zip(a, b):
        assert str(x.derived) == str(y.derived)  # the same form, not only the same value
        assert str(x.published) == str(y.published)


def test_second_derive_comes_from_cache_and_verifies_the_same(cache_dir):
    first = derive(NAME)
    second = derive(NAME)
    assert not first.from_cache and second.from_cache
    _same(first.results, second.results)
    # a result restored from disk still verifies against the numeric solver exactly as before
    for a, b in zip(first.results[-4:], second.results[-4:]):
        ra, rb = check_result(NAME, a, n=20), check_result(NAME, b, n=20)
        assert (ra.status, ra.max_rel_err) == (rb.status, rb.max_rel_err)
        assert ra.max_rel_err is None or ra.max_rel_err < 1e-9


def test_records_are_cached(cache_dir):
    d = derive(NAME)
    recs = d.records(samples=10)
    again = derive(NAME).records(samples=10)
    assert [r.to_dict() for r in recs] == [r.to_dict() for r in again]
    assert {r.status for r in recs} <= {"match", "derived-only"}


def test_stale_entry_is_detected_and_rebuilt(cache_dir):
    derive(NAME)
    path = _entry(cache_dir)
    magic, header, body = path.read_bytes().split(b"\n", 2)
    h = json.loads(header)
    h["key"] = "0" * 64  # written by another qsym code / model
    path.write_bytes(magic + b"\n" + json.dumps(h).encode() + b"\n" + body)
    with pytest.warns(cache.CacheWarning, match="stale"):
        d = derive(NAME)
    assert not d.from_cache
    assert derive(NAME).from_cache  # rebuilt entry is good


def test_corrupt_entry_is_detected_and_rebuilt(cache_dir):
    derive(NAME)
    path = _entry(cache_dir)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.warns(cache.CacheWarning, match="corrupt: payload digest"):
        d = derive(NAME)
    assert not d.from_cache
    path.write_bytes(b"garbage")
    with pytest.warns(cache.CacheWarning, match="corrupt: not a qsym cache file"):
        assert not derive(NAME).from_cache


def test_changed_code_invalidates_and_removes_old_entries(cache_dir, monkeypatch):
    derive(NAME)
    old = _entry(cache_dir)
    monkeypatch.setattr(cache, "code_digest", lambda: "another qsym")
    with pytest.warns(cache.CacheWarning, match="stale entr"):
        d = derive(NAME)
    assert not d.from_cache and not old.exists()


def test_cache_off_computes_every_time(cache_dir, monkeypatch):
    monkeypatch.setenv("QSYM_CACHE", "off")
    assert not derive(NAME).from_cache and not derive(NAME).from_cache
    assert not list(cache_dir.glob("*.qc"))


def test_uncacheable_value_is_reported_not_hidden(cache_dir):
    with pytest.warns(cache.CacheWarning, match="cannot be cached"):
        f = cache.cached("lambda", "k" * 64, lambda: (lambda x: x))
    assert f(3) == 3


def test_model_enters_the_key():
    import sympy as sp
    from derivations import registry
    mod = registry()[NAME]
    k1 = cache.derivation_key(mod, "results")

    class Other:  # the same module with another model
        __name__ = mod.__name__
        __file__ = mod.__file__
        TITLE = mod.TITLE

        @staticmethod
        def model():
            return sp.Matrix([[1, 0], [0, 2]])
    assert cache.derivation_key(Other, "results") != k1
    assert cache.derivation_key(mod, "results") == k1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.derivation_key(mod, "records", 10, 0) != k1


def test_memoize_caches_by_arguments(cache_dir):
    import numpy as np
    calls = []

    def spectrum_sum(x, scale=1.0):
        calls.append(1)
        return float(np.sum(np.asarray(x) ** 2) * scale)
    spectrum_sum.__module__ = __name__
    f = cache.memoize(spectrum_sum)
    a = np.linspace(0, 1, 11)
    assert f(a) == f(a) == spectrum_sum(a) and len(calls) == 2  # the second call came from disk
    assert f(a, scale=2.0) == 2 * f(a) and len(calls) == 3
    f(a + 1e-12)  # other bytes, other entry: computed
    assert len(calls) == 4


def test_memoize_keys_sympy_arguments_with_their_assumptions_and_refuses_unstable_ones(cache_dir):
    import sympy as sp
    calls = []

    def sign_of(x):
        calls.append(1)
        return x.is_positive
    sign_of.__module__ = __name__
    f = cache.memoize(sign_of)
    assert f(sp.Symbol("x", positive=True)) is True
    assert f(sp.Symbol("x")) is None and len(calls) == 2   # same str, other assumptions: not a hit
    assert f(sp.Symbol("x", positive=True)) is True and len(calls) == 2
    with pytest.warns(cache.CacheWarning, match="no stable text"):
        assert f(type("Opaque", (), {"is_positive": False})()) is False
    assert len(calls) == 3
