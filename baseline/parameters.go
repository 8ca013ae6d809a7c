package baseline

import (
	"slices"
	"strconv"
	"strings"
)

// ParameterRule is what an engine parameter must hold for its control to pass. The values
// hardenedpg sets live in hardenedpg.Baseline; the rule they are checked against lives here, so
// the components and the scorecard judge a value the same way. A parameter a group does not set
// is judged on its default (DefaultValue): an override of any parameter that can silence the
// log or write statements to it is caught, whether or not the baseline sets it.
type ParameterRule struct {
	Name    string
	Control string
	// Rule says in words which values pass.
	Rule    string
	accepts func(value string) bool
}

// Accepts reports whether value keeps the rule's control passing, read as PostgreSQL reads it
// (case-insensitive enums and booleans, surrounding blanks ignored).
func (r ParameterRule) Accepts(value string) bool { return r.accepts(strings.TrimSpace(value)) }

// logLevels are PostgreSQL's message levels in the order log_min_messages reads them: a message
// reaches the server log when its level is at or after the setting (LOG sits between ERROR and
// FATAL there). Connection lines and pgAudit's lines are LOG.
var logLevels = []string{"debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic"}

// ParameterRules are the engine parameters the pg-* controls read.
var ParameterRules = []ParameterRule{
	{Name: "rds.force_ssl", Control: "pg-force-ssl", Rule: "1", accepts: isOn},
	{Name: "ssl_min_protocol_version", Control: "pg-tls-min", Rule: "TLSv1.2 or TLSv1.3", accepts: oneOf("tlsv1.2", "tlsv1.3")},
	{Name: "ssl_ciphers", Control: "pg-tls-min", Rule: "an OpenSSL cipher list that enables no NULL, anonymous, export, RC4, DES, 3DES, MD5 or LOW cipher (ALL enables them)", accepts: strongCiphers},
	{Name: "password_encryption", Control: "pg-scram", Rule: "scram-sha-256", accepts: oneOf("scram-sha-256")},
	// RDS's own pg_hba rules accept md5 passwords too, unless this is scram:
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL_Password_Encryption_configuration.html
	{Name: "rds.accepted_password_auth_method", Control: "pg-scram", Rule: "scram (md5+scram lets md5-stored passwords sign in)", accepts: oneOf("scram")},
	{Name: "log_connections", Control: "pg-connection-logging", Rule: "1 (on)", accepts: isOn},
	{Name: "log_disconnections", Control: "pg-connection-logging", Rule: "1 (on)", accepts: isOn},
	// Every setting that writes statement text to the log: a CREATE/ALTER ROLE ... PASSWORD
	// 'literal' would be written verbatim (seen on a real server by internal/pgtest); pgAudit logs
	// the same statements with the password redacted.
	{Name: "log_statement", Control: "pg-log-redaction", Rule: "none (pgAudit logs DDL and ROLE statements, passwords redacted)", accepts: oneOf("none")},
	{Name: "log_min_error_statement", Control: "pg-log-redaction", Rule: "panic (any other level echoes a failing statement, password and all)", accepts: oneOf("panic")},
	{Name: "log_min_duration_statement", Control: "pg-log-redaction", Rule: "-1 (a slow statement is logged with its text)", accepts: oneOf("-1")},
	{Name: "log_min_duration_sample", Control: "pg-log-redaction", Rule: "-1 (a sampled slow statement is logged with its text)", accepts: oneOf("-1")},
	{Name: "log_transaction_sample_rate", Control: "pg-log-redaction", Rule: "0 (sampled transactions are logged statement by statement)", accepts: isZero},
	{Name: "auto_explain.log_min_duration", Control: "pg-log-redaction", Rule: "-1 (auto_explain logs the query text with its plan)", accepts: oneOf("-1")},
	{Name: "log_parameter_max_length_on_error", Control: "pg-log-redaction", Rule: "0 (error messages would carry the statement's bind parameters)", accepts: oneOf("0")},
	{Name: "debug_print_parse", Control: "pg-log-redaction", Rule: "0 (parse trees hold the statement's constants)", accepts: isOff},
	{Name: "debug_print_rewritten", Control: "pg-log-redaction", Rule: "0 (rewritten trees hold the statement's constants)", accepts: isOff},
	{Name: "debug_print_plan", Control: "pg-log-redaction", Rule: "0 (plans hold the statement's constants)", accepts: isOff},
	// Slow statements are measured without their text reaching the log (Performance Insights reads it too).
	{Name: "shared_preload_libraries", Control: "pg-statement-logging", Rule: "a list that includes pg_stat_statements", accepts: listIncludes("pg_stat_statements")},
	{Name: "shared_preload_libraries", Control: "pg-audit", Rule: "a list that includes pgaudit", accepts: listIncludes("pgaudit")},
	{Name: "pgaudit.log", Control: "pg-audit", Rule: "classes that leave ddl and role audited, read in order as pgAudit reads them (all adds every class, -class removes one)", accepts: auditsDDLAndRole},
	{Name: "pgaudit.role", Control: "pg-audit", Rule: "a role name (rds_pgaudit)", accepts: func(v string) bool { return v != "" }},
	// pgAudit uses pgaudit.log_level only with log_client on (server-only LOG otherwise); a level
	// below log_min_messages then drops its lines from the server log (seen by internal/pgtest).
	{Name: "pgaudit.log_client", Control: "pg-audit", Rule: "0 (off: audit lines go to the server log only, at LOG)", accepts: isOff},
	{Name: "log_min_messages", Control: "pg-audit", Rule: "log or lower: warning (the default), error, ... (fatal or panic drop pgAudit's and the connection lines)", accepts: atMost(logLevels, "log")},
}

// ParameterRulesFor returns the rules of a parameter name.
func ParameterRulesFor(name string) []ParameterRule {
	var out []ParameterRule
	for _, r := range ParameterRules {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

func oneOf(values ...string) func(string) bool {
	return func(v string) bool { return slices.Contains(values, strings.ToLower(v)) }
}

// isOn and isOff read a boolean as PostgreSQL does (parse_bool: on, off, true, false, yes, no, 1, 0).
func isOn(v string) bool  { return oneOf("1", "on", "true", "yes", "t", "y")(v) }
func isOff(v string) bool { return oneOf("0", "off", "false", "no", "f", "n")(v) }

func isZero(v string) bool {
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f == 0
}

// atMost accepts a level at or before max in levels.
func atMost(levels []string, max string) func(string) bool {
	limit := slices.Index(levels, max)
	return func(v string) bool {
		i := slices.Index(levels, strings.ToLower(v))
		return i >= 0 && i <= limit
	}
}

func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.ToLower(strings.Trim(strings.TrimSpace(item), `"`)); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func listIncludes(want string) func(string) bool {
	return func(v string) bool { return slices.Contains(splitList(v), want) }
}

// weakCipherWords are OpenSSL cipher-string words that enable ciphers without authentication,
// without encryption, or with broken algorithms (openssl-ciphers(1)).
var weakCipherWords = []string{"NULL", "ENULL", "ANULL", "ADH", "AECDH", "ANON", "EXP", "EXPORT", "RC4", "DES", "3DES", "MD5", "LOW", "ALL", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "SSLV3", "IDEA", "SEED", "RC2"}

// strongCiphers reads an OpenSSL cipher list: elements separated by ':', ',' or blanks, each a
// cipher name or words joined by '+'. An element that starts with '!', '-' or '+' removes or
// reorders ciphers; any other enables them, and must name no weak word.
func strongCiphers(v string) bool {
	if v == "" {
		return false
	}
	for _, element := range strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		if strings.ContainsAny(element[:1], "!-+") || strings.HasPrefix(element, "@") {
			continue
		}
		for _, word := range strings.FieldsFunc(strings.ToUpper(element), func(r rune) bool { return r == '+' || r == '-' || r == '_' }) {
			if slices.Contains(weakCipherWords, word) || strings.HasPrefix(word, "EXP") || strings.HasPrefix(word, "DES") || strings.HasPrefix(word, "RC4") || strings.HasSuffix(word, "MD5") {
				return false
			}
		}
	}
	return true
}

// pgAudit's classes as bits, as its check_pgaudit_log reads pgaudit.log: tokens in order, all adds
// every class, -class removes one, none adds nothing, any other token makes the value invalid.
var auditClasses = map[string]int{"read": 1, "write": 2, "function": 4, "role": 8, "ddl": 16, "misc": 32, "misc_set": 64, "none": 0, "all": 127}

func auditsDDLAndRole(v string) bool {
	bits := 0
	for _, token := range strings.Split(v, ",") {
		token = strings.ToLower(strings.Trim(strings.TrimSpace(token), `"`))
		subtract := strings.HasPrefix(token, "-")
		class, ok := auditClasses[strings.TrimPrefix(token, "-")]
		if !ok {
			return false
		}
		if subtract {
			bits &^= class
		} else {
			bits |= class
		}
	}
	want := auditClasses["ddl"] | auditClasses["role"]
	return bits&want == want
}
