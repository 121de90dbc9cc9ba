"""The dashboard's agreement switches: what each button adds, as a ``[[policies]]`` dict.

A switch is the very policy a scenario file would carry (built by
``sim.policies.from_dict``), starting the week it is pressed; :mod:`sim.dashboard.session`
applies it to a participant's runs and says when it would change nothing.
"""

from __future__ import annotations

from sim.model import TraffickingModel

SWITCHES = {
    "mlat": "Add an MLAT between A and B",
    "database": "Add A to a shared database",
    "harmonize": "Harmonise A's laws",
    "joint_team": "Start a joint team of A and B",
    "capacity": "Fund capacity building in A",
}


def switch_policy(
    model: TraffickingModel, kind: str, a: str, b: str | None = None, candidates=()
) -> dict:
    """The policy dict (``[[policies]]`` form) for switch ``kind`` on states ``a``, ``b``.

    The database switch adds ``a`` to the first database it is not in: one in force,
    else one of the scenario's ``candidates`` (``create_database``, created with ``a``
    among its members), else a new regional database of ``a`` and ``b``.

    Raises:
        ValueError: unknown switch, or a switch that needs two different states.
    """
    w = model.world
    if kind not in SWITCHES:
        raise ValueError(f"unknown switch {kind!r} (one of {', '.join(SWITCHES)})")
    if kind in ("mlat", "joint_team") and (b is None or b == a):
        raise ValueError("choose two different states")
    t = int(model.tick)
    if kind == "mlat":
        return {"type": "add_mlat", "between": [a, b], "start": t, "label": f"MLAT {a}-{b}"}
    if kind == "joint_team":
        return {"type": "joint_team", "states": [a, b], "start": t, "label": f"JIT {a}+{b}"}
    if kind == "database":
        return _database_switch(model, a, b, t, candidates)
    if kind == "harmonize":
        missing = [o for o in w.offences if o not in w.laws[w.state_index[a]]]
        return {
            "type": "harmonize",
            "states": [a],
            "offences": missing or list(w.offences),
            "start": t,
            "label": f"{a} harmonises",
        }
    return {
        "type": "capacity_building",
        "state": a,
        "capacity": 2.0,
        "detection": 1.5,
        "integrity": 1.1,
        "ramp_weeks": 26,
        "start": t,
        "label": f"capacity {a}",
    }


_DB_TYPES = ("database", "create_database")


def _database_switch(model: TraffickingModel, a: str, b: str | None, t: int, candidates) -> dict:
    """The database switch's policy for state ``a`` (see :func:`switch_policy`)."""
    w, i = model.world, model.world.state_index[a]
    made = {p.name for p in model.policies if p.type == "create_database"}
    members: dict[str, set] = {}
    for d in w.agreements + w.policies:
        if d["type"] in _DB_TYPES:
            members.setdefault(d["name"], set()).update(d.get("members", []))
    for p in model.policies:
        if p.type in ("create_database", "join_database"):
            members.setdefault(p.name, set()).update(getattr(p, "states", None) or [])
            members[p.name].update(getattr(p, "members", None) or [])
    for name, held in members.items():
        if a not in held and i not in held:
            return {"type": "join_database", "name": name, "states": [a], "start": t,
                    "label": f"{a} joins {name}"}  # fmt: skip
    for c in candidates:
        if c.get("type") == "create_database" and c.get("name") not in made | set(members):
            keep = {k: v for k, v in c.items() if k not in ("cost", "label", "start", "end")}
            keep["members"] = list(dict.fromkeys([*c.get("members", []), a]))
            return {**keep, "start": t, "label": f"database {c['name']}"}
    both = [a] + ([b] if b and b != a else [])
    return {"type": "create_database", "name": "regional", "members": both, "start": t,
            "label": f"database {'+'.join(both)}"}  # fmt: skip
