package render

import (
	"crypto/sha256"
	"encoding/hex"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vibe-coder-biz/idp/appspec"
)

// GrafanaDashboard is the subset of the Grafana Operator's
// grafana.integreatly.org/v1beta1 GrafanaDashboard that apps use, mirrored
// rather than imported (the operator's module would bring its controllers'
// dependencies into the renderer). The tests apply every render to a real API
// server holding the CRDs of the operator's v5.24.0 module with strict field
// validation, and hack/grafana runs the real operator on it.
type GrafanaDashboard struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GrafanaDashboardSpec `json:"spec"`
}

// GrafanaDashboardSpec mirrors the operator's field names.
type GrafanaDashboardSpec struct {
	// InstanceSelector picks the platform's Grafana resource, which lives in
	// the monitoring namespace: hence AllowCrossNamespaceImport.
	InstanceSelector          metav1.LabelSelector `json:"instanceSelector"`
	AllowCrossNamespaceImport bool                 `json:"allowCrossNamespaceImport"`
	// Folder is a folder title; the operator creates it when missing, so the
	// owning team's apps share one folder with no object of its own.
	Folder       string `json:"folder"`
	UID          string `json:"uid"`
	ResyncPeriod string `json:"resyncPeriod"`
	JSON         string `json:"json"`
}

// DeepCopyObject makes GrafanaDashboard a runtime.Object.
func (d *GrafanaDashboard) DeepCopyObject() runtime.Object {
	out := *d
	d.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	d.Spec.InstanceSelector.DeepCopyInto(&out.Spec.InstanceSelector)
	return &out
}

// GrafanaInstanceLabels are the labels of the platform's Grafana resource
// (manifests/platform/grafana-cloud.yaml), the one every dashboard selects.
var GrafanaInstanceLabels = map[string]string{
	LabelPartOf:                "idp",
	appspec.Group + "/grafana": "cloud",
}

// dashboardResync is how often the operator compares the dashboard in
// Grafana Cloud with this object and puts back what someone changed there.
const dashboardResync = "10m"

// maxDashboardUID is Grafana's limit on a dashboard uid, which the CRD
// enforces too.
const maxDashboardUID = 40

// DashboardUID is the app's dashboard uid in Grafana: "idp-" and the app
// name, stable across renders so the dashboard keeps its URL. A name too
// long for the limit is cut and followed by "_" and a hash of the whole
// name; app names never hold "_", so a cut uid cannot equal another app's
// plain one.
func DashboardUID(name string) string {
	uid := "idp-" + name
	if len(uid) <= maxDashboardUID {
		return uid
	}
	sum := sha256.Sum256([]byte(name))
	tail := "_" + hex.EncodeToString(sum[:6])
	return uid[:maxDashboardUID-len(tail)] + tail
}

// grafanaDashboard is the app's GrafanaDashboard: the Grafana Operator loads it
// into the external Grafana Cloud stack, in the owning team's folder.
func grafanaDashboard(app *appspec.App) *GrafanaDashboard {
	name := app.Metadata.Name
	uid := DashboardUID(name)
	model, err := dashboardModel(app, uid)
	if err != nil {
		// The builders fail only on values the code sets, never on the
		// app's: a failure is a bug, caught by every golden test.
		panic("render: dashboard model: " + err.Error())
	}
	return &GrafanaDashboard{
		TypeMeta:   metav1.TypeMeta{APIVersion: "grafana.integreatly.org/v1beta1", Kind: "GrafanaDashboard"},
		ObjectMeta: meta(app, name),
		Spec: GrafanaDashboardSpec{
			InstanceSelector:          metav1.LabelSelector{MatchLabels: GrafanaInstanceLabels},
			AllowCrossNamespaceImport: true,
			Folder:                    app.Spec.Owner,
			UID:                       uid,
			ResyncPeriod:              dashboardResync,
			JSON:                      string(model),
		},
	}
}
