"""Cluster port policy: the Marathon flags and agent resources the engine needs, as one value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Marathon's --mesos_bridge_name and network names must match strings.NetworkName
# (RAML/stringTypes.raml:11-15; M/NetworkConf.scala:33).
NETWORK_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$")
_RANGE_RE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


class PolicyError(ValueError):
    """A cluster policy value is unusable; ``path`` points at it inside the policy document."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    """Marathon's defaults (M/MarathonConf.scala:104-114, 307-311; M/NetworkConf.scala:8-13)."""

    local_port_min: int = 10000
    local_port_max: int = 20000  # inclusive: AssignDynamicServiceLogic uses Range.inclusive
    # Mesos agents offer ports 31000-32000 unless configured otherwise.
    agent_port_ranges: tuple[tuple[int, int], ...] = ((31000, 32000),)
    # marathon-lb binds 80 and 443 for HTTP(S) and 9090/9091 for stats and health.
    reserved_ports: frozenset[int] = field(default=frozenset({80, 443, 9090, 9091}))
    default_network_name: str | None = None
    mesos_bridge_name: str = "mesos-bridge"
    env_vars_prefix: str = ""

    def __post_init__(self) -> None:
        _check_port("/local_port_min", self.local_port_min)
        _check_port("/local_port_max", self.local_port_max)
        if self.local_port_min > self.local_port_max:
            raise PolicyError("/local_port_max", "must not be lower than local_port_min")
        for i, (low, high) in enumerate(self.agent_port_ranges):
            _check_port(f"/agent_port_ranges/{i}", low)
            _check_port(f"/agent_port_ranges/{i}", high)
            if low > high:
                raise PolicyError(f"/agent_port_ranges/{i}", f"range {low}-{high} is backwards")
        for port in self.reserved_ports:
            _check_port("/reserved_ports", port)
        if self.default_network_name is not None and not NETWORK_NAME_RE.match(
            self.default_network_name
        ):
            raise PolicyError("/default_network_name", "must be a valid network name such as dcos")
        if not NETWORK_NAME_RE.match(self.mesos_bridge_name):
            raise PolicyError("/mesos_bridge_name", "must be a valid network name")
        if not re.fullmatch(r"[A-Za-z0-9_]*", self.env_vars_prefix):
            raise PolicyError("/env_vars_prefix", "may only use letters, digits and underscores")

    def in_service_range(self, port: int) -> bool:
        return self.local_port_min <= port <= self.local_port_max

    def in_agent_ranges(self, port: int) -> bool:
        return any(low <= port <= high for low, high in self.agent_port_ranges)

    @classmethod
    def from_dict(cls, data: Any) -> ClusterPolicy:
        """Read a policy document such as a CLI ``--config`` file; unknown keys are refused."""
        if not isinstance(data, dict):
            raise PolicyError("/", "a cluster policy must be a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        for key in data:
            if key not in known:
                raise PolicyError(f"/{key}", f"unknown setting; known: {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        for key in ("local_port_min", "local_port_max"):
            if key in data:
                values[key] = _int(f"/{key}", data[key])
        if "agent_port_ranges" in data:
            values["agent_port_ranges"] = parse_port_ranges(data["agent_port_ranges"])
        if "reserved_ports" in data:
            ports = data["reserved_ports"]
            if not isinstance(ports, list):
                raise PolicyError("/reserved_ports", "must be a list of port numbers")
            values["reserved_ports"] = frozenset(
                _int(f"/reserved_ports/{i}", p) for i, p in enumerate(ports)
            )
        for key in ("default_network_name", "mesos_bridge_name", "env_vars_prefix"):
            if key in data:
                value = data[key]
                if value is not None and not isinstance(value, str):
                    raise PolicyError(f"/{key}", "must be a string")
                if key == "default_network_name":
                    values[key] = value or None
                else:
                    values[key] = value or ("" if key == "env_vars_prefix" else "mesos-bridge")
        return cls(**values)


def parse_port_ranges(value: Any) -> tuple[tuple[int, int], ...]:
    """Accept ``"31000-32000"``, ``["31000-32000", "40000-40100"]`` or ``[[31000, 32000]]``."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise PolicyError("/agent_port_ranges", 'must be ranges such as ["31000-32000"]')
    ranges = []
    for i, item in enumerate(items):
        path = f"/agent_port_ranges/{i}"
        if isinstance(item, str) and (m := _RANGE_RE.match(item)):
            ranges.append((int(m.group(1)), int(m.group(2))))
        elif isinstance(item, list) and len(item) == 2:
            ranges.append((_int(path, item[0]), _int(path, item[1])))
        else:
            raise PolicyError(path, 'must be a range such as "31000-32000"')
    return tuple(ranges)


def _int(path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(path, "must be a whole number")
    return value


def _check_port(path: str, port: int) -> None:
    if not 0 <= port <= 65535:
        raise PolicyError(path, f"{port} is not a port number (0-65535)")


DEFAULT_POLICY = ClusterPolicy()
