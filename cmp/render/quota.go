package render

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// maxSurge is the rolling update's one extra pod (see deployment).
const maxSurge = 1

// quotaPods is how many pods the namespace may hold: the most replicas the
// app may run, once for the new ReplicaSet and once for the old one, whose
// pods still count against the quota while they drain (up to the grace
// period), and the surge pod.
func quotaPods(app *appspec.App) int64 {
	return 2*int64(maxReplicas(app)) + maxSurge
}

func maxReplicas(app *appspec.App) int32 {
	if a := app.Spec.Autoscaling; a != nil {
		return a.MaxReplicas
	}
	return *app.Spec.Replicas
}

// resourceQuota caps the app's namespace at what its app.yaml asks for,
// with room for a rolling update, so one app cannot starve the others. CPU
// limits are not capped: the platform sets none (see setResourceDefaults).
// Nothing in an app's namespace may open a node port or a load balancer.
func resourceQuota(app *appspec.App) *corev1.ResourceQuota {
	pods := quotaPods(app)
	r := app.Spec.Resources
	return &corev1.ResourceQuota{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			corev1.ResourcePods:                   *resource.NewQuantity(pods, resource.DecimalSI),
			corev1.ResourceRequestsCPU:            times(r.Requests.CPU, pods),
			corev1.ResourceRequestsMemory:         times(r.Requests.Memory, pods),
			corev1.ResourceLimitsMemory:           times(r.Limits.Memory, pods),
			corev1.ResourceServicesLoadBalancers:  *resource.NewQuantity(0, resource.DecimalSI),
			corev1.ResourceServicesNodePorts:      *resource.NewQuantity(0, resource.DecimalSI),
			corev1.ResourcePersistentVolumeClaims: *resource.NewQuantity(0, resource.DecimalSI),
		}},
	}
}

// times is n pods' worth of a validated quantity.
func times(q string, n int64) resource.Quantity {
	v := resource.MustParse(q)
	out := *resource.NewMilliQuantity(v.MilliValue()*n, v.Format)
	if v.Format == resource.BinarySI {
		out = *resource.NewQuantity(v.Value()*n, resource.BinarySI)
	}
	return out
}

// limitRange gives any container without resources the app's own, so that
// a pod the quota would refuse for lacking them (a debug pod, a sidecar)
// gets them instead, and caps a container at the app's memory limit.
func limitRange(app *appspec.App) *corev1.LimitRange {
	r := app.Spec.Resources
	return &corev1.LimitRange{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "LimitRange"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			DefaultRequest: resourceList(r.Requests),
			Default:        corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(r.Limits.Memory)},
			Max:            corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(r.Limits.Memory)},
		}}},
	}
}

// autoscaler scales the Deployment on CPU between spec.replicas and
// autoscaling.maxReplicas; the Deployment then leaves replicas to it.
func autoscaler(app *appspec.App) *autoscalingv2.HorizontalPodAutoscaler {
	a := app.Spec.Autoscaling
	if a == nil {
		return nil
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: app.Metadata.Name},
			MinReplicas:    app.Spec.Replicas,
			MaxReplicas:    a.MaxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(a.CPUUtilization)},
				},
			}},
		},
	}
}
