package kubetest

import (
	"context"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// WaitAllowed waits until TestUser may do verb on resource (group, in
// namespace; name may be empty): the API server's RBAC authorizer reads
// Roles and bindings from an informer, so a binding just created takes a
// moment to count.
func (s *Server) WaitAllowed(t testing.TB, verb, group, resource, namespace, name string) {
	t.Helper()
	client := kubernetes.NewForConfigOrDie(s.User)
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource, Namespace: namespace, Name: name},
	}}
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		r, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		return err == nil && r.Status.Allowed, nil
	})
	if err != nil {
		t.Fatalf("%s may still not %s %s in %s: %v", TestUser, verb, resource, namespace, err)
	}
}
