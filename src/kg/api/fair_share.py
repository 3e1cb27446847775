"""Who gets the next free query worker: a fair share of the pool between clients.

A client is its IP address, or its bearer token when it sends one. The rules, in the order they apply:

1. Bounded demand: a client runs at most `per_client` queries at once and has at most `per_client_queued`
   waiting; beyond that it is refused (TooManyQueries, HTTP 429). The whole queue is bounded too.
2. Slow clients do not take every worker: a client whose query used more than `slow_s` of CPU (or,
   when stopped, of running time), or is running one for longer than that, counts as slow for
   `slow_memory_s`. Slow clients together hold at most `workers - reserved` workers; the
   reserved ones stay free for everyone else, so a point lookup finds a worker during an attack.
3. Fair order: a free worker goes to the waiting query whose client is not slow, then is *known*
   (has had a fast query answered), then has used the least worker CPU time recently (decayed with
   half-life `half_life_s`), then arrived first.
4. Preemption: when a known client that is not slow waits and no worker is free (slow clients got
   there before they were known to be slow), a query running longer than `slow_s` is stopped for it:
   one of a client already known to be slow first, else the longest-running one. Unknown clients do
   not preempt, so a client sending each query under a new bearer token gains nothing by it.

Pure bookkeeping with an injected clock: the pool (kg.api.workers) owns the processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.errors import TooManyQueries

__all__ = ["FairShare", "Ticket", "client_key"]

_MAX_REMEMBERED = 10_000
"""Client records kept; beyond, the older half of the idle ones is forgotten (tokens are chosen by clients)."""


def client_key(authorization: str | None, address: str | None) -> str:
    """Who a request comes from: its bearer token (hashed, so no secret is kept) when it sends one,
    else its IP address."""
    if authorization and authorization[:7].lower() == "bearer " and authorization[7:].strip():
        return "token:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:16]
    return "ip:" + (address or "unknown")


@dataclass
class _Client:
    running: int = 0
    queued: int = 0
    usage: float = 0.0
    """Worker-seconds used, decayed to `stamp`."""
    stamp: float = 0.0
    slow_until: float = 0.0
    known: bool = False
    """Has had a query answered that was not slow."""


@dataclass(eq=False)
class Ticket:
    """One query's claim on a worker, from admission to the end of its run."""

    client: str
    arrived: float
    started: float | None = None
    """When the query was handed to its worker's store (None while it waits or the worker starts)."""
    cpu_s: float | None = None
    """CPU seconds the worker spent on the query (None when it did not answer)."""
    preempted: bool = False
    worker: object = field(default=None, repr=False)
    """The worker the pool handed over (set by the pool)."""


class FairShare:
    def __init__(self, *, workers: int, reserved: int, per_client: int, per_client_queued: int,
                 slow_s: float, slow_memory_s: float = 30.0, half_life_s: float = 30.0,
                 max_queued: int | None = None, clock: Callable[[], float]):
        self.workers = max(1, workers)
        self.reserved = max(0, min(reserved, self.workers - 1))
        self.per_client, self.per_client_queued = max(1, per_client), max(0, per_client_queued)
        self.slow_s, self.slow_memory_s, self.half_life_s = slow_s, slow_memory_s, half_life_s
        self.max_queued = max_queued if max_queued is not None else 32 * self.workers
        self.clock = clock
        self._clients: dict[str, _Client] = {}
        self._waiting: list[Ticket] = []
        self._running: list[Ticket] = []

    # --- the pool's calls ---

    def admit(self, client: str) -> Ticket:
        """Queue a query of `client`. Raises TooManyQueries when the client or the server has too many."""
        if len(self._clients) > _MAX_REMEMBERED:  # the oldest idle records go
            idle = sorted((s.stamp, n) for n, s in self._clients.items() if not s.running and not s.queued)
            for _, name in idle[:len(idle) // 2 + 1]:
                del self._clients[name]
        state = self._clients.setdefault(client, _Client(stamp=self.clock()))
        if state.running + state.queued >= self.per_client + self.per_client_queued:
            raise TooManyQueries(f"too many queries from this client: {state.running} running and "
                                 f"{state.queued} waiting; wait for their answers before sending more")
        if len(self._waiting) >= self.max_queued:
            raise TooManyQueries("the server has too many queries waiting; retry in a few seconds")
        ticket = Ticket(client=client, arrived=self.clock())
        state.queued += 1
        self._waiting.append(ticket)
        return ticket

    def grant(self) -> Ticket | None:
        """The waiting ticket that may take a free worker now (it becomes running), or None."""
        now = self.clock()
        slow_running = sum(1 for t in self._running if self.is_slow(t.client, now))
        eligible = [t for t in self._waiting if self._clients[t.client].running < self.per_client
                    and (not self.is_slow(t.client, now) or slow_running < self.workers - self.reserved)]
        if not eligible:
            return None
        ticket = min(eligible, key=lambda t: (self.is_slow(t.client, now), not self._clients[t.client].known,
                                              self._usage(t.client, now), t.arrived))
        self._waiting.remove(ticket)
        state = self._clients[ticket.client]
        state.queued -= 1
        state.running += 1
        self._running.append(ticket)
        return ticket

    def start(self, ticket: Ticket) -> None:
        """The granted ticket's query starts running now (its worker is ready with the store open)."""
        ticket.started = self.clock()

    def victim(self, idle_workers: int) -> Ticket | None:
        """A running ticket to stop for a waiting client that is not slow, or None (see rule 4)."""
        now = self.clock()
        if idle_workers or not any(self._clients[t.client].known and not self.is_slow(t.client, now)
                                   and self._clients[t.client].running < self.per_client for t in self._waiting):
            return None
        if any(t.preempted for t in self._running):
            return None  # one at a time: the stopped worker is on its way back
        candidates = [t for t in self._running if t.started is not None and now - t.started > self.slow_s]
        if not candidates:
            return None
        ticket = min(candidates, key=lambda t: (now >= self._clients[t.client].slow_until, t.started))
        ticket.preempted = True
        return ticket

    def withdraw(self, ticket: Ticket) -> None:
        """A waiting ticket gave up (deadline, client gone)."""
        if ticket in self._waiting:
            self._waiting.remove(ticket)
            self._clients[ticket.client].queued -= 1

    def finish(self, ticket: Ticket) -> None:
        """A running ticket's query ended (answered, failed or stopped): account its worker time."""
        if ticket not in self._running:
            return
        self._running.remove(ticket)
        now = self.clock()
        state = self._clients[ticket.client]
        state.running -= 1
        # the worker's CPU time when it answered: on a busy machine a cheap query can take long to run
        cost = ticket.cpu_s if ticket.cpu_s is not None else now - (ticket.started or now)
        state.usage = self._usage(ticket.client, now) + cost
        state.stamp = now
        if cost > self.slow_s:
            state.slow_until = now + self.slow_memory_s
        else:
            state.known = True

    # --- queries ---

    def is_slow(self, client: str, now: float) -> bool:
        state = self._clients.get(client)
        if state is None:
            return False
        if now < state.slow_until:
            return True
        return any(t.client == client and t.started is not None and now - t.started > self.slow_s
                   for t in self._running)

    def _usage(self, client: str, now: float) -> float:
        state = self._clients[client]
        return state.usage * 0.5 ** ((now - state.stamp) / self.half_life_s)
