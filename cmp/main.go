// Command cmp is the platform's Argo CD Config Management Plugin: it renders
// one app.yaml into every Kubernetes object the app needs.
//
//	cmp generate                 render ./app.yaml for Argo CD's cmp-server
//	cmp render [flags] FILE      render FILE to stdout
//	cmp validate FILE...         check files, print nothing on success
//	cmp schema                   print app.yaml's JSON Schema
//	cmp set-image FILE IMAGE     rewrite spec.image in place, keeping layout
//
// On any error cmp writes nothing to stdout: Argo CD treats an empty render
// with pruning on as "delete everything".
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}
