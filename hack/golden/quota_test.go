//go:build cluster

package golden

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkRolloutFitsTheQuota: the rollout just done never hit the namespace's
// rendered ResourceQuota: no pod was refused while the old ReplicaSet's
// draining pods and the new ones overlapped, and its use is within it.
func (w *world) checkRolloutFitsTheQuota(a *app) error {
	q, err := w.kube.CoreV1().ResourceQuotas(a.name).Get(w.ctx(), a.name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("the rendered ResourceQuota: %v", err)
	}
	events, err := w.kube.CoreV1().Events(a.name).List(w.ctx(), metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, e := range events.Items {
		if e.Reason == "FailedCreate" && strings.Contains(e.Message, "exceeded quota") {
			return fmt.Errorf("the quota refused a pod during the rollout: %s", e.Message)
		}
	}
	for _, r := range []corev1.ResourceName{corev1.ResourcePods, corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory} {
		used, hard := q.Status.Used[r], q.Status.Hard[r]
		if hard.IsZero() || used.Cmp(hard) > 0 {
			return fmt.Errorf("quota %s: used %s of %s", r, used.String(), hard.String())
		}
	}
	fmt.Printf("GOLDEN-MEASURE quota after the rollout: pods %s of %s, requests.memory %s of %s\n",
		ptrQ(q.Status.Used, corev1.ResourcePods), ptrQ(q.Status.Hard, corev1.ResourcePods),
		ptrQ(q.Status.Used, corev1.ResourceRequestsMemory), ptrQ(q.Status.Hard, corev1.ResourceRequestsMemory))
	return nil
}

func ptrQ(l corev1.ResourceList, r corev1.ResourceName) string {
	q := l[r]
	return q.String()
}
