package hardenedpg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Apply methods of an RDS parameter.
const (
	ApplyImmediate     = baseline.ApplyImmediate
	ApplyPendingReboot = baseline.ApplyPendingReboot
)

// Parameter is one engine parameter of a parameter group.
type Parameter struct {
	// Name is the engine parameter, as pg_settings names it. Required.
	Name string `pulumi:"name"`
	// Value is the parameter's value, as RDS takes it. Required.
	Value string `pulumi:"value"`
	// ApplyMethod is immediate or pending-reboot. Empty takes it from the engine: pending-reboot
	// for a static (postmaster) parameter, which RDS refuses to apply immediately, else immediate.
	ApplyMethod string `pulumi:"applyMethod,optional"`
}

// BaselineParameter is a parameter every hardened group carries, with the rules of package
// baseline an override must still meet.
type BaselineParameter struct {
	Parameter
	Checks []baseline.ParameterRule
}

// Baseline is the single source of the hardened engine parameter values: the ParameterGroup, the
// real-PostgreSQL tests and the docs all read it.
var Baseline = func() []BaselineParameter {
	values := []Parameter{
		{Name: "rds.force_ssl", Value: "1"},
		{Name: "rds.accepted_password_auth_method", Value: "scram"},
		{Name: "ssl_min_protocol_version", Value: "TLSv1.2"},
		{Name: "password_encryption", Value: "scram-sha-256"},
		{Name: "log_connections", Value: "1"},
		{Name: "log_disconnections", Value: "1"},
		{Name: "log_statement", Value: "none"},
		// Statement text never reaches the log, not on failure, not when slow: a failing or slow
		// CREATE/ALTER ROLE ... PASSWORD 'literal' is echoed verbatim otherwise (seen on a real
		// server by internal/pgtest). Slow statements are measured by pg_stat_statements and
		// Performance Insights instead; pgAudit logs DDL and ROLE statements with passwords redacted.
		{Name: "log_min_error_statement", Value: "panic"},
		{Name: "log_min_duration_statement", Value: "-1"},
		{Name: "shared_preload_libraries", Value: "pg_stat_statements,pgaudit"},
		{Name: "pgaudit.log", Value: "ddl,role"},
		{Name: "pgaudit.role", Value: "rds_pgaudit"},
	}
	out := make([]BaselineParameter, len(values))
	for i, v := range values {
		v.ApplyMethod = engineApplyMethod(v.Name)
		rules := baseline.ParameterRulesFor(v.Name)
		if len(rules) == 0 {
			panic("hardenedpg: no baseline rule for parameter " + v.Name)
		}
		out[i] = BaselineParameter{Parameter: v, Checks: rules}
	}
	return out
}()

// engineApplyMethod is the apply method of a baseline parameter, which must be the same on every
// supported major: the baseline does not depend on the version.
func engineApplyMethod(name string) string {
	method := ""
	for _, major := range baseline.SupportedMajorVersions {
		p, ok := baseline.EngineParameterFor(major, name)
		if !ok || (method != "" && p.ApplyMethod() != method) {
			panic(fmt.Sprintf("hardenedpg: baseline parameter %s is unknown to PostgreSQL %s or changes apply method there", name, major))
		}
		method = p.ApplyMethod()
	}
	return method
}

// SupportedMajorVersions are the PostgreSQL major versions RDS supports in standard support.
var SupportedMajorVersions = baseline.SupportedMajorVersions

// DefaultMajorVersion is the engine major version used when none is given.
const DefaultMajorVersion = "17"

// ParameterGroupArgs configures the engine parameters.
type ParameterGroupArgs struct {
	// Engine is postgres (RDS, the default) or aurora-postgresql: an Aurora cluster gets a cluster
	// parameter group with the baseline and its instances an empty DB parameter group of the same
	// family, so nothing overrides the cluster's values.
	Engine string `pulumi:"engine,optional"`
	// ClusterGroup, with engine postgres, puts the baseline in a DB cluster parameter group of the
	// postgres family, as for Aurora: a Multi-AZ DB cluster's instances run the cluster group's
	// values.
	ClusterGroup bool `pulumi:"clusterGroup,optional"`
	// EngineMajorVersion picks the family ("17" by default).
	EngineMajorVersion string `pulumi:"engineMajorVersion,optional"`
	// Parameters are added to the baseline, or override a baseline parameter with a value that
	// still meets its rule; a weaker value needs a waiver of that parameter's control
	// (pg-connection-logging, pg-statement-logging, pg-log-redaction or pg-audit).
	Parameters []Parameter `pulumi:"parameters,optional"`
	// Description of the parameter group; a default naming the version is used when empty.
	Description string `pulumi:"description,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`
}

// ParameterGroup is an RDS parameter group with the baseline parameters (for Aurora, a cluster
// parameter group with them and an instance group without). Each is auto-named, so a change of
// family replaces it create-before-delete while the database keeps running.
type ParameterGroup struct {
	pulumi.ResourceState

	// Group is the DB parameter group: the instance's, or for Aurora each cluster instance's.
	Group *rds.ParameterGroup
	// ClusterGroup is the cluster parameter group (nil for an RDS instance).
	ClusterGroup *rds.ClusterParameterGroup
	// Parameters are the effective parameters, sorted by name.
	Parameters []Parameter

	// Name is the DB parameter group's name, for InstanceArgs.ParameterGroupName.
	Name pulumi.StringOutput `pulumi:"name"`
	// ClusterName is the cluster parameter group's name ("" for an RDS instance).
	ClusterName pulumi.StringOutput `pulumi:"clusterName,optional"`
}

// aurora says whether the groups are for an Aurora cluster.
func (a *ParameterGroupArgs) aurora() bool { return a.Engine == baseline.AuroraEngine }

// family is the parameter group family of the engine and major.
func (a *ParameterGroupArgs) family() string {
	if a.aurora() {
		return baseline.AuroraFamily(a.majorVersion())
	}
	return baseline.Family(a.majorVersion())
}

// ParameterGroupType is the component's type token.
const ParameterGroupType = "hardenedpg:index:ParameterGroup"

// majorVersionsOf are the majors an engine offers in standard support.
func majorVersionsOf(engine string) []string {
	if engine == baseline.AuroraEngine {
		return baseline.AuroraMajorVersions
	}
	return SupportedMajorVersions
}

func checkMajorVersion(p *problems, field, engine, v string) {
	supported := majorVersionsOf(engine)
	if v == "" || slices.Contains(supported, v) {
		return
	}
	if major, _, ok := strings.Cut(v, "."); ok && slices.Contains(supported, major) {
		p.add(field, v, "give the major version only (%s): minor versions are upgraded automatically", major)
		return
	}
	if engine == baseline.AuroraEngine {
		p.add(field, v, "want a major version Aurora PostgreSQL supports: %s", strings.Join(supported, ", "))
		return
	}
	p.add(field, v, "want a supported major version: %s", strings.Join(supported, ", "))
}

// checkEngine reports an engine the library does not make.
func checkEngine(p *problems, field, engine string) {
	if engine != "" && engine != "postgres" && engine != baseline.AuroraEngine {
		p.add(field, engine, "want postgres (RDS for PostgreSQL, the default) or %s (an Aurora cluster)", baseline.AuroraEngine)
	}
}

func (a *ParameterGroupArgs) check(p *problems) {
	checkEngine(p, "Engine", a.Engine)
	checkMajorVersion(p, "EngineMajorVersion", a.Engine, a.EngineMajorVersion)
	a.checkParameters(p)
}

// checkParameters checks the overrides against the engine's parameters and the baseline's rules
// (a Database has them as its own Parameters, and its instance settings check the version).
func (a *ParameterGroupArgs) checkParameters(p *problems) {
	seen := map[string]bool{}
	for i, param := range a.Parameters {
		field := fmt.Sprintf("Parameters[%d]", i)
		if param.Name != "" {
			field = fmt.Sprintf("Parameters[%q]", param.Name)
		}
		switch {
		case param.Name == "":
			p.add(field, param.Name, "the parameter name is required")
			continue
		case seen[param.Name]:
			p.add(field, param.Value, "the parameter is given twice")
		}
		seen[param.Name] = true
		// Names and apply methods are the engine's word, for a supported major (else reported above).
		if engine, known := baseline.EngineParameterFor(a.majorVersion(), param.Name); slices.Contains(majorVersionsOf(a.Engine), a.majorVersion()) {
			switch {
			case !known:
				p.add(field, param.Name, "PostgreSQL %s has no parameter of that name (%s): see pg_settings, or the RDS parameters in AWS's documentation", a.majorVersion(), a.family())
				continue
			case !engine.Settable():
				p.add(field, param.Name, "is read-only in PostgreSQL %s (context internal): a parameter group cannot set it", a.majorVersion())
				continue
			case param.ApplyMethod == ApplyImmediate && engine.ApplyMethod() == ApplyPendingReboot:
				p.add(field+".ApplyMethod", param.ApplyMethod, "%s is static in PostgreSQL %s (context postmaster): RDS applies it only with %s", param.Name, a.majorVersion(), ApplyPendingReboot)
			}
		}
		if m := param.ApplyMethod; m != "" && m != ApplyImmediate && m != ApplyPendingReboot {
			p.add(field+".ApplyMethod", m, "want %s or %s", ApplyImmediate, ApplyPendingReboot)
		}
		for _, rule := range baseline.ParameterRulesFor(param.Name) {
			if rule.Accepts(param.Value) {
				continue
			}
			if c, _ := baseline.Lookup(rule.Control); !c.Waivable {
				p.add(field, param.Value, "weakens control %s, which cannot be waived; accepted: %s", rule.Control, rule.Rule)
			} else {
				p.relax(a.Waivers, rule.Control, field, param.Value, rule.Rule)
			}
		}
	}
}

// effective merges the overrides into the baseline, sorted by name so previews are stable.
func (a *ParameterGroupArgs) effective() []Parameter {
	byName := map[string]Parameter{}
	for _, b := range Baseline {
		byName[b.Name] = b.Parameter
	}
	for _, param := range a.Parameters {
		if param.ApplyMethod == "" {
			engine, _ := baseline.EngineParameterFor(a.majorVersion(), param.Name)
			param.ApplyMethod = engine.ApplyMethod()
		}
		byName[param.Name] = param
	}
	out := make([]Parameter, 0, len(byName))
	for _, param := range byName {
		out = append(out, param)
	}
	slices.SortFunc(out, func(x, y Parameter) int { return strings.Compare(x.Name, y.Name) })
	return out
}

func (a *ParameterGroupArgs) majorVersion() string {
	if a.EngineMajorVersion == "" {
		return DefaultMajorVersion
	}
	return a.EngineMajorVersion
}

// NewParameterGroup creates the parameter group.
func NewParameterGroup(ctx *pulumi.Context, name string, args *ParameterGroupArgs, opts ...pulumi.ResourceOption) (*ParameterGroup, error) {
	if args == nil {
		args = &ParameterGroupArgs{}
	}
	p := waiverProblems(args.Waivers)
	args.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewParameterGroup %q: %w", name, err)
	}
	c := &ParameterGroup{Parameters: args.effective()}
	if err := ctx.RegisterComponentResource(ParameterGroupType, name, c, opts...); err != nil {
		return nil, err
	}
	params := make(rds.ParameterGroupParameterArray, len(c.Parameters))
	for i, param := range c.Parameters {
		params[i] = rds.ParameterGroupParameterArgs{
			Name: pulumi.String(param.Name), Value: pulumi.String(param.Value), ApplyMethod: pulumi.String(param.ApplyMethod),
		}
	}
	description := args.Description
	if description == "" {
		description = "hardenedpg baseline for PostgreSQL " + args.majorVersion()
	}
	// Names are never set: auto-naming lets a replacement be created before the old group is deleted.
	if args.aurora() || args.ClusterGroup {
		// Every baseline parameter is a cluster-level parameter of aurora-postgresqlNN
		// (baseline.AuroraClusterLevel, with its source), so the cluster group holds them all and
		// applies them to every instance alike.
		clusterParams := make(rds.ClusterParameterGroupParameterArray, len(c.Parameters))
		for i, param := range c.Parameters {
			clusterParams[i] = rds.ClusterParameterGroupParameterArgs{
				Name: pulumi.String(param.Name), Value: pulumi.String(param.Value), ApplyMethod: pulumi.String(param.ApplyMethod),
			}
		}
		cluster, err := rds.NewClusterParameterGroup(ctx, name+"-cluster-params", &rds.ClusterParameterGroupArgs{
			Family:      pulumi.String(args.family()),
			Description: pulumi.String(description),
			Parameters:  clusterParams,
			Tags:        pulumi.StringMap(args.Tags),
		}, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		c.ClusterGroup, c.ClusterName = cluster, cluster.Name
		params, description = nil, description+" (instances: the cluster group's values)"
	}
	group, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(args.family()),
		Description: pulumi.String(description),
		Parameters:  params,
		Tags:        pulumi.StringMap(args.Tags),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Group, c.Name = group, group.Name
	if c.ClusterGroup == nil {
		c.ClusterName = pulumi.StringOutput{}
	}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
