package baseline

import (
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:generate go run ../internal/pgtest/gensettings -out pgsettings

// Apply methods of an RDS parameter.
const (
	ApplyImmediate     = "immediate"
	ApplyPendingReboot = "pending-reboot"
)

// EngineParameter is one parameter of PostgreSQL, as its pg_settings says.
type EngineParameter struct {
	Name    string
	Context string // postmaster, sighup, superuser, user, internal, ...
	Type    string // bool, integer, real, string, enum
	Unit    string
	Min     string
	Max     string
	Enum    []string
	// Default is the engine's boot value, in the parameter's base unit.
	Default string
	// Source says where the entry comes from: the engine's pg_settings or AWS's documentation.
	Source string
}

// ApplyMethod is how RDS applies a change: a postmaster parameter only at reboot.
func (p EngineParameter) ApplyMethod() string {
	if p.Context == "postmaster" {
		return ApplyPendingReboot
	}
	return ApplyImmediate
}

// Settable reports whether a parameter group may set the parameter (internal ones are read-only).
func (p EngineParameter) Settable() bool { return p.Context != "internal" }

// rdsParameters are parameters that exist only on RDS, or come from a library the tables are not
// read with (pgAudit), with the context their documentation gives:
//   - rds.*: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html
//     (rds.force_ssl: PostgreSQL.Concepts.General.SSL.Requiring.html; rds.accepted_password_auth_method:
//     PostgreSQL_Password_Encryption_configuration.html; rds.logical_replication and
//     rds.rds_superuser_reserved_connections are static there);
//   - pgaudit.*: https://github.com/pgaudit/pgaudit README, every setting superuser (PGC_SUSET).
var rdsParameters = []EngineParameter{
	{Name: "rds.force_ssl", Context: "sighup", Type: "bool", Default: "1"}, // 0 before 15: RDSDefaultParameters
	{Name: "rds.accepted_password_auth_method", Context: "sighup", Type: "enum", Enum: []string{"md5+scram", "scram"}, Default: "md5+scram"},
	{Name: "rds.logical_replication", Context: "postmaster", Type: "bool", Default: "0"},
	{Name: "rds.rds_superuser_reserved_connections", Context: "postmaster", Type: "integer", Default: "2"},
	{Name: "rds.log_retention_period", Context: "sighup", Type: "integer", Default: "4320"},
	{Name: "rds.restrict_password_commands", Context: "postmaster", Type: "bool", Default: "0"},
	{Name: "pgaudit.log", Context: "superuser", Type: "string", Default: "none"},
	{Name: "pgaudit.log_catalog", Context: "superuser", Type: "bool", Default: "on"},
	{Name: "pgaudit.log_client", Context: "superuser", Type: "bool", Default: "off"},
	{Name: "pgaudit.log_level", Context: "superuser", Type: "enum", Default: "log"},
	{Name: "pgaudit.log_parameter", Context: "superuser", Type: "bool", Default: "off"},
	{Name: "pgaudit.log_parameter_max_size", Context: "superuser", Type: "integer", Default: "0"},
	{Name: "pgaudit.log_relation", Context: "superuser", Type: "bool", Default: "off"},
	{Name: "pgaudit.log_rows", Context: "superuser", Type: "bool", Default: "off"},
	{Name: "pgaudit.log_statement", Context: "superuser", Type: "bool", Default: "on"},
	{Name: "pgaudit.log_statement_once", Context: "superuser", Type: "bool", Default: "off"},
	{Name: "pgaudit.role", Context: "superuser", Type: "string", Default: ""},
}

//go:embed pgsettings/*.tsv pgsettings/keywords.txt
var pgsettings embed.FS

// KeywordsMajor is the major whose reserved keywords are in pgsettings/keywords.txt: the newest,
// which reserves the most.
const KeywordsMajor = "18"

var reservedKeywords = sync.OnceValue(func() map[string]bool {
	raw, err := pgsettings.ReadFile("pgsettings/keywords.txt")
	if err != nil {
		panic("baseline: no pgsettings/keywords.txt: run go generate ./baseline")
	}
	words := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			words[line] = true
		}
	}
	return words
})

// ReservedKeyword reports whether PostgreSQL reserves word (user, current_user, table, ...).
func ReservedKeyword(word string) bool { return reservedKeywords()[strings.ToLower(word)] }

var engineTables = sync.OnceValue(func() map[string]map[string]EngineParameter {
	tables := map[string]map[string]EngineParameter{}
	for _, major := range SupportedMajorVersions {
		raw, err := pgsettings.ReadFile("pgsettings/" + major + ".tsv")
		if err != nil {
			panic(fmt.Sprintf("baseline: no pg_settings table of PostgreSQL %s: run go generate ./baseline", major))
		}
		t := map[string]EngineParameter{}
		for _, line := range strings.Split(string(raw), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) != 8 {
				panic(fmt.Sprintf("baseline: pgsettings/%s.tsv: malformed line %q", major, line))
			}
			p := EngineParameter{Name: f[0], Context: f[1], Type: f[2], Unit: f[3], Min: f[4], Max: f[5], Default: f[7], Source: "pg_settings of PostgreSQL " + major}
			if f[6] != "" {
				p.Enum = strings.Split(f[6], ",")
			}
			t[p.Name] = p
		}
		for _, p := range rdsParameters {
			p.Source = "AWS documentation"
			t[p.Name] = p
		}
		tables[major] = t
	}
	return tables
})

// EngineParameterFor returns a parameter of a supported major: the engine's own entry, or the
// documented one of an RDS-only parameter.
func EngineParameterFor(major, name string) (EngineParameter, bool) {
	p, ok := engineTables()[major][name]
	return p, ok
}

// RDSDefaultParameters are the values of RDS's default parameter group of a family
// (default.postgresNN) that differ from the engine's boot values and from rdsParameters'
// defaults: what an instance runs where its group does not set a parameter, or when it has no
// group of its own.
//   - rds.force_ssl is 1 from PostgreSQL 15, 0 before:
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.Requiring.html
//   - shared_preload_libraries is pg_stat_statements:
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.pg_stat_statements.html
//   - rds.accepted_password_auth_method (md5+scram) and password_encryption (scram-sha-256 from
//     14) are the defaults of rdsParameters and of the engine; see
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL_Password_Encryption_configuration.html
func RDSDefaultParameters(major string) map[string]string {
	forceSSL := "1"
	if MajorNumber(major) < 15 {
		forceSSL = "0"
	}
	return map[string]string{"rds.force_ssl": forceSSL, "shared_preload_libraries": "pg_stat_statements"}
}

// DefaultValue is the value an instance of major runs when its parameter group does not set name.
func DefaultValue(major, name string) (string, bool) {
	if v, ok := RDSDefaultParameters(major)[name]; ok {
		return v, true
	}
	p, ok := EngineParameterFor(major, name)
	return p.Default, ok
}

// MajorNumber is a major as a number, 0 when it is not one.
func MajorNumber(major string) int {
	n := 0
	for _, c := range major {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
