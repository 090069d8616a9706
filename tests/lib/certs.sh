#!/usr/bin/env bash
# certs.sh — throw-away PKI for the TLS tests (openssl only, EC P-256 keys).
#
#   tests/lib/certs.sh DIR        # creates DIR (if needed) and the files below; prints DIR
#
# Files (each NAME.crt with its NAME.key):
#   ca          test CA
#   server      server cert for 127.0.0.1 and localhost (SAN IP + DNS), signed by ca;
#               EKU serverAuth + clientAuth (etcd's gateway dials itself with it)
#   client      client cert (CN=etcd-monitor, EKU clientAuth), signed by ca
#   ca2         a second, unrelated CA
#   client2     client cert signed by ca2 (a client certificate the members do not trust)
#   expired     server cert for 127.0.0.1/localhost, signed by ca, valid 2020-01-01..2020-01-02
#               (made with `openssl ca -startdate/-enddate`: `req`/`x509` in openssl 3.0
#               cannot set a start date in the past)
#   other       server cert for other.example only (SAN DNS), signed by ca
# Private keys are mode 0600. Running it again on the same DIR does nothing.
set -eu

dir=${1:?usage: certs.sh DIR}
mkdir -p -- "$dir"
dir=$(cd "$dir" && pwd -P)
[[ -s $dir/other.crt ]] && { echo "$dir"; exit 0; }
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# A CA: self-signed, 10 years.
mk_ca() {
    key "$1"
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.crt" 2>/dev/null
}

# A leaf signed by CA $2: mk_leaf NAME CA CN EXTENSIONS
mk_leaf() {
    local name=$1 ca=$2 cn=$3 ext=$4
    key "$name"
    openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
    printf '%s\n' "$ext" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial \
        -days 825 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,DNS:localhost'
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

mk_ca ca "etcd-monitor test CA"
mk_ca ca2 "unrelated test CA"
mk_leaf server ca 127.0.0.1 "$server_ext"
mk_leaf client ca etcd-monitor "$client_ext"
mk_leaf client2 ca2 etcd-monitor "$client_ext"
mk_leaf other ca other.example "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:other.example"

# The expired certificate: `openssl ca` is the only 3.0 tool that takes explicit dates.
mkdir -p ca.db
: >ca.db/index.txt
echo 1000 >ca.db/serial
cat >ca.db/ca.cnf <<EOF
[ ca ]
default_ca = test
[ test ]
dir = $dir/ca.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ server ]
$server_ext
EOF
key expired
openssl req -new -key expired.key -subj "/CN=127.0.0.1" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.db/ca.cnf -extensions server -startdate 20200101000000Z \
    -enddate 20200102000000Z -notext -in expired.csr -out expired.crt 2>/dev/null
rm -rf expired.csr ca.db ca.srl ca2.srl
chmod 0644 ./*.crt
echo "$dir"
