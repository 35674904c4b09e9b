// Package render turns one validated app.yaml into the Kubernetes objects
// the app needs. Every object is typed, every render is deterministic, and
// nothing here reads the environment: callers pass the Platform in.
package render

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

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
		resourceQuota(app),
		limitRange(app),
		serviceAccount(app),
		role(app),
		roleBinding(app),
	}
	if es := externalSecret(app, p); es != nil {
		objs = append(objs, es)
	}
	objs = append(objs, service(app), deployment(app))
	if hpa := autoscaler(app); hpa != nil {
		objs = append(objs, hpa)
	}
	if pdb := disruptionBudget(app); pdb != nil {
		objs = append(objs, pdb)
	}
	for _, ing := range ingresses(app, p) {
		objs = append(objs, ing)
	}
	objs = append(objs, networkPolicies(app, p)...)
	if metricsEnabled(app) {
		objs = append(objs, serviceMonitor(app, p), sloRules(app), grafanaDashboard(app))
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

func metricsEnabled(app *appspec.App) bool { return *app.Spec.Metrics.Enabled }
