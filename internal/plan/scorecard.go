package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// WriteScorecard prints one row per control (status, key, references, detail) and a summary.
func WriteScorecard(w io.Writer, r *Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCONTROL\tREFERENCES\tDETAIL")
	for _, c := range r.Controls {
		detail := c.Detail
		if c.Status == baseline.Waived {
			detail = fmt.Sprintf("waived: %s (found: %s)", c.Waiver, c.Detail)
		} else if len(c.Relaxed) > 0 {
			detail += " (" + relaxedNote(c.Relaxed) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", strings.ToUpper(string(c.Status)), c.Key, refs(c.Refs), printable(detail))
	}
	_ = tw.Flush()
	s := r.Summary
	unproven := ""
	if s.Unproven > 0 {
		unproven = fmt.Sprintf(", %d unproven", s.Unproven)
	}
	if s.Warn > 0 {
		unproven += fmt.Sprintf(", %d warn", s.Warn)
	}
	fmt.Fprintf(w, "\n%s/%s: %d pass, %d fail, %d waived, %d not applicable%s\n", r.Config.Project, r.Config.Stack, s.Pass, s.Fail, s.Waived, s.NotApplicable, unproven)
	if r.Preview {
		fmt.Fprintln(w, ProvenAtPreview(s))
	}
}

// relaxedNote says what waivers of one resource relaxed in a row judged on the rest.
func relaxedNote(relaxed []baseline.Relaxed) string {
	var out []string
	for _, r := range relaxed {
		_, resource := baseline.SplitWaiverKey(r.Waiver)
		out = append(out, fmt.Sprintf("waived for %s: %s (found: %s)", resource, r.Reason, r.Problem))
	}
	return strings.Join(out, "; ")
}

// ProvenAtPreview says how many of the applicable controls a first preview proves: passed,
// failed or waived on what it knows, rather than unproven until apply.
func ProvenAtPreview(s baseline.Summary) string {
	applicable := s.Pass + s.Fail + s.Waived + s.Unproven + s.Warn
	return fmt.Sprintf("proven at preview: %d of %d applicable", applicable-s.Unproven, applicable)
}

// printable escapes what could forge or hide a row of the table: line breaks, terminal escapes,
// tabs (the column separator) and invisible format characters (bidi overrides, zero-width).
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func refs(r baseline.Refs) string {
	var parts []string
	for _, group := range [][]string{r.SecurityHub, r.Prowler, r.Checkov, r.CIS} {
		parts = append(parts, group...)
	}
	if len(parts) == 0 {
		return "-"
	}
	// Prowler check names are long; the JSON has them all, the table the short IDs.
	short := parts[:0]
	for _, p := range parts {
		if !strings.Contains(p, "_") || strings.HasPrefix(p, "CKV") {
			short = append(short, p)
		}
	}
	if len(short) == 0 {
		return "-"
	}
	// A control citing many checks (every port-specific ingress check, say) would widen the
	// column for all rows: the table shows what fits and counts the rest (the JSON has them all).
	const width = 32
	line := short[0]
	for i, p := range short[1:] {
		if len(line)+1+len(p) > width {
			return line + fmt.Sprintf(" +%d", len(short)-1-i)
		}
		line += " " + p
	}
	return line
}

// Document is the -json output.
type Document struct {
	Project   string              `json:"project"`
	Stack     string              `json:"stack"`
	Resources []baseline.Resource `json:"resources"`
	Outputs   map[string]any      `json:"outputs"`
	Controls  []baseline.Result   `json:"controls"`
	Summary   baseline.Summary    `json:"summary"`
	// ProvenAtPreview, in a first preview's plan (-preview), says how many applicable controls it
	// proves.
	ProvenAtPreview string `json:"provenAtPreview,omitempty"`
	// Frameworks judges each compliance framework's requirements on the controls.
	Frameworks []baseline.FrameworkResult `json:"frameworks"`
}

// WriteJSON prints the plan as one JSON document, resources sorted by URN.
func WriteJSON(w io.Writer, r *Result) error {
	doc := Document{Project: r.Config.Project, Stack: r.Config.Stack, Outputs: r.Outputs, Controls: r.Controls, Summary: r.Summary,
		Frameworks: baseline.JudgeFrameworks(r.Controls)}
	if r.Preview {
		doc.ProvenAtPreview = ProvenAtPreview(r.Summary)
	}
	doc.Resources = append(doc.Resources, r.Graph.Resources...)
	for i := range doc.Resources {
		if doc.Resources[i].DependsOn == nil {
			doc.Resources[i].DependsOn = []string{}
		}
		if doc.Resources[i].Aliases == nil {
			doc.Resources[i].Aliases = []string{}
		}
	}
	sort.Slice(doc.Resources, func(i, j int) bool { return doc.Resources[i].URN < doc.Resources[j].URN })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// ControlChange is a control whose status differs between a base plan and this one: a new
// control has no base status, a removed one no status.
type ControlChange struct {
	Key, Title   string
	Base, Status baseline.Status
	Detail       string
}

// CompareControls lists, in catalog order, the controls whose status differs from base's, the
// controls base did not have and those it had that are gone.
func CompareControls(base, head []baseline.Result) []ControlChange {
	before := map[string]baseline.Result{}
	for _, r := range base {
		before[r.Key] = r
	}
	var out []ControlChange
	for _, r := range head {
		b, ok := before[r.Key]
		delete(before, r.Key)
		if ok && b.Status == r.Status {
			continue
		}
		detail := r.Detail
		if r.Status == baseline.Waived {
			detail = "waived: " + r.Waiver
		}
		out = append(out, ControlChange{Key: r.Key, Title: r.Title, Base: b.Status, Status: r.Status, Detail: detail})
	}
	for _, r := range base {
		if _, gone := before[r.Key]; gone {
			out = append(out, ControlChange{Key: r.Key, Title: r.Title, Base: r.Status})
		}
	}
	return out
}

// WriteControlChanges prints the changes as the Markdown a pull request comment shows.
func WriteControlChanges(w io.Writer, stack string, changes []ControlChange) {
	if len(changes) == 0 {
		fmt.Fprintf(w, "**Controls:** no control of `%s` changes its status against the base branch.\n", stack)
		return
	}
	fmt.Fprintf(w, "**Controls that change against the base branch** (`%s`):\n\n| control | base | this change | detail |\n|---|---|---|---|\n", stack)
	cell := func(s string) string { return strings.ReplaceAll(printable(s), "|", `\|`) }
	for _, c := range changes {
		base, now := strings.ToUpper(string(c.Base)), strings.ToUpper(string(c.Status))
		if c.Base == "" {
			base = "(new)"
		}
		if c.Status == "" {
			now = "(removed)"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", c.Key, base, now, cell(c.Detail))
	}
}
