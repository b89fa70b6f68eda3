"""A disk cache for derived results and verification records, so that re-running a notebook
or ``qsym derive`` is instant.

An entry is keyed by

* the **qsym code**: the package version and a digest of every source file of the ``qsym``
  package (a change to the engine invalidates every entry, even without a version bump);
* the **derivation**: its module's source and the sources of the sibling modules it uses
  (``*_published``, ``*_figures``), and the model it builds (``srepr`` of ``model()`` when
  the module has one);
* the **request**: e.g. the number of samples and the seed of a verification.

Each file holds a JSON header (format, key, qsym version, code digest, SHA-256 of the
payload) and the pickled payload.  On reading, an entry whose header does not carry the
expected key is **stale** (the code or the model changed) and one whose payload digest or
unpickling fails is **corrupt**: both are reported with a :class:`CacheWarning`, deleted and
rebuilt, never used.  Stale entries of the same derivation are removed when a new one is
written.

The directory is ``$QSYM_CACHE_DIR`` or ``~/.cache/qsym``; ``QSYM_CACHE=off`` disables the
cache (every call computes).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path

__all__ = ["CacheWarning", "cache_dir", "code_digest", "derivation_key", "cached", "clear", "entries",
           "enabled", "memoize"]

FORMAT = 1
_MAGIC = b"QSYM-CACHE\n"


class CacheWarning(UserWarning):
    """A cache entry was stale or corrupt and is being rebuilt, or a result could not be cached."""


def enabled() -> bool:
    return os.environ.get("QSYM_CACHE", "on").lower() not in ("off", "0", "no", "false")


def cache_dir() -> Path:
    d = Path(os.environ.get("QSYM_CACHE_DIR") or Path.home() / ".cache" / "qsym")
    d.mkdir(parents=True, exist_ok=True)
    return d


@lru_cache(maxsize=None)
def code_digest() -> str:
    """SHA-256 of qsym's version and of every ``.py`` file of the package (sorted by path)."""
    from . import __version__
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _module_sources(mod) -> list[Path]:
    """The module's file and those of the modules of its own package it uses."""
    files = [Path(mod.__file__)]
    pkg = mod.__name__.rpartition(".")[0]
    for value in vars(mod).values():
        owner = getattr(value, "__module__", None) if not hasattr(value, "__file__") else value.__name__
        if owner and pkg and owner.startswith(pkg + ".") and owner in sys.modules:
            f = getattr(sys.modules[owner], "__file__", None)
            if f and Path(f) not in files:
                files.append(Path(f))
    return sorted(files)


def derivation_key(mod, *request) -> str:
    """The key of a derivation module's entry: qsym code, module sources, model, request."""
    h = hashlib.sha256(code_digest().encode())
    for f in _module_sources(mod):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    model = getattr(mod, "model", None)
    if callable(model):
        try:
            import sympy as sp
            m = model()
            h.update(sp.srepr(m.H.matrix if hasattr(m, "H") and hasattr(m.H, "matrix") else m).encode())
        except TypeError:  # a model() that needs arguments: its source is in the key already
            pass
    h.update(repr(request).encode())
    return h.hexdigest()


# ---- pickling the dynamically created occupation classes ---------------------------------------------------------
def _occupation_class(kind: str, name: str, temperature, chemical_potential=0):
    from . import baths
    if kind == "bose":
        return baths.bose_occupation(name, temperature)
    if kind == "fermi":
        return baths.fermi_occupation(name, temperature, chemical_potential)
    return baths.boltzmann_factor(name, temperature)


def _unevaluated(cls, args):
    return cls(*args, evaluate=False)


_KEEP_FORM = None


class _Pickler(pickle.Pickler):
    """Pickles the per-bath occupation classes ``n_A``, ``f_A``, ``x_A`` by their factory, and
    sums, products and powers as they are (SymPy's own pickling re-evaluates them, which
    would undo presentation forms such as the flux form ``F [n_A - n_B]``)."""

    def reducer_override(self, obj):
        global _KEEP_FORM
        if _KEEP_FORM is None:
            import sympy as sp
            _KEEP_FORM = (sp.Add, sp.Mul, sp.Pow)
        if type(obj) in _KEEP_FORM:
            return _unevaluated, (type(obj), obj.args)
        from .baths import BoltzmannFactor, BoseOccupation, FermiOccupation
        if isinstance(obj, type) and obj not in (BoseOccupation, FermiOccupation, BoltzmannFactor):
            name = obj.__name__[2:]
            if issubclass(obj, BoseOccupation):
                return _occupation_class, ("bose", name, obj.temperature)
            if issubclass(obj, FermiOccupation):
                return _occupation_class, ("fermi", name, obj.temperature, obj.chemical_potential)
            if issubclass(obj, BoltzmannFactor):
                return _occupation_class, ("boltzmann", name, obj.temperature)
        return NotImplemented


def _dumps(payload) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    return buf.getvalue()


# ---- entries ---------------------------------------------------------------------------------------------------
def _path(name: str, key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return cache_dir() / f"{safe}-{key[:20]}.qc"


def _read(path: Path, key: str):
    """``(status, payload)`` with status ``"hit"``, ``"stale"`` or ``"corrupt: why"``."""
    data = path.read_bytes()
    if not data.startswith(_MAGIC):
        return "corrupt: not a qsym cache file", None
    try:
        head, _, body = data[len(_MAGIC):].partition(b"\n")
        header = json.loads(head)
    except ValueError as e:
        return f"corrupt: unreadable header ({e})", None
    if header.get("format") != FORMAT or header.get("key") != key:
        return "stale", None
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        return "corrupt: payload digest differs from the header's", None
    try:
        return "hit", pickle.loads(body)
    except Exception as e:  # noqa: BLE001 -- any unpickling failure means the entry is unusable
        return f"corrupt: cannot unpickle ({type(e).__name__}: {e})", None


def _write(path: Path, key: str, name: str, payload) -> bool:
    from . import __version__
    try:
        body = _dumps(payload)
    except Exception as e:  # noqa: BLE001
        warnings.warn(f"qsym cache: {name!r} cannot be cached ({type(e).__name__}: {e}); it is recomputed "
                      f"every time", CacheWarning, stacklevel=3)
        return False
    header = {"format": FORMAT, "key": key, "name": name, "qsym_version": __version__, "code": code_digest(),
              "sha256": hashlib.sha256(body).hexdigest(), "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(_MAGIC + json.dumps(header).encode() + b"\n" + body)
    os.replace(tmp, path)  # atomic: a reader never sees half an entry
    return True


def _remove_stale(name: str, keep: Path) -> list[Path]:
    prefix = _path(name, "0" * 20).name[:-len("0" * 20 + ".qc")]
    gone = []
    for p in cache_dir().glob(prefix + "*.qc"):
        if p != keep and len(p.name) == len(keep.name):
            p.unlink(missing_ok=True)
            gone.append(p)
    return gone


def cached(name: str, key: str, compute):
    """``compute()``, or its cached value under ``(name, key)``.  A stale or corrupt entry is
    reported (:class:`CacheWarning`), removed and rebuilt."""
    if not enabled():
        return compute()
    path = _path(name, key)
    if path.exists():
        status, payload = _read(path, key)
        if status == "hit":
            return payload
        warnings.warn(f"qsym cache: entry {path.name} for {name!r} is {status}; rebuilding it", CacheWarning,
                      stacklevel=2)
        path.unlink(missing_ok=True)
    value = compute()
    if _write(path, key, name, value):
        stale = _remove_stale(name, path)
        if stale:
            warnings.warn(f"qsym cache: removed {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'} of "
                          f"{name!r} (qsym code, model or request changed)", CacheWarning, stacklevel=2)
    return value


def entries() -> list[dict]:
    """The headers of the entries on disk (for ``qsym cache``-style inspection)."""
    out = []
    for p in sorted(cache_dir().glob("*.qc")):
        data = p.read_bytes()
        head = data[len(_MAGIC):].partition(b"\n")[0] if data.startswith(_MAGIC) else b"{}"
        try:
            out.append({"file": p.name, "bytes": len(data), **json.loads(head)})
        except ValueError:
            out.append({"file": p.name, "bytes": len(data), "corrupt": True})
    return out


def clear() -> int:
    """Delete every entry; returns how many."""
    n = 0
    for p in cache_dir().glob("*.qc"):
        p.unlink(missing_ok=True)
        n += 1
    return n


def memoize(fn):
    """``fn`` with its return values cached on disk, keyed by the qsym code, the source of
    ``fn``'s module (and its sibling modules, as for a derivation) and ``repr`` of the
    arguments: for the expensive, deterministic computations of a notebook (figure data,
    sweeps of a numeric solver), so that a re-run is instant::

        curve = qs.cache.memoize(colla_figures.md_work_peak)(Delta_values)
    """
    import functools
    mod = sys.modules[fn.__module__]
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            text = _argument_repr(args) + _argument_repr(sorted(kwargs.items()))
        except _UnstableArgument as exc:
            warnings.warn(f"qsym cache: {name} not cached: argument {exc} has no stable text (its repr shows a "
                          f"memory address); pass plain values (numbers, strings, arrays, SymPy objects)",
                          CacheWarning, stacklevel=2)
            return fn(*args, **kwargs)
        key = derivation_key(mod, name, text)
        return cached(f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:8]}", key, lambda: fn(*args, **kwargs))
    return wrapper


class _UnstableArgument(Exception):
    pass


def _argument_repr(x) -> str:
    """A deterministic text of the arguments: arrays by their bytes' digest, SymPy objects by
    ``srepr`` (``repr`` drops assumptions: ``Symbol('x', positive=True)`` prints as ``x``)."""
    import sympy as sp
    if hasattr(x, "tobytes") and hasattr(x, "dtype"):
        return f"array{getattr(x, 'shape', '')}:{x.dtype}:{hashlib.sha256(x.tobytes()).hexdigest()}"
    if isinstance(x, (sp.Basic, sp.MatrixBase)):
        return sp.srepr(x)
    if isinstance(x, (list, tuple)):
        return "(" + ",".join(_argument_repr(v) for v in x) + ")"
    if isinstance(x, dict):
        return "{" + ",".join(f"{_argument_repr(k)}:{_argument_repr(v)}" for k, v in sorted(x.items(), key=str)) + "}"
    text = repr(x)
    if " at 0x" in text:
        raise _UnstableArgument(text[:80])
    return text
