// Command standin is a test-only resource provider for the aws and random packages, so that the
// real Pulumi engine can run the stack without AWS: it accepts any input, gives the IDs and
// computed outputs of hardenedpgtest, and answers the invokes the program makes. It previews as
// pulumi-aws does: Check names what has no name, and a preview's Create knows only the inputs and
// what the provider plans (tagsAll), never what AWS assigns (IDs, ARNs, endpoints, secrets). The
// test builds it twice, as pulumi-resource-aws and pulumi-resource-random. Never install it
// anywhere else.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// versions are the plugin versions the SDKs of go.mod ask for.
var versions = map[string]string{"aws": "6.83.4", "random": "4.19.2"}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-resource-")
	version, ok := versions[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "standin: unknown package %q (the binary must be named pulumi-resource-aws or pulumi-resource-random)\n", name)
		os.Exit(1)
	}
	err := pulumiprovider.Main(name, func(*pulumiprovider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		preview := hardenedpgtest.New()
		preview.PreviewFirst()
		return &standin{version: version, monitor: hardenedpgtest.New(), preview: preview}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type standin struct {
	pulumirpc.UnimplementedResourceProviderServer
	version string
	monitor *hardenedpgtest.Monitor
	// preview answers a preview's Create: the inputs and what the provider plans.
	preview *hardenedpgtest.Monitor
}

var marshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, marshal)
}

func (p *standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *standin) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: "{}"}, nil
}

func (p *standin) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standin) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// Configure takes the provider's region, as AWS would: a provider pinned to another region makes
// ARNs of that region.
func (p *standin) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	if region := req.GetArgs().GetFields()["region"].GetStringValue(); region != "" {
		p.monitor.Region, p.preview.Region = region, region
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Check gives a resource without a name the one the provider makes (the engine keeps it in the
// inputs from then on, as pulumi-aws's autonaming does).
func (p *standin) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	u := resource.URN(req.GetUrn())
	out, err := plugin.MarshalProperties(p.monitor.Planned(string(u.Type()), u.Name(), news, ""), marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: out}, nil
}

// replaceKeys are the inputs whose change replaces the resource, because the provider's schema
// marks them ForceNew (terraform-provider-aws, internal/service/rds: instance.go, cluster.go,
// cluster_instance.go, parameter_group.go, cluster_parameter_group.go, snapshot_copy.go). An
// engine version is not among them: RDS upgrades it in place.
var replaceKeys = map[string][]string{
	baseline.TypeInstance: {"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "identifier",
		"identifierPrefix", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "snapshotIdentifier", "storageEncrypted", "timezone", "username"},
	baseline.TypeCluster: {"availabilityZones", "clusterIdentifier", "databaseName", "dbSubnetGroupName", "engine", "engineMode", "kmsKeyId",
		"masterUsername", "restoreToPointInTime", "snapshotIdentifier", "storageEncrypted"},
	baseline.TypeClusterInstance:   {"availabilityZone", "clusterIdentifier", "engine", "identifier"},
	baseline.TypeParameterGroup:    {"description", "family", "name", "namePrefix"},
	baseline.TypeClusterParameters: {"description", "family", "name", "namePrefix"},
	baseline.TypeSnapshotCopy:      {"kmsKeyId", "sourceDbSnapshotIdentifier", "targetDbSnapshotIdentifier"},
}

// Diff reports the top-level inputs that changed, and the replacement a ForceNew one makes; none
// changed means no update.
func (p *standin) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, k := range unionKeys(olds, news) {
		if !olds[k].DeepEquals(news[k]) {
			changed = append(changed, string(k))
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var replaces []string
	for _, k := range changed {
		if slices.Contains(replaceKeys[string(resource.URN(req.GetUrn()).Type())], k) {
			replaces = append(replaces, k)
		}
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces}, nil
}

func unionKeys(a, b resource.PropertyMap) []resource.PropertyKey {
	var keys []resource.PropertyKey
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// answer gives the ID and outputs hardenedpgtest would: the inputs plus what AWS computes; for a
// preview of a creation, no ID and only what the provider plans.
func (p *standin) answer(urn string, props *structpb.Struct, preview bool) (string, *structpb.Struct, error) {
	inputs, err := unmarshal(props)
	if err != nil {
		return "", nil, err
	}
	u := resource.URN(urn)
	m := p.monitor
	if preview {
		m = p.preview
	}
	id, state, err := m.NewResource(pulumi.MockResourceArgs{TypeToken: string(u.Type()), Name: u.Name(), Inputs: inputs, Custom: true})
	if err != nil {
		return "", nil, err
	}
	out, err := plugin.MarshalProperties(state, marshal)
	return id, out, err
}

// fault is the error an apply of urn meets, if its type is in the file testenv.StandinFaults
// names.
func fault(urn string) error {
	path := os.Getenv(testenv.StandinFaults)
	if path == "" {
		return nil
	}
	listed, err := os.ReadFile(path) //nolint:gosec // the test's own file
	if err != nil {
		return nil // no file: no fault
	}
	typ := string(resource.URN(urn).Type())
	if slices.Contains(strings.Fields(string(listed)), typ) {
		return fmt.Errorf("injected fault: AWS refused %s %s", typ, resource.URN(urn).Name())
	}
	return nil
}

func (p *standin) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if !req.GetPreview() {
		if err := fault(req.GetUrn()); err != nil {
			return nil, err
		}
		if err := secretsExist(req.GetUrn(), req.GetProperties()); err != nil {
			return nil, err
		}
	}
	id, out, err := p.answer(req.GetUrn(), req.GetProperties(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() && resource.URN(req.GetUrn()).Type() == baseline.TypeSecret {
		if err := holdSecret(id); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, nil
}

// heldSecrets are the secrets of the account (testenv.StandinAccount), and whether there is one.
func heldSecrets() ([]string, bool) {
	path := os.Getenv(testenv.StandinAccount)
	if path == "" {
		return nil, false
	}
	held, _ := os.ReadFile(path) //nolint:gosec // the test's own file; none yet: an empty account
	return strings.Fields(string(held)), true
}

// holdSecret records a created secret's ARN (its ID) in the account.
func holdSecret(arn string) error {
	path := os.Getenv(testenv.StandinAccount)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // the test's own file
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, arn)
	return errors.Join(err, f.Close())
}

// secretsExist refuses a proxy whose auths name a secret the account does not hold.
func secretsExist(urn string, props *structpb.Struct) error {
	held, ok := heldSecrets()
	if !ok || resource.URN(urn).Type() != baseline.TypeProxy {
		return nil
	}
	inputs, err := unmarshal(props)
	if err != nil {
		return err
	}
	auths := inputs["auths"]
	if !auths.IsArray() {
		return nil
	}
	for _, a := range auths.ArrayValue() {
		arn := a.ObjectValue()["secretArn"]
		if arn.IsString() && !slices.Contains(held, arn.StringValue()) {
			return fmt.Errorf("standin (an account with nothing but what this test made): %s: secret %s does not exist, so RDS Proxy cannot sign in with it", resource.URN(urn).Name(), arn.StringValue())
		}
	}
	return nil
}

func (p *standin) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if !req.GetPreview() {
		if err := fault(req.GetUrn()); err != nil {
			return nil, err
		}
	}
	// An update keeps what AWS assigned: a preview of it knows the resource's outputs.
	_, out, err := p.answer(req.GetUrn(), req.GetNews(), false)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

func (p *standin) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *standin) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	result, err := p.monitor.Call(pulumi.MockCallArgs{Token: req.GetTok(), Args: args})
	if err != nil {
		return &pulumirpc.InvokeResponse{Failures: []*pulumirpc.CheckFailure{{Reason: err.Error()}}}, nil
	}
	out, err := plugin.MarshalProperties(result, marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

func (p *standin) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
