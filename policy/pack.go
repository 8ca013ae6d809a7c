package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

const (
	// PackName is the policy pack's name.
	PackName = "hardenedpg"
	// WaiversPolicy carries the waivers as its config: {"waivers": {"<control key>": "<reason>"}}.
	WaiversPolicy = baseline.PackWaiversPolicy
	// UnprovenPolicy reports, as advice, the controls whose evidence a policy pack cannot see.
	UnprovenPolicy = "hardenedpg-unproven"
)

// Version is the pack's version.
var Version = semver.MustParse("0.1.0")

// enforcementOf maps a control's severity to how a violation is enforced: critical and high stop
// the update, medium and low are reported.
func enforcementOf(s baseline.Severity) policyx.EnforcementLevel {
	if s == baseline.Critical || s == baseline.High {
		return policyx.EnforcementLevelMandatory
	}
	return policyx.EnforcementLevelAdvisory
}

// waiverState holds the waivers of the pack's config. policyx (v3.274.1) hands policy config only
// to resource policies (StackValidationArgs has no Config), so the waivers policy, which the
// engine runs on every resource before the stack policies, records them for the controls.
type waiverState struct {
	mu      sync.Mutex
	waivers baseline.Waivers
}

func (w *waiverState) set(v baseline.Waivers) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waivers = v
}

func (w *waiverState) get() baseline.Waivers {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waivers
}

// NewPack is the catalog as policies: one stack policy per control, named by its key, plus the
// waivers and unproven policies.
func NewPack() (policyx.PolicyPack, error) {
	state := &waiverState{}
	policies := []policyx.Policy{waiversPolicy(state), unprovenPolicy(state)}
	for _, c := range baseline.Catalog {
		policies = append(policies, controlPolicy(c, state))
	}
	return policyx.NewPolicyPack(PackName, Version, policyx.EnforcementLevelAdvisory, policies)
}

func waiversPolicy(state *waiverState) policyx.Policy {
	return policyx.NewResourceValidationPolicy(WaiversPolicy, policyx.ResourceValidationPolicyArgs{
		Description: "Waivers: control key to the reason it is relaxed, with the rules of the stack's hardenedpg:waivers",
		// Advisory: it reports nothing itself; a bad waiver fails the run with an error.
		EnforcementLevel: policyx.EnforcementLevelAdvisory,
		ConfigSchema: &policyx.ConfigSchema{Properties: map[string]map[string]any{
			"waivers": {"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		}},
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			waivers, err := WaiversOf(args.Config)
			if err != nil {
				return err
			}
			state.set(waivers)
			return nil
		},
	})
}

// WaiversOf reads the waivers policy's config and refuses what the stack's waivers refuse.
func WaiversOf(config map[string]any) (baseline.Waivers, error) { return baseline.PackWaivers(config) }

func controlPolicy(c baseline.Control, state *waiverState) policyx.Policy {
	return policyx.NewStackValidationPolicy(c.Key, policyx.StackValidationPolicyArgs{
		Description:      c.Title,
		EnforcementLevel: enforcementOf(c.Severity),
		ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
			r := baseline.EvaluateControl(GraphOf(args.Resources), c, state.get())
			if r.Status == baseline.Fail {
				args.Manager.ReportViolation(Message(r), firstOf(r.Resources))
			}
			return nil
		},
	})
}

func unprovenPolicy(state *waiverState) policyx.Policy {
	return policyx.NewStackValidationPolicy(UnprovenPolicy, policyx.StackValidationPolicyArgs{
		Description:      "Controls whose evidence a policy pack cannot see (look-ups, values unknown until apply), and warnings (an engine near the end of standard support): not passed, not failed",
		EnforcementLevel: policyx.EnforcementLevelAdvisory,
		ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
			for _, r := range baseline.Evaluate(GraphOf(args.Resources), state.get()) {
				if r.Status == baseline.Unproven || r.Status == baseline.Warn {
					args.Manager.ReportViolation(Message(r), firstOf(r.Resources))
				}
			}
			return nil
		},
	})
}

// Message is a violation's text: the control, what was found, its references and what was read.
func Message(r baseline.Result) string {
	var refs []string
	for _, tool := range baseline.Tools {
		if ids := r.Refs.Of(tool.Key); len(ids) > 0 {
			refs = append(refs, tool.Name+" "+strings.Join(ids, ", "))
		}
	}
	if len(refs) == 0 {
		refs = []string{"hardenedpg only"}
	}
	relaxed := ""
	for _, x := range r.Relaxed {
		relaxed += fmt.Sprintf("\nwaived for one resource (%s): %s (found: %s)", x.Waiver, x.Reason, x.Problem)
	}
	return fmt.Sprintf("%s %s (%s): %s%s\nreferences: %s\nread: %s\nrelax it with a reason: {%q: {\"waivers\": {%q: \"...\"}}}, or for one resource only, the key %q",
		r.Key, strings.ToUpper(string(r.Status)), r.Severity, r.Detail, relaxed, strings.Join(refs, "; "), strings.Join(r.Resources, ", "), WaiversPolicy, r.Key,
		baseline.WaiverKey(r.Key, "<name or URN>"))
}

func firstOf(urns []string) string {
	if len(urns) == 0 {
		return ""
	}
	return urns[0]
}

// GraphOf is the graph the catalog reads, from what the engine sends an analyzer: properties are
// the inputs of a resource to be created and the state of one that exists (with its id and ARN),
// so they serve as both; values unknown until apply become baseline.Unknown, linked by the
// engine's property dependencies to the resources that provide them, and secrets are read in
// clear, as the checks need them. It has no look-ups.
func GraphOf(resources []policyx.AnalyzerResource) *baseline.Graph {
	g := &baseline.Graph{NoLookups: true}
	for _, r := range resources {
		props := plainMap(r.Properties)
		// A component (hardenedpg:index:SecurityGroup) may have an output named id; only a
		// provider's resource has an ID.
		custom := !strings.Contains(r.Type, ":index:") || strings.HasPrefix(r.Type, "random:")
		id, _ := props["id"].(string)
		if !custom {
			id = ""
		}
		var deps map[string][]string
		for key, urns := range r.PropertyDependencies {
			if deps == nil {
				deps = map[string][]string{}
			}
			deps[key] = slices.Clone(urns)
		}
		region, _ := plain(r.Provider.Properties.Get("region")).(string)
		g.Resources = append(g.Resources, baseline.Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Protect: r.Options.Protect,
			Custom: custom, DependsOn: r.Dependencies, ID: id, Inputs: props, Outputs: props,
			PropertyDependencies: deps, Region: region,
		})
	}
	inferIDs(g, resources)
	// The engine's order follows registration, which varies; the details must not.
	slices.SortStableFunc(g.Resources, func(a, b baseline.Resource) int { return strings.Compare(a.URN, b.URN) })
	return g
}

// inferIDs gives a resource the engine sent without an id (the properties an analyzer sees carry
// none) the one value that names it: an ID property (…Id, …Ids) that depends on that resource
// alone and holds a single ID-shaped value matching no known id, as an instance's
// vpcSecurityGroupIds holds its group's. A bucket's id is its name (the provider's aws_s3_bucket).
func inferIDs(g *baseline.Graph, resources []policyx.AnalyzerResource) {
	for i := range g.Resources {
		if r := &g.Resources[i]; r.ID == "" && r.Type == baseline.TypeBucket {
			r.ID, _ = r.Inputs["bucket"].(string)
		}
	}
	byURN := map[string]*baseline.Resource{}
	ids := map[string]bool{}
	for i := range g.Resources {
		byURN[g.Resources[i].URN] = &g.Resources[i]
		if g.Resources[i].ID != "" {
			ids[g.Resources[i].ID] = true
		}
	}
	for i, r := range resources {
		for _, key := range slices.Sorted(maps.Keys(r.PropertyDependencies)) {
			if !strings.HasSuffix(key, "Id") && !strings.HasSuffix(key, "Ids") {
				continue
			}
			var lacking []*baseline.Resource
			for _, dep := range r.PropertyDependencies[key] {
				if d := byURN[dep]; d != nil && d.Custom && d.ID == "" {
					lacking = append(lacking, d)
				}
			}
			if len(lacking) != 1 {
				continue
			}
			var unmatched []string
			for _, v := range baseline.Strings(g.Resources[i].Inputs[key]) {
				if !ids[v] && idShaped(v) {
					unmatched = append(unmatched, v)
				}
			}
			if len(unmatched) == 1 {
				lacking[0].ID = unmatched[0]
				ids[unmatched[0]] = true
			}
		}
	}
}

// idShaped is what an AWS resource ID looks like (sg-…, a plan's UUID), not an ARN or a document.
func idShaped(v string) bool {
	return v != "" && v != baseline.Unknown && !strings.HasPrefix(v, "arn:") && !strings.ContainsAny(v, " {}\"/:")
}

func plainMap(m property.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, v := range m.All {
		out[k] = plain(v)
	}
	return out
}

func plain(v property.Value) any {
	switch {
	case v.IsComputed():
		return baseline.Unknown
	case v.IsString():
		return v.AsString()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsBool():
		return v.AsBool()
	case v.IsArray():
		var out []any
		for _, e := range v.AsArray().All {
			out = append(out, plain(e))
		}
		return out
	case v.IsMap():
		return plainMap(v.AsMap())
	case v.IsResourceReference():
		return string(v.AsResourceReference().URN)
	}
	return nil
}
