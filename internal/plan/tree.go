package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// WriteTree prints the resources as a tree under their parents, each custom resource with its
// inputs on one line each; a policy document is summarised by its statements.
func WriteTree(w io.Writer, r *Result) {
	children := map[string][]hardenedpgtest.Resource{}
	known := map[string]bool{}
	for _, res := range r.Resources {
		known[res.URN] = true
	}
	var roots []hardenedpgtest.Resource
	sorted := append([]hardenedpgtest.Resource(nil), r.Resources...)
	// Registration order varies between runs (resources register concurrently); the tree must not.
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].URN < sorted[j].URN })
	for _, res := range sorted {
		if known[res.Parent] {
			children[res.Parent] = append(children[res.Parent], res)
		} else {
			roots = append(roots, res)
		}
	}
	fmt.Fprintf(w, "%s/%s: %d resources\n", r.Config.Project, r.Config.Stack, len(r.Resources))
	var walk func(res hardenedpgtest.Resource, depth int)
	walk = func(res hardenedpgtest.Resource, depth int) {
		indent := strings.Repeat("  ", depth)
		var flags []string
		if res.Protect {
			flags = append(flags, "protected")
		}
		if res.RetainOnDelete {
			flags = append(flags, "retained on delete")
		}
		suffix := ""
		if len(flags) > 0 {
			suffix = " [" + strings.Join(flags, ", ") + "]"
		}
		fmt.Fprintf(w, "%s%s %s%s\n", indent, res.Type, res.Name, suffix)
		if res.Custom {
			keys := make([]string, 0, len(res.Inputs))
			for k := range res.Inputs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "%s    %s: %s\n", indent, k, summarise(res.Inputs[k]))
			}
		}
		for _, c := range children[res.URN] {
			walk(c, depth+1)
		}
	}
	for _, res := range roots {
		walk(res, 0)
	}
	if len(r.Outputs) > 0 {
		fmt.Fprintln(w, "outputs:")
		keys := make([]string, 0, len(r.Outputs))
		for k := range r.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, summarise(r.Outputs[k]))
		}
	}
}

func summarise(v any) string {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "{") {
		var doc struct {
			Statement []struct {
				Sid    string
				Action []string
			}
		}
		if json.Unmarshal([]byte(s), &doc) == nil && len(doc.Statement) > 0 {
			parts := make([]string, len(doc.Statement))
			for i, st := range doc.Statement {
				parts[i] = fmt.Sprintf("%s %v", st.Sid, st.Action)
			}
			return "policy " + strings.Join(parts, "; ")
		}
	}
	if params, ok := v.([]any); ok && len(params) > 0 {
		if _, isObj := params[0].(map[string]any); isObj {
			lines := make([]string, len(params))
			for i, p := range params {
				b, _ := json.Marshal(p)
				lines[i] = string(b)
			}
			return "[" + strings.Join(lines, ", ") + "]"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
