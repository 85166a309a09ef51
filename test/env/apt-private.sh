# Sourced, not run. A private apt configuration for SOURCE packages only: its own
# sources.list (deb-src lines for bookworm, trixie and sid), index and cache directories
# under the test bed's cache. The system's apt never sees it, so nothing from trixie or sid
# can become an install candidate on the host; only source tarballs are fetched through it.
#
#   apt_private_update                   refresh the private source indexes (at most daily;
#                                        3 tries; a failed refresh reuses an index younger
#                                        than a week, saying so)
#   apt_private_source PKG VER DIR LOG   unpack PKG=VER's source into DIR/src
#   apt_private_orig PKG VER DIR LOG     the same from the upstream tarball alone

APT_PRIVATE=${FIXTURES:-/var/cache/cgherd-testbed}/apt-sources
APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The host's Debian mirror, so that a machine configured for a local mirror uses it.
apt_private_mirror() {
  m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  [ -n "$m" ] || m=$(sed -n 's/^deb  *\(\[[^]]*\]  *\)\{0,1\}\(http[^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
  echo "${m:-http://deb.debian.org/debian}"
}

apt_private() {
  apt-get -q \
    -o Dir::Etc::sourcelist="$APT_PRIVATE/sources.list" \
    -o Dir::Etc::sourceparts="$APT_PRIVATE/sources.list.d" \
    -o Dir::State::Lists="$APT_PRIVATE/lists" \
    -o Dir::Cache="$APT_PRIVATE/cache" \
    -o APT::Get::List-Cleanup=false \
    "$@"
}

apt_private_update() {
  mkdir -p "$APT_PRIVATE/lists/partial" "$APT_PRIVATE/cache/archives/partial" "$APT_PRIVATE/sources.list.d"
  mirror=$(apt_private_mirror)
  want="deb-src [signed-by=$APT_KEYRING] $mirror bookworm main
deb-src [signed-by=$APT_KEYRING] $mirror trixie main"
  # sid (for CRIU 4.2.1) in a file of its own: a test bed whose apt-private.sh predates it
  # compares sources.list alone, so the two neither rewrite each other's list nor refresh
  # the indexes in turn.
  want_sid="deb-src [signed-by=$APT_KEYRING] $mirror sid main"
  stamp=$APT_PRIVATE/updated
  same=
  [ "$(cat "$APT_PRIVATE/sources.list" 2>/dev/null)" = "$want" ] &&
    [ "$(cat "$APT_PRIVATE/sources.list.d/sid.list" 2>/dev/null)" = "$want_sid" ] && same=1
  [ -n "$same" ] && [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ] && return 0
  printf '%s\n' "$want" >"$APT_PRIVATE/sources.list"
  printf '%s\n' "$want_sid" >"$APT_PRIVATE/sources.list.d/sid.list"
  # The mirror hiccups now and then: three tries, 5 s and then 20 s apart.
  for wait in 5 20 0; do
    apt_private update -qq && touch "$stamp" && return 0
    [ "$wait" = 0 ] || { echo "private apt update failed; again in $wait s" >&2; sleep "$wait"; }
  done
  # An index of the same sources from this week still names the versions the test bed
  # builds (they are pinned): better than no test bed at all.
  if [ -n "$same" ] && [ -n "$(find "$stamp" -mmin -10080 2>/dev/null)" ]; then
    echo "note: private apt update failed 3 times; reusing the index of $(date -r "$stamp" -u '+%F %H:%M UTC')" >&2
    return 0
  fi
  echo "private apt update failed 3 times, and no index of these sources from this week to reuse" >&2
  return 1
}

# apt_private_source PKG VERSION DIR LOG: DIR/src gets the unpacked source of PKG=VERSION.
# The mirror sometimes serves a non-host suite's upstream tarball but not its .dsc or
# Debian tarball (seen for trixie's crun 1.21-1 and criu 4.1.1-1). Then the upstream
# tarball alone is fetched by apt's own helper, checked against the SHA256 in the index.
apt_private_source() {
  pkg=$1 version=$2 dir=$3 log=$4
  upstream=${version%-*}
  upstream=${upstream#*:}
  if (cd "$dir" && apt_private source -qq "$pkg=$version") >>"$log" 2>&1; then
    mv "$dir/$pkg-$upstream" "$dir/src"
    return 0
  fi
  apt_private_orig "$pkg" "$version" "$dir" "$log" || return 1
  echo "note: $pkg=$version: Debian packaging not on the mirror, built the checked upstream tarball" >>"$log"
}

# apt_private_orig PKG VERSION DIR LOG: DIR/src gets PKG=VERSION's upstream tarball alone,
# without Debian's patches, fetched by apt's own helper and checked against the SHA256 in
# the index.
apt_private_orig() {
  pkg=$1 version=$2 dir=$3 log=$4
  upstream=${version%-*}
  upstream=${upstream#*:}
  line=$(apt_private source --print-uris -qq "$pkg=$version" 2>>"$log" |
    grep "'[^']*/${pkg}_$upstream\.orig\.tar\.[a-z0-9]*' " | head -n1 || true)
  [ -n "$line" ] || { echo "apt knows no source for $pkg=$version" >>"$log"; return 1; }
  # shellcheck disable=SC2086
  set -- $line
  uri=$(echo "$1" | tr -d "'") file=$2 hash=$4
  case $hash in SHA256:*) ;; *) echo "no SHA256 for $file in apt's index ($line)" >>"$log"; return 1 ;; esac
  rm -f "$dir/$file"
  /usr/lib/apt/apt-helper download-file "$uri" "$dir/$file" "$hash" >>"$log" 2>&1 || return 1
  mkdir "$dir/src"
  tar -xf "$dir/$file" -C "$dir/src" --strip-components=1
}
