package snapshot_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const ns = "argocd"

// TestConfigMapStore runs the store against a real kube-apiserver, which
// judges resourceVersions, size limits and RBAC itself.
func TestConfigMapStore(t *testing.T) {
	srv := kubetest.Start(t)
	ctx := context.Background()
	if _, err := srv.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	store := func(name string) *snapshot.ConfigMapStore {
		return &snapshot.ConfigMapStore{Client: srv.Client, Namespace: ns, Name: name}
	}

	t.Run("round trip", func(t *testing.T) {
		cm := shipped(t, srv.Client, "round-trip")
		cm.Data = map[string]string{"README": "written by the generator"}
		if _, err := srv.Client.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		in := sample()
		if err := store("round-trip").Save(ctx, in); err != nil {
			t.Fatal(err)
		}
		out, err := store("round-trip").Load(ctx)
		if err != nil || out == nil {
			t.Fatalf("load: %v, %v", out, err)
		}
		if !same(in, *out) {
			t.Fatalf("round trip changed the state:\n in %+v\nout %+v", in, *out)
		}
		got := get(t, srv.Client, "round-trip")
		want := map[string]string{
			snapshot.ScannedAtAnnotation: "2025-03-04T05:06:07Z",
			snapshot.AppsAnnotation:      "3",
			snapshot.ProjectsAnnotation:  "4",
		}
		for k, v := range want {
			if got.Annotations[k] != v {
				t.Errorf("annotation %s = %q, want %q", k, got.Annotations[k], v)
			}
		}
		if got.Data["README"] != "written by the generator" {
			t.Error("Save dropped another key of the ConfigMap")
		}
	})

	t.Run("absent", func(t *testing.T) {
		if s, err := store("never-shipped").Load(ctx); s != nil || err != nil {
			t.Errorf("no ConfigMap: %v, %v; want nil, nil", s, err)
		}
		shipped(t, srv.Client, "empty")
		if s, err := store("empty").Load(ctx); s != nil || err != nil {
			t.Errorf("no key: %v, %v; want nil, nil", s, err)
		}
	})

	t.Run("missing ConfigMap", func(t *testing.T) {
		err := store("never-shipped").Save(ctx, sample())
		if err == nil || !strings.Contains(err.Error(), ns+"/never-shipped") || !strings.Contains(err.Error(), "get and update") {
			t.Fatalf("Save without the ConfigMap: %v; want an error naming it and the RBAC it needs", err)
		}
		if _, err := srv.Client.CoreV1().ConfigMaps(ns).Get(ctx, "never-shipped", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("Save created the ConfigMap: %v", err)
		}
	})

	t.Run("newer wins", func(t *testing.T) {
		shipped(t, srv.Client, "newer-wins")
		s := store("newer-wins")
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		save := func(st snapshot.State) {
			t.Helper()
			if err := s.Save(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		save(state(at.Add(time.Minute), "b"))
		rv := get(t, srv.Client, "newer-wins").ResourceVersion
		save(state(at, "a"))
		if loadTime(t, s) != at.Add(time.Minute) || get(t, srv.Client, "newer-wins").ResourceVersion != rv {
			t.Fatal("an older scan was written over a newer one")
		}
		save(state(at.Add(time.Minute), "c"))
		if get(t, srv.Client, "newer-wins").ResourceVersion != rv {
			t.Fatal("a scan as old as the stored one was written")
		}
		same := state(at.Add(2*time.Minute), "b")
		same.Repos[0].ReadAt = at.Add(2 * time.Minute)
		save(same)
		if get(t, srv.Client, "newer-wins").ResourceVersion != rv {
			t.Fatal("an unchanged scan (only read again) was written")
		}
		save(state(at.Add(3*time.Minute), "d"))
		if loadTime(t, s) != at.Add(3*time.Minute) {
			t.Fatal("a newer, changed scan was not written")
		}
		// Unchanged but ten minutes on: written, so a restart finds a young scan.
		save(state(at.Add(13*time.Minute), "d"))
		if loadTime(t, s) != at.Add(13*time.Minute) {
			t.Fatal("an unchanged scan past RefreshAfter was not written")
		}
	})

	t.Run("concurrent replicas", func(t *testing.T) {
		shipped(t, srv.Client, "concurrent")
		replicas := [2]*snapshot.ConfigMapStore{
			{Client: kubernetes.NewForConfigOrDie(srv.Config), Namespace: ns, Name: "concurrent"},
			{Client: kubernetes.NewForConfigOrDie(srv.Config), Namespace: ns, Name: "concurrent"},
		}
		seen := watchScans(t, srv.Client, "concurrent")
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		const rounds = 20
		for round := range rounds {
			// Both replicas save at once; which holds the newer scan varies.
			older, newer := at.Add(time.Duration(2*round)*time.Second), at.Add(time.Duration(2*round+1)*time.Second)
			times := [2]time.Time{older, newer}
			if round%3 == 0 {
				times = [2]time.Time{newer, older}
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, r := range replicas {
				wg.Go(func() {
					<-start
					errs[i] = r.Save(ctx, state(times[i], fmt.Sprintf("%d-%d", round, i)))
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if got := loadTime(t, replicas[0]); !got.Equal(newer) {
				t.Fatalf("round %d: stored scan of %v, want the newer %v", round, got, newer)
			}
		}
		scans := seen(at.Add((2*rounds - 1) * time.Second))
		for i := 1; i < len(scans); i++ {
			if !scans[i].After(scans[i-1]) {
				t.Fatalf("the stored scan went from %v to %v: %v", scans[i-1], scans[i], scans)
			}
		}
		t.Logf("%d writes in %d rounds", len(scans), rounds)
	})

	t.Run("conflict", func(t *testing.T) {
		// Another replica writes a newer scan between this one's read and
		// write: the write is refused, read again, and not retried.
		shipped(t, srv.Client, "conflict")
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		cfg := rest.CopyConfig(srv.Config)
		var once sync.Once
		var conflicts atomic.Int32
		cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			return roundTripper(func(req *http.Request) (*http.Response, error) {
				if req.Method == http.MethodPut {
					once.Do(func() {
						if err := store("conflict").Save(req.Context(), state(at.Add(time.Minute), "theirs")); err != nil {
							t.Error(err)
						}
					})
				}
				resp, err := rt.RoundTrip(req)
				if err == nil && resp.StatusCode == http.StatusConflict {
					conflicts.Add(1)
				}
				return resp, err
			})
		}
		s := &snapshot.ConfigMapStore{Client: kubernetes.NewForConfigOrDie(cfg), Namespace: ns, Name: "conflict"}
		if err := s.Save(ctx, state(at, "ours")); err != nil {
			t.Fatal(err)
		}
		if conflicts.Load() != 1 || loadTime(t, s) != at.Add(time.Minute) {
			t.Fatalf("%d conflicts, stored scan of %v: want 1 and the other replica's newer scan", conflicts.Load(), loadTime(t, s))
		}
	})

	t.Run("corrupt and unknown", func(t *testing.T) {
		cm := shipped(t, srv.Client, "corrupt")
		s := store("corrupt")
		cm.BinaryData = map[string][]byte{snapshot.Key: []byte("not a snapshot")}
		update(t, srv.Client, cm)
		if st, err := s.Load(ctx); err == nil {
			t.Fatalf("loaded corrupt data as %+v", st)
		}
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.Save(ctx, state(at, "a")); err != nil {
			t.Fatal(err)
		}
		if loadTime(t, s) != at {
			t.Fatal("Save did not replace corrupt data")
		}

		// A later version's snapshot is not read, but is ordered.
		cm = get(t, srv.Client, "corrupt")
		cm.BinaryData[snapshot.Key] = deflate(t, `{"version":2,"scannedAt":"2025-01-01T00:05:00Z","repos":{"sharded":true}}`)
		update(t, srv.Client, cm)
		if st, err := s.Load(ctx); err == nil || !strings.Contains(err.Error(), "version 2") {
			t.Fatalf("loaded version 2: %+v, %v", st, err)
		}
		if err := s.Save(ctx, state(at.Add(time.Minute), "b")); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(inflate(t, get(t, srv.Client, "corrupt").BinaryData[snapshot.Key]), `"version":2`) {
			t.Fatal("an older scan replaced a newer one of a later version")
		}
		if err := s.Save(ctx, state(at.Add(10*time.Minute), "c")); err != nil {
			t.Fatal(err)
		}
		if loadTime(t, s) != at.Add(10*time.Minute) {
			t.Fatal("a newer scan did not replace a later version's")
		}
	})

	t.Run("least privilege", func(t *testing.T) {
		shipped(t, srv.Client, "least")
		shipped(t, srv.Client, "another")
		grant(t, srv, "least")
		user := kubernetes.NewForConfigOrDie(srv.User)
		s := &snapshot.ConfigMapStore{Client: user, Namespace: ns, Name: "least"}
		var err error // the API server takes a moment to see a new binding
		_ = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err = s.Load(ctx)
			return !apierrors.IsForbidden(err), nil
		})
		if err != nil {
			t.Fatalf("load with the Role: %v", err)
		}
		in := sample()
		if err := s.Save(ctx, in); err != nil {
			t.Fatalf("save with the Role: %v", err)
		}
		if out, err := s.Load(ctx); err != nil || out == nil || !same(in, *out) {
			t.Fatalf("load with the Role: %+v, %v", out, err)
		}
		other := &snapshot.ConfigMapStore{Client: user, Namespace: ns, Name: "another"}
		if _, err := other.Load(ctx); !apierrors.IsForbidden(err) {
			t.Errorf("load of another ConfigMap: %v, want forbidden", err)
		}
		if err := other.Save(ctx, in); !apierrors.IsForbidden(err) {
			t.Errorf("save to another ConfigMap: %v, want forbidden", err)
		}
	})

	t.Run("ten thousand repos", func(t *testing.T) {
		shipped(t, srv.Client, "ten-thousand")
		s := store("ten-thousand")
		in := representative(10_000)
		start := time.Now()
		if err := s.Save(ctx, in); err != nil {
			t.Fatal(err)
		}
		saved := time.Since(start)
		start = time.Now()
		out, err := s.Load(ctx)
		if err != nil || out == nil || !same(in, *out) {
			t.Fatalf("load: %v", err)
		}
		loaded := time.Since(start)
		in.ScannedAt = in.ScannedAt.Add(time.Minute)
		start = time.Now()
		if err := s.Save(ctx, in); err != nil {
			t.Fatal(err)
		}
		t.Logf("10,000 repos: save %v, load %v, unchanged save %v", saved.Round(time.Millisecond), loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	})

	t.Run("at the limit", func(t *testing.T) {
		// The API server takes a snapshot of MaxBytes with the annotations.
		shipped(t, srv.Client, "at-the-limit")
		noise := make([]byte, snapshot.MaxBytes)
		_, _ = rand.Read(noise)
		st := snapshot.State{Repos: []source.Repo{{AppYAML: noise}}}
		data, err := snapshot.Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		st.Repos[0].AppYAML = noise[:len(noise)-(len(data)-snapshot.MaxBytes)]
		if data, err = snapshot.Encode(st); err != nil || len(data) > snapshot.MaxBytes || len(data) < snapshot.MaxBytes-100 {
			t.Fatalf("%d bytes, %v: want just under %d", len(data), err, snapshot.MaxBytes)
		}
		if err := store("at-the-limit").Save(ctx, st); err != nil {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
	})

	t.Run("too large", func(t *testing.T) {
		shipped(t, srv.Client, "too-large")
		s := store("too-large")
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.Save(ctx, state(at, "small")); err != nil {
			t.Fatal(err)
		}
		big := state(at.Add(time.Minute), "big")
		for i := range 300 {
			noise := make([]byte, 4096) // does not compress
			_, _ = rand.Read(noise)
			big.Repos = append(big.Repos, source.Repo{Project: source.Project{ID: int64(100 + i)}, AppYAML: noise})
		}
		err := s.Save(ctx, big)
		if !errors.Is(err, snapshot.ErrTooLarge) || !strings.Contains(err.Error(), "301 repos") || !strings.Contains(err.Error(), "works on without it") {
			t.Fatalf("Save of %d repos: %v; want ErrTooLarge naming the repos and bytes", len(big.Repos), err)
		}
		t.Log(err)
		if loadTime(t, s) != at {
			t.Fatal("a refused snapshot changed the stored one")
		}
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// state is a scan of one repo whose commit is sha.
func state(at time.Time, sha string) snapshot.State {
	return snapshot.State{ScannedAt: at, Repos: []source.Repo{{
		Project:   source.Project{ID: 1, Path: "hello", FullPath: "gitops/hello"},
		AppYAML:   []byte("kind: App\n"),
		CommitSHA: sha,
		ReadAt:    at,
	}}}
}

// shipped creates the ConfigMap as the manifests would: empty.
func shipped(t *testing.T, c kubernetes.Interface, name string) *corev1.ConfigMap {
	t.Helper()
	cm, err := c.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

func get(t *testing.T, c kubernetes.Interface, name string) *corev1.ConfigMap {
	t.Helper()
	cm, err := c.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

func update(t *testing.T, c kubernetes.Interface, cm *corev1.ConfigMap) {
	t.Helper()
	if _, err := c.CoreV1().ConfigMaps(ns).Update(context.Background(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func loadTime(t *testing.T, s *snapshot.ConfigMapStore) time.Time {
	t.Helper()
	st, err := s.Load(context.Background())
	if err != nil || st == nil {
		t.Fatalf("load: %v, %v", st, err)
	}
	return st.ScannedAt
}

// grant binds the test user to a Role of snapshot.Rules.
func grant(t *testing.T, srv *kubetest.Server, name string) {
	t.Helper()
	ctx := context.Background()
	c := srv.Client
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "snapshot"}, Rules: snapshot.Rules(name)}
	if _, err := c.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "snapshot"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "snapshot"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: kubetest.TestUser}},
	}
	if _, err := c.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.WaitAllowed(t, "update", "", "configmaps", ns, name)
}

// watchScans records the scan time of every write to the ConfigMap; the
// function it returns waits for the write of last and returns them all.
func watchScans(t *testing.T, c kubernetes.Interface, name string) func(last time.Time) []time.Time {
	t.Helper()
	w, err := c.CoreV1().ConfigMaps(ns).Watch(context.Background(), metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", name).String(),
		ResourceVersion: get(t, c, name).ResourceVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return func(last time.Time) []time.Time {
		var scans []time.Time
		timeout := time.After(30 * time.Second)
		for len(scans) == 0 || !scans[len(scans)-1].Equal(last) {
			select {
			case ev := <-w.ResultChan():
				if ev.Type != watch.Modified {
					t.Fatalf("watch: %s %v", ev.Type, ev.Object)
				}
				st, err := snapshot.Decode(ev.Object.(*corev1.ConfigMap).BinaryData[snapshot.Key])
				if err != nil {
					t.Fatal(err)
				}
				scans = append(scans, st.ScannedAt)
			case <-timeout:
				t.Fatalf("no write of the scan of %v; saw %v", last, scans)
			}
		}
		return scans
	}
}
