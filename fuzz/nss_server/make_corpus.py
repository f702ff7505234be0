#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_nss_server (fuzz/nss_server/corpus/*.bin).

The input format is the one fuzz_nss_server.cpp reads: byte 0 = options, then operations
(op byte = kind << 2 | slot). Run from anywhere: python3 fuzz/nss_server/make_corpus.py
"""
import os

CONNECT, SEND, SPLIT, REST, GARBAGE, RAW, ADVANCE, DISCONNECT, TLS_CLOSE, MGMT, DISPLAY, RACF = (
    0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def op(kind, slot=0):
    return bytes([(kind << 2) | slot])


def connect(slot=0, tls=True, reuse_id=False):
    return op(CONNECT, slot) + bytes([(1 if tls else 0) | (8 if reuse_id else 0)])


# Message bodies (make_body): kind byte, then fields.
def register(client=0, user=0, cred=2, services=0, api_ok=True):
    return bytes([0, 1 if api_ok else 0, client, user, cred, services])


def sign(label=0, scheme=6, data=b"AUTH octets"):
    return bytes([3, label, scheme, len(data)]) + data


def verify(chain=(0,), scheme=6):
    data, sig = b"signed", b"\x30\x06\x02\x01\x01\x02\x01\x01"
    return bytes([6, scheme, len(data)]) + data + bytes([len(sig)]) + sig + bytes(
        [len(chain)]) + bytes(chain)


def certs(label=0, include_ca=1):
    return bytes([7, label, include_ca])


def mgmt_reply(result=0, lines=2):
    return bytes([8, result, lines])


KEEPALIVE, CLOSE = bytes([9]), bytes([12])


def send(body, slot=0):
    return op(SEND, slot) + body


def advance(index):
    return op(ADVANCE) + bytes([index])


# RACF change: 0 PERMIT READ, 1 PERMIT DELETE, 2 RACLIST, 3 NORACLIST, 4 RACLIST REFRESH;
# profile and user are indexes into the target's tables (2 = A1S1_CERT.HOST, 0 = A1S1).
def racf(change, profile=2, user=0):
    return op(RACF) + bytes([change, profile, user])


seeds = {
    "register_sign": bytes([0]) + connect() + send(register()) + send(sign()) +
    send(sign(label=1, scheme=3)) + send(certs()) + send(verify()) + send(KEEPALIVE) +
    advance(8),
    "sign_denied": bytes([0]) + connect() + send(register(client=1, user=1)) +
    send(sign(label=0)) + send(sign(label=2, scheme=9)) + send(verify(chain=(2, 3))),
    "remote_mgmt": bytes([0]) + connect() + send(register()) + op(MGMT) + bytes([0, 0, 0]) +
    send(mgmt_reply()) + op(DISPLAY) + bytes([0, 1]) + op(DISPLAY) + bytes([0, 0, 0]) +
    op(MGMT) + bytes([6, 1, 0]) + advance(5),
    "split_garbage": bytes([0]) + connect() + op(SPLIT) + register() + bytes([10]) +
    op(REST) + op(SPLIT) + sign() + bytes([3]) + advance(4) + op(REST) + op(GARBAGE) +
    bytes([6]) + b"NSS\x00\xff\xff",
    "many_connections": bytes([2]) + connect(0) + connect(1) + connect(2, tls=False) +
    op(RAW, 2) + bytes([4]) + b"GET " + connect(3) + send(register(), 0) +
    send(register(), 1) + op(DISCONNECT, 0) + op(TLS_CLOSE, 1) + advance(6),
    "service_time": bytes([1]) + connect() + send(register()) +
    b"".join(send(sign(scheme=6, data=bytes([i]) * 4)) for i in range(7)) + advance(2) +
    send(CLOSE),
    "credentials": bytes([4]) + connect() + send(register(cred=1)) + connect(1) +
    send(register(cred=0), 1) + send(register(api_ok=False), 1) + connect(2) +
    send(register(services=3), 2) + send(sign(), 2) + op(RAW, 1) + bytes([5]) + b"\x17\x03\x03\x00\x01",
    "cpu_model": bytes([9]) + connect() + connect(1) + send(register()) +
    send(register(client=1, user=1), 1) + send(sign()) + send(sign(), 1) + advance(1) +
    connect(2) + send(register(services=3), 2) + advance(2),
    "racf_changes": bytes([0]) + connect() + send(register()) + send(sign()) + racf(1) +
    send(sign()) + racf(2) + racf(0) + send(sign()) + racf(4) + send(sign()) + racf(1, 0) +
    racf(4) + send(sign()),
    "reuse_conn_id": bytes([0]) + connect() + send(register()) + op(DISCONNECT) +
    op(RAW) + bytes([3]) + b"abc" + op(DISCONNECT) + connect(reuse_id=True) +
    send(register()) + send(sign()) + connect(0, tls=False, reuse_id=True) + advance(3),
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
