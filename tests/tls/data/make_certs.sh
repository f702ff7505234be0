#!/bin/sh
# Regenerates the test PKI in this folder with the openssl CLI (3.0). Run once; the outputs are
# committed. Every validity period is a fixed date range so that tests never depend on the wall
# clock: tests check certificates at a verification time they choose (tls::ClientConfig).
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $ENV::WORK/index.txt
new_certs_dir = $ENV::WORK
serial = $ENV::WORK/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:9.1.1.1, DNS:nssd.example.com, email:nssd@example.com
authorityKeyIdentifier = keyid
[ v3_server_noip ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example.com
authorityKeyIdentifier = keyid
CNF
export WORK="$work"

new_index() { : > "$work/index.txt"; echo "$1" > "$work/serial"; }

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# self-signed CA: name, key, subject, start, end, serial
ca() {
    key "$2"
    openssl req -new -key "$2" -subj "$3" -config "$work/ca.cnf" -out "$work/$1.csr"
    new_index "$6"
    openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$2" -in "$work/$1.csr" -out "$1.pem" \
        -extensions v3_ca -startdate "$4" -enddate "$5" -notext 2>/dev/null
}

# leaf: name, key, subject, ca cert, ca key, start, end, extensions, serial
leaf() {
    key "$2"
    openssl req -new -key "$2" -subj "$3" -config "$work/ca.cnf" -out "$work/$1.csr"
    new_index "$9"
    openssl ca -batch -config "$work/ca.cnf" -cert "$4" -keyfile "$5" -in "$work/$1.csr" -out "$1.pem" \
        -extensions "$8" -startdate "$6" -enddate "$7" -notext 2>/dev/null
}

ca ca ca.key "/O=nsslab/CN=nsslab Test CA" 20190101000000Z 20390101000000Z 1000
ca other_ca other_ca.key "/O=elsewhere/CN=Untrusted Test CA" 20250101000000Z 20350101000000Z 2000
leaf server server.key "/C=US/O=nsslab/CN=nssd.example.com" ca.pem ca.key \
    20250101000000Z 20300101000000Z v3_server 1001
leaf expired expired.key "/C=US/O=nsslab/CN=nssd.example.com" ca.pem ca.key \
    20200101000000Z 20210101000000Z v3_server 1002
leaf noip noip.key "/C=US/O=nsslab/CN=other.example.com" ca.pem ca.key \
    20250101000000Z 20300101000000Z v3_server_noip 1003
leaf untrusted untrusted.key "/C=US/O=nsslab/CN=nssd.example.com" other_ca.pem other_ca.key \
    20250101000000Z 20300101000000Z v3_server 2001
