#!/usr/bin/env bash
# The functions behind hack/cluster.sh. Bring-up records what it changes on
# the machine (DIR/before: mounts, links, addresses, iptables, ipsets,
# cgroups, sysctls) so that teardown can undo it and prove it did.

root=${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IDP_CACHE=${IDP_CACHE:-$HOME/.cache/idp}
NODE_NAME=idp-node
NODE_IP=10.89.0.1
# Test hosts on lo beside the node: the fakes of GitLab and AWS listen here.
TEST_HOSTS=(10.89.0.2 10.89.0.3)
POD_CIDR=10.88.0.0/16
POD_GATEWAY=10.88.0.1
SERVICE_CIDR=172.20.0.0/16
DNS_IP=172.20.0.10
BRIDGE=idp0
# Sysctls that the kubelet and kube-proxy rewrite at start.
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait net.ipv4.vs.conntrack)

say() { printf 'cluster: %s\n' "$*" >&2; }

# --- snapshots of machine state ---------------------------------------------

snapshot() {
  local out=$1
  mkdir -p "$out"
  awk '{print $5}' /proc/self/mountinfo | sort >"$out/mounts"
  ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort >"$out/links"
  ip -o addr show | awk '{print $2, $4}' | sort >"$out/addrs"
  local t
  for t in iptables ip6tables; do
    "$t-save" >"$out/$t.raw" 2>/dev/null || true
    sed '/^#/d; s/\[[0-9]*:[0-9]*\]//' "$out/$t.raw" | sort >"$out/$t"
  done
  # iptables here is iptables-nft: the whole firewall is nft's ruleset.
  nft list ruleset >"$out/nft.raw" 2>/dev/null || true
  sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/' "$out/nft.raw" >"$out/nft"
  ipset list -n 2>/dev/null | sort >"$out/ipsets"
  find /sys/fs/cgroup -maxdepth 2 -type d -name 'kube*' 2>/dev/null | sort >"$out/cgroups"
  list_netns >"$out/netns"
  find /var/log/containers /var/log/pods -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort >"$out/logs" || true
  for s in "${SYSCTLS[@]}"; do
    printf '%s=%s\n' "$s" "$(sysctl -n "$s" 2>/dev/null || echo absent)"
  done >"$out/sysctls"
}

list_netns() {
  find /run/netns -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort || true
}

# --- certificates and credentials ---------------------------------------------

# cert NAME CN ORG SANS: a key and a certificate signed by the cluster CA.
cert() {
  local pki=$1/pki name=$2 cn=$3 org=$4 sans=$5
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "/CN=$cn${org:+/O=$org}" \
    -out "$pki/$name.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n%s' \
    "${sans:+subjectAltName=$sans}" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
}

make_pki() {
  local d=$1 pki=$1/pki
  mkdir -p "$pki"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -subj "/CN=idp-test-ca" \
    -days 2 -out "$pki/ca.crt" 2>/dev/null
  cert "$d" apiserver kube-apiserver "" \
    "IP:$NODE_IP,IP:172.20.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert "$d" apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ""
  # The fakes of GitLab and AWS serve TLS on the test hosts' addresses.
  cert "$d" hosts idp-test-hosts "" "$(printf 'IP:%s,' "${TEST_HOSTS[@]}" | sed 's/,$//')"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

# kubeconfig NAME USER: a kubeconfig for one token of tokens.csv.
kubeconfig() {
  local d=$1 name=$2 user=$3 groups=${4:-} token
  token=$(openssl rand -hex 16)
  printf '%s,%s,%s,"%s"\n' "$token" "$user" "$user" "$groups" >>"$d/tokens.csv"
  cat >"$d/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: idp
    cluster:
      server: https://$NODE_IP:443
      certificate-authority: $d/pki/ca.crt
users:
  - name: $user
    user:
      token: $token
contexts:
  - name: idp
    context: {cluster: idp, user: $user}
current-context: idp
EOF
}

# --- processes ----------------------------------------------------------------

# start NAME CMD...: runs CMD in its own process group, logging to DIR/logs.
start() {
  local d=$1 name=$2
  shift 2
  mkdir -p "$d/logs" "$d/pids"
  setsid "$@" >"$d/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$d/pids/$name.pid"
}

wait_for() {
  local what=$1 tries=$2
  shift 2
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  say "timed out waiting for $what"
  return 1
}

# --- bring-up -----------------------------------------------------------------

cluster_up() {
  local d=$1 kube
  if compgen -G "$d/pids/*.pid" >/dev/null; then
    say "$d holds a running cluster; run: hack/cluster.sh down $d"
    return 1
  fi
  if ip -o addr show dev lo | grep -q " $NODE_IP/"; then
    say "$NODE_IP is on lo already: another cluster of hack/cluster.sh runs on this machine; stop it first (hack/cluster.sh down ITS_DIR)"
    return 1
  fi
  rm -rf "${d:?}"/*
  kube=$("$root/hack/tools/kube.sh")
  local router coredns
  router=$("$root/hack/tools/kube-router.sh")
  coredns=$("$root/hack/tools/coredns.sh")
  "$root/hack/tools/debian.sh" containerd runc containernetworking-plugins iptables nftables ipset conntrack \
    umoci debootstrap busybox-static openssl curl
  snapshot "$d/before"
  say "state of the machine recorded in $d/before"

  ip addr add "$NODE_IP/32" dev lo
  for h in "${TEST_HOSTS[@]}"; do ip addr add "$h/32" dev lo; done
  make_pki "$d"
  : >"$d/tokens.csv"
  kubeconfig "$d" admin admin system:masters
  kubeconfig "$d" kubelet "system:node:$NODE_NAME" system:nodes
  kubeconfig "$d" kube-proxy system:kube-proxy
  kubeconfig "$d" controller-manager system:kube-controller-manager
  kubeconfig "$d" scheduler system:kube-scheduler
  # kube-router only enforces NetworkPolicy here; it is test tooling.
  kubeconfig "$d" kube-router kube-router system:masters

  start_control_plane "$d" "$kube"
  start_node "$d" "$kube" "$router"
  install_coredns "$d" "$kube" "$coredns"
  write_env "$d" "$kube"
  say "up: KUBECONFIG=$d/admin.kubeconfig"
}

start_control_plane() {
  local d=$1 kube=$2
  start "$d" etcd "$kube/etcd" --data-dir "$d/etcd" --listen-client-urls http://127.0.0.1:23790 \
    --advertise-client-urls http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23800 \
    --initial-advertise-peer-urls http://127.0.0.1:23800 --initial-cluster default=http://127.0.0.1:23800 \
    --listen-metrics-urls ""
  wait_for etcd 60 curl -fsS http://127.0.0.1:23790/health
  start "$d" kube-apiserver "$kube/kube-apiserver" --etcd-servers=http://127.0.0.1:23790 \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port=443 \
    --tls-cert-file="$d/pki/apiserver.crt" --tls-private-key-file="$d/pki/apiserver.key" \
    --client-ca-file="$d/pki/ca.crt" --token-auth-file="$d/tokens.csv" \
    --kubelet-client-certificate="$d/pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$d/pki/apiserver-kubelet-client.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$d/pki/sa.pub" --service-account-signing-key-file="$d/pki/sa.key" \
    --api-audiences=https://kubernetes.default.svc.cluster.local,sts.amazonaws.com \
    --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC \
    --kubelet-preferred-address-types=InternalIP \
    --enable-admission-plugins=NodeRestriction --allow-privileged=false \
    --enable-priority-and-fairness=false
  wait_for kube-apiserver 120 "$kube/kubectl" --kubeconfig "$d/admin.kubeconfig" get --raw /readyz
  start "$d" kube-controller-manager "$kube/kube-controller-manager" --kubeconfig="$d/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$d/controller-manager.kubeconfig" --authorization-kubeconfig="$d/controller-manager.kubeconfig" \
    --service-account-private-key-file="$d/pki/sa.key" --root-ca-file="$d/pki/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false --secure-port=0 \
    --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=16 \
    --service-cluster-ip-range="$SERVICE_CIDR" --controllers='*,-cloud-node-lifecycle'
  start "$d" kube-scheduler "$kube/kube-scheduler" --kubeconfig="$d/scheduler.kubeconfig" \
    --authentication-kubeconfig="$d/scheduler.kubeconfig" --authorization-kubeconfig="$d/scheduler.kubeconfig" \
    --leader-elect=false --secure-port=0
}

start_node() {
  local d=$1 kube=$2 router=$3
  write_containerd_config "$d"
  start "$d" containerd containerd --config "$d/containerd/config.toml"
  wait_for containerd 60 ctr --address "$d/containerd/containerd.sock" version
  import_base_images "$d"
  write_kubelet_config "$d"
  start "$d" kubelet "$kube/kubelet" --config="$d/kubelet.yaml" --kubeconfig="$d/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$d/kubelet" --cert-dir="$d/kubelet/pki" --v=1
  wait_for "node $NODE_NAME Ready" 120 kubectl_ready "$d" "$kube"
  start "$d" kube-proxy "$kube/kube-proxy" --config="$d/kube-proxy.yaml"
  # kube-router exits unless the Node exists, so it starts last.
  start "$d" kube-router env NODE_NAME="$NODE_NAME" "$router" --kubeconfig="$d/kube-router.kubeconfig" \
    --run-router=false --run-service-proxy=false --run-firewall=true --enable-cni=false \
    --hostname-override="$NODE_NAME" --service-cluster-ip-range="$SERVICE_CIDR" --metrics-port=0 --health-port=0
  # Pods reach each other, the node and the test hosts; nothing past the bridge.
  iptables -I FORWARD 1 -i "$BRIDGE" ! -o "$BRIDGE" -j REJECT
}

kubectl_ready() {
  "$2/kubectl" --kubeconfig "$1/admin.kubeconfig" get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True
}

write_containerd_config() {
  local d=$1
  mkdir -p "$d/containerd" "$d/cni/net.d" "$d/cni/ipam" "$d/runc"
  cat >"$d/containerd/config.toml" <<EOF
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
[grpc]
  address = "$d/containerd/containerd.sock"
[ttrpc]
  address = "$d/containerd/containerd-ttrpc.sock"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "idp.local/pause:3.10"
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj.
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$d/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$d/containerd/certs.d"
EOF
  # No registry is reachable, and none may be tried: every pull of an image
  # that was not imported goes to a closed port on loopback and fails at once.
  local reg
  for reg in _default docker.io quay.io registry.k8s.io ghcr.io 123456789012.dkr.ecr.us-east-2.amazonaws.com; do
    mkdir -p "$d/containerd/certs.d/$reg"
    printf 'server = "http://127.0.0.1:9"\n[host."http://127.0.0.1:9"]\n  capabilities = ["pull", "resolve"]\n' \
      >"$d/containerd/certs.d/$reg/hosts.toml"
  done
  cat >"$d/cni/net.d/10-idp.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "idp",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$d/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

write_kubelet_config() {
  local d=$1
  mkdir -p "$d/kubelet/pki" "$d/pod-logs"
  echo "nameserver $NODE_IP" >"$d/resolv.conf"
  cat >"$d/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine mounts cgroup v1 and its root lacks CAP_SYS_RESOURCE.
failCgroupV1: false
cgroupDriver: cgroupfs
oomScoreAdj: 0
failSwapOn: false
containerRuntimeEndpoint: unix://$d/containerd/containerd.sock
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $d/resolv.conf
podLogsDir: $d/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $d/pki/ca.crt}
authorization: {mode: Webhook}
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
imageGCHighThresholdPercent: 100
EOF
  cat >"$d/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $d/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
oomScoreAdj: 0
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
# 0: leave the machine's conntrack settings alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

import_base_images() {
  local d=$1 line
  # Through a file, not a process substitution, whose failure bash ignores.
  "$root/hack/cluster/images.sh" base "$IDP_CACHE/images" >"$d/base-images"
  while IFS= read -r line; do
    import_image "$d" "${line#*=}" "${line%%=*}"
  done <"$d/base-images"
}

# import_image DIR ARCHIVE NAME
import_image() {
  ctr --address "$1/containerd/containerd.sock" -n k8s.io images import --base-name "$3" "$2" >/dev/null
}

install_coredns() {
  local d=$1 kube=$2
  "$kube/kubectl" --kubeconfig "$d/admin.kubeconfig" apply -f "$root/hack/cluster/coredns.yaml" >/dev/null
  "$kube/kubectl" --kubeconfig "$d/admin.kubeconfig" -n kube-system rollout status deploy/coredns --timeout=120s >&2
}

write_env() {
  local d=$1 kube=$2
  cat >"$d/env" <<EOF
export KUBECONFIG=$d/admin.kubeconfig
export IDP_CLUSTER_DIR=$d
export IDP_CLUSTER_NODE_IP=$NODE_IP
export IDP_CLUSTER_TEST_HOSTS="${TEST_HOSTS[*]}"
export IDP_CLUSTER_CA=$d/pki/ca.crt
export IDP_CLUSTER_HOSTS_CERT=$d/pki/hosts.crt
export IDP_CLUSTER_HOSTS_KEY=$d/pki/hosts.key
export IDP_CLUSTER_SA_PUB=$d/pki/sa.pub
export IDP_CLUSTER_CONTAINERD=$d/containerd/containerd.sock
export IDP_KUBE_ASSETS=$kube
export PATH=$kube:\$PATH
EOF
}

# --- teardown -----------------------------------------------------------------

cluster_down() {
  local d=$1
  [[ -d $d/before ]] || { say "nothing to tear down in $d"; return 0; }
  # What tests started beside the cluster (they record their PIDs here too).
  local f
  for f in "$d"/pids/*.pid; do
    [[ -e $f ]] || continue
    case $(basename "$f" .pid) in
      etcd | kube-* | kubelet | containerd) ;;
      *) stop_pid "$d" "$(basename "$f" .pid)" ;;
    esac
  done
  stop_pid "$d" kubelet
  kill_pods
  for name in containerd kube-router kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop_pid "$d" "$name"
  done
  kill_shims "$d"
  unmount_under "$d"
  remove_netns "$d"
  ip link del "$BRIDGE" 2>/dev/null || true
  restore_firewall "$d"
  for h in "$NODE_IP" "${TEST_HOSTS[@]}"; do ip addr del "$h/32" dev lo 2>/dev/null || true; done
  remove_cgroups "$d"
  remove_log_links "$d"
  restore_sysctls "$d"
  compare_with_before "$d"
}

stop_pid() {
  local d=$1 name=$2 pid
  [[ -f $d/pids/$name.pid ]] || return 0
  pid=$(<"$d/pids/$name.pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$d/pids/$name.pid"
}

# Every process left in the kubelet's cgroups is a container's.
kill_pods() {
  local f
  for _ in 1 2 3; do
    while IFS= read -r f; do
      xargs -r kill -KILL <"$f" 2>/dev/null || true
    done < <(find /sys/fs/cgroup/pids/kubepods -name cgroup.procs 2>/dev/null)
    sleep 0.3
  done
}

kill_shims() {
  pkill -KILL -f "containerd-shim.*-address $1/containerd/" 2>/dev/null || true
  sleep 0.3
}

unmount_under() {
  local d=$1 m
  for _ in 1 2 3; do
    while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done < <(awk '{print $5}' /proc/self/mountinfo | grep -F "$d/" | sort -r)
  done
}

remove_netns() {
  local d=$1 ns
  while IFS= read -r ns; do
    ip netns delete "$ns" 2>/dev/null || { umount "/run/netns/$ns" 2>/dev/null; rm -f "/run/netns/$ns"; }
  done < <(comm -13 "$d/before/netns" <(list_netns))
}

restore_firewall() {
  local d=$1 set
  # kube-proxy's and kube-router's chains and the FORWARD rule go with the
  # flush; then exactly the tables that were there come back.
  nft flush ruleset
  # iptables-restore, not nft -f: rules written through iptables-nft carry
  # xt matches that nft cannot parse back.
  local t
  for t in iptables ip6tables; do
    [[ ! -s $d/before/$t.raw ]] || "$t-restore" <"$d/before/$t.raw" ||
      say "$t-restore could not put back $d/before/$t.raw (compared below)"
  done
  while IFS= read -r set; do
    ipset destroy "$set" 2>/dev/null || true
  done < <(comm -13 "$d/before/ipsets" <(ipset list -n 2>/dev/null | sort))
}

remove_cgroups() {
  local d=$1 top
  while IFS= read -r top; do
    find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done < <(comm -13 "$d/before/cgroups" <(find /sys/fs/cgroup -maxdepth 2 -type d -name 'kube*' 2>/dev/null | sort))
}

remove_log_links() {
  local l
  for l in /var/log/containers/* /var/log/pods/*; do
    [[ -e $l || -L $l ]] || continue
    grep -qxF "$(basename "$l")" "$1/before/logs" || rm -rf "$l"
  done
}

restore_sysctls() {
  local line
  while IFS= read -r line; do
    [[ ${line#*=} == absent ]] || sysctl -qw "$line" 2>/dev/null || true
  done <"$1/before/sysctls"
}

compare_with_before() {
  local d=$1 f bad=0
  snapshot "$d/after"
  for f in "$d"/before/*; do
    [[ $f == *.raw ]] && continue
    if ! diff -u "$f" "$d/after/$(basename "$f")" >"$d/after/$(basename "$f").diff"; then
      say "left behind ($(basename "$f")):"
      sed -n '3,40p' "$d/after/$(basename "$f").diff" >&2
      bad=1
    fi
  done
  local left
  left=$(pgrep -f "$d/" | grep -vxE "$$|$PPID" || true)
  if [[ -n $left ]]; then
    say "processes left behind: $(ps -o pid=,args= -p "${left//$'\n'/,}" 2>/dev/null | cut -c1-120)"
    bad=1
  fi
  ((bad == 0)) && say "down: the machine is as it was before up"
  return "$bad"
}
