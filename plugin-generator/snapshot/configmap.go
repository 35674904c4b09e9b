package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// Key is the binaryData key holding the encoded snapshot.
const Key = "snapshot.json.gz"

// Annotations for people reading the ConfigMap; the generator reads only Key.
const (
	ScannedAtAnnotation = "idp.vibe-coder.biz/snapshot-scanned-at"
	AppsAnnotation      = "idp.vibe-coder.biz/snapshot-apps"
	ProjectsAnnotation  = "idp.vibe-coder.biz/snapshot-projects"
)

// MaxBytes is the largest encoded snapshot Save writes: a ConfigMap holds
// at most 1 MiB (1,048,576 bytes), and the rest is left for its metadata.
const MaxBytes = 1_000_000

// ErrTooLarge reports a snapshot Save refused for its size.
var ErrTooLarge = errors.New("snapshot too large for a ConfigMap")

// ConfigMapStore keeps the snapshot in one ConfigMap that every replica
// shares. The manifests ship the ConfigMap, so the store never creates it
// and needs only Rules on that one name.
type ConfigMapStore struct {
	Client    kubernetes.Interface
	Namespace string
	Name      string
	// RefreshAfter rewrites an unchanged snapshot once the stored scan is
	// this much older than the one offered (default 10 minutes), so that a
	// restarted generator finds a scan younger than its staleness limit.
	RefreshAfter time.Duration
}

func (c *ConfigMapStore) refreshAfter() time.Duration {
	if c.RefreshAfter > 0 {
		return c.RefreshAfter
	}
	return 10 * time.Minute
}

// Load returns the stored snapshot, or nil when the ConfigMap or its key is
// absent. Corrupt data and an unknown version are errors (see Decode).
func (c *ConfigMapStore) Load(ctx context.Context) (*State, error) {
	cm, err := c.Client.CoreV1().ConfigMaps(c.Namespace).Get(ctx, c.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot ConfigMap %s/%s: %w", c.Namespace, c.Name, err)
	}
	data, ok := cm.BinaryData[Key]
	if !ok {
		return nil, nil
	}
	s, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s/%s: %w", c.Namespace, c.Name, err)
	}
	return s, nil
}

// Save stores s unless the stored snapshot is as new (PublishedAt, else
// ScannedAt) or holds the same repos (ReadAt aside) from a scan less than
// RefreshAfter older: a replica never replaces another's newer answer, and
// an unchanged scan costs no write. A stored snapshot that does not decode
// is replaced. Concurrent writers are ordered by the resourceVersion.
func (c *ConfigMapStore) Save(ctx context.Context, s State) error {
	w, err := toWireRepos(s.Repos)
	if err != nil {
		return err
	}
	data, err := encode(s, w)
	if err != nil {
		return err
	}
	if len(data) > MaxBytes {
		return fmt.Errorf("%w: %d repos take %d bytes compressed, over %d; not persisted, the generator works on without it (a restart waits for a full scan)",
			ErrTooLarge, len(s.Repos), len(data), MaxBytes)
	}
	want, err := content(w)
	if err != nil {
		return err
	}
	cms := c.Client.CoreV1().ConfigMaps(c.Namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm, err := cms.Get(ctx, c.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("snapshot ConfigMap %s/%s is missing: the manifests ship it, and the generator needs get and update on configmaps named %s there (it does not create it)",
				c.Namespace, c.Name, c.Name)
		}
		if err != nil {
			return fmt.Errorf("read snapshot ConfigMap %s/%s: %w", c.Namespace, c.Name, err)
		}
		if old, err := decodeHeader(cm.BinaryData[Key]); err == nil &&
			(!order(old.ScannedAt, old.PublishedAt).Before(order(s.ScannedAt, s.PublishedAt)) ||
				(s.ScannedAt.Sub(old.ScannedAt) < c.refreshAfter() && sameContent(old, want))) {
			return nil
		}
		if cm.BinaryData == nil {
			cm.BinaryData = map[string][]byte{}
		}
		cm.BinaryData[Key] = data
		if cm.Annotations == nil {
			cm.Annotations = map[string]string{}
		}
		cm.Annotations[ScannedAtAnnotation] = s.ScannedAt.UTC().Format(time.RFC3339)
		cm.Annotations[AppsAnnotation] = strconv.Itoa(s.Apps())
		cm.Annotations[ProjectsAnnotation] = strconv.Itoa(len(s.Repos))
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("write snapshot ConfigMap %s/%s: %w", c.Namespace, c.Name, err)
		}
		return nil
	})
}

func sameContent(old header, want []byte) bool {
	var w []wireRepo
	if old.Version != Version || json.Unmarshal(old.Repos, &w) != nil {
		return false
	}
	got, err := content(w)
	return err == nil && bytes.Equal(got, want)
}

// Rules is the least privilege the store needs in its namespace.
func Rules(name string) []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{name}, Verbs: []string{"get", "update"}},
	}
}
