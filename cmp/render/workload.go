package render

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/vibe-coder-biz/idp/appspec"
)

// Port names: the Service, Ingress, ServiceMonitor and probes refer to ports
// by name so a port change touches one place.
const (
	portHTTP    = "http"
	portMetrics = "metrics"
	// runAsUser is a fixed non-root UID: a numeric UID lets the kubelet
	// enforce runAsNonRoot even for images whose USER is a name.
	runAsUser = 10001
)

func deployment(app *appspec.App) *appsv1.Deployment {
	s := app.Spec
	replicas := s.Replicas
	if s.Autoscaling != nil {
		replicas = nil // the autoscaler's: Argo CD must not reset them
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: appsv1.DeploymentSpec{
			Replicas:             replicas,
			RevisionHistoryLimit: ptr[int32](5),
			Selector:             &metav1.LabelSelector{MatchLabels: selector(app)},
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(0)),
					MaxSurge:       ptr(intstr.FromInt32(maxSurge)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(app)},
				Spec:       podSpec(app),
			},
		},
	}
}

func podSpec(app *appspec.App) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName:            app.Metadata.Name,
		AutomountServiceAccountToken:  ptr(false),
		EnableServiceLinks:            ptr(false),
		TerminationGracePeriodSeconds: app.Spec.Lifecycle.TerminationGracePeriodSeconds,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr[int64](runAsUser),
			RunAsGroup:     ptr[int64](runAsUser),
			FSGroup:        ptr[int64](runAsUser),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
			MaxSkew:           1,
			TopologyKey:       "topology.kubernetes.io/zone",
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     &metav1.LabelSelector{MatchLabels: selector(app)},
		}},
		Containers: []corev1.Container{container(app)},
		Volumes: []corev1.Volume{{
			Name: "tmp",
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
				SizeLimit: ptr(resource.MustParse("256Mi")),
			}},
		}},
	}
}

func container(app *appspec.App) corev1.Container {
	s := app.Spec
	return corev1.Container{
		Name:            "app",
		Image:           s.Image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         s.Command,
		Args:            s.Args,
		Ports:           containerPorts(app),
		Env:             env(app),
		EnvFrom:         envFrom(app),
		Resources:       resources(s.Resources),
		StartupProbe:    probe(app, 2, s.Health.StartupSeconds/2),
		ReadinessProbe:  probe(app, 5, 3),
		LivenessProbe:   probe(app, 10, 3),
		Lifecycle:       lifecycle(app),
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			RunAsNonRoot:             ptr(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
	}
}

func containerPorts(app *appspec.App) []corev1.ContainerPort {
	ports := []corev1.ContainerPort{{Name: portHTTP, ContainerPort: app.Spec.Port, Protocol: corev1.ProtocolTCP}}
	if separateMetricsPort(app) {
		ports = append(ports, corev1.ContainerPort{Name: portMetrics, ContainerPort: app.Spec.Metrics.Port, Protocol: corev1.ProtocolTCP})
	}
	return ports
}

// env puts PORT and METRICS_PORT first so that the app listens where the
// platform routes and scrapes; app.yaml cannot override them (validation
// refuses an env of either name).
func env(app *appspec.App) []corev1.EnvVar {
	out := []corev1.EnvVar{
		{Name: "PORT", Value: itoa(app.Spec.Port)},
		{Name: "METRICS_PORT", Value: itoa(app.Spec.Metrics.Port)},
	}
	for _, e := range app.Spec.Env {
		out = append(out, corev1.EnvVar{Name: e.Name, Value: e.Value})
	}
	return out
}

// envFrom reads the Secret the app's ExternalSecret writes, and only when
// the app asked for secrets. Optional: an app whose store entry is still
// empty starts anyway (the ExternalSecret shows why in Argo CD).
func envFrom(app *appspec.App) []corev1.EnvFromSource {
	if app.Spec.Secrets == nil {
		return nil
	}
	return []corev1.EnvFromSource{{
		SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secretName(app)}, Optional: ptr(true)},
	}}
}

// lifecycle keeps a terminating pod serving until the ALB has stopped
// routing to it (see shutdownFor); a 1 s grace period leaves no room for it.
func lifecycle(app *appspec.App) *corev1.Lifecycle {
	sd := shutdownFor(*app.Spec.Lifecycle.TerminationGracePeriodSeconds)
	if sd.preStop == 0 {
		return nil
	}
	return &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: sd.preStop}}}
}

func probe(app *appspec.App, period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: app.Spec.Health.Path, Port: intstr.FromString(portHTTP),
		}},
		PeriodSeconds:    period,
		TimeoutSeconds:   2,
		FailureThreshold: failures,
	}
}

func resources(r *appspec.Resources) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: resourceList(r.Requests),
		Limits:   resourceList(r.Limits),
	}
}

func resourceList(l *appspec.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	if l.CPU != "" {
		out[corev1.ResourceCPU] = resource.MustParse(l.CPU)
	}
	if l.Memory != "" {
		out[corev1.ResourceMemory] = resource.MustParse(l.Memory)
	}
	return out
}

func service(app *appspec.App) *corev1.Service {
	ports := []corev1.ServicePort{{Name: portHTTP, Port: app.Spec.Port, TargetPort: intstr.FromString(portHTTP), Protocol: corev1.ProtocolTCP}}
	if separateMetricsPort(app) {
		ports = append(ports, corev1.ServicePort{Name: portMetrics, Port: app.Spec.Metrics.Port, TargetPort: intstr.FromString(portMetrics), Protocol: corev1.ProtocolTCP})
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector(app),
			Ports:    ports,
		},
	}
}

// disruptionBudget keeps one pod serving through node drains; a single
// replica gets none, since a budget would block every drain.
func disruptionBudget(app *appspec.App) *policyv1.PodDisruptionBudget {
	if *app.Spec.Replicas < 2 {
		return nil
	}
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: selector(app)},
		},
	}
}

func separateMetricsPort(app *appspec.App) bool {
	return metricsEnabled(app) && !metricsOnAppPort(app)
}

func metricsPortName(app *appspec.App) string {
	if separateMetricsPort(app) {
		return portMetrics
	}
	return portHTTP
}
