// Command pulumi-resource-hardenedpg serves the hardened components of the hardenedpg library as
// a Pulumi component package, so that programs in TypeScript, Python, C#, Java and YAML create
// them as Go programs do: the same constructors, the same type tokens, the same errors.
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"
)

// Version is the plugin's version, set at release with -ldflags "-X main.Version=...".
var Version = "0.0.0-dev"

func main() {
	provider, err := Provider()
	if err == nil {
		err = p.RunProvider(context.Background(), Name, Version, provider)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
