// Package stack is the Pulumi program of this repository: config -> NewDatabase -> exports. It is
// shared by main.go, cmd/plan and the tests.
package stack

import (
	"encoding/json"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/networkstack"
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
		network, err := networkstack.Read(ctx, config.Namespace+":networkStack", cfg.NetworkStack)
		if err != nil {
			// A network stack that cannot be read is configuration the user must fix: exit 2.
			return nil, &config.Error{Problems: []string{err.Error()}}
		}
		args.Network.VpcID = pulumi.String(network.VpcID)
		args.Network.SubnetIDs = network.SubnetIDs
		args.Network.AllowedSecurityGroupIDs = network.AllowedSecurityGroupIDs
	}
	db, err := hardenedpg.NewDatabase(ctx, DatabaseName, &args)
	if err != nil {
		return nil, cfg.Explain(err)
	}
	// The Database's own outputs (arn is instanceArn here, as it always was, or clusterArn for
	// a cluster: Aurora or Multi-AZ), and the stack's.
	outputs := hardenedpg.Outputs(db)
	if db.Cluster != nil || db.MultiAZCluster != nil {
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
