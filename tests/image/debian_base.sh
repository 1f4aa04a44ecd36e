#!/usr/bin/env bash
# The Dockerfile's `FROM debian:bookworm`, made here without a registry: a debootstrap minbase
# root from this machine's Debian mirror, with this machine's Debian sources and apt settings to
# reach them (a proxy; a snapshot mirror's expired Release files) so that apt-get in the build stage reaches the
# same mirror. Written once as DIR/debian-bookworm.tar; later runs reuse it. Prints its path.
# usage: tests/image/debian_base.sh DIR
set -euo pipefail
dir=$1
tar=$dir/debian-bookworm.tar
if [ -s "$tar" ]; then echo "$tar"; exit 0; fi
mkdir -p "$dir"

# The first mirror serving the suite bookworm, from sources.list or deb822 sources.
mirror=${DEBIAN_MIRROR:-$(python3 - <<'PY'
import glob, re
for path in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*"))]:
    try:
        text = open(path).read()
    except OSError:
        continue
    for line in text.splitlines():
        m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", line)
        if m:
            print(m.group(1)); raise SystemExit
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^(\S+):\s*(.*)$", stanza, re.M))
        if "deb" in fields.get("Types", "").split() and "bookworm" in fields.get("Suites", "").split():
            print(fields["URIs"].split()[0]); raise SystemExit
PY
)}
[ -n "$mirror" ] || { echo "debian_base: no bookworm mirror in /etc/apt/sources.list(.d); set DEBIAN_MIRROR" >&2; exit 1; }

root=$(mktemp -d "$dir/debootstrap.XXXXXX")
# debootstrap mounts /proc and /sys in the root while it works: unmount whatever it left first.
cleanup() {
  awk -v root="$root" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l
  rm -rf "$root"
}
trap cleanup EXIT
echo "debian_base: debootstrap --variant=minbase bookworm from $mirror" >&2
if ! timeout 1200 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$dir/debootstrap.log" 2>&1; then
  tail -20 "$dir/debootstrap.log" >&2; exit 1
fi
rm -f "$dir/debootstrap.log"
# As Debian's own image: the machine's Debian sources (debian.sources, or sources.list), no
# downloaded packages, empty /dev, /proc and /sys (the runtime fills them).
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
elif grep -qs '^deb ' /etc/apt/sources.list; then
  grep '^deb ' /etc/apt/sources.list >"$root/etc/apt/sources.list"
fi
apt-config dump | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' \
  >"$root/etc/apt/apt.conf.d/01acquire-as-build-host" || true
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/dev/* \
  "$root"/proc/* "$root"/sys/*
tar -C "$root" --numeric-owner -cf "$tar.part" .
mv "$tar.part" "$tar"
echo "$tar"
