// Package refresh asks Argo CD to act on a change now: it annotates the
// ApplicationSets that use this generator, and the app's Application, with
// Argo CD's refresh annotations. Argo CD's own webhook would refresh every
// plugin ApplicationSet on any push; this touches only ours.
package refresh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Annotations Argo CD's controllers act on.
const (
	AppSetRefreshAnnotation = "argocd.argoproj.io/application-set-refresh"
	AppRefreshAnnotation    = "argocd.argoproj.io/refresh"
)

var (
	appSets = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applicationsets"}
	apps    = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
)

// Refresher patches Argo CD objects in one namespace; Rules lists all it
// needs there.
type Refresher struct {
	Client    dynamic.Interface
	Namespace string // Argo CD's namespace
	// ConfigMap is the name of this generator's plugin ConfigMap: an
	// ApplicationSet uses the generator when a plugin generator names it.
	ConfigMap string
}

// Refresh annotates every ApplicationSet that uses the generator and, when
// app is not empty, the Application named app.
func (r *Refresher) Refresh(ctx context.Context, app string) error {
	list, err := r.Client.Resource(appSets).Namespace(r.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list ApplicationSets in %s: %w", r.Namespace, err)
	}
	var errs []error
	for _, as := range list.Items {
		if !UsesGenerator(as.Object, r.ConfigMap) {
			continue
		}
		errs = append(errs, annotate(ctx, r.Client.Resource(appSets).Namespace(r.Namespace), as.GetName(), AppSetRefreshAnnotation, "true"))
	}
	if app != "" {
		err := annotate(ctx, r.Client.Resource(apps).Namespace(r.Namespace), app, AppRefreshAnnotation, "normal")
		if err != nil && !isNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// UsesGenerator reports whether an ApplicationSet has, at any depth of
// matrix and merge generators, a plugin generator naming configMap.
func UsesGenerator(appSet map[string]any, configMap string) bool {
	gens, _, _ := unstructured.NestedSlice(appSet, "spec", "generators")
	return anyPlugin(gens, configMap)
}

func anyPlugin(gens []any, configMap string) bool {
	for _, g := range gens {
		m, ok := g.(map[string]any)
		if !ok {
			continue
		}
		if name, _, _ := unstructured.NestedString(m, "plugin", "configMapRef", "name"); name == configMap {
			return true
		}
		for _, nested := range []string{"matrix", "merge"} {
			inner, _, _ := unstructured.NestedSlice(m, nested, "generators")
			if anyPlugin(inner, configMap) {
				return true
			}
		}
	}
	return false
}

func annotate(ctx context.Context, ri dynamic.ResourceInterface, name, key, value string) error {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if _, err := ri.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("annotate %s: %w", name, err)
	}
	return nil
}

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

// Rules is the least privilege the refresher needs in Argo CD's namespace;
// manifests/plugin-generator grants exactly these (a test checks both).
func Rules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applicationsets"}, Verbs: []string{"list", "patch"}},
		{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications"}, Verbs: []string{"patch"}},
	}
}
