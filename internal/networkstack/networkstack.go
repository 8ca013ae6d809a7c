// Package networkstack reads a network stack's outputs. It is apart from internal/stack because
// reading a StackReference instantiates some 7,500 generic functions of the Pulumi SDK: here they
// compile once, not after every change to baseline or hardenedpg.
package networkstack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Network is what a network stack exports for a database.
type Network struct {
	VpcID                   string
	SubnetIDs               []string
	AllowedSecurityGroupIDs []string
}

// Read reads vpcId, subnetIds and allowedSecurityGroupIds from the stack name, which the config
// key names. The values are awaited so the subnets can be proven private before anything is
// created.
func Read(ctx *pulumi.Context, key, name string) (Network, error) {
	var n Network
	ref, err := pulumi.NewStackReference(ctx, "network", &pulumi.StackReferenceArgs{Name: pulumi.String(name)})
	if err != nil {
		return n, err
	}
	get := func(output string) (any, error) {
		d, err := ref.GetOutputDetails(output)
		if err != nil {
			return nil, fmt.Errorf("%s = %q: reading output %s: %w", key, name, output, err)
		}
		if d.Value != nil {
			return d.Value, nil
		}
		return d.SecretValue, nil
	}
	vpc, err := get("vpcId")
	if err != nil {
		return n, err
	}
	vpcID, ok := vpc.(string)
	if !ok || vpcID == "" {
		return n, fmt.Errorf("%s = %q: output vpcId = %v: want a VPC ID string", key, name, vpc)
	}
	n.VpcID = vpcID
	// In a fixed order, so that of two bad outputs the same one is named every run.
	for _, o := range []struct {
		output string
		dst    *[]string
	}{{"subnetIds", &n.SubnetIDs}, {"allowedSecurityGroupIds", &n.AllowedSecurityGroupIDs}} {
		output, dst := o.output, o.dst
		v, err := get(output)
		if err != nil {
			return n, err
		}
		list, ok := stringList(v)
		if !ok {
			return n, fmt.Errorf("%s = %q: output %s = %v: want a list of strings", key, name, output, v)
		}
		*dst = list
	}
	return n, nil
}

func stringList(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(items))
	for i, item := range items {
		if out[i], ok = item.(string); !ok {
			return nil, false
		}
	}
	return out, true
}
