#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ike_endpoint (fuzz/ike_endpoint/corpus/*.bin).

The input format is the one fuzz_ike_endpoint.cpp reads: byte 0 = options (bit 0: requests
answered at once; bit 1: retries 1; bit 2: auth_wait_limit 5 s; bit 3: half_open_timeout 5 s),
then operations (op byte: kind in the low nibble, flags in the high one). No seed holds an IKE
datagram of the honest peer: the genuine exchanges are made by the honest endpoint inside the
harness when an input asks it to initiate or to answer, so the invariant "no SA without the
honest peer's IKE_AUTH" tracks them by construction. The raw datagrams are charon's
(third_party/ike-samples). Run from anywhere: python3 fuzz/ike_endpoint/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "third_party", "ike-samples")

AT_ONCE, RETRIES_1, AUTH_WAIT_5S, HALF_OPEN_5S = 1, 2, 4, 8


def peer_init(impostor=False, sig=False):
    return bytes([0x00 | (0x10 if impostor else 0) | (0x20 if sig else 0)])


def target_init(sig=False):
    return bytes([0x01 | (0x10 if sig else 0)])


def deliver(index=0, mode=0, *args):
    return bytes([0x02, index, mode]) + bytes(args)


def flip(index, offset, bit):
    return bytes([0x02, index, 1]) + struct.pack("<HB", offset, bit)


DELIVER_ALL = bytes([0x03])


def raw(data, source=0, nat_t=False):
    return bytes([0x04 | (0x10 if nat_t else 0), source]) + struct.pack("<H", len(data)) + data


def replay(index=0, offset=None, bit=0):
    if offset is None:
        return bytes([0x05, index])
    return bytes([0x15, index]) + struct.pack("<HB", offset, bit)


def advance(index):  # 1 ms, 500 ms, 2 s, 4.1 s, 5.1 s, 14 s, 30.1 s, 62 s, 255 s, 1 h
    return bytes([0x06, index])


def answer(index=0, refuse=False):
    return bytes([0x07 | (0x10 if refuse else 0), index])


ANSWER_ALL = bytes([0x27])


def delete(index=0, honest=False):
    return bytes([0x08 | (0x10 if honest else 0), index])


def fake_completion(index=0, success=True, data=b""):
    if success:
        return bytes([0x19, index])
    return bytes([0x09, index, len(data)]) + data


CLEAR = bytes([0x0A])


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


def main():
    corpus = os.path.join(HERE, "corpus")
    os.makedirs(corpus, exist_ok=True)
    charon = sample("classic-f11-ike_sa_init_request.bin")
    charon7427 = sample("rfc7427-f01-ike_sa_init_request.bin")
    seeds = {
        # Genuine exchanges, answered at once: PSK and signatures, either side initiating.
        "psk_establish_delete": bytes([AT_ONCE]) + peer_init() + DELIVER_ALL * 4 + delete(0)
        + DELIVER_ALL * 2,
        "sig_establish": bytes([AT_ONCE]) + peer_init(sig=True) + DELIVER_ALL * 4,
        "target_initiates_psk": bytes([AT_ONCE]) + target_init() + DELIVER_ALL * 4
        + delete(0, honest=True) + DELIVER_ALL * 2,
        "target_initiates_sig": bytes([AT_ONCE]) + target_init(sig=True) + DELIVER_ALL * 4,
        # Requests held and answered one by one, a retransmission while the target verifies.
        "sig_held_requests": bytes([0]) + peer_init(sig=True) + DELIVER_ALL * 2 + ANSWER_ALL
        + DELIVER_ALL + answer(0) + advance(2) + DELIVER_ALL + ANSWER_ALL + DELIVER_ALL
        + ANSWER_ALL + DELIVER_ALL + fake_completion(0) + fake_completion(1, False, b"\x30\x00"),
        "sig_verify_refused": bytes([0]) + peer_init(sig=True) + DELIVER_ALL * 2 + ANSWER_ALL
        + DELIVER_ALL + answer(0, refuse=True) + DELIVER_ALL * 2,
        # The impostor knows neither the PSK nor a certified key.
        "impostor_psk": bytes([AT_ONCE]) + peer_init(impostor=True) + DELIVER_ALL * 4,
        "impostor_sig": bytes([AT_ONCE]) + peer_init(impostor=True, sig=True) + DELIVER_ALL * 4,
        "impostor_answers_target": bytes([AT_ONCE]) + target_init() + DELIVER_ALL * 4,
        # Mutations of genuine datagrams: a flipped bit in IKE_AUTH, then the retransmission.
        "flipped_auth_then_retransmit": bytes([AT_ONCE]) + peer_init() + DELIVER_ALL * 2
        + flip(0, 60, 3) + advance(2) + DELIVER_ALL * 2,
        "truncated_and_duplicated": bytes([AT_ONCE]) + peer_init() + DELIVER_ALL
        + deliver(0, 3) + DELIVER_ALL + deliver(0, 2, 100, 0) + advance(2) + DELIVER_ALL * 2
        + replay(1) + replay(2, 30, 1),
        "auth_from_other_address": bytes([AT_ONCE]) + peer_init() + DELIVER_ALL * 2
        + deliver(0, 5, 3) + DELIVER_ALL * 2,
        # Timers: a lost response, the half-open timeout, the auth wait limit, give-ups.
        "lost_init_response": bytes([AT_ONCE | RETRIES_1]) + peer_init() + DELIVER_ALL + CLEAR
        + advance(2) + advance(4) + advance(7) + DELIVER_ALL * 3,
        "half_open_timeout": bytes([AT_ONCE | HALF_OPEN_5S]) + peer_init() + DELIVER_ALL
        + CLEAR + advance(4) + advance(4),
        "auth_wait_limit": bytes([AUTH_WAIT_5S]) + peer_init(sig=True) + DELIVER_ALL * 3
        + advance(4) + advance(4) + ANSWER_ALL + DELIVER_ALL * 2,
        # charon's IKE_SA_INIT requests as raw bytes (non-ESP marker, port 4500), replayed with
        # other SPIs until the half-open bound.
        "charon_init": bytes([AT_ONCE]) + raw(charon, source=2, nat_t=True),
        "charon_7427_init": bytes([AT_ONCE]) + raw(charon7427, source=2, nat_t=True)
        + replay(0) + advance(5),
        "half_open_flood": bytes([AT_ONCE]) + raw(charon, source=2, nat_t=True)
        + b"".join(replay(0, 4 + i, i) for i in range(5)),
        "garbage": bytes([AT_ONCE]) + raw(b"\xff", source=2, nat_t=True)
        + raw(bytes(40), source=3) + raw(charon[4:40], source=0),
    }
    for name, data in seeds.items():
        with open(os.path.join(corpus, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
