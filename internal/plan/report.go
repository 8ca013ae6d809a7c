package plan

import (
	_ "embed"
	"html/template"
	"io"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

//go:embed report.html.tmpl
var reportTemplate string

var report = template.Must(template.New("report").Parse(reportTemplate))

// reportControl is a control as a requirement's row shows it: its detail only where it is not
// a pass, which the row's status already says.
type reportControl struct {
	baseline.Result
	Shown bool
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

// WriteReport writes the plan as one self-contained HTML page an auditor reads: per framework its
// requirements, the controls behind each with their status, waiver reasons and resources, a
// chart of the share met (inline SVG), then every control and the controls no framework asks
// for. It loads nothing: no script, no style sheet, no font, no image from elsewhere.
func WriteReport(w io.Writer, r *Result) error {
	byKey := map[string]baseline.Result{}
	for _, c := range r.Controls {
		byKey[c.Key] = c
	}
	data := struct {
		Project, Stack, ProvenAtPreview string
		Summary                         baseline.Summary
		Controls                        []baseline.Result
		Frameworks                      []reportFramework
		Exceptions                      []reportException
		ChartHeight                     int
	}{Project: r.Config.Project, Stack: r.Config.Stack, Summary: r.Summary, Controls: r.Controls}
	if r.Preview {
		data.ProvenAtPreview = ProvenAtPreview(r.Summary)
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
				c := byKey[key]
				rr.Controls = append(rr.Controls, reportControl{Result: c, Shown: c.Status != baseline.Pass && c.Status != baseline.NotApplicable})
			}
			rf.Requirements = append(rf.Requirements, rr)
		}
		data.Frameworks = append(data.Frameworks, rf)
	}
	data.ChartHeight = 8 + 26*len(data.Frameworks)
	for _, c := range r.Controls {
		if reason, ok := baseline.FrameworkExceptions[c.Key]; ok {
			data.Exceptions = append(data.Exceptions, reportException{Key: c.Key, Reason: reason, Status: c.Status})
		}
	}
	return report.Execute(w, data)
}
