#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the end-to-end
# test of the golden path: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd + runc, kubelet, kube-proxy (iptables), a CNI
# bridge, kube-router as the NetworkPolicy enforcer, and CoreDNS as a pod.
# No Docker, no registry: images are built locally (hack/cluster/images.sh)
# and imported into this cluster's own containerd.
#
#   hack/cluster.sh up DIR      start; writes DIR/env (KUBECONFIG, addresses)
#   hack/cluster.sh down DIR    stop and undo everything "up" did, then
#                               compare the machine with its state before
#                               "up" and fail on any difference
#   hack/cluster.sh import DIR ARCHIVE NAME   import an image
#
# Everything lives under DIR, on addresses of this machine only: the node
# is 10.89.0.1 on lo, test hosts are 10.89.0.2 and up on lo, pods are on
# 10.88.0.0/16 behind the bridge idp0, Services on 172.20.0.0/16 (EKS's
# default, which the platform settings assume). A FORWARD rule rejects
# anything a pod sends past the bridge, so nothing leaves the machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=hack/cluster/lib.sh
source "$root/hack/cluster/lib.sh"

usage() {
  echo "usage: $0 up|down DIR | import DIR ARCHIVE NAME" >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
case $cmd in
  up) cluster_up "$dir" ;;
  down) cluster_down "$dir" ;;
  import) import_image "$dir" "$3" "$4" ;;
  *) usage ;;
esac
