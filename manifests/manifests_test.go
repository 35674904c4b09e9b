// Package manifests holds the tests of the kustomize bases a platform team
// applies with `kubectl apply -k`: manifests/plugin-generator, the
// manifests/cmp component (built on Argo CD's own install.yaml) and appsets/.
// The objects are read exactly as kustomize builds them, decoded strictly
// into their Go types, and judged by a real kube-apiserver.
package manifests

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
	"github.com/vibe-coder-biz/idp/plugin-generator/peers"
	"github.com/vibe-coder-biz/idp/plugin-generator/refresh"
	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
)

// argoCDVersion is the Argo CD whose install.yaml the CMP component patches
// (the version of the CRDs in hack/tools/crds.sh and of hack/go.mod).
const argoCDVersion = "v3.5.7"

// bases builds every base: name → objects.
func bases(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	root := kubetest.RepoRoot(t)
	return map[string][]*unstructured.Unstructured{
		"plugin-generator": manifesttest.Build(t, filepath.Join(root, "manifests", "plugin-generator")),
		"cmp":              buildOnArgoCD(t),
		"appsets":          manifesttest.Build(t, filepath.Join(root, "appsets")),
	}
}

// onArgoCD caches buildOnArgoCD's objects: install.yaml is 34,000 lines.
var onArgoCD []*unstructured.Unstructured

// buildOnArgoCD builds the manifests/cmp component on Argo CD's real
// install.yaml from the Go module cache, as a platform's kustomization does.
// Each call returns fresh copies.
func buildOnArgoCD(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	if onArgoCD == nil {
		onArgoCD = buildComponent(t)
	}
	out := make([]*unstructured.Unstructured, len(onArgoCD))
	for i, o := range onArgoCD {
		out[i] = o.DeepCopy()
	}
	return out
}

func buildComponent(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(argoCDModule(t), "manifests", "install.yaml"), filepath.Join(dir, "install.yaml"))
	src := filepath.Join(kubetest.RepoRoot(t), "manifests", "cmp")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dir, "cmp", e.Name()))
	}
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\nresources: [install.yaml]\ncomponents: [cmp]\n")
	return manifesttest.Build(t, dir)
}

func argoCDModule(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/argoproj/argo-cd/v3@"+argoCDVersion)
	cmd.Dir = t.TempDir() // outside any module: nothing to update
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download argo-cd: %v", err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download argo-cd: %v %s", err, out)
	}
	return m.Dir
}

// strictDecoder knows every built-in kind and the ServiceMonitor. Argo CD's
// kinds are decoded strictly into Argo CD's own types in hack/argocd, and
// every custom resource is judged by its CRD schema on the API server.
func strictDecoder(t *testing.T) runtime.Decoder {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := monitoringv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
}

func decodeStrict(dec runtime.Decoder, o *unstructured.Unstructured) (runtime.Object, error) {
	data, err := o.MarshalJSON()
	if err != nil {
		return nil, err
	}
	obj, _, err := dec.Decode(data, nil, nil)
	return obj, err
}

// TestBasesBuildAndDecodeStrictly: every base builds, and every object of a
// kind with a Go type decodes into it with no unknown or duplicate field.
func TestBasesBuildAndDecodeStrictly(t *testing.T) {
	dec := strictDecoder(t)
	for name, objs := range bases(t) {
		t.Run(name, func(t *testing.T) {
			if len(objs) == 0 {
				t.Fatal("no objects")
			}
			for _, o := range objs {
				if strings.HasSuffix(o.GetAPIVersion(), "argoproj.io/v1alpha1") || o.GetAPIVersion() == "external-secrets.io/v1" || o.GetKind() == "CustomResourceDefinition" {
					continue // no Go type here: see strictDecoder
				}
				if _, err := decodeStrict(dec, o); err != nil {
					t.Errorf("%s %s: %v", o.GetKind(), o.GetName(), err)
				}
			}
		})
	}
}

// envOf returns an environment variable of the generator's container.
func envOf(t *testing.T, objs []*unstructured.Unstructured, name string) string {
	t.Helper()
	var d appsv1.Deployment
	fromUnstructured(t, manifesttest.Find(t, objs, "Deployment", "idp-plugin-generator"), &d)
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	t.Fatalf("the generator's container has no %s", name)
	return ""
}

// TestRoleIsRefreshRules: the generator's Role grants exactly what its
// refresher needs, bound to the account its pods run as.
func TestRoleIsRefreshRules(t *testing.T) {
	objs := manifesttest.Build(t, filepath.Join(kubetest.RepoRoot(t), "manifests", "plugin-generator"))
	var role rbacv1.Role
	fromUnstructured(t, manifesttest.Find(t, objs, "Role", "idp-plugin-generator"), &role)
	rules := append(append(refresh.Rules(), peers.Rules()...), snapshot.Rules(envOf(t, objs, "IDP_SNAPSHOT_CONFIGMAP"))...)
	if !reflect.DeepEqual(role.Rules, rules) {
		t.Fatalf("Role rules\n got %+v\nwant %+v (refresh.Rules, peers.Rules, snapshot.Rules)", role.Rules, rules)
	}
	manifesttest.Find(t, objs, "ConfigMap", envOf(t, objs, "IDP_SNAPSHOT_CONFIGMAP")) // shipped: the generator never creates it
	var rb rbacv1.RoleBinding
	fromUnstructured(t, manifesttest.Find(t, objs, "RoleBinding", "idp-plugin-generator"), &rb)
	var d appsv1.Deployment
	fromUnstructured(t, manifesttest.Find(t, objs, "Deployment", "idp-plugin-generator"), &d)
	want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: d.Spec.Template.Spec.ServiceAccountName, Namespace: "argocd"}}
	if rb.RoleRef.Name != role.Name || !reflect.DeepEqual(rb.Subjects, want) {
		t.Fatalf("RoleBinding %+v %+v does not bind Role %s to %+v", rb.RoleRef, rb.Subjects, role.Name, want)
	}
	for _, o := range objs {
		if strings.HasPrefix(o.GetKind(), "Cluster") {
			t.Errorf("cluster-wide %s %s: the generator needs nothing outside Argo CD's namespace", o.GetKind(), o.GetName())
		}
	}
}

// TestGeneratorWiring: the names and values that must agree across objects
// do: Argo CD's plugin ConfigMap, the token Secret both sides read, the
// Service, the mounted files, and the GitLab Secret Argo CD must not see.
func TestGeneratorWiring(t *testing.T) {
	objs := manifesttest.Build(t, filepath.Join(kubetest.RepoRoot(t), "manifests", "plugin-generator"))
	var cm corev1.ConfigMap
	fromUnstructured(t, manifesttest.Find(t, objs, "ConfigMap", "idp-apps-generator"), &cm)
	if cm.Labels["app.kubernetes.io/part-of"] != "argocd" {
		t.Error("plugin ConfigMap lacks app.kubernetes.io/part-of: argocd")
	}
	// The keys Argo CD v3.5.7 reads (applicationset/generators/plugin.go).
	wantData := map[string]string{
		"token":          "$idp-plugin-generator:token",
		"baseUrl":        "http://idp-plugin-generator.argocd.svc.cluster.local:8080",
		"requestTimeout": "25",
	}
	if !reflect.DeepEqual(cm.Data, wantData) {
		t.Errorf("plugin ConfigMap data = %v, want %v", cm.Data, wantData)
	}
	var svc corev1.Service
	fromUnstructured(t, manifesttest.Find(t, objs, "Service", "idp-plugin-generator"), &svc)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("Service ports = %+v, want 8080 as in baseUrl", svc.Spec.Ports)
	}

	token := manifesttest.Find(t, objs, "ExternalSecret", "idp-plugin-generator")
	if got, _, _ := unstructured.NestedString(token.Object, "spec", "target", "template", "metadata", "labels", "app.kubernetes.io/part-of"); got != "argocd" {
		t.Error("the token Secret must carry app.kubernetes.io/part-of: argocd, or Argo CD cannot resolve it")
	}
	if keys := secretKeys(t, token); !reflect.DeepEqual(keys, []string{"token"}) {
		t.Errorf("token Secret keys = %v, want [token]", keys)
	}
	gitlab := manifesttest.Find(t, objs, "ExternalSecret", "idp-plugin-generator-gitlab")
	if labels, _, _ := unstructured.NestedMap(gitlab.Object, "spec", "target", "template", "metadata", "labels"); labels["app.kubernetes.io/part-of"] == "argocd" {
		t.Error("the GitLab Secret must not be labelled part-of argocd")
	}

	var d appsv1.Deployment
	fromUnstructured(t, manifesttest.Find(t, objs, "Deployment", "idp-plugin-generator"), &d)
	c := d.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["IDP_PLUGIN_CONFIGMAP"] != cm.Name {
		t.Errorf("IDP_PLUGIN_CONFIGMAP = %q, want %q", env["IDP_PLUGIN_CONFIGMAP"], cm.Name)
	}
	for envName, want := range map[string]string{
		"IDP_TOKEN_FILE":          "idp-plugin-generator/token",
		"GITLAB_TOKEN_FILE":       "idp-plugin-generator-gitlab/token",
		"IDP_WEBHOOK_SECRET_FILE": "idp-plugin-generator-gitlab/webhook-secret",
	} {
		if got := mountedSecretKey(d.Spec.Template.Spec, c, env[envName]); got != want {
			t.Errorf("%s=%q is Secret key %q, want %q", envName, env[envName], got, want)
		}
	}
	if !strings.HasSuffix(c.Image, ":0.0.0-placeholder") || !strings.Contains(c.Image, "/idp/plugin-generator") {
		t.Errorf("image %q is not the pinned placeholder set by images:", c.Image)
	}
}

// TestCMPComponent: on Argo CD's real install.yaml, the component adds the
// sidecar next to the untouched repo-server container, mounts plugin.yaml
// (identical to cmp/plugin.yaml) as a file and gives it its own /tmp; the
// platform settings it passes are valid and every key is one cmp reads.
func TestCMPComponent(t *testing.T) {
	root := kubetest.RepoRoot(t)
	a, _ := os.ReadFile(filepath.Join(root, "cmp", "plugin.yaml"))
	b, _ := os.ReadFile(filepath.Join(root, "manifests", "cmp", "plugin.yaml"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("manifests/cmp/plugin.yaml differs from cmp/plugin.yaml: copy it (kustomize loads files only below the kustomization)")
	}
	objs := buildOnArgoCD(t)
	var d appsv1.Deployment
	fromUnstructured(t, manifesttest.Find(t, objs, "Deployment", "argocd-repo-server"), &d)
	spec := d.Spec.Template.Spec
	var sidecar *corev1.Container
	names := []string{}
	for i := range spec.Containers {
		names = append(names, spec.Containers[i].Name)
		if spec.Containers[i].Name == "idp-cmp" {
			sidecar = &spec.Containers[i]
		}
	}
	slices.Sort(names)
	if sidecar == nil || !reflect.DeepEqual(names, []string{"argocd-repo-server", "idp-cmp"}) {
		t.Fatalf("containers = %v, want the repo-server and idp-cmp", names)
	}
	if !reflect.DeepEqual(sidecar.Command, []string{"/var/run/argocd/argocd-cmp-server"}) {
		t.Errorf("command = %v", sidecar.Command)
	}
	if !strings.HasSuffix(sidecar.Image, "/idp/cmp:0.0.0-placeholder") {
		t.Errorf("image %q is not the pinned placeholder set by images:", sidecar.Image)
	}
	sc := sidecar.SecurityContext
	if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 999 || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.Capabilities == nil ||
		!reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || sc.SeccompProfile == nil {
		t.Errorf("securityContext = %+v", sc)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range sidecar.VolumeMounts {
		mounts[m.MountPath] = m
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("mount %s: no volume %s", m.MountPath, m.Name)
		}
	}
	if mounts["/var/run/argocd"].Name != "var-files" || mounts["/home/argocd/cmp-server/plugins"].Name != "plugins" {
		t.Errorf("shared mounts = %+v", mounts)
	}
	if tmp := volumes[mounts["/tmp"].Name]; tmp.EmptyDir == nil || tmp.Name == "tmp" {
		t.Errorf("/tmp must be the sidecar's own emptyDir, not the repo-server's: %+v", tmp)
	}
	cfg := mounts["/home/argocd/cmp-server/config/plugin.yaml"]
	cfgVol := volumes[cfg.Name]
	if cfg.SubPath != "plugin.yaml" || cfgVol.ConfigMap == nil {
		t.Fatalf("plugin.yaml mount = %+v, volume %+v", cfg, cfgVol)
	}
	var pluginCM corev1.ConfigMap
	fromUnstructured(t, manifesttest.Find(t, objs, "ConfigMap", cfgVol.ConfigMap.Name), &pluginCM)
	if pluginCM.Data["plugin.yaml"] != string(a) {
		t.Error("the mounted ConfigMap does not hold cmp/plugin.yaml")
	}
	if len(sidecar.EnvFrom) != 1 || sidecar.EnvFrom[0].ConfigMapRef == nil || sidecar.EnvFrom[0].ConfigMapRef.Name != "idp-platform" {
		t.Fatalf("envFrom = %+v, want ConfigMap idp-platform", sidecar.EnvFrom)
	}
	var platform corev1.ConfigMap
	fromUnstructured(t, manifesttest.Find(t, objs, "ConfigMap", "idp-platform"), &platform)
	known := map[string]bool{}
	for _, k := range []string{appspec.EnvBaseDomain, appspec.EnvALBGroup, appspec.EnvCertificateARN, appspec.EnvAllowedRegistries,
		appspec.EnvSecretStore, appspec.EnvSecretKeyPrefix, appspec.EnvMonitoringNamespace, appspec.EnvMonitoringLabels,
		appspec.EnvServiceCIDR, appspec.EnvIngressCIDRs, appspec.EnvArgoCDNamespace, appspec.EnvDestinationServer, appspec.EnvSSOGroupFormat,
		appspec.EnvALBAppPrefix, appspec.EnvALBShards, appspec.EnvALBShardsPrevious} {
		known[k] = true
	}
	for k := range platform.Data {
		if !known[k] {
			t.Errorf("idp-platform key %s is not a platform setting: it would be ignored", k)
		}
	}
	p, err := appspec.PlatformFromEnv(func(k string) (string, bool) { v, ok := platform.Data[k]; return v, ok })
	if err != nil {
		t.Fatalf("idp-platform: %v", err)
	}
	// The generator's NetworkPolicy admits the ALB subnets (the same ones)
	// and the pods of Argo CD's ApplicationSet controller (by its labels).
	gen := manifesttest.Build(t, filepath.Join(root, "manifests", "plugin-generator"))
	var np networkingv1.NetworkPolicy
	fromUnstructured(t, manifesttest.Find(t, gen, "NetworkPolicy", "idp-plugin-generator"), &np)
	var alb []string
	for _, peer := range np.Spec.Ingress[1].From {
		if peer.IPBlock != nil {
			alb = append(alb, peer.IPBlock.CIDR)
		}
	}
	if want := prefixes(p.IngressCIDRs); !reflect.DeepEqual(alb, want) {
		t.Errorf("webhook ingress CIDRs %v, IDP_INGRESS_CIDRS %v", alb, want)
	}
	var appSetController appsv1.Deployment
	fromUnstructured(t, manifesttest.Find(t, objs, "Deployment", "argocd-applicationset-controller"), &appSetController)
	sel, err := metav1.LabelSelectorAsSelector(np.Spec.Ingress[0].From[0].PodSelector)
	if err != nil || !sel.Matches(labels.Set(appSetController.Spec.Template.Labels)) {
		t.Errorf("NetworkPolicy source %v does not select Argo CD's ApplicationSet controller %v", sel, appSetController.Spec.Template.Labels)
	}
}

// TestAPIServer judges every built object with a real kube-apiserver
// holding Argo CD's, External Secrets' and the Prometheus Operator's CRDs:
// server-side dry-run with strict field validation, and Pod Security
// "restricted" admission of a pod from each Deployment. Mutations prove
// that each check can fail.
func TestAPIServer(t *testing.T) {
	srv := kubetest.Start(t)
	srv.InstallCRDs(t, kubetest.CRDDir(t))
	ctx := context.Background()
	const restricted = "pss-restricted"
	for _, ns := range []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "argocd"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}},
		{ObjectMeta: metav1.ObjectMeta{Name: restricted, Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}},
	} {
		if _, err := srv.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	built := bases(t)
	var deployments []*unstructured.Unstructured
	for name, objs := range built {
		t.Run("dry-run "+name, func(t *testing.T) {
			for _, o := range objs {
				if err := srv.Apply(ctx, o, true); err != nil {
					t.Errorf("%s %s: %v", o.GetKind(), o.GetName(), err)
				}
				// Ours: the generator, and the repo-server we patch.
				if o.GetKind() == "Deployment" && (name == "plugin-generator" || o.GetName() == "argocd-repo-server") {
					deployments = append(deployments, o)
				}
			}
		})
	}
	for _, d := range deployments {
		t.Run("restricted pod "+d.GetName(), func(t *testing.T) {
			if err := admitPod(ctx, srv, d, restricted); err != nil {
				t.Fatal(err)
			}
		})
	}

	gen := built["plugin-generator"]
	dec := strictDecoder(t)
	mutations := []struct {
		name, kind, objName, want string
		base                      []*unstructured.Unstructured
		mutate                    func(map[string]any)
		check                     func(*unstructured.Unstructured) error
	}{
		{"strict decoding", "Deployment", "idp-plugin-generator", `unknown field "spec.replica"`, gen,
			func(o map[string]any) { _ = unstructured.SetNestedField(o, int64(1), "spec", "replica") },
			func(o *unstructured.Unstructured) error { _, err := decodeStrict(dec, o); return err }},
		{"server-side unknown field", "ApplicationSet", "idp-apps", "field not declared in schema", built["appsets"],
			func(o map[string]any) { _ = unstructured.SetNestedField(o, true, "spec", "goTemplates") },
			func(o *unstructured.Unstructured) error { return srv.Apply(ctx, o, true) }},
		{"CRD schema", "ExternalSecret", "idp-plugin-generator", "secretStoreRef.kind", gen,
			func(o map[string]any) { _ = unstructured.SetNestedField(o, "Vault", "spec", "secretStoreRef", "kind") },
			func(o *unstructured.Unstructured) error { return srv.Apply(ctx, o, true) }},
		{"Pod Security", "Deployment", "idp-plugin-generator", "restricted", gen,
			func(o map[string]any) {
				cs, _, _ := unstructured.NestedSlice(o, "spec", "template", "spec", "containers")
				_ = unstructured.SetNestedField(cs[0].(map[string]any), true, "securityContext", "allowPrivilegeEscalation")
				_ = unstructured.SetNestedSlice(o, cs, "spec", "template", "spec", "containers")
			},
			func(o *unstructured.Unstructured) error { return admitPod(ctx, srv, o, restricted) }},
	}
	for _, m := range mutations {
		t.Run("rejects "+m.name, func(t *testing.T) {
			o := manifesttest.Find(t, m.base, m.kind, m.objName).DeepCopy()
			if err := m.check(o); err != nil {
				t.Fatalf("unmutated object fails already: %v", err)
			}
			m.mutate(o.Object)
			if err := m.check(o); err == nil || !strings.Contains(err.Error(), m.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, m.want)
			}
		})
	}
}

// admitPod dry-runs a Pod made from the Deployment's template in ns: Pod
// Security admission judges pods, not Deployments. The pod's service
// account must exist for the ServiceAccount admission plugin.
func admitPod(ctx context.Context, srv *kubetest.Server, deploy *unstructured.Unstructured, ns string) error {
	tmpl, _, _ := unstructured.NestedMap(deploy.Object, "spec", "template")
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(tmpl, &pod, true); err != nil {
		return err
	}
	pod.Name = deploy.GetName() + "-probe"
	if sa := pod.Spec.ServiceAccountName; sa != "" {
		_, _ = srv.Client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
	}
	_, err := srv.Client.CoreV1().Pods(ns).Create(ctx, &pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}

// mountedSecretKey names "<secret>/<key>" for the file at path, or "".
func mountedSecretKey(spec corev1.PodSpec, c corev1.Container, path string) string {
	for _, m := range c.VolumeMounts {
		rel, ok := strings.CutPrefix(path, m.MountPath+"/")
		if !ok {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name != m.Name || v.Secret == nil {
				continue
			}
			for _, it := range v.Secret.Items {
				if it.Path == rel {
					return v.Secret.SecretName + "/" + it.Key
				}
			}
		}
	}
	return ""
}

func secretKeys(t *testing.T, es *unstructured.Unstructured) []string {
	t.Helper()
	data, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
	var keys []string
	for _, d := range data {
		keys = append(keys, d.(map[string]any)["secretKey"].(string))
	}
	return keys
}

func prefixes[T interface{ String() string }](ps []T) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func fromUnstructured(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, into, true); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(data))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
