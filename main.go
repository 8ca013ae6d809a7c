// Command hardenedpg is the Pulumi program of this repository: `pulumi up -s dev|prod`.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

func main() {
	pulumi.Run(stack.Run)
}
