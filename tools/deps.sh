#!/bin/sh
# Make sure every build and test dependency is present (Debian packages).
# As root, missing packages are installed with apt-get; otherwise the exact
# install line is printed and we stop with an error.
set -eu
PKGS="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libjansson-dev
libssh2-1-dev libyaml-dev libcmocka-dev etcd-server etcd-client tmux clang
libclang-rt-14-dev valgrind procps time curl prometheus openssh-server openssh-client iproute2
prometheus-alertmanager python3-aiosmtpd libmicrohttpd-dev wrk fio
python3-prometheus-client"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
    # Debian's etcd-server package may start a system etcd on 2379; we never use it.
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root:  apt-get install -y$missing" >&2
exit 1
