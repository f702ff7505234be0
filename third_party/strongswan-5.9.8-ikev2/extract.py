#!/usr/bin/env python3
"""Extracts the IKEv2 key-derivation vectors in strongswan_rfc7427_sas.txt.

Inputs (not in this repository; see PROVENANCE.md): the charon log written with `ike = 4`
(charon-charon-rfc7427.initiator.log) and the capture of the same run
(charon-charon-rfc7427.pcapng), read with tshark. Usage:

    extract.py LOG PCAPNG > strongswan_rfc7427_sas.txt

Nonces and SPIs come from the IKE_SA_INIT messages in the capture; the IKE rekey's nonces and
new SPIs come from its CREATE_CHILD_SA exchange, decrypted here with the old SA's logged SK_e/SK_a
(AES-CBC-256, HMAC-SHA2-256-128; the ICV is checked first). The secrets (g^ir, SKEYSEED, SK_*)
are copied from the log as printed. The encrypted IKE_AUTH messages of one CBC and one GCM SA
are written whole, with the inner plaintext that this script decrypts (independently of nsslab,
with python `cryptography`).
"""
import hashlib
import hmac
import re
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def log_blocks(path):
    """{sa_label: [(name, bytes), ...]} in log order, for every 'NAME => N bytes @' dump."""
    out = {}
    head = re.compile(r"<([^>]+)> (.+?) => (\d+) bytes @")
    row = re.compile(r"<([^>]+)>\s+\d+: ((?:[0-9A-F]{2} )+)")
    cur = None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = head.search(line)
        if m:
            cur = (m.group(1), m.group(2), int(m.group(3)), bytearray())
            out.setdefault(m.group(1), []).append(cur)
            continue
        m = row.search(line)
        if m and cur and m.group(1) == cur[0] and len(cur[3]) < cur[2]:
            cur[3].extend(bytes.fromhex(m.group(2).replace(" ", "")))
    return {k: [(n, bytes(b)) for (_, n, ln, b) in v] for k, v in out.items()}


def frames(pcap):
    res = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number",
                          "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.payload"],
                         capture_output=True, text=True, check=True)
    out = {}
    for line in res.stdout.splitlines():
        no, sp, dp, hexpl = line.split("\t")
        data = bytes.fromhex(hexpl.replace(":", ""))
        assert data[:4] == b"\0\0\0\0", "expected the non-ESP marker (neither port is 500)"
        out[int(no)] = (int(sp), int(dp), data[4:])
    return out


def payloads(first, body):
    """[(type, payload body)] walking the generic payload headers."""
    res, nxt, off = [], first, 0
    while nxt != 0:
        np_, ln = body[off], int.from_bytes(body[off + 2:off + 4], "big")
        res.append((nxt, body[off + 4:off + ln]))
        nxt, off = np_, off + ln
    return res


def ike(msg):
    hdr = msg[:28]
    return {"spi_i": hdr[0:8], "spi_r": hdr[8:16], "next": hdr[16], "body": msg[28:]}


def nonce(msg):
    m = ike(msg)
    return [b for t, b in payloads(m["next"], m["body"]) if t == 40][0]


def decrypt_cbc(msg, sk_e, sk_a, icv_len=16):
    m = ike(msg)
    assert m["next"] == 46
    sk_hdr_len = int.from_bytes(m["body"][2:4], "big")
    inner_next = m["body"][0]
    body = m["body"][4:sk_hdr_len]
    iv, ct, icv = body[:16], body[16:-icv_len], body[-icv_len:]
    mac = hmac.new(sk_a, msg[:-icv_len], hashlib.sha256).digest()[:icv_len]
    assert hmac.compare_digest(mac, icv), "ICV mismatch"
    d = Cipher(algorithms.AES(sk_e), modes.CBC(iv)).decryptor()
    pt = d.update(ct) + d.finalize()
    inner = pt[:len(pt) - 1 - pt[-1]]
    return inner_next, inner


def decrypt_gcm(msg, sk_e_salt):
    m = ike(msg)
    assert m["next"] == 46
    key, salt = sk_e_salt[:-4], sk_e_salt[-4:]
    body = m["body"][4:]
    iv, rest = body[:8], body[8:]
    pt = AESGCM(key).decrypt(salt + iv, rest, msg[:32])
    return m["body"][0], pt[:len(pt) - 1 - pt[-1]]


def secrets(blocks):
    names = {"shared Diffie Hellman secret": "g_ir", "SKEYSEED": "skeyseed"}
    out = {}
    for n, b in blocks:
        key = names.get(n) or (n.split()[0].lower() if n.startswith("Sk_") else None)
        if key and key not in out:
            out[key] = b
    return out


def emit(name, comment, fields):
    print(f"[{name}]")
    for c in comment:
        print(f"# {c}")
    for k, v in fields:
        print(f"{k} = {v.hex() if isinstance(v, (bytes, bytearray)) else v}")
    print()


def main():
    log, pcap = sys.argv[1], sys.argv[2]
    blocks = log_blocks(log)
    fr = frames(pcap)
    print("# IKEv2 key derivation and SK payloads of a real strongSwan 5.9.8 run (see PROVENANCE.md).")
    print("# Written by extract.py; hex, byte strings exactly as on the wire or as charon logged them.")
    print()
    # (label, suite, IKE_SA_INIT request frame, response frame, IKE_AUTH request frame)
    sas = [("ecdsa|1", "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256", 1, 2, 3),
           ("ecdsa-gcm|3", "AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256", 11, 12, 13)]
    for label, suite, f_req, f_resp, f_auth in sas:
        req, resp = fr[f_req][2], fr[f_resp][2]
        s = secrets(blocks[label])
        fields = [("suite", suite), ("spi_i", ike(resp)["spi_i"]), ("spi_r", ike(resp)["spi_r"]),
                  ("ni", nonce(req)), ("nr", nonce(resp)), ("g_ir", s["g_ir"]),
                  ("skeyseed", s["skeyseed"])]
        fields += [(k, s[k]) for k in ("sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr")
                   if k in s]
        auth = fr[f_auth][2]
        if "GCM" in suite:
            nxt, inner = decrypt_gcm(auth, s["sk_ei"])
        else:
            nxt, inner = decrypt_cbc(auth, s["sk_ei"], s["sk_ai"])
        fields += [("ike_auth_request", auth), ("ike_auth_inner_next_payload", str(nxt)),
                   ("ike_auth_inner_plaintext", inner)]
        emit(f"sa {label}",
             [f"charon log SA <{label}>; IKE_SA_INIT = capture frames {f_req}/{f_resp}; "
              f"IKE_AUTH request = frame {f_auth} (non-ESP marker removed)"], fields)

    # IKE rekey of <ecdsa-ike|4>: CREATE_CHILD_SA request frame 28, response frame 29.
    old = secrets(blocks["ecdsa-ike|4"])
    blk = blocks["ecdsa-ike|4"]
    idx = [i for i, (n, _) in enumerate(blk) if n == "shared Diffie Hellman secret"][1]
    new = secrets(blk[idx:])
    req, resp = fr[28][2], fr[29][2]
    _, inner_req = decrypt_cbc(req, old["sk_ei"], old["sk_ai"])
    _, inner_resp = decrypt_cbc(resp, old["sk_er"], old["sk_ar"])

    def sa_spi_and_nonce(first, inner):
        pl = payloads(first, inner)
        sa = [b for t, b in pl if t == 33][0]
        spi_size = sa[6]
        return sa[8:8 + spi_size], [b for t, b in pl if t == 40][0]

    spi_i_new, ni = sa_spi_and_nonce(33, inner_req)
    spi_r_new, nr = sa_spi_and_nonce(33, inner_resp)
    fields = [("suite", "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"),
              ("sk_d_old", old["sk_d"]), ("spi_i", spi_i_new), ("spi_r", spi_r_new),
              ("ni", ni), ("nr", nr), ("g_ir_new", new["g_ir"]), ("skeyseed", new["skeyseed"])]
    fields += [(k, new[k]) for k in ("sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr")]
    emit("ike rekey ecdsa-ike|4",
         ["charon log SA <ecdsa-ike|4>, its first key block (old SA) and the block after the rekey;",
          "CREATE_CHILD_SA = capture frames 28/29, decrypted with the old SA's keys for the nonces",
          "and the new SPIs (first inner payload: SA, whose proposal carries the 8-byte SPI)"], fields)

    # Child SA KEYMAT of <ecdsa|1>'s first Child SA (ESP AES_GCM_16_128, no PFS): charon does not
    # log it at ike = 4, so it is computed here with python hmac (prf+ of RFC 7296 2.13), as an
    # implementation independent of nsslab's; likewise a PFS variant.
    s = secrets(blocks["ecdsa|1"])
    ni, nr = nonce(fr[1][2]), nonce(fr[2][2])

    def prf_plus(key, seed, n):
        out, t, i = b"", b"", 1
        while len(out) < n:
            t = hmac.new(key, t + seed + bytes([i]), hashlib.sha256).digest()
            out, i = out + t, i + 1
        return out[:n]

    emit("child keymat ecdsa|1",
         ["NOT logged by charon: computed by extract.py with python hmac from the logged SK_d and",
          "the nonces; keymat_pfs uses this SA's g^ir as a stand-in g^ir (new) only to exercise",
          "the PFS input. 40 octets = 2 x (16-octet AES-128 key + 4-octet salt) for ESP AES_GCM_16"],
         [("prf", "PRF_HMAC_SHA2_256"), ("sk_d", s["sk_d"]), ("ni", ni), ("nr", nr),
          ("g_ir_new", s["g_ir"]), ("keymat", prf_plus(s["sk_d"], ni + nr, 40)),
          ("keymat_pfs", prf_plus(s["sk_d"], s["g_ir"] + ni + nr, 40))])


if __name__ == "__main__":
    main()
