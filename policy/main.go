// Command policy serves hardenedpg's control catalog as a Pulumi policy pack, so any stack, in any
// Pulumi language, is judged by the same checks as the library's own plan:
//
//	pulumi preview --policy-pack ./policy --policy-pack-config waivers.json
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

func main() {
	if err := policyx.Main(func(*pulumi.Context) (policyx.PolicyPack, error) { return NewPack() }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
