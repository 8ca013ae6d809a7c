package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// chromium is Debian's headless browser, which make test-deps installs; CI has it, and a
// machine without it is told how to get it.
func chromium(t *testing.T) string {
	t.Helper()
	testenv.SkipWhenShort(t, "chromium (a headless browser)")
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed, and CI runs every test: make test-deps installs it (%v)", err)
		}
		t.Skipf("chromium is not installed: make test-deps installs it (%v)", err)
	}
	return path
}

// artifactDir is where a test keeps what a person looks at afterwards: $HARDENEDPG_ARTIFACTS, or
// hardenedpg-artifacts in the temporary directory.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("HARDENEDPG_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "hardenedpg-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o750))
	return dir
}

var frameworkTotal = regexp.MustCompile(`<tr class="framework-total" data-framework="([a-z0-9]+)">\s*<td>[^<]*</td><td class="met">(\d+)</td><td class="applicable">(\d+)</td>`)

// The report as a browser renders it: the per-framework totals read back from the page equal
// the JSON's, the page loads nothing from elsewhere, and a screenshot is kept.
func TestTheReportRendersTheJSONsTotals(t *testing.T) {
	browser := chromium(t)
	page := filepath.Join(t.TempDir(), "r.html")
	var out, errOut bytes.Buffer
	require.Equal(t, exitOK, run([]string{"-stack", "prod", "-dir", "../..", "-json", "-report", page}, &out, &errOut), errOut.String())
	var doc plan.Document
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	want := map[string][2]int{}
	for _, f := range doc.Frameworks {
		met, applicable := f.PassRate()
		want[f.Key] = [2]int{met, applicable}
	}
	require.Len(t, want, len(baseline.Frameworks))

	html, err := os.ReadFile(page) //nolint:gosec // the test's own file
	require.NoError(t, err)
	for _, loads := range []string{"<script", "<link", "src=", "href=", "url(", "@import"} {
		assert.NotContains(t, string(html), loads, "the page loads nothing from elsewhere")
	}

	dom, err := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://"+page).Output() //nolint:gosec // the test's own page
	require.NoError(t, err)
	got := map[string][2]int{}
	for _, m := range frameworkTotal.FindAllStringSubmatch(string(dom), -1) {
		met, _ := strconv.Atoi(m[2])
		applicable, _ := strconv.Atoi(m[3])
		got[m[1]] = [2]int{met, applicable}
	}
	assert.Equal(t, want, got, "the totals the browser shows are the JSON's")
	assert.Equal(t, [2]int{21, 21}, got["hipaa"], "prod meets every applicable HIPAA requirement")

	shot := filepath.Join(artifactDir(t), "report-prod.png")
	require.NoError(t, exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1400", "--screenshot="+shot, "file://"+page).Run()) //nolint:gosec // the test's own page
	png, err := os.ReadFile(shot)                                                                                                                                                        //nolint:gosec // written just above
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
	assert.Greater(t, len(png), 20_000, "a page, not a blank")
	t.Logf("screenshot: %s (%d bytes); page: %d bytes", shot, len(png), len(html))
}
