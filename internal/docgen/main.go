// Command docgen rewrites the generated sections of the documentation (README.md and docs/*.md)
// from the Go data they describe: the configuration keys (internal/config.Keys), the control
// catalog (baseline.Catalog) and its coverage of the public checks (baseline.PublicChecks,
// baseline.Exceptions), and Aurora's parameter placement. Each section lives in one file.
// A test fails when a committed file differs from what it generates.
//
//go:generate go run . -root ../..
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
)

func main() {
	root := flag.String("root", ".", "the repository, whose README.md and docs/*.md are rewritten")
	flag.Parse()
	docs, err := read(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	updated, err := update(docs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for path, text := range updated {
		if text == docs[path] {
			continue
		}
		if err := os.WriteFile(filepath.Join(*root, path), []byte(text), 0o644); err != nil { //nolint:gosec // documentation is public
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// read returns README.md and docs/*.md by their path in the repository.
func read(root string) (map[string]string, error) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, p := range append([]string{filepath.Join(root, "README.md")}, pages...) {
		b, err := os.ReadFile(p) //nolint:gosec // the repository's own files
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, p)
		docs[rel] = string(b)
	}
	return docs, nil
}

// sections maps a section name to its generator.
var sections = map[string]func() string{
	"aurora-placement": auroraPlacementTable,
	"config":           configTable,
	"controls":         controlsTable,
	"coverage":         coverageTable,
	"exceptions":       exceptionsTable,
}

// update replaces the body of every "<!-- BEGIN generated: X -->" ... "<!-- END generated: X -->",
// each of which must be in exactly one of the files.
func update(docs map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for path, text := range docs {
		out[path] = text
	}
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		begin := "<!-- BEGIN generated: " + name + " -->\n"
		end := "<!-- END generated: " + name + " -->"
		var in []string
		for path, doc := range out {
			if strings.Contains(doc, begin) {
				in = append(in, path)
			}
		}
		if len(in) != 1 {
			slices.Sort(in)
			return nil, fmt.Errorf("section %q: want its markers in one file, found them in %d: %s", name, len(in), strings.Join(in, ", "))
		}
		doc := out[in[0]]
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if j < i {
			return nil, fmt.Errorf("section %q: markers %q and %q not found in order in %s", name, strings.TrimSpace(begin), end, in[0])
		}
		out[in[0]] = doc[:i+len(begin)] + sections[name]() + doc[j:]
	}
	return out, nil
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func auroraPlacementTable() string {
	var b strings.Builder
	b.WriteString("| parameter | hardened value | group | AWS's default there | source |\n|---|---|---|---|---|\n")
	for _, p := range hardenedpg.Baseline {
		placed, ok := baseline.AuroraClusterLevel[p.Name]
		group, def, sources := "cluster", placed.Default, make([]string, len(placed.Sources))
		for i, src := range placed.Sources {
			title, _, _ := strings.Cut(src[strings.LastIndex(src, "/")+1:], ".html")
			sources[i] = "[" + title + "](" + src + ")"
		}
		if !ok {
			group, def = "not documented as cluster-level", "—"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", p.Name, cell(p.Value), group, cell(def), list(sources))
	}
	return b.String()
}

func configTable() string {
	var b strings.Builder
	b.WriteString("| key | type | default | accepted | sets (`DatabaseArgs`) |\n|---|---|---|---|---|\n")
	for _, k := range config.Keys {
		field := "—"
		if k.Field != "" {
			field = "`" + k.Field + "`"
			if k.Inverted {
				field += " (inverted)"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", k.Name, cell(k.Type()), cell(k.Default), cell(k.Accepted), field)
	}
	return b.String()
}

func controlsTable() string {
	var b strings.Builder
	b.WriteString("| key | control | severity | waivable | Security Hub | Prowler | Checkov | CIS | other |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range baseline.Catalog {
		waivable := "no"
		if c.Waivable {
			waivable = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.Key, cell(c.Title), c.Severity, waivable,
			list(c.Refs.SecurityHub), list(c.Refs.Prowler), list(c.Refs.Checkov), list(c.Refs.CIS), otherRefs(c.Refs))
	}
	return b.String()
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "—"
	}
	return strings.Join(ids, ", ")
}

// otherRefs are the refs of the tools without a column of their own: "cdk-nag: X; awsguard: Y".
func otherRefs(r baseline.Refs) string {
	var parts []string
	for _, tool := range baseline.Tools {
		if ids := r.Of(tool.Key); len(ids) > 0 && !slices.Contains([]string{"securityHub", "prowler", "checkov", "cis"}, tool.Key) {
			parts = append(parts, tool.Name+": "+strings.Join(ids, ", "))
		}
	}
	return list(parts)
}

func coverageTable() string {
	var b strings.Builder
	b.WriteString("| tool | applicable checks | covered by a control | exceptions |\n|---|---|---|---|\n")
	for _, cov := range baseline.CoverageOf(baseline.Catalog) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", cov.Tool.Name, cov.Applicable, cov.Covered, cov.Exception)
	}
	return b.String()
}

func exceptionsTable() string {
	var b strings.Builder
	b.WriteString("| check | IDs | why no control covers it |\n|---|---|---|\n")
	for _, e := range baseline.Exceptions {
		var ids []string
		for _, tool := range baseline.Tools {
			if got := e.Checks.Of(tool.Key); len(got) > 0 {
				ids = append(ids, tool.Name+" "+strings.Join(got, ", "))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(e.Topic), cell(strings.Join(ids, "; ")), cell(e.Reason))
	}
	return b.String()
}
