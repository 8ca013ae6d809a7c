package baseline

import (
	"slices"
	"strconv"
	"strings"
)

// ParameterRule is what an engine parameter must hold for its control to pass. The values
// hardenedpg sets live in hardenedpg.Baseline; the rule they are checked against lives here, so
// the components and the scorecard judge a value the same way.
type ParameterRule struct {
	Name    string
	Control string
	// Rule says in words which values pass.
	Rule    string
	accepts func(value string) bool
	// ApplyMethod, when set, is the only apply method that works (static parameters).
	ApplyMethod string
}

// Accepts reports whether value keeps the rule's control passing.
func (r ParameterRule) Accepts(value string) bool { return r.accepts(value) }

// ParameterRules are the engine parameters the pg-* controls read.
var ParameterRules = []ParameterRule{
	{Name: "rds.force_ssl", Control: "pg-force-ssl", Rule: "1", accepts: oneOf("1")},
	{Name: "ssl_min_protocol_version", Control: "pg-tls-min", Rule: "TLSv1.2 or TLSv1.3", accepts: oneOf("TLSv1.2", "TLSv1.3")},
	{Name: "password_encryption", Control: "pg-scram", Rule: "scram-sha-256", accepts: oneOf("scram-sha-256")},
	{Name: "log_connections", Control: "pg-connection-logging", Rule: "1 (on)", accepts: isOn},
	{Name: "log_disconnections", Control: "pg-connection-logging", Rule: "1 (on)", accepts: isOn},
	// log_statement writes CREATE/ALTER ROLE ... PASSWORD '...' to the log verbatim; pgAudit
	// logs the same DDL and ROLE statements with the password redacted (both seen on a real
	// PostgreSQL 15 by internal/pgtest), so statement logging is left to pgAudit.
	{Name: "log_statement", Control: "pg-log-redaction", Rule: "none (pgAudit logs DDL and ROLE statements, passwords redacted)", accepts: oneOf("none")},
	{Name: "log_min_duration_statement", Control: "pg-statement-logging", Rule: "a duration in ms, 0 or more (-1 turns it off)", accepts: nonNegativeInt},
	{Name: "shared_preload_libraries", Control: "pg-audit", Rule: "a list that includes pgaudit", accepts: listIncludes("pgaudit"), ApplyMethod: "pending-reboot"},
	{Name: "pgaudit.log", Control: "pg-audit", Rule: "classes including ddl and role (or all), none excluded with -", accepts: auditsDDLAndRole},
	{Name: "pgaudit.role", Control: "pg-audit", Rule: "a role name (rds_pgaudit)", accepts: func(v string) bool { return strings.TrimSpace(v) != "" }},
}

// ParameterRuleFor returns the rule of a parameter name.
func ParameterRuleFor(name string) (ParameterRule, bool) {
	for _, r := range ParameterRules {
		if r.Name == name {
			return r, true
		}
	}
	return ParameterRule{}, false
}

func oneOf(values ...string) func(string) bool {
	return func(v string) bool { return slices.Contains(values, v) }
}

func isOn(v string) bool { return oneOf("1", "on", "true")(strings.ToLower(v)) }

func nonNegativeInt(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= 0
}

func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.ToLower(strings.TrimSpace(item)); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func listIncludes(want string) func(string) bool {
	return func(v string) bool { return slices.Contains(splitList(v), want) }
}

func auditsDDLAndRole(v string) bool {
	classes := splitList(v)
	if slices.Contains(classes, "-ddl") || slices.Contains(classes, "-role") {
		return false
	}
	return slices.Contains(classes, "all") || (slices.Contains(classes, "ddl") && slices.Contains(classes, "role"))
}
