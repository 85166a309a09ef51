#!/bin/bash
# `make package`: builds build/cgherd_<version>_all.deb (dpkg-deb) and
# build/cgherd-<version>-1.noarch.rpm (rpmbuild) from the built tree. `make build` runs
# first (Makefile), so dist/ is current. Production node_modules come from `npm ci
# --omit=dev` in a staging copy, never from the development tree, cached by the lock file.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
version=$(node -p 'require("./package.json").version')
out=$repo/build
stage=$out/stage
lib=$stage/usr/lib/cgherd

die() {
	echo "packaging: $*" >&2
	exit 1
}
for tool in dpkg-deb rpmbuild npm gzip; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install dpkg-dev rpm npm)"
done
[ -f dist/src/cli.js ] && [ -f dist/src/cgherd-runtime.cjs ] || die "dist/ is not built: run make build"

# Reproducible timestamps: the last commit, else now.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

# The production node_modules, made by `npm ci --omit=dev` in DIR (which holds package.json
# and package-lock.json) and trimmed; kept under build/ keyed by the lock file and this
# recipe, so that a run whose dependencies did not change copies them instead of running
# npm again. A cache that is not whole is never used: it is renamed into place last.
prod_modules() {
	dir=$1
	key=$( (cat package-lock.json && sed -n '/^prod_modules() {$/,/^}$/p' "${BASH_SOURCE[0]}") | sha256sum | cut -c1-16)
	cache=$out/cache/node_modules-$key
	if [ ! -d "$cache" ]; then
		rm -rf "$out/cache"
		mkdir -p "$out/cache/new"
		install -m 0644 package.json package-lock.json "$out/cache/new/"
		(cd "$out/cache/new" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
		modules=$out/cache/new/node_modules
		rm -f "$modules/.package-lock.json"
		# What the modules' authors kept for their own tools (linters, npm, git) is no part of
		# the program, and lintian rejects it; a module file marked executable without a #!
		# line is not a program either.
		find "$modules" \( -name '.eslintrc*' -o -name '.npmignore' -o -name '.git*' \
			-o -name '.travis.yml' -o -name '.editorconfig' -o -name '.prettierrc*' \) -exec rm -rf {} +
		# Their READMEs and change logs are documentation outside /usr/share/doc; their
		# licences stay beside them (the copyright file points there).
		find "$modules" -type f \( -iname 'readme' -o -iname 'readme.md' -o -iname 'readme.markdown' \
			-o -iname 'changelog.md' -o -iname 'history.md' \) -delete
		find "$modules" -type f -perm -u+x | while IFS= read -r f; do
			[ "$(head -c2 "$f")" = '#!' ] || chmod a-x "$f"
		done
		mv "$modules" "$cache"
		rm -rf "$out/cache/new"
	fi
	cp -a "$cache" "$dir/node_modules"
}

rm -rf "$stage" "$out/deb" "$out/rpm"
mkdir -p "$lib/bin" "$lib/dist" "$stage/usr/bin" "$stage/usr/share/cgherd" \
	"$stage/usr/share/man/man8" "$stage/usr/share/bash-completion/completions" \
	"$stage/usr/share/doc/cgherd"

# The program: launcher, compiled JavaScript (no tests), schemas, package metadata.
install -m 0755 bin/cgherd "$lib/bin/cgherd"
cp -a dist/src "$lib/dist/src"
[ -d dist/hooks ] && cp -a dist/hooks "$lib/dist/hooks"
cp -a schemas "$lib/schemas"
install -m 0644 package.json "$lib/"
prod_modules "$lib"
node packaging/oclif-manifest.mjs "$lib"
# /usr/bin/cgherd is a relative link: the launcher finds its lib dir with readlink -f, and a
# relative link also resolves inside a chroot or a dpkg --root tree.
ln -s ../lib/cgherd/bin/cgherd "$stage/usr/bin/cgherd"

# Podman drop-in (inactive), man page, completion, docs.
install -m 0644 packaging/50-cgherd.conf "$stage/usr/share/cgherd/50-cgherd.conf"
sed "s/@VERSION@/$version/" packaging/cgherd.8 | gzip -9n >"$stage/usr/share/man/man8/cgherd.8.gz"
install -m 0644 packaging/bash-completion "$stage/usr/share/bash-completion/completions/cgherd"
{
	echo "cgherd $version"
	echo
	echo "Copyright $(date -u -d "@$SOURCE_DATE_EPOCH" +%Y) cgherd developers."
	echo "License: Apache-2.0 (see /usr/share/common-licenses/Apache-2.0)."
	echo "The OCI runtime-spec schemas in /usr/lib/cgherd/schemas are Apache-2.0, The Linux"
	echo "Foundation; see /usr/lib/cgherd/schemas/README.md."
	echo "Bundled node modules keep their licences in /usr/lib/cgherd/node_modules/*/."
} >"$stage/usr/share/doc/cgherd/copyright"
# A native package's changelog, in Debian's format (lintian: no-changelog).
{
	echo "cgherd ($version) unstable; urgency=medium"
	echo
	echo "  * Release $version."
	echo
	echo " -- cgherd developers <cgherd@localhost.invalid>  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$stage/usr/share/doc/cgherd/changelog.gz"
printf '{\n  "runtime": "/usr/bin/crun",\n  "validate": "enforce",\n  "herd": true\n}\n' \
	>"$stage/usr/share/doc/cgherd/config.example.json"

find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f ! -perm -u+x -exec chmod 0644 {} +
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# .deb
deb=$out/deb
cp -a "$stage" "$deb"
mkdir -p "$deb/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" packaging/control.in >"$deb/DEBIAN/control"
(cd "$deb" && find usr -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums)
chmod 0644 "$deb/DEBIAN/control" "$deb/DEBIAN/md5sums"
install -m 0755 packaging/prerm "$deb/DEBIAN/prerm"
debfile=$out/cgherd_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$deb" "$debfile" >/dev/null
rm -rf "$deb"

# .rpm
rpmtop=$out/rpm
mkdir -p "$rpmtop"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
rpmbuild -bb --quiet --nodeps \
	--define "_topdir $rpmtop" \
	--define "stage $stage" \
	--define "version $version" \
	--define "_rpmdir $out" \
	--define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
	--define "use_source_date_epoch_as_buildtime 1" \
	packaging/cgherd.spec
rm -rf "$rpmtop"

echo "built $debfile"
echo "built $out/cgherd-$version-1.noarch.rpm"
