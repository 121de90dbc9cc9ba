"""Member roles and slot states, shared by :mod:`sim.members` and :mod:`sim.network`."""

LEADER, BROKER, COURIER = 0, 1, 2
ROLES = ("leader", "broker", "courier")
ACTIVE, VACANT = 0, 1
