// Package hardenedpgtest runs Pulumi programs that use hardenedpg without AWS, like
// net/http/httptest does for HTTP: a mock monitor for pulumi.WithMocks that records every
// resource and invoke, gives deterministic IDs and ARNs, and answers the AWS look-ups the
// components make. Tests configure the answers, e.g. a public subnet.
package hardenedpgtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// Defaults the monitor answers with.
const (
	DefaultAccountID = "123456789012"
	DefaultRegion    = "eu-west-1"
	DefaultPartition = "aws"
	DefaultVpcID     = "vpc-0123456789abcdef0"
)

// Resource is one registered resource as the engine would receive it: the baseline.Resource the
// checks read (URN, type, name, parent, protect, dependencies, aliases, ID, plain inputs and
// outputs), plus what only a test asks about.
type Resource struct {
	baseline.Resource
	// Raw keeps the inputs with secrets and unknowns marked, for checks that need them.
	Raw resource.PropertyMap
	// Provider is the provider reference the resource was registered with (empty: the default).
	Provider       string
	RetainOnDelete bool
	IgnoreChanges  []string
	// DeleteBeforeReplace says a replacement deletes the old resource before creating the new one.
	DeleteBeforeReplace bool
}

// Invoke is one function call the program made, with the answer it got: the baseline.Invoke the
// checks read, and the provider it went through ("" for the default provider).
type Invoke struct {
	baseline.Invoke
	Provider string
}

// Subnet is how the monitor answers a subnet look-up.
type Subnet struct {
	ID               string
	VpcID            string
	AvailabilityZone string
	// Public gives the subnet's route table a 0.0.0.0/0 route to an internet gateway.
	Public bool
	// InternetRoutes are other destinations the subnet's table sends to an internet gateway
	// (a split default route such as 0.0.0.0/1 and 128.0.0.0/1, or a single host).
	InternetRoutes []string
	// MainRouteTable leaves the subnet without an explicit route table association, so its
	// routes come from the VPC's main table.
	MainRouteTable bool
}

// Monitor implements pulumi.MockResourceMonitor. Its zero value is not usable; call New.
type Monitor struct {
	AccountID string
	Region    string
	Partition string

	mu           sync.Mutex
	subnets      map[string]Subnet
	stackOutputs map[string]map[string]any
	providers    map[string]map[string]any // inputs of explicit providers, by URN
	resources    []Resource
	invokes      []Invoke
	lookups      map[string]Lookup
	config       map[string]string // the stack's configuration, as the default provider reads it
	// preview answers as `pulumi preview` does: no IDs, no computed outputs (they stay unknown).
	preview bool
}

// Lookup answers one invoke token with its arguments (secrets "[secret]", numbers float64).
type Lookup func(args map[string]any) (map[string]any, error)

// Answer makes the monitor answer token with fn, before (and instead of) its own answers: for
// look-ups of your program that hardenedpgtest does not know, or to answer differently.
func (m *Monitor) Answer(token string, fn Lookup) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lookups == nil {
		m.lookups = map[string]Lookup{}
	}
	m.lookups[token] = fn
}

// New returns a monitor for account DefaultAccountID in DefaultRegion. A subnet it was not told
// about is private, in VpcID DefaultVpcID, in the first of zones a to f no known subnet is in.
func New() *Monitor {
	return &Monitor{
		AccountID: DefaultAccountID, Region: DefaultRegion, Partition: DefaultPartition,
		subnets: map[string]Subnet{}, stackOutputs: map[string]map[string]any{}, providers: map[string]map[string]any{},
	}
}

// SetSubnet sets the answer for one subnet.
func (m *Monitor) SetSubnet(s Subnet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.VpcID == "" {
		s.VpcID = DefaultVpcID
	}
	m.subnets[s.ID] = s
}

// SetStackOutputs sets the outputs a StackReference to stack (org/project/stack) reads.
func (m *Monitor) SetStackOutputs(stack string, outputs map[string]any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stackOutputs[stack] = outputs
}

// Resources returns every registered resource in registration order.
func (m *Monitor) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

// Invokes returns every invoke in call order.
func (m *Monitor) Invokes() []Invoke {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Invoke(nil), m.invokes...)
}

// ByType returns the resources of one type token, in registration order.
func (m *Monitor) ByType(typ string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource with the given type and logical name.
func (m *Monitor) Named(typ, name string) (Resource, bool) {
	for _, r := range m.ByType(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Run runs program against the monitor as project/stack with the given config (keys
// "namespace:key", as Pulumi passes them; secretKeys lists the secret ones).
func (m *Monitor) Run(project, stack string, config map[string]string, secretKeys []string, program pulumi.RunFunc) error {
	m.mu.Lock()
	m.config = config
	preview := m.preview
	m.mu.Unlock()
	return pulumi.RunErr(program, pulumi.WithMocks(project, stack, m), func(info *pulumi.RunInfo) {
		info.Config = config
		info.ConfigSecretKeys = secretKeys
		info.DryRun = preview
	})
}

// PreviewFirst makes the monitor answer as the first `pulumi preview` of a stack that does not
// exist yet: no IDs, no outputs AWS computes (see Preview).
func (m *Monitor) PreviewFirst() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.preview = true
}

// Previewing reports whether the monitor answers as a preview.
func (m *Monitor) Previewing() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.preview
}

// NewResource records the resource and answers with its inputs plus the outputs AWS computes.
func (m *Monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	r := Resource{Resource: baseline.Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: Plain(args.Inputs)}, Raw: args.Inputs, Provider: args.Provider}
	if rpc != nil {
		// The mocks drop unknown inputs; the request still has them, as the engine would see them.
		if raw, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}); err == nil {
			r.Inputs, r.Raw = Plain(raw), raw
		}
		r.Parent = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.DependsOn = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.DependsOn)
		r.PropertyDependencies = propertyDependencies(rpc.GetPropertyDependencies())
		r.IgnoreChanges = rpc.GetIgnoreChanges()
		r.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		m.mu.Lock()
		r.URN = m.urn(r.Parent, r.Type, r.Name)
		r.Aliases = append(rpc.GetAliasURNs(), m.aliasURNs(r, rpc.GetAliases())...)
		m.mu.Unlock()
	}
	id, state, planned := m.answer(args)
	if m.preview && args.Custom {
		// A preview knows the inputs and what the provider plans (the names it makes, tagsAll);
		// the ID and what AWS assigns stay unknown.
		full := state
		id, state = "", args.Inputs.Copy()
		for _, k := range planned {
			state[resource.PropertyKey(k)] = full[resource.PropertyKey(k)]
		}
	}
	r.ID, r.Outputs = id, Plain(state)
	if args.Custom && strings.HasPrefix(r.Type, "aws:") {
		r.Region = m.targetOf(args.Provider).region
	}
	m.mu.Lock()
	m.resources = append(m.resources, r)
	if strings.HasPrefix(r.Type, "pulumi:providers:") {
		m.providers[r.URN] = r.Inputs
	}
	m.mu.Unlock()
	return id, state, nil
}

func (m *Monitor) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	stack, project := "", ""
	if p := resource.URN(parent); p != "" {
		stack, project = string(p.Stack()), string(p.Project())
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

// aliasURNs are the URNs the aliases of r name, as the engine resolves them: an alias spec keeps
// what it does not set (name, type, parent) from the resource.
func (m *Monitor) aliasURNs(r Resource, aliases []*pulumirpc.Alias) []string {
	var out []string
	for _, a := range aliases {
		if u := a.GetUrn(); u != "" {
			out = append(out, u)
			continue
		}
		spec := a.GetSpec()
		if spec == nil {
			continue
		}
		name, typ, parent := r.Name, r.Type, r.Parent
		if spec.GetName() != "" {
			name = spec.GetName()
		}
		if spec.GetType() != "" {
			typ = spec.GetType()
		}
		switch {
		case spec.GetNoParent():
			parent = stackURN(r.URN)
		case spec.GetParentUrn() != "":
			parent = spec.GetParentUrn()
		}
		out = append(out, m.urn(parent, typ, name))
	}
	return out
}

// Planned is what a provider's Check makes of a new resource's inputs before AWS is called: the
// inputs with the names it gives resources that have none (a role's, a topic's). A stand-in
// provider answers Check with it, as pulumi-aws does, so a preview knows those names.
func (m *Monitor) Planned(typ, name string, inputs resource.PropertyMap, provider string) resource.PropertyMap {
	_, state, planned := m.answer(pulumi.MockResourceArgs{TypeToken: typ, Name: name, Inputs: inputs, Provider: provider, Custom: true})
	out := inputs.Copy()
	for _, k := range planned {
		if k != "tagsAll" { // computed with the plan, not an input
			out[resource.PropertyKey(k)] = state[resource.PropertyKey(k)]
		}
	}
	return out
}

// propertyDependencies are the URNs each input's value comes from, as the engine receives them;
// inputs that come from no resource are left out.
func propertyDependencies(deps map[string]*pulumirpc.RegisterResourceRequest_PropertyDependencies) map[string][]string {
	var out map[string][]string
	for key, d := range deps {
		if len(d.GetUrns()) == 0 {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		urns := append([]string(nil), d.GetUrns()...)
		sort.Strings(urns)
		out[key] = slices.Compact(urns)
	}
	return out
}

// stackURN is the URN of the stack resource of the stack a URN belongs to.
func stackURN(urn string) string {
	u := resource.URN(urn)
	return string(resource.NewURN(u.Stack(), u.Project(), "", resource.RootStackType, string(u.Project())+"-"+string(u.Stack())))
}

// hash is a deterministic digest of a resource's identity.
func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// target is the account and region a provider acts in.
type target struct{ account, region string }

// targetOf answers for the provider a resource or invoke names: the default provider acts in
// AccountID and Region; an explicit aws provider in its region input and in the account of its
// allowedAccountIds or assumed role, so a stack that passes its own provider sees its own.
// defaultTagsOf are the default tags of the provider a resource was registered with: the
// explicit provider's defaultTags, or the stack's aws:defaultTags for the default provider.
func (m *Monitor) defaultTagsOf(providerRef string) map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	var block any
	if i := strings.LastIndex(providerRef, "::"); i >= 0 && m.providers[providerRef[:i]] != nil {
		block = m.providers[providerRef[:i]]["defaultTags"]
	} else if raw := m.config["aws:defaultTags"]; raw != "" {
		var v map[string]any
		if json.Unmarshal([]byte(raw), &v) == nil {
			block = v
		}
	}
	bm, _ := block.(map[string]any)
	tags, _ := bm["tags"].(map[string]any)
	return tags
}

func (m *Monitor) targetOf(providerRef string) target {
	t := target{m.AccountID, m.Region}
	i := strings.LastIndex(providerRef, "::")
	if i < 0 {
		return t
	}
	m.mu.Lock()
	inputs, ok := m.providers[providerRef[:i]]
	m.mu.Unlock()
	if !ok {
		return t
	}
	if r, ok := inputs["region"].(string); ok && r != "" {
		t.region = r
	}
	accounts := listOf(inputs["allowedAccountIds"])
	for _, role := range append(listOf(inputs["assumeRoles"]), inputs["assumeRole"]) {
		if rm, ok := role.(map[string]any); ok {
			if arn, _ := rm["roleArn"].(string); strings.Count(arn, ":") >= 5 {
				accounts = append(accounts, strings.Split(arn, ":")[4])
			}
		}
	}
	if len(accounts) > 0 {
		if a, ok := accounts[0].(string); ok {
			t.account = a
		}
	}
	return t
}

// listOf reads a list input, also when the provider input came JSON-encoded.
func listOf(v any) []any {
	if s, ok := v.(string); ok {
		var out []any
		_ = json.Unmarshal([]byte(s), &out)
		return out
	}
	out, _ := v.([]any)
	return out
}

func (m *Monitor) arn(t target, service, resourcePart string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", m.Partition, service, t.region, t.account, resourcePart)
}

// answer computes the ID and output state of a new resource, and the outputs the provider plans
// before AWS is called (a preview knows them): the names it makes and tagsAll.
func (m *Monitor) answer(args pulumi.MockResourceArgs) (string, resource.PropertyMap, []string) {
	state := args.Inputs.Copy()
	var planned []string
	if strings.HasPrefix(args.TypeToken, "aws:") && !strings.HasPrefix(args.TypeToken, "aws:index") {
		// tagsAll is what AWS holds: the provider's default tags, then the resource's own.
		all := map[string]any{}
		maps.Copy(all, m.defaultTagsOf(args.Provider))
		if tags := args.Inputs["tags"]; tags.IsObject() {
			maps.Copy(all, Plain(tags.ObjectValue()))
		}
		if len(all) > 0 {
			state["tagsAll"] = resource.NewPropertyValue(all)
			planned = append(planned, "tagsAll")
		}
	}
	t := m.targetOf(args.Provider)
	h := hash(args.TypeToken, args.Name)
	id := args.Name + "-id"
	str := func(k string) string {
		if v, ok := args.Inputs[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	set := func(k string, v any) { state[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	// autoName is the input key's value, or the name the provider makes without one (the
	// resource's name and a random suffix), recorded as the output.
	autoName := func(key string) string {
		name := str(key)
		if name == "" {
			name = args.Name + "-" + h[:7]
			planned = append(planned, key)
		}
		set(key, name)
		return name
	}
	// portOf is the database's port input, or PostgreSQL's default.
	portOf := func() float64 {
		if v, ok := args.Inputs["port"]; ok && v.IsNumber() {
			return v.NumberValue()
		}
		return 5432
	}
	// masterSecret is the rds!db- or rds!cluster- secret RDS makes for a managed master password.
	masterSecret := func(kind string) {
		secret := map[string]any{
			"kmsKeyId": "[storage key]", "secretStatus": "active",
			"secretArn": m.arn(t, "secretsmanager", "secret:rds!"+kind+"-"+h[26:34]+"-"+h[34:40]),
		}
		set("masterUserSecrets", []any{secret})
		if kms, ok := args.Inputs["masterUserSecretKmsKeyId"]; ok {
			state["masterUserSecrets"].ArrayValue()[0].ObjectValue()["kmsKeyId"] = kms
		}
	}
	switch args.TypeToken {
	case baseline.TypeKey:
		id = fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
		set("keyId", id)
		set("arn", m.arn(t, "kms", "key/"+id))
	case baseline.TypeKeyAlias:
		id = str("name")
		set("arn", m.arn(t, "kms", id))
	case baseline.TypeVpc, baseline.TypeSubnet, baseline.TypeRouteTable, baseline.TypeRouteTableAssociation,
		baseline.TypeInternetGateway, baseline.TypeNatGateway:
		prefix := map[string]string{
			baseline.TypeVpc: "vpc-", baseline.TypeSubnet: "subnet-", baseline.TypeRouteTable: "rtb-",
			baseline.TypeRouteTableAssociation: "rtbassoc-", baseline.TypeInternetGateway: "igw-", baseline.TypeNatGateway: "nat-",
		}[args.TypeToken]
		id = prefix + h[:17]
		if args.TypeToken == baseline.TypeSubnet && str("availabilityZone") == "" {
			set("availabilityZone", t.region+"a")
		}
	case baseline.TypeSecurityGroup:
		id = "sg-" + h[:17]
		set("arn", m.arn(t, "ec2", "security-group/"+id))
	case baseline.TypeIngressRule, baseline.TypeEgressRule:
		id = "sgr-" + h[:17]
		set("arn", m.arn(t, "ec2", "security-group-rule/"+id))
	case baseline.TypeParameterGroup, baseline.TypeSubnetGroup, baseline.TypeClusterParameters:
		name := autoName("name")
		id = name
		kind := map[string]string{baseline.TypeParameterGroup: "pg", baseline.TypeSubnetGroup: "subgrp", baseline.TypeClusterParameters: "cluster-pg"}[args.TypeToken]
		set("arn", m.arn(t, "rds", kind+":"+name))
	case baseline.TypeInstance:
		ident := str("identifier")
		id = ident
		address := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", ident, h[:12], t.region)
		port := portOf()
		set("address", address)
		set("endpoint", fmt.Sprintf("%s:%d", address, int(port)))
		set("port", port)
		set("arn", m.arn(t, "rds", "db:"+ident))
		set("resourceId", "db-"+strings.ToUpper(h[:26]))
		masterSecret("db")
		if _, owned := args.Inputs["password"]; owned && m.Previewing() {
			// The stack-owned master secret's value is made of the address and the password: an
			// unknown secret, which the engine carries and the SDK's mocks cannot. Known here at a
			// preview so the plan can be made; no check reads an address.
			planned = append(planned, "address")
		}
	case baseline.TypeFlowLog:
		id = "fl-" + h[:17]
		set("arn", m.arn(t, "ec2", "vpc-flow-log/"+id))
	case baseline.TypeSecret:
		// Secrets Manager adds six characters to the name: the ARN is known only at apply.
		id = m.arn(t, "secretsmanager", "secret:"+autoName("name")+"-"+h[:6])
		set("arn", id)
	case baseline.TypeSnapshotCopy:
		id = str("targetDbSnapshotIdentifier")
		set("dbSnapshotArn", m.arn(t, "rds", "snapshot:"+id))
		set("encrypted", str("kmsKeyId") != "")
	case baseline.TypeRandomPassword:
		// Answered at a preview too: the SDK's mocks cannot carry an unknown secret (the engine
		// can), and the checks read where the password comes from, not its value.
		length := 16
		if v, ok := args.Inputs["length"]; ok && v.IsNumber() {
			length = int(v.NumberValue())
		}
		set("result", resource.MakeSecret(resource.NewStringProperty(strings.Repeat(h, 2)[:min(length, 2*len(h))])))
		planned = append(planned, "result")
	case baseline.TypeServerlessStack:
		// The Serverless Application Repository prefixes the stack's name; AWS's rotation
		// templates output the function's ARN.
		id = m.arn(t, "cloudformation", "stack/serverlessrepo-"+str("name")+"/"+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32])
		function := ""
		if params, ok := args.Inputs["parameters"]; ok && params.IsObject() {
			if name, ok := params.ObjectValue()["functionName"]; ok && name.IsString() {
				function = name.StringValue()
			}
		}
		set("outputs", map[string]any{"RotationLambdaARN": m.arn(t, "lambda", "function:"+function)})
	case baseline.TypeCluster:
		ident := str("clusterIdentifier")
		id = ident
		set("endpoint", fmt.Sprintf("%s.cluster-c%s.%s.rds.amazonaws.com", ident, h[:12], t.region))
		set("readerEndpoint", fmt.Sprintf("%s.cluster-ro-c%s.%s.rds.amazonaws.com", ident, h[:12], t.region))
		set("port", portOf())
		set("arn", m.arn(t, "rds", "cluster:"+ident))
		set("clusterResourceId", "cluster-"+strings.ToUpper(h[:26]))
		masterSecret("cluster")
	case baseline.TypeClusterInstance:
		ident := str("identifier")
		id = ident
		set("arn", m.arn(t, "rds", "db:"+ident))
		set("endpoint", fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", ident, h[:12], t.region))
		set("dbiResourceId", "db-"+strings.ToUpper(h[:26]))
	case baseline.TypeRole:
		name := autoName("name")
		id = name
		set("arn", fmt.Sprintf("arn:%s:iam::%s:role/%s", m.Partition, t.account, name))
	case baseline.TypeEventRule:
		name := autoName("name")
		id = name
		set("arn", m.arn(t, "events", "rule/"+name))
	case baseline.TypeTopic:
		// The provider names a topic as it names the others (a random suffix); here, as its ARN
		// always read, by the resource's name alone.
		name := str("name")
		if name == "" {
			name = args.Name
			planned = append(planned, "name")
		}
		set("name", name)
		set("arn", m.arn(t, "sns", name))
	case baseline.TypeLogGroup:
		id = str("name")
		set("arn", m.arn(t, "logs", "log-group:"+id))
	case baseline.TypeProxy:
		// The proxy's ARN names it by resource ID (prx-...), which rds-db:connect ARNs use.
		id = str("name")
		set("arn", m.arn(t, "rds", "db-proxy:prx-"+h[:17]))
		set("endpoint", fmt.Sprintf("%s.proxy-%s.%s.rds.amazonaws.com", id, h[:12], t.region))
	case "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
		set("name", "default")
	case baseline.TypeBucket:
		// An S3 bucket's ARN names neither region nor account.
		name := autoName("bucket")
		id = name
		set("arn", fmt.Sprintf("arn:%s:s3:::%s", m.Partition, name))
	case baseline.TypeRandomID:
		set("hex", h[:8])
		set("b64Url", h[8:14])
		set("b64Std", h[8:14])
		set("dec", "1234567890")
		id = h[:8]
	case "pulumi:pulumi:StackReference":
		m.mu.Lock()
		outputs := m.stackOutputs[str("name")]
		m.mu.Unlock()
		set("outputs", outputs)
		set("secretOutputNames", []any{})
		id = str("name")
	}
	if !args.Custom {
		return "", state, planned
	}
	if _, ok := state["arn"]; !ok {
		// Every AWS resource has an ARN; a generic one keeps references between resources real.
		if pkg, rest, ok := strings.Cut(args.TypeToken, ":"); ok && pkg == "aws" {
			service, _, _ := strings.Cut(rest, "/")
			set("arn", m.arn(t, service, args.Name))
		}
	}
	return id, state, planned
}

// Call answers an invoke.
func (m *Monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	result, err := m.call(args)
	inv := Invoke{Invoke: baseline.Invoke{Token: args.Token, Args: Plain(args.Args), Result: result}, Provider: args.Provider}
	if err != nil {
		inv.Err = err.Error()
	}
	m.mu.Lock()
	m.invokes = append(m.invokes, inv)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return resource.NewPropertyMapFromMap(result), nil
}

func (m *Monitor) call(args pulumi.MockCallArgs) (map[string]any, error) {
	m.mu.Lock()
	answer, ok := m.lookups[args.Token]
	m.mu.Unlock()
	if ok {
		return answer(Plain(args.Args))
	}
	str := func(k string) string {
		if v, ok := args.Args[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	t := m.targetOf(args.Provider)
	switch args.Token {
	case baseline.InvokeCallerIdentity:
		return map[string]any{
			"accountId": t.account, "id": t.account, "userId": "AIDAEXAMPLE",
			"arn": fmt.Sprintf("arn:%s:iam::%s:user/hardenedpgtest", m.Partition, t.account),
		}, nil
	case baseline.InvokeRegion:
		return map[string]any{"name": t.region, "id": t.region, "description": t.region, "endpoint": "ec2." + t.region + ".amazonaws.com"}, nil
	case baseline.InvokePartition:
		return map[string]any{"partition": m.Partition, "id": m.Partition, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}, nil
	case baseline.InvokeSubnet:
		s := m.subnet(str("id"), t.region)
		return map[string]any{"id": s.ID, "vpcId": s.VpcID, "availabilityZone": s.AvailabilityZone, "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": s.Public}, nil
	case baseline.InvokeRouteTable:
		return m.routeTable(str("subnetId"), str("vpcId"))
	case baseline.InvokeSnapshot, baseline.InvokeClusterSnapshot, baseline.InvokeDBInstance, baseline.InvokeDBCluster:
		return m.restoreSource(t, args.Token, str), nil
	}
	return nil, fmt.Errorf("hardenedpgtest: no mock answer for invoke %s", args.Token)
}

// Restore sources the mock has by default are of a hardenedpg database with the defaults: an
// encrypted manual snapshot, or a source with 35 days of backups, on a minor of the default major
// under the default master user, each under its own key.
var (
	sourceEngineVersion       = hardenedpg.DefaultMajorVersion + ".6"
	sourceAuroraEngineVersion = hardenedpg.DefaultMajorVersion + ".5"
)

func (m *Monitor) restoreSource(t target, token string, str func(string) string) map[string]any {
	named := func(key, kind string) (string, string) {
		id := str(key)
		if strings.HasPrefix(id, "arn:") {
			return id[strings.LastIndex(id, ":")+1:], id
		}
		return id, m.arn(t, "rds", kind+":"+id)
	}
	key := func(id string) string { return m.arn(t, "kms", "key/source-"+id) }
	switch token {
	case baseline.InvokeSnapshot:
		id, arn := named("dbSnapshotIdentifier", "snapshot")
		return map[string]any{"id": id, "dbSnapshotIdentifier": id, "dbSnapshotArn": arn, "engine": "postgres", "engineVersion": sourceEngineVersion,
			"encrypted": true, "kmsKeyId": key(id), "allocatedStorage": hardenedpg.DefaultAllocatedStorageGB, "status": "available", "snapshotType": "manual", "storageType": "gp3"}
	case baseline.InvokeClusterSnapshot:
		id, arn := named("dbClusterSnapshotIdentifier", "cluster-snapshot")
		return map[string]any{"id": id, "dbClusterSnapshotIdentifier": id, "dbClusterSnapshotArn": arn, "engine": "aurora-postgresql", "engineVersion": sourceAuroraEngineVersion,
			"storageEncrypted": true, "kmsKeyId": key(id), "status": "available", "snapshotType": "manual"}
	case baseline.InvokeDBInstance:
		id, arn := named("dbInstanceIdentifier", "db")
		return map[string]any{"id": id, "dbInstanceIdentifier": id, "dbInstanceArn": arn, "engine": "postgres", "engineVersion": sourceEngineVersion,
			"storageEncrypted": true, "kmsKeyId": key(id), "backupRetentionPeriod": hardenedpg.DefaultBackupRetentionDays, "masterUsername": hardenedpg.DefaultAdminUsername, "allocatedStorage": hardenedpg.DefaultAllocatedStorageGB}
	default:
		id, arn := named("clusterIdentifier", "cluster")
		return map[string]any{"id": id, "clusterIdentifier": id, "arn": arn, "engine": "aurora-postgresql", "engineVersion": sourceAuroraEngineVersion,
			"storageEncrypted": true, "kmsKeyId": key(id), "backupRetentionPeriod": hardenedpg.DefaultBackupRetentionDays, "masterUsername": hardenedpg.DefaultAdminUsername}
	}
}

// subnet returns the configured subnet, or a private one in the next unused zone.
func (m *Monitor) subnet(id, region string) Subnet {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.subnets[id]; ok {
		return s
	}
	if r, ok := m.createdLocked(baseline.TypeSubnet, id); ok {
		// A subnet the program created is where the program put it.
		vpc, _ := r.Inputs["vpcId"].(string)
		zone, _ := r.Outputs["availabilityZone"].(string)
		return Subnet{ID: id, VpcID: vpc, AvailabilityZone: zone}
	}
	// The next zone no subnet it knows is in: a subnet set in zone b by a test does not put the
	// next one there too, which would add a problem the test did not make.
	used := map[string]bool{}
	for _, known := range m.subnets {
		used[known.AvailabilityZone] = true
	}
	zone := region + "a"
	for letter := 'a'; letter < 'a'+6; letter++ {
		if !used[region+string(letter)] {
			zone = region + string(letter)
			break
		}
	}
	s := Subnet{ID: id, VpcID: DefaultVpcID, AvailabilityZone: zone}
	m.subnets[id] = s
	return s
}

// createdLocked finds a resource of typ the program created with the given ID; m.mu is held.
func (m *Monitor) createdLocked(typ, id string) (Resource, bool) {
	for _, r := range m.resources {
		if r.Type == typ && r.ID == id {
			return r, true
		}
	}
	return Resource{}, false
}

// programRouteTable answers a route-table look-up from the routing the program created: the
// table associated with the subnet (else its VPC's main table, which AWS creates with the local
// route only), with its inline routes and the aws:ec2/route resources added to it.
func (m *Monitor) programRouteTable(subnetID string) (map[string]any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	subnet, created := m.createdLocked(baseline.TypeSubnet, subnetID)
	if !created {
		return nil, false
	}
	local := map[string]any{"cidrBlock": "10.0.0.0/16", "gatewayId": "local"}
	vpc, _ := subnet.Inputs["vpcId"].(string)
	tableID := ""
	for _, r := range m.resources {
		if r.Type == baseline.TypeRouteTableAssociation && r.Inputs["subnetId"] == subnetID {
			tableID, _ = r.Inputs["routeTableId"].(string)
		}
	}
	if tableID == "" {
		return map[string]any{"id": "rtb-main" + hash(vpc)[:9], "vpcId": vpc, "routes": []any{local}}, true
	}
	routes := []any{local}
	if table, ok := m.createdLocked(baseline.TypeRouteTable, tableID); ok {
		routes = append(routes, items(table.Inputs["routes"])...)
	}
	for _, r := range m.resources {
		if r.Type == baseline.TypeRoute && r.Inputs["routeTableId"] == tableID {
			route := map[string]any{"cidrBlock": r.Inputs["destinationCidrBlock"], "ipv6CidrBlock": r.Inputs["destinationIpv6CidrBlock"]}
			for _, k := range []string{"gatewayId", "natGatewayId", "transitGatewayId", "vpcPeeringConnectionId", "networkInterfaceId"} {
				if v, ok := r.Inputs[k]; ok {
					route[k] = v
				}
			}
			routes = append(routes, route)
		}
	}
	return map[string]any{"id": tableID, "routeTableId": tableID, "subnetId": subnetID, "vpcId": vpc, "routes": routes}, true
}

func items(v any) []any {
	l, _ := v.([]any)
	return l
}

func (m *Monitor) routeTable(subnetID, vpcID string) (map[string]any, error) {
	if table, ok := m.programRouteTable(subnetID); ok {
		return table, nil
	}
	local := map[string]any{"cidrBlock": "10.0.0.0/16", "gatewayId": "local"}
	if subnetID == "" {
		// The VPC's main table routes to a NAT gateway only.
		return map[string]any{"id": "rtb-main" + hash(vpcID)[:9], "vpcId": vpcID, "routes": []any{
			local, map[string]any{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0123456789abcdef0"},
		}}, nil
	}
	s := m.subnet(subnetID, m.Region)
	if s.MainRouteTable {
		return nil, fmt.Errorf("no route table is associated with subnet %s", subnetID)
	}
	tableID := "rtb-" + hash(subnetID)[:17]
	out := map[string]any{"id": tableID, "routeTableId": tableID, "subnetId": subnetID, "vpcId": s.VpcID}
	igw := "igw-" + hash(s.VpcID)[:17]
	routes := []any{local}
	if s.Public {
		routes = append(routes, map[string]any{"cidrBlock": "0.0.0.0/0", "gatewayId": igw})
	} else {
		routes = append(routes, map[string]any{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-" + hash(s.ID)[:17]})
	}
	for _, dest := range s.InternetRoutes {
		key := "cidrBlock"
		if strings.Contains(dest, ":") {
			key = "ipv6CidrBlock"
		}
		routes = append(routes, map[string]any{key: dest, "gatewayId": igw})
	}
	out["routes"] = routes
	return out, nil
}

// Plain turns recorded properties into plain Go values: secrets become "[secret]", values
// unknown offline "[unknown]", resource references their URN.
func Plain(props resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		out[string(k)] = plainValue(v)
	}
	return out
}

func plainValue(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return "[secret]"
	case v.IsComputed():
		return baseline.Unknown
	case v.IsOutput():
		o := v.OutputValue()
		switch {
		case o.Secret:
			return "[secret]"
		case !o.Known:
			return baseline.Unknown
		}
		return plainValue(o.Element)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e)
		}
		return out
	case v.IsObject():
		return Plain(v.ObjectValue())
	case v.IsNull():
		return nil
	}
	return v.V
}

// Graph returns what was recorded in the form package baseline evaluates.
func (m *Monitor) Graph() *baseline.Graph {
	g := &baseline.Graph{}
	for _, r := range m.Resources() {
		g.Resources = append(g.Resources, r.Resource)
	}
	// Registration order varies between runs (resources register concurrently); the checks'
	// details must not.
	sort.SliceStable(g.Resources, func(i, j int) bool { return g.Resources[i].URN < g.Resources[j].URN })
	for _, inv := range m.Invokes() {
		g.Invokes = append(g.Invokes, inv.Invoke)
	}
	return g
}
