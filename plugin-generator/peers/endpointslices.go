package peers

import (
	"context"
	"fmt"
	"net"
	"strconv"

	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// EndpointSlices finds the peers as the Service's ready endpoints, less
// this replica's own address.
type EndpointSlices struct {
	Client    kubernetes.Interface
	Namespace string
	Service   string
	Self      string // this pod's IP (the downward API's status.podIP)
	Port      int    // used when a slice names no port
}

// Peers returns http://<address>:<port> for every other ready endpoint.
func (e *EndpointSlices) Peers(ctx context.Context) ([]string, error) {
	list, err := e.Client.DiscoveryV1().EndpointSlices(e.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + e.Service,
	})
	if err != nil {
		return nil, fmt.Errorf("endpoint slices of Service %s/%s: %w", e.Namespace, e.Service, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range list.Items {
		port := e.Port
		if len(s.Ports) > 0 && s.Ports[0].Port != nil {
			port = int(*s.Ports[0].Port)
		}
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, addr := range ep.Addresses {
				url := "http://" + net.JoinHostPort(addr, strconv.Itoa(port))
				if addr != e.Self && !seen[url] {
					seen[url] = true
					out = append(out, url)
				}
			}
		}
	}
	return out, nil
}

// Rules is the least privilege Peers needs in its namespace.
func Rules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{{APIGroups: []string{discoveryv1.GroupName}, Resources: []string{"endpointslices"}, Verbs: []string{"list"}}}
}
