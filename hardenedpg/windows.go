package hardenedpg

import (
	"slices"
	"strconv"
	"strings"
)

// RDS's rules for the two windows, from the CreateDBInstance API reference
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html):
// PreferredBackupWindow "must be at least 30 minutes" and "must not conflict with the preferred
// maintenance window"; PreferredMaintenanceWindow is at least 30 minutes. Both are UTC.
const (
	minWindowMinutes = 30
	minutesPerDay    = 24 * 60
	minutesPerWeek   = 7 * minutesPerDay
)

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// clockMinutes reads hh:mm as minutes after midnight.
func clockMinutes(hhmm string) int {
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[3:])
	return h*60 + m
}

// dailyWindow reads hh:mm-hh:mm (already matched by windowPattern) as a start and a length in
// minutes; a window may run past midnight.
func dailyWindow(w string) (start, length int) {
	from, to, _ := strings.Cut(w, "-")
	start = clockMinutes(from)
	return start, (clockMinutes(to) - start + minutesPerDay) % minutesPerDay
}

// weeklyWindow reads ddd:hh:mm-ddd:hh:mm (matched by maintenancePattern) as minutes of the week.
func weeklyWindow(w string) (start, length int) {
	from, to, _ := strings.Cut(w, "-")
	at := func(s string) int { return slices.Index(weekdays, s[:3])*minutesPerDay + clockMinutes(s[4:]) }
	start = at(from)
	return start, (at(to) - start + minutesPerWeek) % minutesPerWeek
}

// overlaps reports whether the daily backup window meets the weekly maintenance window on any day.
func overlaps(backup, maintenance string) bool {
	bs, bl := dailyWindow(backup)
	ms, ml := weeklyWindow(maintenance)
	for day := range 7 {
		start := day*minutesPerDay + bs
		// Two intervals on a circle of a week meet when either starts inside the other.
		if (start-ms+minutesPerWeek)%minutesPerWeek < ml || (ms-start+minutesPerWeek)%minutesPerWeek < bl {
			return true
		}
	}
	return false
}

// validPerformanceInsightsRetention: 7, 731, or a month count of 1-23 times 31
// (PerformanceInsightsRetentionPeriod in the same API reference).
func validPerformanceInsightsRetention(days int) bool {
	return days == 7 || days == 731 || (days >= 31 && days <= 23*31 && days%31 == 0)
}
