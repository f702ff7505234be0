#!/usr/bin/env python3
"""Writes the stacks' certificates with their private keys (a1s1-cert.pem, d1s2-cert.pem), signed
by the NSS CA of nss-ca.pem. Both NSS servers import the same files (RACDCERT ADD), as an
installation shares a stack's certificate between its primary and backup NSS server. Run once;
the output is committed (the keys are test keys, valid 2020-2040)."""
import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

pem = open("nss-ca.pem", "rb").read()
ca_cert = x509.load_pem_x509_certificate(pem)
ca_key = serialization.load_pem_private_key(pem[pem.index(b"-----BEGIN PRIVATE KEY"):], None)

for name, cn, ip in (("a1s1-cert.pem", "SYSTEMA_STACK1", "10.1.1.1"),
                     ("d1s2-cert.pem", "SYSTEMD_STACK2", "10.2.2.2")):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "IBM"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "US")])
    cert = (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.datetime(2020, 1, 1))
            .not_valid_after(datetime.datetime(2040, 1, 1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(name, "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
