package appspec_test

import (
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

func seedCorpus(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "  replicas: 3\n  env:\n  - name: A\n    value: b\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte(minimal + "---\n" + minimal))
	f.Add([]byte("{apiVersion: idp.vibe-coder.biz/v1alpha1, kind: App, metadata: {name: x1}, spec: {port: 1}}"))
	f.Add([]byte("\xef\xbb\xbfkind: App\n"))
}

// FuzzLoad: any input either loads into an app that validates, or fails with
// an *appspec.Error; it never panics and never returns both.
func FuzzLoad(f *testing.F) {
	seedCorpus(f)
	p := appspec.DefaultPlatform()
	f.Fuzz(func(t *testing.T, data []byte) {
		app, err := appspec.Load("app.yaml", data, p)
		if (app == nil) == (err == nil) {
			t.Fatalf("app=%v err=%v", app, err)
		}
		if app != nil {
			if errs := appspec.Validate(app, p); len(errs) > 0 {
				t.Fatalf("loaded an invalid app: %v", errs)
			}
			// What loads must render: a valid app.yaml never fails in Argo CD.
			if _, err := render.YAML(render.App(app, p)); err != nil {
				t.Fatalf("loaded app does not render: %v", err)
			}
		}
	})
}

// FuzzSetImage: a successful rewrite changes only the image, and the result
// loads with that image.
func FuzzSetImage(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := appspec.SetImage("app.yaml", data, newImage)
		if err != nil {
			return
		}
		app, err := appspec.Parse("app.yaml", out)
		if err != nil {
			t.Fatalf("rewrite does not parse: %v", err)
		}
		if app.Spec.Image != newImage {
			t.Fatalf("image = %q", app.Spec.Image)
		}
		before, _ := appspec.Parse("app.yaml", data)
		before.Spec.Image = newImage
		if before.Spec.Port != app.Spec.Port || before.Metadata != app.Metadata || before.Spec.Owner != app.Spec.Owner {
			t.Fatalf("rewrite changed more than the image")
		}
	})
}
