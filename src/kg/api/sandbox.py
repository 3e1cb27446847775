"""Confine a query worker process before it opens the store: no network, bounded memory.

A SPARQL `SERVICE` clause makes pyoxigraph open HTTP connections. The lexical guard refuses SERVICE,
but a guard is a parser guessing what another parser will do, so the worker is also unable to reach
any network at the operating-system level, by two independent means:

- a network namespace of its own (`unshare(CLONE_NEWNET)`; needs CAP_SYS_ADMIN, e.g. root): the
  worker sees only a loopback interface that is down, so every connect fails, 127.0.0.1 included;
- a seccomp filter (needs Linux >= 3.5 with seccomp, no privilege) under which `socket()` fails for
  every address family but AF_UNIX (the worker talks to the server over an inherited AF_UNIX socket
  pair) and `io_uring_setup()` fails (io_uring can create sockets without calling `socket()`).

Memory is bounded with RLIMIT_DATA (heap and anonymous mappings; not the store's memory-mapped
files): an allocation over the limit fails, pyoxigraph aborts the process, and the pool reports the
query as too costly and starts a fresh worker.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct
from dataclasses import dataclass

__all__ = ["Confinement", "confine"]

_CLONE_NEWNET = 0x40000000
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2
_AF_UNIX = 1

# classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_X32_BIT = 0x40000000

_ARCHES = {
    # machine: (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, __NR_seccomp)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}


@dataclass(frozen=True)
class Confinement:
    """What `confine` achieved in this process; sent to the server when the worker starts."""

    network_namespace: bool
    socket_filter: bool
    memory_limit_mb: int | None
    problems: tuple[str, ...] = ()

    @property
    def network_closed(self) -> bool:
        return self.network_namespace or self.socket_filter


def confine(*, memory_limit_mb: int | None) -> Confinement:
    """Apply every confinement this host allows to the calling process (call it while single-threaded,
    before the store is opened) and say which ones took effect."""
    problems: list[str] = []
    netns = _try(_own_network_namespace, "network namespace", problems)
    seccomp = _try(_socket_filter, "seccomp socket filter", problems)
    if memory_limit_mb:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborted worker leaves no core dump behind
    return Confinement(network_namespace=netns, socket_filter=seccomp, memory_limit_mb=memory_limit_mb or None,
                       problems=tuple(problems))


def _try(step, name: str, problems: list[str]) -> bool:
    try:
        step()
    except OSError as err:
        problems.append(f"{name}: {err.strerror or err}")
        return False
    return True


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _own_network_namespace() -> None:
    if platform.system() != "Linux":
        raise OSError(errno.ENOSYS, "network namespaces need Linux")
    _check(_libc().unshare(_CLONE_NEWNET))


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _socket_program(arch: int, nr_socket: int, nr_io_uring_setup: int) -> list[tuple[int, int, int, int]]:
    """The filter: seccomp_data is {int nr; u32 arch; u64 ip; u64 args[6]} (little-endian here)."""
    deny_family = _RET_ERRNO | errno.EAFNOSUPPORT
    deny_call = _RET_ERRNO | errno.ENOSYS
    return [
        (_LD_W_ABS, 0, 0, 4),                      # A = arch
        (_JEQ_K, 1, 0, arch),                      # native ABI: go on; else
        (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS),  # a foreign ABI (i386 socketcall, ...) is refused
        (_LD_W_ABS, 0, 0, 0),                      # A = syscall number
        (_JGE_K, 0, 1, _X32_BIT),                  # x32 syscalls: refused
        (_RET_K, 0, 0, deny_call),
        (_JEQ_K, 0, 1, nr_io_uring_setup),
        (_RET_K, 0, 0, deny_call),
        (_JEQ_K, 1, 0, nr_socket),                 # socket(): check the family
        (_RET_K, 0, 0, _RET_ALLOW),
        (_LD_W_ABS, 0, 0, 16),                     # A = args[0] (family), low 32 bits
        (_JEQ_K, 0, 1, _AF_UNIX),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny_family),
    ]


def _socket_filter() -> None:
    arch = _ARCHES.get(platform.machine())
    if platform.system() != "Linux" or arch is None or struct.calcsize("P") != 8:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {platform.system()} {platform.machine()}")
    audit_arch, nr_socket, nr_io_uring_setup, nr_seccomp = arch
    program = _socket_program(audit_arch, nr_socket, nr_io_uring_setup)
    filters = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    prog = _SockFprog(len(program), filters)
    libc = _libc()
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.syscall.argtypes = [ctypes.c_long, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_void_p]
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    # SPEC_ALLOW: some kernels also turn on the speculative-store-bypass mitigation for filtered
    # processes (measured here: 5-10% per query); it protects a process from code it runs itself (a
    # JIT), and a worker runs none. Kernels before 4.17 lack the flag: filter without it.
    if libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_SPEC_ALLOW, ctypes.addressof(prog)):
        if ctypes.get_errno() != errno.EINVAL:
            _check(-1)
        _check(libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, 0, ctypes.addressof(prog)))
