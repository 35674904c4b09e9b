package appspec_test

import (
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
)

const newImage = "123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:9e8d7c6"

func TestSetImageKeepsEverythingElse(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain": {
			in:   minimal,
			want: strings.Replace(minimal, "3f2a1bc", "9e8d7c6", 1),
		},
		"comments and odd indent": {
			in:   "# yaml-language-server: $schema=x\napiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n    name: hello-world  # the app\nspec:\n    owner: team-a\n    # CI writes the next line\n    image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc   # pinned\n    port: 3000\n",
			want: "# yaml-language-server: $schema=x\napiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n    name: hello-world  # the app\nspec:\n    owner: team-a\n    # CI writes the next line\n    image: " + newImage + "   # pinned\n    port: 3000\n",
		},
		"double quoted": {
			in:   strings.Replace(minimal, "image: 1234", `image: "1234`, 1) + "",
			want: "",
		},
		"single quoted, CRLF": {
			in:   strings.ReplaceAll(strings.Replace(strings.Replace(minimal, "image: 1234", "image: '1234", 1), "3f2a1bc", "3f2a1bc'", 1), "\n", "\r\n"),
			want: strings.ReplaceAll(strings.Replace(strings.Replace(minimal, "image: 1234", "image: '1234", 1), "3f2a1bc", "9e8d7c6'", 1), "\n", "\r\n"),
		},
		"flow mapping": {
			in:   "apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata: {name: hello-world}\nspec: {owner: team-a, image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc, port: 3000}\n",
			want: "apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata: {name: hello-world}\nspec: {owner: team-a, image: " + newImage + ", port: 3000}\n",
		},
	}
	dq := strings.Replace(strings.Replace(minimal, "image: 1234", `image: "1234`, 1), "3f2a1bc", `3f2a1bc"`, 1)
	cases["double quoted"] = struct{ in, want string }{dq, strings.Replace(dq, "3f2a1bc", "9e8d7c6", 1)}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := appspec.SetImage("app.yaml", []byte(c.in), newImage)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestSetImageRejects(t *testing.T) {
	cases := map[string]struct{ src, image, want string }{
		"not a reference":  {minimal, "not an image!", "full image reference"},
		"yaml injection":   {minimal, "a.io/x:1\n  replicas: 9", "full image reference"},
		"no image line":    {strings.Replace(minimal, "  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc\n", "", 1), newImage, "spec.image"},
		"broken file":      {minimal + "  bogus: 1\n", newImage, `unknown field "spec.bogus"`},
		"multi-line image": {strings.Replace(minimal, "image: 1234", "image: >-\n    1234", 1), newImage, "one line"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := appspec.SetImage("app.yaml", []byte(c.src), c.image)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			if out != nil {
				t.Error("returned output with an error")
			}
		})
	}
}
