"""Two trees' figures, interleaved: A B A B ... so that a shared machine's drift hits both.

    python bench/ab.py /tmp/before . --only day_switch,move_commit --repeat 2 --rounds 4

Each tree runs its own ``.venv/bin/python bench/run.py --size full`` (its own code and
its own cached clinic, built by its own code; copy this bench/ into an older tree first)
with ``--only`` and ``--repeat``, one after the other, ``--rounds`` times. Prints each
run's figures, then the median over the rounds of each figure, per tree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path


def one_run(tree: Path, args: argparse.Namespace, target: Path) -> dict[str, float]:
    python = tree / ".venv" / "bin" / "python"
    command = [str(python), "bench/run.py", "--size", args.size, "--repeat", str(args.repeat)]
    command += ["--only", args.only, "--quiet", "--json", str(target)]
    subprocess.run(command, cwd=tree, check=True, stdout=subprocess.DEVNULL)
    figures = json.loads(target.read_text())["figures"]
    return {name: round(figure["value"], 2) for name, figure in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="the first tree (say, before)")
    parser.add_argument("b", type=Path, help="the second tree (say, after)")
    parser.add_argument("--only", required=True, help="figures, as run.py --only takes them")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="full")
    args = parser.parse_args(argv)
    trees = {"A": args.a.resolve(), "B": args.b.resolve()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="tdm1-ab-") as scratch:
        for number in range(args.rounds):
            for name, tree in trees.items():
                found = one_run(tree, args, Path(scratch) / f"{name}-{number}.json")
                runs[name].append(found)
                load = Path("/proc/loadavg").read_text().split()[0]
                print(f"{name} round {number + 1}: {found} (load {load})", flush=True)
    for name, tree in trees.items():
        medians = {
            figure: round(statistics.median(run[figure] for run in runs[name]), 2)
            for figure in runs[name][0]
        }
        print(f"{name} {tree}: median of {args.rounds} rounds {medians}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
