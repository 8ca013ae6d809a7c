package hardenedpg

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// FieldError is one invalid Args field: its name, the value given and what is accepted.
type FieldError struct {
	Field   string // Go field name, with an index or key where it is an element: SubnetIds[1]
	Value   any
	Problem string // what is wrong and what is accepted
}

func (e FieldError) Error() string {
	return fmt.Sprintf("%s = %s: %s", e.Field, formatValue(e.Value), e.Problem)
}

// formatValue renders strings and lists as JSON, as they are written in a stack config.
func formatValue(v any) string {
	switch v.(type) {
	case string, []string:
		b, _ := json.Marshal(v)
		return string(b)
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

func (p *problems) add(field string, value any, format string, a ...any) {
	*p = append(*p, FieldError{Field: field, Value: value, Problem: fmt.Sprintf(format, a...)})
}

// relax records a problem when a field relaxes a control that is not waived.
func (p *problems) relax(w baseline.Waivers, control, field string, value any, hardened string) {
	if w.Has(control) {
		return
	}
	p.add(field, value, "relaxes control %s (hardened: %s); set it back or add a waiver for %s with the reason", control, hardened, control)
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return ValidationError(p)
}

// waiverProblems turns baseline's waiver check into field errors.
func waiverProblems(w baseline.Waivers) problems {
	var p problems
	for _, fe := range w.Problems() {
		p.add(fmt.Sprintf("Waivers[%q]", fe.Key), fe.Reason, "%s", fe.Problem)
	}
	return p
}
