#!/usr/bin/env bash
# Assembles the runtime root file system of the container image (the Dockerfile's build stage
# runs it): the stripped binary, the shared libraries ldd says it loads and the dynamic loader,
# glibc's UTF-16 iconv module, CA certificates where OpenSSL looks for them, /etc/passwd and
# /etc/group with the user 65532, /tmp, and the data directory owned by that user. Nothing else:
# no shell, no package manager.
# usage: scripts/image-root.sh BINARY ROOT
set -euo pipefail
binary=$1 root=$2
uid=65532

install -D -m 0755 "$binary" "$root/usr/local/bin/sluice"
strip --strip-all "$root/usr/local/bin/sluice"

# A library is copied (its content, not a symlink) under its real directory, keeping the name the
# binary asks for; /lib and /lib64 stay symlinks into /usr as on Debian (merged /usr).
copy_file() {
  local dir
  dir=$(realpath "$(dirname "$1")")
  install -D -m 0644 "$(realpath "$1")" "$root$dir/$(basename "$1")"
}
libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$libraries" ] || { echo "image-root: ldd found no libraries in $binary" >&2; exit 1; }
for lib in $libraries; do copy_file "$lib"; done
for link in /lib /lib64; do
  [ -L "$link" ] && ln -sfn "$(readlink "$link")" "$root$link"
done
chmod 0755 "$root"/usr/lib*/*/ld-linux* "$root"/usr/lib*/ld-linux* 2>/dev/null || true

# poppler-cpp converts a PDF's text from UTF-16 with iconv, which glibc does in a module it loads
# at run time (ldd does not list it): that module and the cache that names it. Without them every
# PDF reads as having no text.
libc=$(ldd "$binary" | awk '$1 == "libc.so.6" { print $3 }')
gconv=$(realpath "$(dirname "$libc")")/gconv
for file in gconv-modules.cache UTF-16.so; do
  install -D -m 0644 "$gconv/$file" "$root$gconv/$file"
done

# OpenSSL (set_default_verify_paths) reads /usr/lib/ssl/cert.pem: Debian's link to the bundle.
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$root/usr/lib/ssl"
ln -sfn /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"

mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nsluice:x:%s:%s:sluice:/var/lib/sluice:/usr/sbin/nologin\n' \
  "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\nsluice:x:%s:\n' "$uid" >"$root/etc/group"
# The runtime writes /etc/hosts; it answers before DNS, as on any Debian system.
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

install -d -m 1777 "$root/tmp"
install -d -m 0700 -o "$uid" -g "$uid" "$root/var/lib/sluice"
