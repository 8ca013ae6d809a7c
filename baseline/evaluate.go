package baseline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Status of a control on a stack.
type Status string

// Statuses, as the scorecard prints them.
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	Waived        Status = "waived"
	NotApplicable Status = "not-applicable"
	// Unproven is a control whose evidence the graph lacks: a look-up a policy pack does not see,
	// or a value unknown until the resource exists. It is never a pass.
	Unproven Status = "unproven"
	// Warn is a control that holds today but will not for long: an engine whose standard support
	// ends within SupportWarningMonths. Not a pass; nothing blocks on it.
	Warn Status = "warn"
)

// Unknown stands for a value a preview does not know yet (computed by the provider at apply); the
// graph links it to the resource that provides it where the engine says which (see Pending).
const Unknown = "[unknown]"

// Result is one row of the scorecard.
type Result struct {
	Key       string   `json:"key"`
	Title     string   `json:"title"`
	Severity  Severity `json:"severity"`
	Status    Status   `json:"status"`
	Resources []string `json:"resources"`
	// Detail says what was found, e.g. "backupRetentionPeriod is 7, want 7-35".
	Detail string `json:"detail"`
	// Waiver is the reason given, when the control is waived.
	Waiver string `json:"waiver,omitempty"`
	Refs   Refs   `json:"refs"`
	// Relaxed are the problems that waivers of one resource relaxed; the status is judged on the
	// rest, so the same weakness of another resource still fails.
	Relaxed []Relaxed `json:"relaxed,omitempty"`
}

// Relaxed is a problem a waiver of one resource relaxed: the waiver's key, its reason and the
// problem as the check found it.
type Relaxed struct {
	Waiver  string `json:"waiver"`
	Reason  string `json:"reason"`
	Problem string `json:"problem"`
}

// Summary counts the results by status.
type Summary struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Waived        int `json:"waived"`
	NotApplicable int `json:"notApplicable"`
	Unproven      int `json:"unproven,omitempty"`
	Warn          int `json:"warn,omitempty"`
}

// finding is what a check saw: the resources it read, what is wrong (empty: pass) and, for a
// pass, a short statement of what holds.
type finding struct {
	resources []string
	problems  []string
	// unproven is the evidence that was missing; with no problem, the control is unproven.
	unproven []string
	// warnings hold today but not for long; with no problem and nothing unproven, the control warns.
	warnings []string
	holds    string
	// known are the problems found before the check read anything unknown until apply: no
	// unknown value can have caused them, so they fail the control even when it read one later.
	known []string
	// subjects are the resource each problem is about, where its text begins with the name:
	// what a waiver of one resource is matched against.
	subjects map[string]string
	// notApplicable, with nothing found, says why the control does not apply to what the stack
	// holds (only read replicas, where the control is about what a replica takes from its source).
	notApplicable string
}

func (f *finding) read(r Resource) { f.resources = append(f.resources, r.URN) }

// fail records a problem once: a group shared by several instances is wrong once. A problem
// whose format begins "%s: " is about the resource its first argument names.
func (f *finding) fail(format string, a ...any) {
	if p := fmt.Sprintf(format, a...); !slices.Contains(f.problems, p) {
		f.problems = append(f.problems, p)
		if subject, ok := firstString(a); ok && strings.HasPrefix(format, "%s: ") {
			if f.subjects == nil {
				f.subjects = map[string]string{}
			}
			f.subjects[p] = subject
		}
		if t := tracking.Load(); t != nil && !t.seenUnknown {
			f.known = append(f.known, p)
		}
	}
}

func firstString(a []any) (string, bool) {
	if len(a) == 0 {
		return "", false
	}
	s, ok := a[0].(string)
	return s, ok
}

// warn records what holds today but will not for long.
func (f *finding) warn(format string, a ...any) {
	f.warnings = append(f.warnings, fmt.Sprintf(format, a...))
}

// lacks records evidence the graph does not hold.
func (f *finding) lacks(format string, a ...any) {
	f.unproven = append(f.unproven, fmt.Sprintf(format, a...))
}

type check func(g *Graph) finding

// Evaluate runs every control of the catalog over the graph. A failing control that waivers names
// is "waived" with the reason; a control whose resource types the stack lacks is "not-applicable";
// one whose check read a value unknown until apply is "unproven", naming it. It links the graph's
// unknown references to the resources that provide them (see Pending).
func Evaluate(g *Graph, waivers Waivers) []Result {
	g.byType, g.owners = nil, nil // the resources may have changed since the last evaluation
	g.link()
	results := make([]Result, 0, len(Catalog))
	for _, c := range Catalog {
		results = append(results, evaluate(g, c, waivers))
	}
	return results
}

// EvaluateControl runs one control over a graph that is not changed afterwards.
func EvaluateControl(g *Graph, c Control, waivers Waivers) Result {
	g.link()
	return evaluate(g, c, waivers)
}

func evaluate(g *Graph, c Control, waivers Waivers) Result {
	r := Result{Key: c.Key, Title: c.Title, Severity: c.Severity, Refs: c.Refs, Resources: []string{}}
	if c.LiveOnly && !g.Live {
		r.Status, r.Detail = NotApplicable, "judged live only, by bin/audit: "+c.Runtime
		return r
	}
	if !g.has(c.Reads...) {
		r.Status, r.Detail = NotApplicable, "the stack has no "+strings.Join(c.Reads, " or ")+runtimeNote(c)
		return r
	}
	if c.check == nil {
		panic("baseline: control " + c.Key + " has no check")
	}
	var f finding
	reads := track(g, func() { f = c.check(g) })
	slices.Sort(f.resources)
	r.Resources = append(r.Resources, slices.Compact(f.resources)...)
	reason, waived := waivers[c.Key]
	if unknown := reads.unknownRead(g); len(unknown) > 0 {
		// A value computed at apply that the check read can make its answer wrong, a pass included;
		// a problem found before it was read stands.
		f.problems, f.unproven = f.known, append(f.unproven, "unknown until apply: "+strings.Join(unknown, ", "))
	}
	if c.Waivable {
		f.problems, r.Relaxed = relaxForResources(g, f, waivers.ForResources(c.Key), c.Key)
		if len(f.problems) == 0 && len(f.unproven) == 0 && len(r.Relaxed) > 0 && !waived {
			waived, reason = true, relaxedReasons(r.Relaxed)
			f.problems = relaxedProblems(r.Relaxed)
		}
	}
	switch {
	case len(f.problems) == 0 && len(f.unproven) == 0 && f.notApplicable != "":
		r.Status, r.Detail = NotApplicable, f.notApplicable
	case len(f.problems) == 0 && len(f.unproven) > 0 && waived && c.Waivable:
		r.Status, r.Detail, r.Waiver = Waived, "unproven: "+strings.Join(f.unproven, "; "), reason
	case len(f.problems) == 0 && len(f.unproven) > 0:
		r.Status, r.Detail = Unproven, strings.Join(f.unproven, "; ")
	case len(f.problems) == 0 && len(f.warnings) > 0:
		r.Status, r.Detail = Warn, strings.Join(f.warnings, "; ")
	case len(f.problems) == 0:
		r.Status, r.Detail = Pass, f.holds
		if waived {
			r.Detail += " (the waiver is not needed)"
		}
	case waived && c.Waivable:
		r.Status, r.Detail, r.Waiver = Waived, strings.Join(f.problems, "; "), reason
	default:
		r.Status, r.Detail = Fail, strings.Join(f.problems, "; ")
	}
	return r
}

// relaxForResources takes out of the finding's problems those about a resource that a waiver of
// one resource names, returning the rest and what was relaxed.
func relaxForResources(g *Graph, f finding, byResource map[string]string, control string) (rest []string, relaxed []Relaxed) {
	if len(byResource) == 0 {
		return f.problems, nil
	}
	named := slices.Sorted(maps.Keys(byResource))
	for _, p := range f.problems {
		i := slices.IndexFunc(named, func(n string) bool { return f.subjects[p] != "" && g.names(n, f.subjects[p]) })
		if i < 0 {
			rest = append(rest, p)
			continue
		}
		relaxed = append(relaxed, Relaxed{Waiver: WaiverKey(control, named[i]), Reason: byResource[named[i]], Problem: p})
	}
	return rest, relaxed
}

// names reports whether a waiver's resource (a name or a URN) names subject, the resource a
// problem is about: the resource itself, or a component it belongs to.
func (g *Graph) names(named, subject string) bool {
	if named == subject {
		return true
	}
	byURN := map[string]Resource{}
	for _, r := range g.Resources {
		byURN[r.URN] = r
	}
	for _, r := range g.Resources {
		if r.Name != subject {
			continue
		}
		for seen := 0; seen < len(g.Resources); seen++ { // a parent chain is no longer than the graph
			if r.URN == named || r.Name == named {
				return true
			}
			parent, ok := byURN[r.Parent]
			if !ok {
				break
			}
			r = parent
		}
	}
	return false
}

func relaxedReasons(relaxed []Relaxed) string {
	var out []string
	for _, r := range relaxed {
		_, resource := SplitWaiverKey(r.Waiver)
		if s := "for " + resource + ": " + r.Reason; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

func relaxedProblems(relaxed []Relaxed) []string {
	out := make([]string, len(relaxed))
	for i, r := range relaxed {
		out[i] = r.Problem
	}
	return out
}

// Summarize counts results by status.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		switch r.Status {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
		case Waived:
			s.Waived++
		case NotApplicable:
			s.NotApplicable++
		case Unproven:
			s.Unproven++
		case Warn:
			s.Warn++
		}
	}
	return s
}
