"""The ``qsym`` command: list, derive and verify the derivations.

    qsym list
    qsym derive NAME [--latex FILE] [--markdown FILE] [--no-cache]
    qsym verify [NAME ...|--all] [--json FILE] [--samples N] [--seed S]
    qsym plot NAME RESULT --vs SYMBOL --range LO HI [--set S=V ...] [--log] [--limit] --out FIG.png

``verify`` prints a table of every derived result with its published equation label, status
(``match``, ``mismatch``, ``derived-only``), max relative error against the independent
numeric solver, and time; it exits with status 1 if any derived result disagrees with the
numeric solver (a published formula that disagrees with the derivation is a *finding*,
reported with a counterexample, not a failure).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


def _registry():
    from derivations import registry
    return registry()


def _cmd_list(args) -> int:
    for name, mod in sorted(_registry().items()):
        print(f"{name:28s} {mod.TITLE}  [seed {mod.SEED}]")
    return 0


def _records(name, mod, samples, seed, out=sys.stdout):
    from qsym.derivation import check_result
    t0 = time.perf_counter()
    results = mod.results()
    out.write(f"# {name}: derived {len(results)} results in {time.perf_counter() - t0:.2f} s\n")
    records = []
    for r in results:
        rec = check_result(name, r, n=samples, seed=seed)
        records.append(rec)
        err = "      --" if rec.max_rel_err is None else f"{rec.max_rel_err:8.1e}"
        flag = "" if rec.numeric_ok else "  <-- DISAGREES WITH NUMERIC SOLVER"
        out.write(f"  {rec.result:28.28s} {rec.equation:>10s}  {rec.status:12s} {err}  {rec.time:6.2f} s{flag}\n")
        if rec.counterexample:
            ce = rec.counterexample
            pars = ", ".join(f"{k}={v:.4g}" for k, v in ce["parameters"].items() if "__g" not in k)
            what = "witness (they differ, as claimed)" if ce.get("witness") else "counterexample"
            out.write(f"      {what}: {pars}: derived {ce['derived']:.6g}, published {ce['published']:.6g}"
                      + (f", numeric solver {ce['numeric_solver']:.6g}" if "numeric_solver" in ce else "") + "\n")
        out.flush()
    return results, records


def _cmd_derive(args) -> int:
    from qsym.latex import latex
    from qsym.report import derive
    reg = _registry()
    if args.name not in reg:
        print(f"unknown derivation {args.name!r}; `qsym list` shows {sorted(reg)}", file=sys.stderr)
        return 2
    d = derive(args.name, cache=not args.no_cache)
    print(f"# {args.name}: {len(d.results)} results ({'from the cache' if d.from_cache else 'derived'} in "
          f"{d.derive_time:.2f} s)")
    if not (args.latex or args.markdown):
        for k, s in enumerate(d.steps, 1):
            print(f"step {k}: {s.title} [{s.approximation_text()}]")
        for r in d.results:
            print(f"[{r.equation}] {r.name} = {latex(r.derived)}")
        return 0
    if args.no_cache:
        import os
        os.environ["QSYM_CACHE"] = "off"
    t0 = time.perf_counter()
    records = d.records(args.samples, args.seed)
    print(f"# verified {len(records)} results in {time.perf_counter() - t0:.2f} s: "
          f"{sum(r.status == 'match' for r in records)} match, {sum(r.status == 'mismatch' for r in records)} "
          f"mismatch, {sum(r.status == 'derived-only' for r in records)} derived-only, "
          f"{sum(not r.numeric_ok for r in records)} disagree with the numeric solver")
    for path, text in ((args.latex, d.latex_document(args.samples, args.seed) if args.latex else None),
                       (args.markdown, d.markdown(args.samples, args.seed) if args.markdown else None)):
        if path:
            with open(path, "w") as fh:
                fh.write(text)
            print(f"wrote {path}")
    return 1 if any(not r.numeric_ok for r in records) else 0


def _cmd_verify(args) -> int:
    reg = _registry()
    names = sorted(reg) if args.all or not args.names else args.names
    unknown = [n for n in names if n not in reg]
    if unknown:
        print(f"unknown derivation(s) {unknown}; `qsym list` shows {sorted(reg)}", file=sys.stderr)
        return 2
    print(f"  {'result':28s} {'equation':>10s}  {'status':12s} {'max rel err':>8s}  time")
    all_records = []
    for name in names:
        _, records = _records(name, reg[name], args.samples, args.seed)
        all_records += records
    bad = [r for r in all_records if not r.numeric_ok]
    n_mis = sum(r.status == "mismatch" for r in all_records)
    n_match = sum(r.status == "match" for r in all_records)
    print(f"\n{len(all_records)} results: {n_match} match, {n_mis} mismatch (published form differs; "
          f"counterexample given), {sum(r.status == 'derived-only' for r in all_records)} derived-only; "
          f"{len(bad)} disagree with the numeric solver")
    if args.json:
        def clean(x):
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, (list, tuple)):
                return [clean(v) for v in x]
            if hasattr(x, "item"):
                return x.item()
            return x
        with open(args.json, "w") as fh:
            json.dump([clean(r.to_dict()) for r in all_records], fh, indent=2)
        print(f"wrote {args.json}")
    return 1 if bad else 0


def main(argv=None) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    p = argparse.ArgumentParser(prog="qsym", description="symbolic-analytic derivations for open quantum systems")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the derivations").set_defaults(func=_cmd_list)
    d = sub.add_parser("derive", help="derive one result set (print, or write a LaTeX document)")
    d.add_argument("name")
    d.add_argument("--latex", metavar="FILE", help="write a compilable LaTeX document (steps, results, verification)")
    d.add_argument("--markdown", metavar="FILE", help="write the same record as Markdown")
    d.add_argument("--no-cache", action="store_true", help="derive and verify afresh (ignore the disk cache)")
    d.add_argument("--samples", type=int, default=200)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=_cmd_derive)
    v = sub.add_parser("verify", help="classify every derived result against its publication and the numeric solver")
    v.add_argument("names", nargs="*")
    v.add_argument("--all", action="store_true")
    v.add_argument("--json", metavar="FILE")
    v.add_argument("--samples", type=int, default=200)
    v.add_argument("--seed", type=int, default=0)
    v.set_defaults(func=_cmd_verify)
    from .plot_cli import add_plot_parser
    add_plot_parser(sub)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
