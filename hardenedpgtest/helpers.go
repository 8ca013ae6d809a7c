package hardenedpgtest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Failing are the keys of the scorecard's failing rows, in the scorecard's order: what a test
// asserts empty, or equal to the weaknesses it expects.
func Failing(scorecard []baseline.Result) []string {
	var keys []string
	for _, r := range scorecard {
		if r.Status == baseline.Fail {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

// Names are the logical names of the recorded resources of a type, sorted.
func (m *Monitor) Names(typ string) []string {
	var names []string
	for _, r := range m.ByType(typ) {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	return names
}

// PolicyStatement is one statement of an IAM policy document, with every field AWS lets be a
// string or a list decoded as a list.
type PolicyStatement struct {
	Sid       string
	Effect    string
	Principal map[string][]string
	Action    []string
	NotAction []string
	Resource  []string
	Condition map[string]map[string][]string
}

// Policy decodes the IAM policy document in input key of the resource typ/name (a role policy's
// "policy", a role's "assumeRolePolicy", a key's "policy").
func (m *Monitor) Policy(typ, name, key string) ([]PolicyStatement, error) {
	r, ok := m.Named(typ, name)
	if !ok {
		return nil, fmt.Errorf("hardenedpgtest: no %s named %s", typ, name)
	}
	text, ok := r.Inputs[key].(string)
	if !ok {
		return nil, fmt.Errorf("hardenedpgtest: %s %s: input %s is %T, not a policy document", typ, name, key, r.Inputs[key])
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("hardenedpgtest: %s %s: input %s: %w", typ, name, key, err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(doc.Statement, &raw); err != nil {
		var one map[string]any
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, fmt.Errorf("hardenedpgtest: %s %s: input %s: Statement is neither a statement nor a list of them", typ, name, key)
		}
		raw = []map[string]any{one}
	}
	out := make([]PolicyStatement, len(raw))
	for i, st := range raw {
		s := PolicyStatement{Action: baseline.Strings(st["Action"]), NotAction: baseline.Strings(st["NotAction"]), Resource: baseline.Strings(st["Resource"])}
		s.Sid, _ = st["Sid"].(string)
		s.Effect, _ = st["Effect"].(string)
		switch p := st["Principal"].(type) {
		case string:
			s.Principal = map[string][]string{"*": {p}}
		case map[string]any:
			s.Principal = map[string][]string{}
			for k, v := range p {
				s.Principal[k] = baseline.Strings(v)
			}
		}
		if c, ok := st["Condition"].(map[string]any); ok {
			s.Condition = map[string]map[string][]string{}
			for op, keys := range c {
				s.Condition[op] = map[string][]string{}
				km, _ := keys.(map[string]any)
				for k, v := range km {
					s.Condition[op][k] = baseline.Strings(v)
				}
			}
		}
		out[i] = s
	}
	return out, nil
}
