package hardenedpg

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// FieldError is one invalid Args field: its path, the value given and what is accepted.
type FieldError struct {
	// Field is the path of the field from the Args, with an index or key where it is an
	// element: Network.SubnetIDs[1], Alerts.CPUPercent.
	Field string
	Value any
	// Problem says what is wrong and what is accepted. Other fields it names are paths in braces,
	// {Instance.AllocatedStorageGB}, so that a caller can name them its own way (the stack's
	// config names its keys); Error prints them bare.
	Problem string
}

func (e FieldError) Error() string {
	return fmt.Sprintf("%s = %s: %s", e.Field, formatValue(e.Value), e.Describe(func(path string) string { return path }))
}

// Describe is Problem with each field it names written as name(path).
func (e FieldError) Describe(name func(path string) string) string {
	return fieldReference.ReplaceAllStringFunc(e.Problem, func(ref string) string { return name(ref[1 : len(ref)-1]) })
}

// fieldReference is a field named in a Problem: {Path}.
var fieldReference = regexp.MustCompile(`\{([A-Z][A-Za-z0-9]*(?:\[\d+\])?(?:\.[A-Z][A-Za-z0-9]*(?:\[\d+\])?)*)\}`)

// FieldReferences are the paths of the fields a Problem names.
func (e FieldError) FieldReferences() []string {
	var paths []string
	for _, m := range fieldReference.FindAllStringSubmatch(e.Problem, -1) {
		paths = append(paths, m[1])
	}
	return paths
}

// formatValue renders strings and lists as JSON, as they are written in a stack config.
func formatValue(v any) string {
	switch v.(type) {
	case string, []string:
		// Without HTML escaping: a value is shown as written ("R&D", not "R\u0026D").
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return strings.TrimSuffix(b.String(), "\n")
	default:
		return fmt.Sprintf("%v", v)
	}
}

// ValidationError lists every invalid field of one Args value.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = e.Error()
	}
	return "invalid arguments:\n  " + strings.Join(lines, "\n  ")
}

// problems collects FieldErrors while an Args value is checked.
type problems []FieldError

// nest adds the problems of a group of settings under the group's path: the field CPUPercent of
// the group Alerts is Alerts.CPUPercent, in the field and where a problem names it.
func (p *problems) nest(group string, child problems) {
	for _, e := range child {
		if e.Problem != waiverUsed { // its field is the control key
			e.Field = group + "." + e.Field
		}
		e.Problem = fieldReference.ReplaceAllString(e.Problem, "{"+group+".$1}")
		*p = append(*p, e)
	}
}

func (p *problems) add(field string, value any, format string, a ...any) {
	*p = append(*p, FieldError{Field: field, Value: value, Problem: fmt.Sprintf(format, a...)})
}

// relax records a problem when a field relaxes a control that is not waived.
//
// control must be a waivable control of the catalog: anything else is a bug here, not bad input.
func (p *problems) relax(w baseline.Waivers, control, field string, value any, hardened string) {
	if c, ok := baseline.Lookup(control); !ok || !c.Waivable {
		panic(fmt.Sprintf("hardenedpg: %s relaxes %q, which is not a waivable control of the catalog", field, control))
	}
	if w.Has(control) {
		*p = append(*p, FieldError{Field: control, Problem: waiverUsed}) // see unusedWaivers
		return
	}
	p.add(field, value, "relaxes control %s (hardened: %s); set it back or add a waiver for %s with the reason", control, hardened, control)
}

// relaxAll is relax for one setting that relaxes several controls: one problem names those that
// are not waived.
func (p *problems) relaxAll(w baseline.Waivers, controls []string, field string, value any, hardened string) {
	var open []string
	for _, c := range controls {
		if w.Has(c) {
			p.relax(w, c, field, value, hardened) // marks the waiver used
		} else {
			open = append(open, c)
		}
	}
	switch len(open) {
	case 0:
	case 1:
		p.relax(w, open[0], field, value, hardened)
	default:
		list := strings.Join(open, ", ")
		p.add(field, value, "relaxes controls %s (hardened: %s); set it back or add waivers for %s with the reason", list, hardened, list)
	}
}

// waiverUsed marks, among the problems, a control whose waiver a relaxation used; err drops it.
const waiverUsed = "\x00waiver used"

// unusedWaivers reports each waiver no relaxation of these arguments used: it would silently
// excuse a failure the arguments do not cause, and stay when the relaxation is gone.
func (p *problems) unusedWaivers(w baseline.Waivers) {
	used := map[string]bool{}
	for _, wp := range w.Problems() {
		used[wp.Key] = true // reported as it is
	}
	for _, e := range *p {
		if e.Problem == waiverUsed {
			used[e.Field] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(w)) {
		if c, ok := baseline.Lookup(k); ok && c.Waivable && !used[k] {
			p.add(fmt.Sprintf("Waivers[%q]", k), w[k], "nothing here relaxes control %s: remove the waiver (a waiver stands for a relaxation that is made)", k)
		}
	}
}

func (p problems) err() error {
	real := slices.DeleteFunc(slices.Clone(p), func(e FieldError) bool { return e.Problem == waiverUsed })
	if len(real) == 0 {
		return nil
	}
	return ValidationError(real)
}

// waiverProblems turns baseline's waiver check into field errors.
func waiverProblems(w baseline.Waivers) problems {
	var p problems
	reported := map[string]bool{}
	for _, fe := range w.Problems() {
		p.add(fmt.Sprintf("Waivers[%q]", fe.Key), fe.Reason, "%s", fe.Problem)
		reported[fe.Key] = true
	}
	for _, k := range slices.Sorted(maps.Keys(w)) {
		if control, resource := baseline.SplitWaiverKey(k); resource != "" && !reported[k] {
			p.add(fmt.Sprintf("Waivers[%q]", k), w[k], "a component's waivers cover only its own resources already: waive %s alone here; a waiver of one resource (%s) is for the scorecard, the policy pack and the live audit", control, k)
		}
	}
	return p
}

// refuseSkip reports a Skip setting given to a component itself: only a Database reads it, and
// a component made by hand is skipped by not making it.
func refuseSkip(p *problems, skip bool, component string) {
	if skip {
		p.add("Skip", true, "only a Database reads it; to have no %s, do not create one", component)
	}
}
