package plan

import (
	_ "embed"
	"html/template"
	"io"
	"os"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

//go:embed report.html.tmpl
var reportTemplate string

var report = template.Must(template.New("report").Parse(reportTemplate))

// reportControl is a control as the page shows it: its detail only where it is not a pass or
// not applicable, which the status already says, and its planned status beside a live one.
type reportControl struct {
	baseline.Result
	Shown      bool
	Planned    baseline.Status
	HasPlanned bool
}

type reportRequirement struct {
	ID, Name string
	Status   baseline.Status
	Controls []reportControl
}

type reportFramework struct {
	baseline.FrameworkResult
	Requirements      []reportRequirement
	Met, Applicable   int
	Percent, BarWidth int
	Y                 int
}

type reportException struct {
	Key, Reason string
	Status      baseline.Status
}

type reportStack struct {
	Project, Stack, ProvenAtPreview string
	Summary                         baseline.Summary
	AllControls                     []reportControl
	Frameworks                      []reportFramework
	Exceptions                      []reportException
	ChartHeight                     int
	Planned                         map[string]baseline.Status
}

// ReportStack is one scorecard of the page: a stack's plan, or a database read live, with the
// statuses its plan gives each control when there is one (Planned, by control key).
type ReportStack struct {
	Result  *Result
	Planned map[string]baseline.Status
}

// WriteReport writes the page an auditor reads, for one scorecard or several (a live audit's
// databases): per framework its requirements, the controls behind each with their status,
// waiver reasons and resources, a chart of the share met (inline SVG), then every control and
// the controls no framework asks for. It is one self-contained file: no script, style sheet,
// font or image from elsewhere.
func WriteReport(w io.Writer, title string, stacks ...ReportStack) error {
	data := struct {
		Title  string
		Stacks []reportStack
	}{Title: title}
	for _, s := range stacks {
		data.Stacks = append(data.Stacks, reportStackOf(s))
	}
	return report.Execute(w, data)
}

// WriteReportFile writes the page to the file at path.
func WriteReportFile(path, title string, stacks ...ReportStack) error {
	f, err := os.Create(path) //nolint:gosec // the path the user asked to write
	if err != nil {
		return err
	}
	if err := WriteReport(f, title, stacks...); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func reportStackOf(s ReportStack) reportStack {
	r := s.Result
	control := func(c baseline.Result) reportControl {
		planned, has := s.Planned[c.Key]
		return reportControl{Result: c, Shown: c.Status != baseline.Pass && c.Status != baseline.NotApplicable, Planned: planned, HasPlanned: has}
	}
	byKey := map[string]baseline.Result{}
	out := reportStack{Project: r.Config.Project, Stack: r.Config.Stack, Summary: r.Summary, Planned: s.Planned}
	for _, c := range r.Controls {
		byKey[c.Key] = c
		out.AllControls = append(out.AllControls, control(c))
	}
	if r.Preview {
		out.ProvenAtPreview = ProvenAtPreview(r.Summary)
	}
	for i, f := range baseline.JudgeFrameworks(r.Controls) {
		rf := reportFramework{FrameworkResult: f, Y: 4 + 26*i}
		rf.Met, rf.Applicable = f.PassRate()
		if rf.Applicable > 0 {
			rf.Percent = 100 * rf.Met / rf.Applicable
			rf.BarWidth = 400 * rf.Met / rf.Applicable
		}
		for _, req := range f.Requirements {
			rr := reportRequirement{ID: req.ID, Name: req.Name, Status: req.Status}
			for _, key := range req.Controls {
				rr.Controls = append(rr.Controls, control(byKey[key]))
			}
			rf.Requirements = append(rf.Requirements, rr)
		}
		out.Frameworks = append(out.Frameworks, rf)
	}
	out.ChartHeight = 8 + 26*len(out.Frameworks)
	for _, c := range r.Controls {
		if reason, ok := baseline.FrameworkExceptions[c.Key]; ok {
			out.Exceptions = append(out.Exceptions, reportException{Key: c.Key, Reason: reason, Status: c.Status})
		}
	}
	return out
}
