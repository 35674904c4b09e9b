package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

// Variables Argo CD's cmp-server passes to generate. Values from an
// Application's plugin env arrive prefixed with ARGOCD_ENV_.
const (
	envRenderMode = "ARGOCD_ENV_IDP_RENDER"   // "app" (default) or "project"
	envAppName    = "ARGOCD_ENV_IDP_APP_NAME" // the name the ApplicationSet expects
	envNamespace  = "ARGOCD_APP_NAMESPACE"
	envRepoURL    = "ARGOCD_APP_SOURCE_REPO_URL"
	appFile       = "app.yaml"
)

type lookupEnv func(string) (string, bool)

const usage = `usage:
  cmp generate                          render ./app.yaml (run by Argo CD's cmp-server)
  cmp render [-project -repo-url URL] FILE
  cmp validate FILE...
  cmp schema
  cmp set-image FILE IMAGE
`

func run(args []string, stdout, stderr io.Writer, env lookupEnv) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "generate":
		err = generate(stdout, env)
	case "render":
		err = renderCmd(args[1:], stdout, stderr, env)
	case "validate":
		err = validate(args[1:], env)
	case "schema":
		err = schema(stdout)
	case "set-image":
		err = setImage(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "cmp: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmp %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// generate is what Argo CD runs in the app's directory.
func generate(stdout io.Writer, env lookupEnv) error {
	p, err := appspec.PlatformFromEnv(env)
	if err != nil {
		return err
	}
	app, err := load(appFile, p)
	if err != nil {
		return err
	}
	if want, ok := env(envAppName); ok && want != app.Metadata.Name {
		return fmt.Errorf("%s: metadata.name: Forbidden: %q is not this project's app %q; an app may only claim its own project's name", appFile, app.Metadata.Name, want)
	}
	mode, _ := env(envRenderMode)
	switch mode {
	case "", "app":
		if ns, ok := env(envNamespace); ok && ns != app.Metadata.Name {
			return fmt.Errorf("%s: metadata.name: Forbidden: the Application deploys to namespace %q but the app is %q", appFile, ns, app.Metadata.Name)
		}
		return write(stdout, render.App(app, p))
	case "project":
		repo, _ := env(envRepoURL)
		return writeProject(stdout, app, p, repo)
	default:
		return fmt.Errorf("%s=%q: want \"app\" or \"project\"", envRenderMode, mode)
	}
}

func renderCmd(args []string, stdout, stderr io.Writer, env lookupEnv) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	project := fs.Bool("project", false, "render the AppProject instead of the app's objects")
	repoURL := fs.String("repo-url", "", "the app's GitOps repository URL (with -project)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want exactly one FILE")
	}
	p, err := appspec.PlatformFromEnv(env)
	if err != nil {
		return err
	}
	app, err := load(fs.Arg(0), p)
	if err != nil {
		return err
	}
	if *project {
		return writeProject(stdout, app, p, *repoURL)
	}
	return write(stdout, render.App(app, p))
}

func validate(files []string, env lookupEnv) error {
	if len(files) == 0 {
		return errors.New("want at least one FILE")
	}
	p, err := appspec.PlatformFromEnv(env)
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		if _, err := load(f, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func schema(stdout io.Writer) error {
	s, err := appspec.Schema()
	if err != nil {
		return err
	}
	_, err = stdout.Write(s)
	return err
}

// setImage writes through a temporary file and a rename, so a crash never
// leaves a half-written app.yaml in a CI workspace.
func setImage(args []string) error {
	if len(args) != 2 {
		return errors.New("want FILE IMAGE")
	}
	file, image := args[0], args[1]
	data, err := readFile(file)
	if err != nil {
		return err
	}
	out, err := appspec.SetImage(file, data, image)
	if err != nil {
		return err
	}
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".app.yaml-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func load(file string, p appspec.Platform) (*appspec.App, error) {
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	return appspec.Load(file, data, p)
}

// readFile reads at most one byte past the limit, so a huge or endless file
// (a FIFO, /dev/zero) costs bounded memory.
func readFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, appspec.MaxFileBytes+1))
}

func writeProject(stdout io.Writer, app *appspec.App, p appspec.Platform, repoURL string) error {
	objs, err := render.Project(app, p, repoURL)
	if err != nil {
		return err
	}
	return write(stdout, objs)
}

// write serialises everything before writing anything.
func write(stdout io.Writer, objs []render.Object) error {
	out, err := render.YAML(objs)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
