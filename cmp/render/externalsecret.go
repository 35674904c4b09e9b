package render

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vibe-coder-biz/idp/appspec"
)

// ExternalSecret is the subset of external-secrets.io/v1 ExternalSecret that
// apps use. The operator's own Go module cannot share a build with the
// controller-runtime that Argo CD pins, so its fields are mirrored here; the
// tests decode every render strictly into the operator's CRD schema on a real
// API server.
type ExternalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ExternalSecretSpec `json:"spec"`
}

// ExternalSecretSpec mirrors the operator's field names.
type ExternalSecretSpec struct {
	RefreshInterval string                 `json:"refreshInterval"`
	SecretStoreRef  SecretStoreRef         `json:"secretStoreRef"`
	Target          ExternalSecretTarget   `json:"target"`
	DataFrom        []ExternalSecretSource `json:"dataFrom"`
}

// SecretStoreRef names the (Cluster)SecretStore to read from.
type SecretStoreRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// ExternalSecretTarget is the Secret the operator writes.
type ExternalSecretTarget struct {
	Name           string `json:"name"`
	CreationPolicy string `json:"creationPolicy"`
	DeletionPolicy string `json:"deletionPolicy"`
}

// ExternalSecretSource extracts one store entry whole.
type ExternalSecretSource struct {
	Extract ExternalSecretKey `json:"extract"`
}

// ExternalSecretKey is a key in the secret store. The strategies are the
// CRD's defaults, written out: the API server would add them inside a list,
// which Argo CD compares whole, and the app would never show Synced.
type ExternalSecretKey struct {
	Key                string `json:"key"`
	ConversionStrategy string `json:"conversionStrategy"`
	DecodingStrategy   string `json:"decodingStrategy"`
	MetadataPolicy     string `json:"metadataPolicy"`
}

// DeepCopyObject makes ExternalSecret a runtime.Object.
func (e *ExternalSecret) DeepCopyObject() runtime.Object {
	out := *e
	e.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.DataFrom = append([]ExternalSecretSource(nil), e.Spec.DataFrom...)
	return &out
}

// externalSecret syncs the app's one secret store entry, extracted whole, into
// the Secret the Deployment reads through envFrom. Validation has confined
// the key to the app's own prefix. Retain keeps the Secret's last values when
// the store entry disappears, so a store mistake never empties a running
// app's environment. An app without spec.secrets gets none: nothing creates
// a store entry for it, and Argo CD's health check reports an ExternalSecret
// that cannot sync as Degraded, so the app would never be Healthy.
func externalSecret(app *appspec.App, p appspec.Platform) *ExternalSecret {
	if app.Spec.Secrets == nil {
		return nil
	}
	return &ExternalSecret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret"},
		ObjectMeta: meta(app, app.Metadata.Name),
		Spec: ExternalSecretSpec{
			RefreshInterval: app.Spec.Secrets.RefreshInterval,
			SecretStoreRef:  SecretStoreRef{Kind: "ClusterSecretStore", Name: p.SecretStore},
			Target:          ExternalSecretTarget{Name: secretName(app), CreationPolicy: "Owner", DeletionPolicy: "Retain"},
			DataFrom: []ExternalSecretSource{{Extract: ExternalSecretKey{
				Key: app.Spec.Secrets.Key, ConversionStrategy: "Default", DecodingStrategy: "None", MetadataPolicy: "None",
			}}},
		},
	}
}

func secretName(app *appspec.App) string { return app.Metadata.Name + "-env" }

func itoa(n int32) string { return strconv.Itoa(int(n)) }
