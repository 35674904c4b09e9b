//go:build cluster

package golden

import (
	"context"
	"strings"
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// standInForTheALBController does the one thing of the AWS Load Balancer
// Controller that Argo CD's health checks read: once the ALB of an
// Ingress's group exists, the controller writes its DNS name into the
// Ingress's status, and until then Argo CD's built-in Ingress health check
// says Progressing. No ALB can exist here, so this writes the name the
// controller would (k8s-<group>-<hash>.<region>.elb.amazonaws.com) for every
// Ingress of class alb. Routing through the ALB is stood in for by requests
// from this machine to the Service (checkHealth, checkRollout).
func (w *world) standInForTheALBController(t *testing.T) {
	ctx, cancel := context.WithCancel(w.ctx())
	t.Cleanup(cancel)
	_ = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := w.kube.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		for i := range list.Items {
			ing := &list.Items[i]
			if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "alb" || len(ing.Status.LoadBalancer.Ingress) > 0 {
				continue
			}
			group := strings.ReplaceAll(ing.Annotations["alb.ingress.kubernetes.io/group.name"], ".", "")
			ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{
				Hostname: "k8s-" + group + "-0123456789-1234567890.us-east-2.elb.amazonaws.com",
			}}
			_, _ = w.kube.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, ing, metav1.UpdateOptions{})
		}
		return false, nil
	})
}
