// Package stack is the Pulumi program of this repository: config -> NewDatabase -> exports. It is
// shared by main.go, cmd/plan and the tests.
package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
)

// DatabaseName is the logical name of the Database component; children are named after it, so
// it never changes.
const DatabaseName = "database"

// Run is the program: Program, with its outputs exported.
func Run(ctx *pulumi.Context) error {
	outputs, err := Program(ctx)
	if err != nil {
		return err
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return nil
}

// Program creates the database from the stack configuration and returns the stack outputs.
func Program(ctx *pulumi.Context) (pulumi.Map, error) {
	defaultTags, _ := ctx.GetConfig(hardenedpg.DefaultTagsConfigKey)
	cfg, err := config.Load(func(key string) (string, bool) {
		return ctx.GetConfig(config.Namespace + ":" + key)
	}, presentKeys(), ctx.IsConfigSecret, hardenedpg.ParseDefaultTags(defaultTags))
	if err != nil {
		return nil, err
	}
	args := cfg.Args
	if cfg.NetworkStack != "" {
		vpcID, err := readNetworkStack(ctx, cfg.NetworkStack, &args)
		if err != nil {
			// A network stack that cannot be read is configuration the user must fix: exit 2.
			return nil, &config.Error{Problems: []string{err.Error()}}
		}
		args.Network.VpcID = pulumi.String(vpcID)
	}
	db, err := hardenedpg.NewDatabase(ctx, DatabaseName, &args)
	if err != nil {
		return nil, cfg.Explain(err)
	}
	// The Database's own outputs (arn is instanceArn here, as it always was, or clusterArn for
	// Aurora), and the stack's.
	outputs := hardenedpg.Outputs(db)
	if db.Cluster != nil {
		outputs["clusterArn"] = outputs["arn"]
	} else {
		outputs["instanceArn"] = outputs["arn"]
	}
	delete(outputs, "arn")
	outputs["parameterGroupName"] = db.ParameterGroup.Name
	outputs["subnetGroupName"] = db.SubnetGroup.Name
	outputs["waivers"] = pulumi.ToStringMap(args.Waivers)
	if cfg.Bootstrap != nil {
		sql, err := hardenedpg.BootstrapSQL(*cfg.Bootstrap) // validated by config.Load
		if err != nil {
			return nil, err
		}
		outputs["bootstrapSql"] = pulumi.String(sql)
	}
	return outputs, nil
}

// presentKeys lists the config keys the engine passed (PULUMI_CONFIG), to catch misspelt keys.
func presentKeys() []string {
	var all map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(pulumi.EnvConfig)), &all); err != nil {
		return nil
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readNetworkStack reads vpcId, subnetIds and allowedSecurityGroupIds from another stack. The
// values are awaited so the subnets can be proven private before anything is created.
func readNetworkStack(ctx *pulumi.Context, name string, args *hardenedpg.DatabaseArgs) (string, error) {
	ref, err := pulumi.NewStackReference(ctx, "network", &pulumi.StackReferenceArgs{Name: pulumi.String(name)})
	if err != nil {
		return "", err
	}
	get := func(output string) (any, error) {
		d, err := ref.GetOutputDetails(output)
		if err != nil {
			return nil, fmt.Errorf("%s:networkStack = %q: reading output %s: %w", config.Namespace, name, output, err)
		}
		if d.Value != nil {
			return d.Value, nil
		}
		return d.SecretValue, nil
	}
	vpc, err := get("vpcId")
	if err != nil {
		return "", err
	}
	vpcID, ok := vpc.(string)
	if !ok || vpcID == "" {
		return "", fmt.Errorf("%s:networkStack = %q: output vpcId = %v: want a VPC ID string", config.Namespace, name, vpc)
	}
	for output, dst := range map[string]*[]string{"subnetIds": &args.Network.SubnetIDs, "allowedSecurityGroupIds": &args.Network.AllowedSecurityGroupIDs} {
		v, err := get(output)
		if err != nil {
			return "", err
		}
		list, ok := stringList(v)
		if !ok {
			return "", fmt.Errorf("%s:networkStack = %q: output %s = %v: want a list of strings", config.Namespace, name, output, v)
		}
		*dst = list
	}
	return vpcID, nil
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
