package repo

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxTrackedBytes is the size above which a tracked file is taken for a build output or data that
// belongs elsewhere: every clone downloads it.
const maxTrackedBytes = 2 << 20

// binaryMagic are the first bytes of the executables Go builds (ELF, Mach-O, PE) and of WebAssembly.
var binaryMagic = [][]byte{{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}, {'M', 'Z'}, {0x00, 'a', 's', 'm'}}

func git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", top(t)}, args...)...).Output()
	require.NoError(t, err, "git %s", strings.Join(args, " "))
	return string(out)
}

func top(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	require.NoError(t, err)
	return dir
}

// trackedFiles lists what git tracks with its mode (100644, 100755, 120000 for links).
func trackedFiles(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, "ls-files", "-s")), "\n") {
		meta, name, _ := strings.Cut(line, "\t")
		out[name] = strings.Fields(meta)[0]
	}
	return out
}

// No tracked file is a built binary or over 2 MB, and only scripts are executable.
func TestNoBinariesAreTracked(t *testing.T) {
	for name, mode := range trackedFiles(t) {
		full := filepath.Join(top(t), name)
		info, err := os.Lstat(full)
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		require.NoError(t, err)
		assert.LessOrEqual(t, info.Size(), int64(maxTrackedBytes), "%s is %d bytes: a build output? keep tracked files under 2 MB", name, info.Size())
		if mode == "120000" {
			continue
		}
		head := make([]byte, 4)
		f, err := os.Open(full)
		require.NoError(t, err)
		n, _ := f.Read(head)
		_ = f.Close()
		head = head[:n]
		for _, magic := range binaryMagic {
			assert.False(t, bytes.HasPrefix(head, magic), "%s is an executable or object file: build outputs are not tracked", name)
		}
		if mode == "100755" {
			assert.True(t, bytes.HasPrefix(head, []byte("#!")), "%s is executable but not a script", name)
		}
	}
}

var packageMain = regexp.MustCompile(`(?m)^package main\b`)

// The binary `go build` leaves in each main package's folder, in every module of the repository,
// is ignored: a build in the wrong folder cannot be committed by accident.
func TestBuildOutputsAreIgnored(t *testing.T) {
	files := trackedFiles(t)
	modules := map[string]string{} // folder -> module path
	for name := range files {
		if path.Base(name) != "go.mod" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(top(t), name))
		require.NoError(t, err)
		if m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(src); m != nil {
			modules[path.Dir(name)] = string(m[1])
		}
	}
	outputs := map[string]bool{}
	for name := range files {
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(top(t), name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		if !packageMain.Match(src) || bytes.Contains(src, []byte("//go:build ignore")) {
			continue
		}
		dir := path.Dir(name)
		binary := path.Base(dir)
		if mod, ok := modules[dir]; ok {
			binary = path.Base(mod) // a module's root package is named after the module path
		}
		outputs[path.Join(dir, binary)] = true
	}
	require.Contains(t, outputs, "cmd/plan/plan", "the main packages were found")
	for out := range outputs {
		cmd := exec.Command("git", "-C", top(t), "check-ignore", "-q", "--no-index", out)
		assert.NoError(t, cmd.Run(), "%s (what go build leaves there) is not ignored: add it to .gitignore", out)
	}
}
