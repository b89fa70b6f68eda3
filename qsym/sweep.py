"""Parameter sweeps: a closed form or a numeric solver over a grid of parameter values.

Two ways of evaluating, chosen by what is swept:

* **vectorised** -- a SymPy expression (lambdified once with :func:`qsym.to_numeric`, so
  defined symbols, occupations ``n_X`` and spectral functions ``g_X`` work) or an already
  vectorised callable: the whole grid in a few NumPy calls, in chunks of ``chunksize`` points
  so that memory stays bounded (10^6 points of a two-qubit heat current take about a second);
* **point by point** -- any Python callable ``f(**point) -> number or array`` (e.g. a
  :class:`NumericObservable`, which runs qsym's numeric solver), serially or through any
  :class:`concurrent.futures.Executor` (``ThreadPoolExecutor``, ``ProcessPoolExecutor``,
  ``dask.distributed.Client(...).get_executor()``): chunks of points are submitted, the results
  put back in grid order, and an exception is re-raised as :class:`SweepError` naming the grid
  point where it happened.

Example::

    from qsym.sweep import sweep, NumericObservable
    qA = me.heat_current("A", ss)
    grid = {"T_A": np.linspace(0.5, 2, 1000), "T_B": np.linspace(0.5, 2, 1000),
            "omega_1": 2.0, "omega_2": 1.0, "lambda": 0.3}            # scalars are held fixed
    r = sweep(qA, grid, spectral={"A": 0.01, "B": 0.02})             # flat g_A, g_B
    r.values.shape                                                    # (1000, 1000)
    obs = NumericObservable("fogedby-coupled-qubits", qs.HeatCurrent("A"), spectral={"A": 0.01, "B": 0.02})
    r2 = sweep(obs, grid, client.get_executor())                      # numeric solver on a Dask cluster

Executors that run work in other processes pickle the swept function.  Top-level functions
and :class:`NumericObservable` built from a derivation name pickle with the standard library;
lambdas and closures do not -- Dask pickles with ``cloudpickle``, which handles them, while
``ProcessPoolExecutor`` needs a module-level function.

A progress bar (``tqdm``, if installed) is shown when the first chunk suggests the sweep takes
more than ``PROGRESS_AFTER`` seconds, or as forced by ``progress=True/False``.
"""
from __future__ import annotations

import concurrent.futures as cf
import html
import importlib
import inspect
import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import sympy as sp

from .numeric.functions import NumericFunction, to_numeric

__all__ = ["sweep", "SweepResult", "SweepError", "NumericObservable", "PROGRESS_AFTER"]

PROGRESS_AFTER = 2.0       # seconds: expected duration above which the progress bar is shown
VECTOR_CHUNK = 1 << 16     # points per vectorised NumPy call (bounds the temporaries' memory)
SERIAL_CHUNKS = 100        # a serial sweep is split into about this many chunks (progress steps)
TASKS_PER_WORKER = 4       # executor chunks per worker (load balance vs. per-task overhead)


# ==========================================================================================
# Result and errors
# ==========================================================================================
class SweepError(RuntimeError):
    """The swept function failed at a grid point.

    Attributes:
        index: the grid index (a tuple, one entry per axis; ``(k,)`` for scattered points).
        point: the parameter values ``{name: value}`` at that index.
    """

    def __init__(self, message: str, index: tuple | None = None, point: dict | None = None):
        super().__init__(message)
        self.index = index
        self.point = point

    def __reduce__(self):  # picklable with its attributes (raised inside executor workers)
        return (type(self), (self.args[0], self.index, self.point))


@dataclass(frozen=True)
class SweepResult:
    """Values of a function over a grid of parameters.

    Attributes:
        names: the axis names, in grid order.
        axes: the 1-D coordinate arrays, one per name.
        values: ``values[i, j, ...]`` at ``axes[0][i], axes[1][j], ...`` (outer product grid),
            or ``values[k]`` at the ``k``-th scattered point (``product=False``); a function
            returning arrays of shape ``s`` adds ``s`` as trailing dimensions.
        fixed: parameters held fixed, ``{name: value}``.
        product: True for an outer-product grid, False for scattered points.
        mode: ``"vectorised"``, ``"serial"`` or ``"executor"``.
        elapsed: wall time of the evaluation in seconds (lambdification included).
        chunks: number of chunks the points were evaluated in.
        function: a short description of what was swept.
    """

    names: tuple[str, ...]
    axes: tuple[np.ndarray, ...]
    values: np.ndarray
    fixed: dict = field(default_factory=dict)
    product: bool = True
    mode: str = "vectorised"
    elapsed: float = 0.0
    chunks: int = 1
    function: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the grid (without trailing dimensions of array-valued functions)."""
        return tuple(len(a) for a in self.axes) if self.product else (len(self.axes[0]),)

    @property
    def points(self) -> int:
        """Number of grid points evaluated."""
        return math.prod(self.shape)

    @property
    def points_per_second(self) -> float:
        return self.points / self.elapsed if self.elapsed > 0 else math.inf

    def axis(self, name) -> np.ndarray:
        """The coordinates of axis ``name`` (a string or a SymPy symbol)."""
        key = str(name)
        if key not in self.names:
            raise KeyError(f"Argument `name` must be one of the axes {list(self.names)}, got {key!r}")
        return self.axes[self.names.index(key)]

    def to_dict(self) -> dict:
        """Plain Python (JSON-serialisable) form: axes, fixed values, values as nested lists
        (complex values as ``{"real": ..., "imag": ...}``), shape, mode and timing."""
        vals = self.values
        values = ({"real": vals.real.tolist(), "imag": vals.imag.tolist()} if np.iscomplexobj(vals)
                  else vals.tolist())
        return dict(axes={n: a.tolist() for n, a in zip(self.names, self.axes)},
                    fixed={k: _plain(v) for k, v in self.fixed.items()}, values=values,
                    shape=list(self.shape), product=self.product, mode=self.mode,
                    elapsed=self.elapsed, points=self.points, chunks=self.chunks, function=self.function)

    def __repr__(self):
        dims = " x ".join(f"{n}[{len(a)}]" for n, a in zip(self.names, self.axes))
        return (f"SweepResult({self.function}: {dims}{'' if self.product else ' (scattered)'}, "
                f"{self.points} points, {self.mode}, {self.elapsed:.3g} s)")

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{len(a)}</td><td>{a.min():.4g} .. {a.max():.4g}</td></tr>"
            for n, a in zip(self.names, self.axes))
        fixed = ", ".join(f"{html.escape(k)} = {v:.4g}" for k, v in self.fixed.items()) or "none"
        finite = self.values[np.isfinite(self.values)]
        span = (f"{finite.min():.4g} .. {finite.max():.4g}" if finite.size and not np.iscomplexobj(finite)
                else "n/a")
        return (f"<b>sweep of {html.escape(self.function)}</b>: {self.points} points "
                f"({'outer product' if self.product else 'scattered'}), {self.mode}, {self.elapsed:.3g} s "
                f"({self.points_per_second:.3g} points/s)<br>values in {span}; fixed: {fixed}"
                f"<table><tr><th>axis</th><th>points</th><th>range</th></tr>{rows}</table>")


def _plain(v):
    """A NumPy scalar as a plain Python number."""
    return v.item() if isinstance(v, np.generic) else v


# ==========================================================================================
# The grid
# ==========================================================================================
@dataclass(frozen=True)
class _Grid:
    """Parsed grid: axes (outer product or scattered columns) and fixed scalars."""

    names: tuple[str, ...]
    axes: tuple[np.ndarray, ...]
    fixed: dict
    product: bool

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes) if self.product else (len(self.axes[0]),)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """``{name: values}`` of every axis at the flat (C-order) points ``start .. stop-1``."""
        if not self.product:
            return {n: a[start:stop] for n, a in zip(self.names, self.axes)}
        idx = np.unravel_index(np.arange(start, stop), self.shape)
        return {n: a[i] for n, a, i in zip(self.names, self.axes, idx)}


def _parse_grid(grid, product: bool) -> _Grid:
    """Check ``grid`` and split it into 1-D axes and fixed scalars (errors name the key)."""
    if not isinstance(grid, Mapping):
        raise TypeError(f"Argument `grid` must be a mapping {{symbol or name: 1-D array or number}}, "
                        f"got {type(grid).__name__}")
    names, axes, fixed = [], [], {}
    for key, value in grid.items():
        name = _key_name(key)
        if name in names or name in fixed:
            raise ValueError(f"Argument `grid` names {name!r} twice")
        arr = _grid_array(name, value)
        if arr.ndim == 0:
            fixed[name] = arr.item()
        else:
            names.append(name)
            axes.append(arr)
    if not names:
        raise ValueError("Argument `grid` must contain at least one 1-D array (an axis to sweep), "
                         f"got only fixed values {sorted(fixed)}")
    if not product:
        lengths = {n: len(a) for n, a in zip(names, axes)}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"Argument `grid` with product=False needs equal-length arrays (one "
                             f"entry per scattered point), got lengths {lengths}")
    return _Grid(tuple(names), tuple(axes), fixed, bool(product))


def _key_name(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, sp.Symbol):
        return key.name
    raise TypeError(f"Argument `grid` keys must be SymPy symbols or their names, got {key!r} "
                    f"({type(key).__name__})")


def _grid_array(name: str, value) -> np.ndarray:
    """``value`` as a finite, non-empty 0-D or 1-D numeric array."""
    try:
        arr = np.asarray(value)
        if arr.dtype == object:
            arr = arr.astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"Argument `grid[{name!r}]` must be a number or a 1-D array of numbers, "
                        f"got {type(value).__name__}") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"Argument `grid[{name!r}]` must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim > 1:
        raise ValueError(f"Argument `grid[{name!r}]` must be a number or a 1-D array, got shape {arr.shape}; "
                         f"pass one 1-D array per variable (the outer product is taken for you)")
    if arr.size == 0:
        raise ValueError(f"Argument `grid[{name!r}]` is an empty array; an axis needs at least one value")
    bad = np.flatnonzero(~np.isfinite(np.atleast_1d(arr)))
    if bad.size:
        k = int(bad[0])
        raise ValueError(f"Argument `grid[{name!r}]` must be finite, got {np.atleast_1d(arr)[k]} at "
                         f"position {k} ({bad.size} non-finite value(s))")
    return arr


def _check_names(grid: _Grid, params, what: str) -> None:
    """Every grid name is a parameter of the function and every parameter has a value."""
    params = [str(p) for p in params]
    given = list(grid.names) + list(grid.fixed)
    unknown = [n for n in given if n not in params]
    if unknown:
        raise ValueError(f"Argument `grid` has variable(s) {unknown} that are not among the free symbols "
                         f"of the {what}: {sorted(params)}")
    missing = [p for p in params if p not in given]
    if missing:
        raise ValueError(f"Argument `grid` gives no values for {sorted(missing)}, on which the {what} "
                         f"depends; add them as axes or as fixed numbers")


def _check_signature(function, grid: _Grid) -> None:
    """For a callable with an inspectable signature (and no ``**kwargs``): the grid names are
    among its keyword parameters and every parameter without a default is given."""
    try:
        sig = inspect.signature(function)
    except (TypeError, ValueError):
        return
    kinds = {p.kind for p in sig.parameters.values()}
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return
    accepted = [n for n, p in sig.parameters.items()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    given = list(grid.names) + list(grid.fixed)
    unknown = [n for n in given if n not in accepted]
    if unknown:
        raise ValueError(f"Argument `grid` has variable(s) {unknown} that the function "
                         f"{_describe(function)} does not accept (its parameters: {accepted})")
    required = [n for n, p in sig.parameters.items()
                if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    missing = [n for n in required if n not in given]
    if missing:
        raise ValueError(f"Argument `grid` gives no values for {missing}, required by {_describe(function)}")


def _describe(function) -> str:
    if isinstance(function, sp.Basic):
        text = str(function)
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(function, NumericFunction):
        return f"lambdified {_describe(function.expr)}"
    if callable(getattr(function, "sweep_description", None)):
        return function.sweep_description()
    return getattr(function, "__qualname__", None) or repr(function)[:60]


# ==========================================================================================
# Progress
# ==========================================================================================
class _Progress:
    """A tqdm bar created only when wanted: ``progress=True`` (now), ``False`` (never) or
    ``None`` (when the points still to do are expected to take more than PROGRESS_AFTER
    seconds, estimated from the rate of the latest chunk; the first chunk decides only when it
    is the only one before the last, since it also pays for compilation and warm-up)."""

    def __init__(self, total: int, progress: bool | None, desc: str):
        self.total, self.mode, self.desc = total, progress, desc
        self.done, self.chunks, self.bar = 0, 0, None
        self.t_last = time.perf_counter()
        if progress:
            self._open()

    def _open(self) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # optional dependency: no bar, no error
            self.mode = False
            return
        self.bar = tqdm(total=self.total, desc=self.desc, unit="pt", initial=self.done)

    def start(self) -> None:
        """Restart the clock (call right before the first chunk)."""
        self.t_last = time.perf_counter()

    def update(self, n: int, chunks: int = 1) -> None:
        """Count ``n`` finished points (one chunk of ``chunks``) and decide about the bar."""
        now = time.perf_counter()
        per_point, self.t_last = (now - self.t_last) / max(n, 1), now
        self.done += n
        self.chunks += 1
        if self.bar is not None:
            self.bar.update(n)
            return
        warm_up = self.chunks == 1 and chunks > 2
        if self.mode is None and not warm_up and self.done < self.total:
            if per_point * (self.total - self.done) > PROGRESS_AFTER:
                self._open()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ==========================================================================================
# Vectorised evaluation
# ==========================================================================================
def _vectorised_callable(function, grid: _Grid, spectral) -> Callable[[dict], np.ndarray]:
    """``columns -> values``: the expression lambdified once, or the vectorised callable."""
    if isinstance(function, sp.Basic):
        if not isinstance(function, sp.Expr):
            raise TypeError(f"Argument `function` must be a scalar SymPy expression, got "
                            f"{type(function).__name__}; sweep each element of a matrix separately")
        lambdas = _spectral_lambdas(spectral) or {}
        _check_spectral(function, lambdas)
        function = to_numeric(function, spectral=lambdas)
    elif spectral is not None:
        raise ValueError("Argument `spectral` applies to SymPy expressions only (a lambdified or "
                         "numeric function already has its spectral functions)")
    if isinstance(function, NumericFunction):
        _check_names(grid, function.params, f"expression {_describe(function.expr)}")
        names = [str(p) for p in function.params]
        func = function.func
        return lambda cols: func(*[cols[n] for n in names])
    _check_signature(function, grid)
    return lambda cols: function(**cols)


def _check_spectral(expr: sp.Expr, lambdas: dict) -> None:
    """Every unspecified spectral function ``g_X`` of ``expr`` has a realisation in ``lambdas``."""
    from .algebra.symbols import expand_definitions
    from .numeric.functions import undefined_spectral_functions
    needed = undefined_spectral_functions(expand_definitions(expr))
    missing = sorted(set(needed) - set(lambdas))
    if missing:
        example = ", ".join(f"{name!r}: 0.01" for name in missing)
        raise ValueError(f"Argument `spectral` gives no realisation of {['g_' + m for m in missing]}, on which "
                         f"the expression depends; pass e.g. spectral={{{example}}} (flat) or "
                         f"Lambda(w, ...) per bath")


def _spectral_lambdas(spectral) -> dict | None:
    """``{bath: Lambda}`` from ``{bath or g_bath: Lambda or number}`` (a number is a flat g)."""
    if spectral is None:
        return None
    if not isinstance(spectral, Mapping):
        raise TypeError(f"Argument `spectral` must be a mapping {{bath name: Lambda(w, ...) or number}}, "
                        f"got {type(spectral).__name__}")
    out = {}
    for key, g in spectral.items():
        name = str(getattr(key, "__name__", key))
        name = name[2:] if name.startswith("g_") else name
        if isinstance(g, sp.Lambda):
            out[name] = g
        elif isinstance(g, (int, float, np.number, sp.Number)) and np.isfinite(float(g)) and float(g) >= 0:
            out[name] = sp.Lambda(sp.Dummy("w"), sp.Float(float(g)))
        else:
            raise TypeError(f"Argument `spectral[{key!r}]` must be a SymPy Lambda(w, g(w)) or a "
                            f"non-negative number (a flat spectrum), got {g!r}")
    return out


def _run_vectorised(evaluate, grid: _Grid, chunk: int, progress: _Progress):
    """Evaluate ``evaluate`` chunk by chunk; returns (values, number of chunks)."""
    n = grid.size
    values = None
    starts = range(0, n, chunk)
    progress.start()
    for start in starts:
        stop = min(start + chunk, n)
        cols = dict(grid.columns(start, stop), **grid.fixed)
        out = np.asarray(evaluate(cols))
        out = np.broadcast_to(out, (stop - start,) + out.shape[1:]) if out.ndim else np.full(stop - start, out)
        values = _store(values, out, start, n)
        progress.update(stop - start, chunks=len(starts))
    return values.reshape(grid.shape + values.shape[1:]), len(starts)


def _store(values, out: np.ndarray, start: int, n: int):
    """Write ``out`` at flat position ``start`` of ``values`` (allocated on first use, upcast
    to complex if a later chunk is complex)."""
    if values is None:
        dtype = np.result_type(out.dtype, np.float64)
        values = np.empty((n,) + out.shape[1:], dtype=dtype)
    elif out.shape[1:] != values.shape[1:]:
        raise ValueError(f"the function returned values of shape {out.shape[1:]} at flat point {start}, "
                         f"but {values.shape[1:]} before")
    if np.iscomplexobj(out) and not np.iscomplexobj(values):
        values = values.astype(complex)
    values[start:start + len(out)] = out
    return values


# ==========================================================================================
# Point-by-point evaluation (serial or through an executor)
# ==========================================================================================
def _evaluate_chunk(function, start: int, columns: dict, fixed: dict, shape: tuple) -> list:
    """``[function(**point) for each point of the chunk]``; runs in executor workers, so it is a
    module-level function.  A failure is raised as :class:`SweepError` naming the grid point."""
    names = list(columns)
    n = len(columns[names[0]])
    out = []
    for k in range(n):
        point = {name: columns[name][k].item() for name in names}
        point.update(fixed)
        try:
            out.append(function(**point))
        except Exception as exc:  # noqa: BLE001 - re-raised with the grid point named
            index = tuple(int(i) for i in np.unravel_index(start + k, shape))
            raise SweepError(f"{_describe(function)} raised {type(exc).__name__}: {exc} at grid index "
                             f"{index}, point {point}", index, point) from exc
    return out


def _chunk_array(results: list, start: int, shape: tuple) -> np.ndarray:
    """Stack the per-point results of a chunk, checking they all have one shape."""
    arrays = [np.asarray(r) for r in results]
    for k, a in enumerate(arrays):
        if a.shape != arrays[0].shape:
            index = tuple(int(i) for i in np.unravel_index(start + k, shape))
            raise SweepError(f"the function returned shape {a.shape} at grid index {index}, but "
                             f"{arrays[0].shape} at the first point of its chunk", index)
        if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            index = tuple(int(i) for i in np.unravel_index(start + k, shape))
            raise SweepError(f"the function returned a non-numeric value {results[k]!r} at grid index "
                             f"{index}", index)
    return np.stack(arrays)


def _run_serial(function, grid: _Grid, chunk: int, progress: _Progress):
    values = None
    starts = range(0, grid.size, chunk)
    progress.start()
    for start in starts:
        stop = min(start + chunk, grid.size)
        results = _evaluate_chunk(function, start, grid.columns(start, stop), grid.fixed, grid.shape)
        values = _store(values, _chunk_array(results, start, grid.shape), start, grid.size)
        progress.update(stop - start, chunks=len(starts))
    return values.reshape(grid.shape + values.shape[1:]), len(starts)


def _run_executor(function, grid: _Grid, executor: cf.Executor, chunk: int, progress: _Progress):
    futures = {}
    progress.start()
    for start in range(0, grid.size, chunk):
        stop = min(start + chunk, grid.size)
        fut = executor.submit(_evaluate_chunk, function, start, grid.columns(start, stop), grid.fixed, grid.shape)
        futures[fut] = start
    values = None
    try:
        for fut in cf.as_completed(futures):
            start = futures[fut]
            results = fut.result()  # re-raises the worker's SweepError
            values = _store(values, _chunk_array(results, start, grid.shape), start, grid.size)
            progress.update(len(results), chunks=len(futures))  # completions interleave: the rate is parallel
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return values.reshape(grid.shape + values.shape[1:]), len(futures)


def _executor_workers(executor) -> int:
    """Number of parallel workers of ``executor`` (a guess when it does not say)."""
    n = getattr(executor, "_max_workers", None)
    if n:
        return int(n)
    client = getattr(executor, "_client", None)  # dask.distributed ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a guess only
            pass
    return os.cpu_count() or 1


def _default_chunk(mode: str, n: int, executor) -> int:
    if mode == "vectorised":
        return VECTOR_CHUNK
    if mode == "serial":
        return max(1, math.ceil(n / SERIAL_CHUNKS))
    return max(1, math.ceil(n / (TASKS_PER_WORKER * _executor_workers(executor))))


# ==========================================================================================
# sweep
# ==========================================================================================
def sweep(function, grid: Mapping, executor: cf.Executor | None = None, *, progress: bool | None = None,
          chunksize: int | None = None, product: bool = True, spectral: Mapping | None = None,
          vectorised: bool | None = None) -> SweepResult:
    """Evaluate ``function`` over a grid of parameter values.

    Args:
        function: what to evaluate --
            a SymPy expression (a derived closed form; lambdified once with
            :func:`qsym.to_numeric`, evaluated vectorised);
            a :class:`qsym.numeric.functions.NumericFunction` (from ``to_numeric``) or, with
            ``vectorised=True``, any callable ``f(**arrays) -> array`` (evaluated vectorised);
            any other callable ``f(**point) -> number or array``, e.g. a
            :class:`NumericObservable` (evaluated point by point, serially or via ``executor``).
        grid: ``{symbol or name: values}``.  1-D arrays are the axes, in the order given; their
            outer product is the grid (``values.shape == (len(ax0), len(ax1), ...)``).  Numbers
            are fixed parameters, passed to every point.  With ``product=False`` the arrays must
            have equal length ``n`` and give ``n`` scattered points (``values.shape == (n,)``).
        executor: a :class:`concurrent.futures.Executor` (``ThreadPoolExecutor``,
            ``ProcessPoolExecutor``, ``dask.distributed.Client(...).get_executor()``) for
            point-by-point functions; None evaluates serially.  Process-based executors pickle
            ``function``: lambdas and closures need ``cloudpickle`` (Dask uses it).
        progress: True / False force the tqdm bar on / off; None shows it when the first chunk
            suggests the sweep takes more than ``PROGRESS_AFTER`` seconds (no bar, and no
            error, without tqdm).
        chunksize: points per chunk (per NumPy call when vectorised, per submitted task with an
            executor).  Default: 65536 vectorised, ~1/100 of the grid serially, and four tasks
            per worker with an executor.
        product: outer-product grid (True) or scattered points (False).
        spectral: for a SymPy expression with unspecified spectral functions ``g_X``:
            ``{"X": Lambda(w, ...) or number}`` (a number is a flat ``g_X``); the Lambda's own
            parameters then need values in ``grid``.
        vectorised: force (True) or forbid (False) vectorised evaluation of a callable;
            default: vectorised for expressions and NumericFunctions, point by point otherwise.

    Returns:
        A :class:`SweepResult` (axes, values shaped like the grid, timing, mode).

    Raises:
        TypeError / ValueError naming the argument for bad input; :class:`SweepError` naming the
        grid index and point where a point-by-point function failed.
    """
    t0 = time.perf_counter()
    g = _parse_grid(grid, product)
    mode = _mode(function, executor, vectorised)
    chunk = _check_chunksize(chunksize) or _default_chunk(mode, g.size, executor)
    bar = _Progress(g.size, progress, f"sweep ({mode})")
    try:
        if mode == "vectorised":
            values, chunks = _run_vectorised(_vectorised_callable(function, g, spectral), g, chunk, bar)
        else:
            if spectral is not None:
                raise ValueError("Argument `spectral` applies to SymPy expressions only; give a numeric "
                                 "solver its spectral functions itself (NumericObservable(..., spectral=...))")
            _check_signature(function, g)
            if mode == "serial":
                values, chunks = _run_serial(function, g, chunk, bar)
            else:
                values, chunks = _run_executor(function, g, executor, chunk, bar)
    finally:
        bar.close()
    return SweepResult(g.names, g.axes, values, dict(g.fixed), g.product, mode, time.perf_counter() - t0,
                       chunks, _describe(function))


def _mode(function, executor, vectorised) -> str:
    """``"vectorised"``, ``"serial"`` or ``"executor"`` (checking ``function`` and ``executor``)."""
    is_expr = isinstance(function, sp.Basic)
    if not is_expr and not callable(function):
        raise TypeError(f"Argument `function` must be a SymPy expression or a callable, got "
                        f"{type(function).__name__}")
    if executor is not None and not isinstance(executor, cf.Executor):
        raise TypeError(f"Argument `executor` must be a concurrent.futures.Executor (e.g. ThreadPoolExecutor "
                        f"or dask.distributed.Client(...).get_executor()), got {type(executor).__name__}")
    vec = vectorised if vectorised is not None else (is_expr or isinstance(function, NumericFunction))
    if is_expr and not vec:
        raise ValueError("Argument `vectorised=False` is not available for a SymPy expression: it is "
                         "lambdified and evaluated vectorised")
    if vec:
        if executor is not None:
            raise ValueError("Argument `executor` is for point-by-point callables; a vectorised function is "
                             "evaluated in this process (pass executor=None)")
        return "vectorised"
    return "serial" if executor is None else "executor"


def _check_chunksize(chunksize) -> int | None:
    if chunksize is None:
        return None
    if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
        raise ValueError(f"Argument `chunksize` must be a positive integer, got {chunksize!r}")
    return int(chunksize)


# ==========================================================================================
# A picklable numeric-solver observable
# ==========================================================================================
_SOLVERS: dict = {}  # source key -> (master equation, numeric solver), per process


class NumericObservable:
    """``f(**point) -> target value`` from qsym's independent numeric solver: a ready-made,
    picklable function to :func:`sweep` over a grid (serially or on an executor).

    Args:
        source: where the master equation comes from -- a derivation's name
            (``"fogedby-coupled-qubits"``) or module name (``"fogedby_coupled_qubits"``) or the
            module itself, whose ``master_equation()`` (or the function named by ``equation``)
            is used; a module-level zero-argument function returning a master equation; or a
            :class:`qsym.MasterEquation` (not picklable: fine serially and with threads, but
            process-based executors need one of the other forms).
        target: the quantity, a :mod:`qsym.numeric.targets` object (``qs.HeatCurrent("A")``,
            ``qs.Population(1)``, ``qs.EntropyProduction()`` ...).
        fixed: ``{symbol or name: number}`` for the parameters not swept.
        spectral: ``{bath: number or Lambda(w, ...)}`` for baths with an unspecified spectral
            function (a number is a flat ``g``; a Lambda's parameters are parameters too).
        equation: name of the derivation module's function giving the master equation.

    The master equation and the compiled solver are built on the first call in each process
    and cached there, so a Dask worker derives the model once, not once per point.
    """

    def __init__(self, source, target, fixed: Mapping | None = None, *, spectral: Mapping | None = None,
                 equation: str = "master_equation"):
        from .numeric.targets import Target
        if not isinstance(target, Target):
            raise TypeError(f"Argument `target` must be a qsym target such as qs.HeatCurrent('A'), got "
                            f"{type(target).__name__}")
        if inspect.ismodule(source):
            source = source.__name__
        if not (isinstance(source, str) or callable(source) or hasattr(source, "model")):
            raise TypeError(f"Argument `source` must be a derivation name or module, a function returning a "
                            f"master equation, or a master equation; got {type(source).__name__}")
        self.source, self.target, self.equation = source, target, equation
        self.fixed = {_key_name(k): _grid_array(_key_name(k), v).item() for k, v in (fixed or {}).items()}
        self.spectral = _spectral_lambdas(spectral) or {}

    # -- pickling: the source and the settings only; the solver is rebuilt where it runs ------
    def __getstate__(self):
        if hasattr(self.source, "model") and not callable(self.source):
            raise TypeError("a NumericObservable built from a MasterEquation object cannot be pickled (its "
                            "SymPy functions are created at run time); build it from the derivation's name "
                            "or a module-level function returning the master equation to use a "
                            "process-based executor")
        return dict(source=self.source, target=self.target, equation=self.equation, fixed=self.fixed,
                    spectral=self.spectral)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return f"NumericObservable({_source_name(self.source)!r}, {self.target.describe()})"

    def sweep_description(self) -> str:
        """How :class:`SweepResult` names what was swept."""
        return f"numeric {self.target.describe()} of {_source_name(self.source)}"

    # -- evaluation --------------------------------------------------------------------------
    def __call__(self, **point):
        me, solver, symbols, compiled = self._prepared()
        values = self._values(point, symbols)
        spectral = {name: _bind(f, params, values) for name, (f, params) in compiled.items()}
        res = solver.solve(values, spectral=spectral)
        value = self.target.numeric(me, res, values)
        return _plain(value)

    def parameters(self) -> tuple[str, ...]:
        """Names of every parameter the observable needs (model and spectral parameters)."""
        return tuple(self._prepared()[2])

    def _prepared(self):
        key = (self.source if isinstance(self.source, str) else id(self.source), self.equation)
        if key not in _SOLVERS:
            from .numeric.verify import numeric_solver_for
            me = _master_equation(self.source, self.equation)
            _SOLVERS[key] = (me, numeric_solver_for(me))
        me, solver = _SOLVERS[key]
        compiled = {name: _compile_spectral(lam) for name, lam in self.spectral.items()}
        symbols = {s.name: s for s in me.model.parameters}
        for f, params in compiled.values():
            symbols.update({s.name: s for s in params})
        return me, solver, symbols, compiled

    def _values(self, point: dict, symbols: dict) -> dict:
        given = dict(self.fixed, **point)
        unknown = sorted(set(given) - set(symbols))
        if unknown:
            raise ValueError(f"parameter(s) {unknown} are not parameters of {_source_name(self.source)} "
                             f"(its parameters: {sorted(symbols)})")
        missing = sorted(set(symbols) - set(given))
        if missing:
            raise ValueError(f"no values for {missing}: add them to the grid or to `fixed`")
        return {symbols[n]: v for n, v in given.items()}


def _source_name(source) -> str:
    return source if isinstance(source, str) else getattr(source, "__qualname__", type(source).__name__)


def _master_equation(source, equation: str):
    """The master equation of ``source`` (see :class:`NumericObservable`)."""
    if isinstance(source, str):
        module = _derivation_module(source)
        if not hasattr(module, equation):
            raise ValueError(f"derivation {source!r} has no function {equation!r}")
        return getattr(module, equation)()
    if callable(source) and not hasattr(source, "model"):
        return source()
    return source


def _derivation_module(name: str):
    """A derivation module by module name or by its ``NAME``."""
    try:
        return importlib.import_module(f"derivations.{name.replace('-', '_')}")
    except ImportError:
        pass
    from derivations import registry
    reg = registry()
    if name not in reg:
        raise ValueError(f"Argument `source` must name a derivation, got {name!r}; known: {sorted(reg)}")
    return reg[name]


def _compile_spectral(lam: sp.Lambda):
    """``(f(w, *params), params)`` for a spectral Lambda (compiled once per process)."""
    key = ("spectral", lam)
    if key not in _SOLVERS:
        params = tuple(sorted(lam.expr.free_symbols - set(lam.variables), key=str))
        _SOLVERS[key] = (sp.lambdify(tuple(lam.variables) + params, lam.expr, "numpy"), params)
    return _SOLVERS[key]


def _bind(f, params, values):
    """``g(w)`` with the spectral parameters fixed at ``values`` (broadcast for a flat g)."""
    args = [values[p] for p in params]
    return lambda w: f(w, *args) + 0.0 * np.asarray(w)
