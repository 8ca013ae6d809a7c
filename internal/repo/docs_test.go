package repo

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README is for users first: short, with the library's code early, and every page of docs/
// one link away.
func TestReadmeStartsWithTheCode(t *testing.T) {
	readme := readFile(t, "README.md")
	lines := strings.Split(readme, "\n")
	assert.LessOrEqual(t, len(lines), 300, "the README stays short: details go to docs/")
	first := -1
	for i, l := range lines {
		if l == "```go" {
			first = i + 1
			break
		}
	}
	require.Positive(t, first, "the README has a Go block")
	assert.LessOrEqual(t, first, 150, "the first Go block is within the first 150 lines")
	t.Logf("README: %d lines, first Go block at line %d", len(lines), first)

	// Its Go blocks are the quickstart example, which make test builds and tests.
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(readme, -1)
	require.GreaterOrEqual(t, len(blocks), 2)
	assert.Equal(t, readFile(t, "examples/quickstart/main.go"), blocks[0][1])
	assert.Equal(t, readFile(t, "examples/quickstart/main_test.go"), blocks[1][1])

	pages, err := filepath.Glob(filepath.Join(top(t), "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	for _, p := range pages {
		assert.Contains(t, readme, "](docs/"+filepath.Base(p)+")", "the README links docs/%s", filepath.Base(p))
	}
}

// Every relative link of the README and of docs/ reaches a file of the repository, and an anchor
// a heading of it.
func TestDocLinksResolve(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(top(t), "docs", "*.md"))
	require.NoError(t, err)
	docs := []string{"README.md"}
	for _, p := range pages {
		docs = append(docs, "docs/"+filepath.Base(p))
	}
	examples, err := filepath.Glob(filepath.Join(top(t), "examples", "*", "README.md"))
	require.NoError(t, err)
	for _, p := range examples {
		docs = append(docs, "examples/"+filepath.Base(filepath.Dir(p))+"/README.md")
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range docs {
		for _, m := range link.FindAllStringSubmatch(withoutCode(readFile(t, doc)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.ToSlash(filepath.Join(filepath.Dir(doc), file))
			}
			info, err := os.Stat(filepath.Join(top(t), path))
			if !assert.NoError(t, err, "%s links %s", doc, target) {
				continue
			}
			if anchor != "" {
				require.False(t, info.IsDir(), "%s links an anchor of a folder: %s", doc, target)
				assert.Contains(t, anchors(readFile(t, path)), anchor, "%s links %s: no such heading", doc, target)
			}
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(top(t), path))
	require.NoError(t, err)
	return string(b)
}

// withoutCode drops fenced blocks, whose brackets are code, not links.
func withoutCode(doc string) string {
	return regexp.MustCompile("(?s)```.*?```").ReplaceAllString(doc, "")
}

// anchors are the heading anchors GitHub makes: lower case, spaces to hyphens, punctuation gone.
func anchors(doc string) []string {
	var out []string
	for _, l := range strings.Split(withoutCode(doc), "\n") {
		if heading, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " "); ok && strings.HasPrefix(l, "#") {
			a := strings.ToLower(heading)
			a = regexp.MustCompile(`[^a-z0-9 _-]`).ReplaceAllString(a, "")
			out = append(out, strings.ReplaceAll(a, " ", "-"))
		}
	}
	return out
}

// Every example has a README, and the README links every example.
func TestEveryExampleHasAReadme(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join(top(t), "examples"))
	require.NoError(t, err)
	readme := readFile(t, "README.md")
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		assert.FileExists(t, filepath.Join(top(t), "examples", d.Name(), "README.md"))
		if d.Name() != "quickstart" { // the README shows it whole
			assert.Contains(t, readme, "](examples/"+d.Name()+")", "the README links examples/%s", d.Name())
		}
	}
}
