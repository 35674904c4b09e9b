package snapshot_test

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// sample has every field set, app.yaml absent, empty, text and not UTF-8,
// topics absent and empty, a read error, and times in two zones.
func sample() snapshot.State {
	at := time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.UTC)
	project := func(id int64, name string) source.Project {
		return source.Project{
			ID: id, Path: name, FullPath: "gitops/team-3/" + name, Namespace: "gitops/team-3",
			WebURL:         "https://gitlab.example.com/gitops/team-3/" + name,
			RepoURL:        "https://gitlab.example.com/gitops/team-3/" + name + ".git",
			AppPath:        "deploy",
			DefaultBranch:  "main",
			CreatedAt:      at.Add(-48 * time.Hour),
			LastActivityAt: at.Add(-time.Minute).In(time.FixedZone("", 2*3600)),
			Topics:         []string{"team-3", "<web>&"},
		}
	}
	none, empty, text, binary := project(1, "none"), project(2, "empty"), project(3, "text"), project(4, "binary")
	empty.Topics = []string{}
	none.Topics = nil
	read := at.Add(-30 * time.Second)
	return snapshot.State{ScannedAt: at, Repos: []source.Repo{
		{Project: none, ReadAt: read},
		{Project: empty, AppYAML: []byte{}, CommitSHA: "0123456789abcdef0123456789abcdef01234567", ReadAt: read},
		{Project: text, AppYAML: []byte("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\n# é <&>\n"), CommitSHA: "89abcdef0123456789abcdef0123456789abcdef", ReadAt: read.Add(-time.Hour),
			ReadError: "gitlab: read app.yaml of gitops/team-3/text: 503 Service Unavailable"},
		{Project: binary, AppYAML: []byte{0xff, 0xfe, 'a', 0}, CommitSHA: "fedcba9876543210fedcba9876543210fedcba98"},
	}}
}

// same compares states; a time compares as its instant and offset, which
// is all JSON keeps of it.
func same(a, b snapshot.State) bool {
	return reflect.DeepEqual(normal(a), normal(b))
}

func normal(s snapshot.State) snapshot.State {
	utc := func(t time.Time) time.Time {
		_, off := t.Zone()
		u := time.Unix(t.Unix(), int64(t.Nanosecond())).UTC()
		if off == 0 {
			return u
		}
		return u.In(time.FixedZone("", off))
	}
	out := snapshot.State{ScannedAt: utc(s.ScannedAt)}
	if s.Repos != nil {
		out.Repos = make([]source.Repo, len(s.Repos))
	}
	for i, r := range s.Repos {
		r.CreatedAt, r.LastActivityAt, r.ReadAt = utc(r.CreatedAt), utc(r.LastActivityAt), utc(r.ReadAt)
		out.Repos[i] = r
	}
	return out
}

func TestRoundTripKeepsEveryField(t *testing.T) {
	in := sample()
	data, err := snapshot.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := snapshot.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !same(in, *out) {
		t.Fatalf("round trip changed the state:\n in %+v\nout %+v", in, *out)
	}
	if out.Repos[0].AppYAML != nil || out.Repos[1].AppYAML == nil {
		t.Fatal("no app.yaml and an empty app.yaml must stay apart")
	}
	if out.Repos[0].Topics != nil || out.Repos[1].Topics == nil {
		t.Fatal("no topics and empty topics must stay apart")
	}
}

// The wire form is its own: explicit names, app.yaml as text.
func TestWireFormat(t *testing.T) {
	data, err := snapshot.Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	doc := inflate(t, data)
	for _, want := range []string{`{"version":1,"scannedAt":"2025-03-04T05:06:07.890123456Z","repos":[`, `"fullPath":"gitops/team-3/text"`, `"appYAML":"apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\n`, `"appYAMLBytes":"//5hAA=="`, `"lastActivityAt":"2025-03-04T07:05:07.890123456+02:00"`, `"readAt":"2025-03-04T05:05:37.890123456Z"`, `"readError":"gitlab: read app.yaml`} {
		if !strings.Contains(doc, want) {
			t.Errorf("encoded form lacks %s:\n%s", want, doc)
		}
	}
}

func TestDecodeRefusesCorruptAndUnknown(t *testing.T) {
	good, err := snapshot.Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	truncated := good[:len(good)-10]
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0xff
	for name, data := range map[string][]byte{
		"empty":          nil,
		"not gzip":       []byte(`{"version":1}`),
		"truncated":      truncated,
		"flipped byte":   flipped,
		"not JSON":       deflate(t, "hello"),
		"no version":     deflate(t, `{"scannedAt":"2025-03-04T05:06:07Z","repos":[]}`),
		"future version": deflate(t, `{"version":2,"scannedAt":"2025-03-04T05:06:07Z","repos":{"sharded":true}}`),
		"bad repos":      deflate(t, `{"version":1,"scannedAt":"2025-03-04T05:06:07Z","repos":{"id":1}}`),
		"bad time":       deflate(t, `{"version":1,"scannedAt":"yesterday","repos":[]}`),
		"app.yaml twice": deflate(t, `{"version":1,"scannedAt":"2025-03-04T05:06:07Z","repos":[{"id":1,"appYAML":"a","appYAMLBytes":"YQ=="}]}`),
	} {
		if s, err := snapshot.Decode(data); err == nil {
			t.Errorf("%s: decoded %+v, want an error", name, s)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestEncodeRefusesWhatJSONWouldAlter(t *testing.T) {
	s := sample()
	s.Repos[2].Path = "bad\xff"
	if _, err := snapshot.Encode(s); err == nil {
		t.Error("a path that is not UTF-8 was encoded: it would come back altered")
	}
	s = sample()
	s.ScannedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := snapshot.Encode(s); err == nil {
		t.Error("year 10000 was encoded")
	}
}

func deflate(t *testing.T, doc string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inflate(t *testing.T, data []byte) string {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// A field added to source.Repo fails this until the snapshot stores it.
func TestEveryFieldOfRepoIsStored(t *testing.T) {
	var r source.Repo
	fill(t, reflect.ValueOf(&r).Elem(), "Repo")
	in := snapshot.State{Repos: []source.Repo{r}}
	data, err := snapshot.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := snapshot.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !same(in, *out) {
		t.Fatalf("a field is lost:\n in %+v\nout %+v", in.Repos[0], out.Repos[0])
	}
}

// fill sets every field to a value of its own, unlike any zero value.
func fill(t *testing.T, v reflect.Value, name string) {
	switch {
	case v.Type() == reflect.TypeOf(time.Time{}):
		v.Set(reflect.ValueOf(time.Date(2025, 1, 2, 3, 4, 5, len(name), time.UTC)))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), name+"."+v.Type().Field(i).Name)
		}
	case v.Kind() == reflect.String:
		v.SetString(name)
	case v.Kind() == reflect.Int64:
		v.SetInt(int64(len(name)))
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Type() == reflect.TypeOf([]byte(nil)):
		v.SetBytes([]byte(name))
	case v.Type() == reflect.TypeOf([]string(nil)):
		v.Set(reflect.ValueOf([]string{name}))
	default:
		t.Fatalf("%s is a %s: store it in wireRepo and teach fill about it", name, v.Type())
	}
}
