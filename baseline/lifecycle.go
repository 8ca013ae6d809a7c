package baseline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// StandardSupportEnds is the day RDS ends standard support of each PostgreSQL major. The release
// calendars (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html)
// end each major in the February five years after its community release, for RDS and Aurora
// alike (12 ended on 2025-02-28, AWS's "Upgrade strategies ... PostgreSQL 12"); the rows below follow
// that rule and were not each read off the calendar: check a new major's row against it.
var StandardSupportEnds = map[string]string{
	"14": "2027-02-28",
	"15": "2028-02-29",
	"16": "2029-02-28",
	"17": "2030-02-28",
	"18": "2031-02-28",
}

// SupportWarningMonths is how long before the end of standard support rds-supported-engine warns:
// time to test an upgrade and run it in a maintenance window before Extended Support charges.
const SupportWarningMonths = 6

// MajorUpgradeTargets are the majors an in-place upgrade of each major may go to, from "Choosing
// a major version for an RDS for PostgreSQL upgrade"
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html,
// the ValidUpgradeTarget of each version) and its Aurora counterpart: every later major through 17.
// The table as read here ended at 17; 17 → 18 is allowed as the next major RDS offers. Upgrades
// to 18 from older majors are refused until the table is read for them: go through 17.
var MajorUpgradeTargets = map[string][]string{
	"14": {"15", "16", "17"},
	"15": {"16", "17"},
	"16": {"17"},
	"17": {"18"},
}

// UpgradeTargets are the majors engine's major from may be upgraded to in place (none for a
// target the engine does not offer: Aurora stops at 17).
func UpgradeTargets(engine, from string) []string {
	offered := SupportedMajorVersions
	if engine == AuroraEngine {
		offered = AuroraMajorVersions
	}
	var out []string
	for _, t := range MajorUpgradeTargets[from] {
		if slices.Contains(offered, t) {
			out = append(out, t)
		}
	}
	return out
}

// supportWarning says when a major's standard support ends within SupportWarningMonths of today
// ("" when it does not, or the major is unknown).
func supportWarning(major string, today time.Time) string {
	end, err := time.Parse(time.DateOnly, StandardSupportEnds[major])
	if err != nil {
		return ""
	}
	if today.AddDate(0, SupportWarningMonths, 0).Before(end) {
		return ""
	}
	days := int(end.Sub(today.Truncate(24*time.Hour)).Hours() / 24)
	return fmt.Sprintf("standard support of PostgreSQL %s ends on %s (%d days from %s); upgrade to %s before RDS Extended Support charges begin",
		major, end.Format(time.DateOnly), days, today.Format(time.DateOnly), strings.Join(MajorUpgradeTargets[major], " or "))
}
