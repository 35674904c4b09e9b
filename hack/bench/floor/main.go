// Command floor is the start-up floor for hack/bench-cmp.sh: a Go process
// that reads ./app.yaml and writes it out, as cmp generate does, with no
// rendering in between.
package main

import (
	"fmt"
	"os"
)

func main() {
	data, err := os.ReadFile("app.yaml")
	if err == nil {
		_, err = os.Stdout.Write(data)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
