// Package render turns one validated app.yaml into the Kubernetes objects
// the app needs. Every object is typed, every render is deterministic, and
// nothing here reads the environment: callers pass the Platform in.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
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
		objs = append(objs, serviceMonitor(app, p), sloRules(app), dashboard(app, p))
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

// YAML writes objects as one multi-document YAML stream, fields in the
// order of the Kubernetes types, empty status and timestamps dropped, so
// equal input gives equal bytes. JSON is YAML, so the JSON encoding is parsed
// into YAML nodes and re-styled as block YAML: one pass, no unstructured
// round trip.
func YAML(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for _, o := range objs {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		root := doc.Content[0]
		apiVersionFirst(root)
		drop(root, "status")
		if md := value(root, "metadata"); md != nil {
			drop(md, "creationTimestamp")
		}
		if spec := value(root, "spec"); spec != nil && len(spec.Content) == 0 {
			drop(root, "spec")
		}
		block(root)
		// Every document opens with "---", so streams concatenate safely.
		buf.WriteString("---\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(root); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// block clears the JSON styles so the encoder writes block YAML and quotes
// only strings that would otherwise read as another type.
func block(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		block(c)
	}
}

// apiVersionFirst puts apiVersion before kind, as every Kubernetes
// manifest reads (TypeMeta declares them the other way round).
func apiVersionFirst(m *yaml.Node) {
	if len(m.Content) >= 4 && m.Content[0].Value == "kind" && m.Content[2].Value == "apiVersion" {
		m.Content[0], m.Content[1], m.Content[2], m.Content[3] = m.Content[2], m.Content[3], m.Content[0], m.Content[1]
	}
}

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func drop(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func metricsEnabled(app *appspec.App) bool { return *app.Spec.Metrics.Enabled }
