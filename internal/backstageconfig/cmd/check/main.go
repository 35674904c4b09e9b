// Command check refuses a Backstage app-config that is not fit for
// production (or, with -development, for a laptop), naming every key at
// fault, by the platform's rules; hack/check-backstage-config.sh checks the
// same files against the plugins' schemas. Files are merged in order, as
// Backstage merges several --config flags.
//
//	go run ./internal/backstageconfig/cmd/check manifests/backstage/app-config.production.yaml
//	go run ./internal/backstageconfig/cmd/check -development manifests/backstage/app-config.development.yaml
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vibe-coder-biz/idp/internal/backstageconfig"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dev := fs.Bool("development", false, "check a development config (guest and GitLab sign-in) instead of a production one")
	env := fs.String("env", strings.Join(backstageconfig.ProductionEnv, ","), "comma-separated environment variables the deployment provides: the only ${NAME} a production config may substitute")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: check [-development] [-env NAME,...] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cfg, err := backstageconfig.Load(fs.Args()...)
	if err != nil {
		fmt.Fprintln(stderr, "check:", err)
		return 1
	}
	if *dev {
		err = backstageconfig.CheckDevelopment(cfg)
	} else {
		err = backstageconfig.CheckProduction(cfg, splitNames(*env))
	}
	if err != nil {
		fmt.Fprintf(stderr, "check: %s: %v\n", strings.Join(fs.Args(), " + "), err)
		return 1
	}
	fmt.Fprintf(stdout, "ok: %s\n", strings.Join(fs.Args(), " + "))
	return 0
}

func splitNames(s string) []string {
	names := []string{}
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}
