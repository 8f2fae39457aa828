"""The Marathon port engine: framework-free (it imports no Django), plain data in and out.

One module per stage of Marathon's own pipeline; ``pipeline`` ties them together.
"""

from .collisions import Collision, Holding, find_collisions
from .findings import AppError, AppWarning
from .pipeline import AppResult, FleetResult, PortPlan, check_fleet, finish, prepare, resolve_app
from .policy import DEFAULT_POLICY, ClusterPolicy, PolicyError
from .reader import ReadError, SourcedApp, find_apps, parse_json, read_apps
from .service_ports import PortRangeExhausted, ServicePortAllocator

__all__ = [
    "DEFAULT_POLICY",
    "AppError",
    "AppResult",
    "AppWarning",
    "ClusterPolicy",
    "Collision",
    "FleetResult",
    "Holding",
    "PolicyError",
    "PortPlan",
    "PortRangeExhausted",
    "ReadError",
    "ServicePortAllocator",
    "SourcedApp",
    "check_fleet",
    "find_apps",
    "find_collisions",
    "finish",
    "parse_json",
    "prepare",
    "read_apps",
    "resolve_app",
]
