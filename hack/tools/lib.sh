#!/usr/bin/env bash
# Shared by the builders in hack/tools: one cache entry per tool and version,
# built at most once however many runs share the machine.
#
#   cached DIR BUILD_FUNCTION [ARGS...]
#
# If DIR/.complete is missing, takes an exclusive lock on DIR.lock, checks
# again, runs BUILD_FUNCTION with a fresh private directory beside DIR as its
# first argument, and renames that directory to DIR only when it succeeded.
# A complete entry is never removed, so a run reading it while another
# builds is safe; an interrupted build leaves only a private directory that
# the next build of the same entry clears.

IDP_CACHE=${IDP_CACHE:-$HOME/.cache/idp}

cached() {
  local dir=$1 build=$2
  shift 2
  [[ -f $dir/.complete ]] && return 0
  mkdir -p "$(dirname "$dir")"
  (
    exec 9>"$dir.lock"
    flock 9
    [[ -f $dir/.complete ]] && exit 0
    rm -rf "$dir.partial".* "$dir"
    local tmp
    tmp=$(mktemp -d "$dir.partial.XXXXXX")
    "$build" "$tmp" "$@"
    chmod 0755 "$tmp"
    touch "$tmp/.complete"
    mv -T "$tmp" "$dir"
  )
}

# moddir MODULE@VERSION: the module's directory in the module cache.
moddir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# build_in_copy MODULE@VERSION OUTPUT PACKAGE LDFLAGS: go build PACKAGE of a
# module whose go.mod carries replace directives (`go install MOD@VER`
# refuses those) inside a writable copy of its source, and removes the copy.
build_in_copy() {
  local mod=$1 out=$2 pkg=$3 ldflags=$4 src work rc=0
  src=$(moddir "$mod")
  [[ -d $src ]] || { echo "cannot download $mod" >&2; return 1; }
  work=$(mktemp -d)
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  (cd "$work" && go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg") >&2 || rc=$?
  rm -rf "$work"
  return "$rc"
}
