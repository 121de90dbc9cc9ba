"""Committed numeric baseline of the toy scenario.

Any change in model behaviour changes these numbers; when the change is intended,
regenerate them with ``make baseline`` (``python tests/baseline.py --update``) and
commit the new file with the change that caused it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILE = HERE / "baselines" / "toy_corridor.json"
SEEDS = (1, 2, 3)


def compute() -> dict:
    """Summary metrics of three seeded toy runs, plus their exact stocks."""
    from sim.model import TraffickingModel
    from sim.scenario import load_scenario

    sc = load_scenario("toy_corridor")
    out = {}
    for seed in SEEDS:
        m = TraffickingModel(sc, seed=seed).run()
        out[str(seed)] = {
            "summary": m.summary(),
            "produced": m.total_produced,
            "delivered": m.total_delivered,
            "seized": m.total_seized,
        }
    return out


def load() -> dict:
    """The committed baseline."""
    return json.loads(FILE.read_text())


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit("usage: python tests/baseline.py --update   (rewrites " + str(FILE) + ")")
    sys.path.insert(0, str(HERE.parent))
    FILE.write_text(json.dumps(compute(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {FILE}")
