package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// SARIF is what code scanning reads (GitHub, and the tools that write it: checkov, trivy, KICS):
// version 2.1.0, one rule per control of the catalog, one result per control that fails, is
// waived or is unproven, each pointing at the stack's config file.

// sarifLevel is a failing control's level by its severity; securitySeverity is the score GitHub
// code scanning sorts security results by ("security-severity", 0.0 to 10.0).
var (
	sarifLevel       = map[baseline.Severity]string{baseline.Critical: "error", baseline.High: "error", baseline.Medium: "warning", baseline.Low: "note"}
	securitySeverity = map[baseline.Severity]string{baseline.Critical: "9.5", baseline.High: "8.0", baseline.Medium: "5.5", baseline.Low: "3.0"}
)

// WriteSARIF prints r as a SARIF 2.1.0 log. configFile is the stack's config file as the
// repository names it, and configText its content: a waived control's result points at the
// line of its waiver.
func WriteSARIF(w io.Writer, r *Result, configFile string, configText []byte) error {
	rules := make([]any, 0, len(baseline.Catalog))
	index := map[string]int{}
	for i, c := range baseline.Catalog {
		index[c.Key] = i
		var tags []string
		for _, tool := range baseline.Tools {
			for _, id := range c.Refs.Of(tool.Key) {
				tags = append(tags, tool.Name+" "+id)
			}
		}
		rules = append(rules, map[string]any{
			"id":                   c.Key,
			"name":                 ruleName(c.Key),
			"shortDescription":     map[string]any{"text": c.Title},
			"defaultConfiguration": map[string]any{"level": sarifLevel[c.Severity]},
			"properties":           map[string]any{"tags": append([]string{"security"}, tags...), "security-severity": securitySeverity[c.Severity], "waivable": c.Waivable},
		})
	}
	results := []any{}
	for _, c := range r.Controls {
		control, _ := baseline.Lookup(c.Key)
		result := map[string]any{
			"ruleId":    c.Key,
			"ruleIndex": index[c.Key],
			"message":   map[string]any{"text": c.Title + ": " + c.Detail},
			"locations": []any{location(configFile, lineOf(configText, c))},
		}
		switch c.Status {
		case baseline.Fail:
			result["kind"], result["level"] = "fail", sarifLevel[control.Severity]
		case baseline.Waived:
			result["kind"], result["level"] = "fail", sarifLevel[control.Severity]
			result["suppressions"] = []any{map[string]any{"kind": "external", "status": "accepted", "justification": c.Waiver}}
		case baseline.Unproven:
			// Not a weakness found: evidence missing. SARIF gives such a result level none.
			result["kind"], result["level"] = "review", "none"
		default:
			continue
		}
		results = append(results, result)
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "hardenedpg",
				"informationUri": "https://github.com/hardenedpg/pulumi-hardenedpg",
				"rules":          rules,
			}},
			"automationDetails": map[string]any{"id": "hardenedpg/" + r.Config.Stack + "/"},
			"results":           results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func location(file string, line int) map[string]any {
	return map[string]any{"physicalLocation": map[string]any{
		"artifactLocation": map[string]any{"uri": file},
		"region":           map[string]any{"startLine": line},
	}}
}

// ruleName is a control key in the PascalCase SARIF suggests for rule names: rds-not-public is
// RdsNotPublic.
func ruleName(key string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(key, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// lineOf is the line of the config that a result points at: a waived control's waiver entry
// under hardenedpg:waivers, else the file's first line (the config as a whole).
func lineOf(text []byte, c baseline.Result) int {
	if c.Status != baseline.Waived {
		return 1
	}
	inWaivers := false
	entry := regexp.MustCompile(fmt.Sprintf(`^\s+["']?%s["']?\s*:`, regexp.QuoteMeta(c.Key)))
	for i, line := range strings.Split(string(text), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "hardenedpg:waivers:"):
			inWaivers = true
		case inWaivers && entry.MatchString(line):
			return i + 1
		}
	}
	return 1
}
