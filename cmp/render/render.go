// Package render turns one validated app.yaml into the Kubernetes objects
// the app needs. Every object is typed, every render is deterministic, and
// nothing here reads the environment: callers pass the Platform in.
package render

import (
	"bytes"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
)

// Object is anything rendered: a typed Kubernetes object with its TypeMeta
// set.
type Object = runtime.Object

// App returns the objects the app's own Application syncs into its
// namespace, in a fixed order.
func App(app *appspec.App, p appspec.Platform) []Object {
	objs := []Object{
		namespace(app),
		serviceAccount(app),
		role(app),
		roleBinding(app),
		externalSecret(app, p),
		service(app),
		deployment(app),
	}
	if pdb := disruptionBudget(app); pdb != nil {
		objs = append(objs, pdb)
	}
	if ing := ingress(app, p); ing != nil {
		objs = append(objs, ing)
	}
	objs = append(objs, networkPolicies(app, p)...)
	if metricsEnabled(app) {
		objs = append(objs, serviceMonitor(app, p), dashboard(app, p))
	}
	return objs
}

// Project returns the AppProject that confines the app's Application. A
// platform-owned Application syncs it, so the app cannot widen its limits.
func Project(app *appspec.App, p appspec.Platform, repoURL string) ([]Object, error) {
	if repoURL == "" {
		return nil, fmt.Errorf("the AppProject needs the app's GitOps repository URL")
	}
	return []Object{appProject(app, p, repoURL)}, nil
}

// YAML writes objects as one multi-document YAML stream. Fields are sorted
// and empty status and timestamps dropped, so equal input gives equal bytes.
func YAML(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for _, o := range objs {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return nil, err
		}
		delete(m, "status")
		if spec, ok := m["spec"].(map[string]any); ok && len(spec) == 0 {
			delete(m, "spec")
		}
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "creationTimestamp")
		}
		out, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(out)
	}
	return buf.Bytes(), nil
}

func metricsEnabled(app *appspec.App) bool { return *app.Spec.Metrics.Enabled }
