"""Attack class: HTTP abuse. Oversized request heads get 431 without the server parsing megabytes, and a
client that sends its request slowly is cut off, while other clients are served all along."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from api_server import fixture_server

ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("http-project")
    with fixture_server(root, max_header_bytes=16_384, read_timeout_s=1.0) as running:
        yield running


def _head(size: int) -> bytes:
    return (b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * size + b"\r\n\r\n")


def _raw_exchange(url: str, payload: bytes) -> bytes:
    """Send `payload` from a thread while reading the answer; return everything read until the server closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        def write() -> None:
            try:
                sock.sendall(payload)
            except OSError:  # the server closed the connection before taking it all: expected
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        writer.join(timeout=30)
    return received


def test_a_normal_request_head_is_answered(server):
    answer = _raw_exchange(server.url, _head(1000).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    assert answer.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("size", [20_000, 1_000_000], ids=["20 KB header", "1 MB header"])
def test_an_oversized_header_gets_431_and_others_are_still_served(server, size):
    answer = _raw_exchange(server.url, _head(size))
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"exceed 16384 bytes" in answer
    with httpx.Client(base_url=server.url, timeout=30) as other:
        assert other.get("/sparql", params={"query": ASK}).json()["boolean"] is True


def test_a_client_sending_half_a_request_line_is_disconnected_while_others_are_served(server):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as slow:
        slow.sendall(b"GET /sparql?qu")
        with httpx.Client(base_url=server.url, timeout=30) as other:
            assert other.get("/sparql", params={"query": ASK}).json()["boolean"] is True
        answer = b""
        while chunk := slow.recv(65536):  # the server ends the connection (a socket timeout fails the test)
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_client_sending_its_body_slowly_is_disconnected(server):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as slow:
        slow.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 100\r\n\r\nASK")
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
