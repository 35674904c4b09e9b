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
	"runtime/debug"
)

func main() {
	oneShot()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}

// oneShot turns the garbage collector off: every command is one short
// process whose heap the exit frees (a render allocates about 2 MiB), and a
// collection would cost it a third of its time. The soft limit still
// collects should a run grow large, well inside the sidecar's 256 MiB that
// the cmp-server and concurrent renders share. GOGC and GOMEMLIMIT, when
// set, win.
func oneShot() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(-1)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(64 << 20)
	}
}
