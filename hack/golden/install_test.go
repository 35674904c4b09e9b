//go:build cluster

package golden

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"
)

var (
	externalSecretsGVR = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "externalsecrets"}
	storesGVR          = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "clustersecretstores"}
)

// install lays the platform down as the README's phase 2 says, from the
// project's files; where a README step says to substitute a value, an
// overlay does (kustomize, as an operator would), and nothing else changes.
func (w *world) install(t *testing.T) {
	t.Helper()
	// What Terraform's add-ons install before phase 2: the operators' CRDs.
	w.kubectl(t, "", "apply", "--server-side", "-f", os.Getenv("IDP_CRDS"))
	w.kubectl(t, "", "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
	w.kubectl(t, "", "apply", "--server-side", "-k", filepath.Join(w.root, "manifests", "platform"))
	w.startExternalSecrets(t)
	w.waitStoresReady(t)
	w.installArgoCD(t)
	w.installGenerator(t)
	w.startArgoCD(t)
	w.installAppSets(t)
}

// startExternalSecrets runs the real controller (hack/tools/eso.sh) with
// the service account Terraform's Helm release creates: IRSA's role
// annotation, which the controller exchanges for credentials at AWS STS.
func (w *world) startExternalSecrets(t *testing.T) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
		Name: "external-secrets", Namespace: "external-secrets",
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": esoRole},
	}}
	if _, err := w.kube.CoreV1().ServiceAccounts("external-secrets").Create(w.ctx(), sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	aws := "https://" + w.hosts[1]
	w.process(t, "external-secrets", []string{
		"AWS_SECRETSMANAGER_ENDPOINT=" + aws, "AWS_STS_ENDPOINT=" + aws, "AWS_CA_BUNDLE=" + w.caFile,
	}, os.Getenv("IDP_ESO_BIN"), "--metrics-addr=0", "--enable-leader-election=false", "--concurrent=2",
		"--enable-push-secret-reconciler=false", "--enable-cluster-push-secret-reconciler=false",
		"--enable-cluster-external-secret-reconciler=false")
}

func (w *world) waitStoresReady(t *testing.T) {
	t.Helper()
	for _, name := range []string{"aws-secrets-manager", "aws-secrets-manager-platform"} {
		w.waitCondition(t, storesGVR, "", name, "Ready", 2*time.Minute)
	}
}

// waitCondition waits for status.conditions[type].status == "True".
func (w *world) waitCondition(t *testing.T, gvr schema.GroupVersionResource, ns, name, cond string, timeout time.Duration) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(w.ctx(), time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == cond {
				last = strings.TrimSpace(m["reason"].(string) + ": " + m["message"].(string))
				return m["status"] == "True", nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s not %s after %v: %s", gvr.Resource, ns, name, cond, timeout, last)
	}
}

// build runs kustomize on an overlay made of k (its resources and
// components relative to the overlay's directory) and returns the objects.
func (w *world) build(t *testing.T, k types.Kustomization) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	k.APIVersion, k.Kind = types.KustomizationVersion, types.KustomizationKind
	// kustomize takes components (and is happiest with resources) relative
	// to the overlay.
	for _, list := range [][]string{k.Resources, k.Components} {
		for i, p := range list {
			if rel, err := filepath.Rel(dir, p); err == nil {
				list[i] = rel
			}
		}
	}
	data, err := yaml.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	res, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build: %v\n%s", err, data)
	}
	var out []*unstructured.Unstructured
	for _, r := range res.Resources() {
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

func (w *world) apply(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	var docs []string
	for _, o := range objs {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	w.kubectl(t, strings.Join(docs, "---\n"), "apply", "--server-side", "--force-conflicts", "-f", "-")
}

// installArgoCD applies Argo CD v3.5.7's install.yaml (from Argo CD's own
// module) with the manifests/cmp component, as the README says, but for
// its workloads: Argo CD's images cannot be had here, so its components run
// as processes (argocdProcesses) under the identities install.yaml gives
// them. Everything else (RBAC, ConfigMaps, argocd-secret, Services,
// NetworkPolicies, the idp-platform settings) is applied as shipped.
func (w *world) installArgoCD(t *testing.T) {
	t.Helper()
	src := moduleDir(t, w.root, "github.com/argoproj/argo-cd/v3@v3.5.7")
	objs := w.build(t, types.Kustomization{
		Namespace:  argocdNS,
		Resources:  []string{filepath.Join(src, "manifests", "install.yaml")},
		Components: []string{filepath.Join(w.root, "manifests", "cmp"), filepath.Join(w.root, "manifests", "argocd")},
	})
	var keep []*unstructured.Unstructured
	for _, o := range objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" || k == "CustomResourceDefinition" {
			continue
		}
		keep = append(keep, o)
	}
	w.apply(t, keep)
	w.argocd = objs
}

// installGenerator applies manifests/plugin-generator with the values its
// README comments name: the image, the GitLab URL (and the credential
// template's URL that must equal it).
func (w *world) installGenerator(t *testing.T) {
	t.Helper()
	objs := w.build(t, types.Kustomization{
		Resources: []string{filepath.Join(w.root, "manifests", "plugin-generator")},
		Images:    []types.Image{{Name: "123456789012.dkr.ecr.us-east-2.amazonaws.com/idp/plugin-generator", NewName: "idp.local/plugin-generator", NewTag: "e2e"}},
		ConfigMapGenerator: []types.ConfigMapArgs{{GeneratorArgs: types.GeneratorArgs{
			Name: "idp-plugin-generator", Behavior: "merge",
			KvPairSources: types.KvPairSources{LiteralSources: []string{"GITLAB_URL=" + w.gitlabU}},
		}}},
		Patches: []types.Patch{{
			Target: &types.Selector{ResId: resID("external-secrets.io", "ExternalSecret", "idp-gitops-repo-creds")},
			Patch:  `[{"op":"replace","path":"/spec/target/template/data/url","value":"` + w.gitlabU + `/gitops/"}]`,
		}},
	})
	w.apply(t, objs)
	for _, es := range []string{"idp-plugin-generator", "idp-plugin-generator-gitlab", "idp-gitops-repo-creds"} {
		w.waitCondition(t, externalSecretsGVR, argocdNS, es, "Ready", 2*time.Minute)
	}
	w.kubectl(t, "", "-n", argocdNS, "rollout", "status", "deploy/idp-plugin-generator", "--timeout=180s")
}

// installAppSets applies appsets/ with the GitOps group's URL in the
// platform project (its comment: "Replace the group URL with yours").
func (w *world) installAppSets(t *testing.T) {
	t.Helper()
	objs := w.build(t, types.Kustomization{
		Resources: []string{filepath.Join(w.root, "appsets")},
		Patches: []types.Patch{{
			Target: &types.Selector{ResId: resID("argoproj.io", "AppProject", "idp-platform")},
			Patch:  `[{"op":"replace","path":"/spec/sourceRepos/0","value":"` + w.gitlabU + `/gitops/**"}]`,
		}},
	})
	w.apply(t, objs)
}

func moduleDir(t *testing.T, root, mod string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = filepath.Join(root, "hack")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v", mod, err)
	}
	var info struct{ Dir string }
	if err := yaml.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: %v %s", mod, err, out)
	}
	return info.Dir
}

func resID(group, kind, name string) resid.ResId {
	return resid.ResId{Gvk: resid.Gvk{Group: group, Kind: kind}, Name: name}
}
