package audit

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
)

// ReadOnlyPolicy is the IAM policy the audit needs: the actions of Calls, on any resource, and
// nothing else (TestThePolicyAllowsEveryCallAndNoWrite).
//
//go:embed readonly-policy.json
var ReadOnlyPolicy []byte

// Project is the document's project: the account and region, which a live database belongs to
// as a plan's resources belong to a stack.
func (r *Report) Project() string { return r.Account + "/" + r.Region }

// Result is a database's audit in the shape the plan's printers take.
func (r *Report) Result(d Database) *plan.Result {
	return &plan.Result{Config: &plan.StackConfig{Project: r.Project(), Stack: d.Identifier}, Graph: d.Graph, Controls: d.Controls, Summary: d.Summary,
		Outputs: d.outputs(r)}
}

// outputs say where the database was read and what could not be read, where a plan's document
// has the stack's outputs.
func (d Database) outputs(r *Report) map[string]any {
	failures := make([]any, 0, len(d.Failures))
	for _, f := range append(r.Failures, d.Failures...) {
		failures = append(failures, map[string]any{"action": f.Action, "target": f.Target, "error": f.Error, "denied": f.Denied})
	}
	return map[string]any{"account": r.Account, "region": r.Region, "identifier": d.Identifier, "unread": failures}
}

// WriteJSON prints one plan document per database, as a JSON array: the schema of bin/plan -json.
func (r *Report) WriteJSON(w io.Writer) error { return (&Fleet{Reports: []*Report{r}}).WriteJSON(w) }

// WriteScorecards prints each database's scorecard, as bin/plan prints a stack's, and the calls
// that could not be read.
func (r *Report) WriteScorecards(w io.Writer) {
	if len(r.Databases) == 0 {
		fmt.Fprintf(w, "%s: no RDS for PostgreSQL instance or Aurora PostgreSQL cluster found\n", r.Project())
	}
	for i, d := range r.Databases {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "== %s/%s\n", r.Project(), d.Identifier)
		plan.WriteScorecard(w, r.Result(d))
		for _, f := range d.Failures {
			fmt.Fprintf(w, "NOT READ %s\n", f)
		}
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "NOT READ %s\n", f)
	}
}

// Fails counts the failing controls of every database.
func (r *Report) Fails() int {
	n := 0
	for _, d := range r.Databases {
		n += d.Summary.Fail
	}
	return n
}

// Unread lists every failed call.
func (r *Report) Unread() []Failure {
	out := append([]Failure{}, r.Failures...)
	for _, d := range r.Databases {
		out = append(out, d.Failures...)
	}
	return out
}

// WriteJSON prints one plan document per database of every report, as one JSON array.
func (f *Fleet) WriteJSON(w io.Writer) error {
	docs := []json.RawMessage{}
	for _, r := range f.Reports {
		for _, d := range r.Databases {
			var b strings.Builder
			if err := plan.WriteJSON(&b, r.Result(d)); err != nil {
				return err
			}
			docs = append(docs, json.RawMessage(b.String()))
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(docs)
}

// WriteScorecards prints every report's scorecards, then what could not be read at all.
func (f *Fleet) WriteScorecards(w io.Writer) {
	for i, r := range f.Reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		r.WriteScorecards(w)
	}
	for _, ff := range f.Failures {
		fmt.Fprintf(w, "NOT READ %s\n", ff)
	}
}

// Fails counts the failing controls of every database of every report.
func (f *Fleet) Fails() int {
	n := 0
	for _, r := range f.Reports {
		n += r.Fails()
	}
	return n
}

// Denied lists, once per action, the calls AWS refused for lack of permission.
func (f *Fleet) Denied() []Failure {
	var out []Failure
	all := []Failure{}
	for _, ff := range f.Failures {
		all = append(all, ff.Failure)
	}
	for _, r := range f.Reports {
		all = append(all, r.Denied()...)
	}
	for _, x := range all {
		if x.Denied && !slices.ContainsFunc(out, func(o Failure) bool { return o.Action == x.Action }) {
			out = append(out, x)
		}
	}
	return out
}
