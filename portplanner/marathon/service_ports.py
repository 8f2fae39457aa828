"""Stage 4: dynamic service-port assignment, as ``AssignDynamicServiceLogic`` does it (spec §4.2).

One ``ServicePortAllocator`` stands for one deployment: its free-port cursor is shared by every
app in the change, so two apps never receive the same dynamic port, and it walks
``[local_port_min, local_port_max]`` (inclusive) in ascending order, skipping every service port
already known."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence


class PortRangeExhausted(Exception):
    def __init__(self, low: int, high: int):
        # Marathon's text (M/Exception.scala:47-48) says "[min-max)" though the range is inclusive.
        self.message = f"All ports in the range [{low}-{high}) are already in use"
        super().__init__(self.message)


class ServicePortAllocator:
    """``taken``: service ports already in use. ``candidates``: where free ports are looked for, in
    ascending order; by default the whole range. A caller holding the fleet in a database passes an
    iterator over the ports its index says are free, so the fleet is never loaded whole."""

    def __init__(
        self,
        low: int,
        high: int,
        taken: Iterable[int] = (),
        candidates: Iterator[int] | None = None,
    ):
        self.low = low
        self.high = high
        self.taken = {p for p in taken if p}
        self._candidates = candidates if candidates is not None else iter(range(low, high + 1))

    def reserve(self, ports: Iterable[int]) -> None:
        """Mark service ports as used (every fixed port of every app in the change is known
        first)."""
        self.taken.update(p for p in ports if p)

    def next_free(self) -> int:
        # The cursor only moves up: ports only ever join `taken`, so none below it frees up.
        # 0 is never handed out, even when the range starts at 0: it means "assign one", and
        # Marathon counts it among the used ports because the app being assigned holds it
        # (AssignDynamicServiceLogic.scala:84-86).
        for port in self._candidates:
            if port and port not in self.taken and self.low <= port <= self.high:
                self.taken.add(port)
                return port
        raise PortRangeExhausted(self.low, self.high)

    def assign(self, service_ports: Sequence[int], previous: Sequence[int] = ()) -> list[int]:
        """Replace each 0 in ``service_ports``: first with the app's previous in-range ports that
        its new fixed ports do not use (so a re-submit keeps its ports), then with the next free
        port."""
        if 0 not in service_ports:
            return list(service_ports)
        reusable = [p for p in previous if self.low <= p <= self.high and p not in service_ports]
        reusable.reverse()
        result = []
        for port in service_ports:
            if port == 0:
                if reusable:
                    port = reusable.pop()
                    self.taken.add(port)
                else:
                    port = self.next_free()
            result.append(port)
        return result
