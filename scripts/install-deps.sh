#!/usr/bin/env bash
# Installs the Debian 12 packages reel needs to build, test and run its examples.
# Idempotent: skips apt-get when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-14 libclang-rt-14-dev git ca-certificates
  libssl-dev libarchive-dev libzstd-dev nlohmann-json3-dev libtoml11-dev libcli11-dev
  libexpected-dev libgit2-dev libcurl4-openssl-dev libcpp-httplib-dev libopenimageio-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zstd dpkg jq libsolv-tools nginx-light curl openssl python3 iproute2
  ffmpeg assimp-utils zsh fish
  python3-dev pybind11-dev python3-pytest python3-jsonschema python3-setuptools blender
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
