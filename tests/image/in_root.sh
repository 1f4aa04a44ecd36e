#!/usr/bin/env bash
# Runs a command from an unpacked image root as a container runtime would: in a mount namespace of
# its own (every mount below vanishes with the process), the root file system read-only, a host
# folder mounted at the image's volume, /proc and a minimal /dev, then chrooted, as the image's
# user, in its working directory, with exactly the environment given (VAR=value lines of ENV_FILE).
# The command replaces this script (exec): its pid is this script's.
# usage: in_root.sh ROOT VOLUME_DIR VOLUME_PATH UID:GID WORKDIR ENV_FILE COMMAND [ARG...]
set -euo pipefail
if [ -z "${IN_ROOT_NAMESPACE:-}" ]; then
  exec unshare --mount --propagation private env IN_ROOT_NAMESPACE=1 "$0" "$@"
fi
root=$1 volume=$2 volume_path=$3 user=$4 workdir=$5 env_file=$6
shift 6

mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount --bind "$volume" "$root$volume_path"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,size=64k tmpfs "$root/dev"
for device in null zero random urandom; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done

mapfile -t environment <"$env_file"
exec env -i "${environment[@]}" "$(command -v unshare)" --root="$root" --wd="$workdir" \
  --setuid "${user%%:*}" --setgid "${user##*:}" -- "$@"
