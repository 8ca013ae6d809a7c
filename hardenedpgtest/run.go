package hardenedpgtest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Option configures Run.
type Option func(*options)

type options struct {
	project, stack string
	config         map[string]string
	secrets        []string
	preview        bool
	monitor        *Monitor
}

// Project names the project (default "test").
func Project(name string) Option { return func(o *options) { o.project = name } }

// Stack names the stack (default "test").
func Stack(name string) Option { return func(o *options) { o.stack = name } }

// Config sets configuration values, keyed "namespace:key" as in Pulumi.<stack>.yaml.
func Config(values map[string]string) Option {
	return func(o *options) {
		if o.config == nil {
			o.config = map[string]string{}
		}
		maps.Copy(o.config, values)
	}
}

// Secret sets a secret configuration value.
func Secret(key, value string) Option {
	return func(o *options) {
		Config(map[string]string{key: value})(o)
		o.secrets = append(o.secrets, key)
	}
}

// Preview runs as `pulumi preview` does: resources get no IDs and no computed outputs, so what
// depends on them stays unknown (and controls reading them are unproven).
func Preview() Option { return func(o *options) { o.preview = true } }

// WithMonitor runs against m, set up beforehand: subnets (SetSubnet), other stacks' outputs
// (SetStackOutputs), look-up answers (Answer), account and region (AccountID, Region).
func WithMonitor(m *Monitor) Option { return func(o *options) { o.monitor = m } }

// Result is what a run recorded.
type Result struct {
	*Monitor
	// Err is the program's error, as `pulumi up` would report it.
	Err error
}

// WaiverKeyPrefix begins the key of a scorecard row about a waiver rather than a control.
const WaiverKeyPrefix = "waiver:"

// Scorecard evaluates the catalog over what was recorded, as cmd/plan prints it. A waiver that
// cannot be applied (no such control, one that cannot be waived, no reason) or that waives
// nothing here (its control passes or does not apply; a waiver of one resource, no problem of
// that resource) adds a failing row keyed waiver:<waiver key>, as the policy pack and the stack
// config refuse them: a test that asserts no row fails also keeps its waivers honest.
func (r *Result) Scorecard(waivers baseline.Waivers) []baseline.Result {
	results := baseline.Evaluate(r.Graph(), waivers)
	waiverRow := func(key, detail string) baseline.Result {
		return baseline.Result{Key: WaiverKeyPrefix + key, Title: "A waiver relaxes a control that would fail", Severity: baseline.Medium,
			Status: baseline.Fail, Detail: detail, Waiver: waivers[key]}
	}
	var rows []baseline.Result
	bad := map[string]bool{}
	for _, p := range waivers.Problems() {
		rows = append(rows, waiverRow(p.Key, p.Problem))
		bad[p.Key] = true
	}
	relaxed := map[string]bool{}
	for _, res := range results {
		if _, waived := waivers[res.Key]; waived && !bad[res.Key] && (res.Status == baseline.Pass || res.Status == baseline.NotApplicable) {
			rows = append(rows, waiverRow(res.Key, fmt.Sprintf("waives nothing: %s is %s here; remove the waiver", res.Key, res.Status)))
		}
		for _, r := range res.Relaxed {
			relaxed[r.Waiver] = true
		}
	}
	for _, key := range slices.Sorted(maps.Keys(waivers)) {
		if control, resource := baseline.SplitWaiverKey(key); resource != "" && !bad[key] && !relaxed[key] {
			rows = append(rows, waiverRow(key, fmt.Sprintf("waives nothing: no problem of %s is about %s here; name the resource as the control's row does, or remove the waiver", control, resource)))
		}
	}
	return append(results, rows...)
}

// Run runs program as `pulumi up` (or, with Preview, `pulumi preview`) would, against a monitor
// that answers as AWS would, and returns what it recorded, in the style of net/http/httptest:
//
//	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(cfg))
//	require.NoError(t, res.Err)
//	instance, _ := res.Named(baseline.TypeInstance, "db-instance-db")
func Run(program pulumi.RunFunc, opts ...Option) *Result {
	o := options{project: "test", stack: "test"}
	for _, opt := range opts {
		opt(&o)
	}
	m := o.monitor
	if m == nil {
		m = New()
	}
	m.mu.Lock()
	m.preview, m.config = o.preview, o.config
	m.mu.Unlock()
	err := pulumi.RunErr(program, pulumi.WithMocks(o.project, o.stack, m), func(info *pulumi.RunInfo) {
		info.Config = o.config
		info.ConfigSecretKeys = o.secrets
		info.DryRun = o.preview
	})
	return &Result{Monitor: m, Err: err}
}
