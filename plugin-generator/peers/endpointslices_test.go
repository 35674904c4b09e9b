package peers

import (
	"context"
	"slices"
	"testing"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestEndpointSlicesNameTheOtherReadyReplicas(t *testing.T) {
	yes, no, port := true, false, int32(8080)
	slice := func(name, service string, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
		return &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: name, Namespace: "argocd", Labels: map[string]string{discoveryv1.LabelServiceName: service}},
			AddressType: discoveryv1.AddressTypeIPv4,
			Ports:       []discoveryv1.EndpointPort{{Port: &port}},
			Endpoints:   eps,
		}
	}
	ep := func(addr string, ready *bool) discoveryv1.Endpoint {
		return discoveryv1.Endpoint{Addresses: []string{addr}, Conditions: discoveryv1.EndpointConditions{Ready: ready}}
	}
	client := fake.NewClientset(
		slice("gen-a", "idp-plugin-generator", ep("10.88.0.3", &yes), ep("10.88.0.4", &yes), ep("10.88.0.5", &no)),
		slice("gen-b", "idp-plugin-generator", ep("10.88.0.6", nil), ep("10.88.0.4", &yes)),
		slice("other", "argocd-server", ep("10.88.0.9", &yes)),
	)
	e := &EndpointSlices{Client: client, Namespace: "argocd", Service: "idp-plugin-generator", Self: "10.88.0.3", Port: 9999}
	got, err := e.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{"http://10.88.0.4:8080", "http://10.88.0.6:8080"}
	if !slices.Equal(got, want) {
		t.Fatalf("peers %v, want %v (not itself, not unready ones, not another Service's, once each)", got, want)
	}
}
