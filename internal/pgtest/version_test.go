package pgtest

import "testing"

func TestVersionAtLeast(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    bool
	}{{"5.2.1", true}, {"5.2", true}, {"5.10.0", true}, {"6.0.0", true}, {"5.1.1", false}, {"4.9", false}, {"5", false}, {"5.2.0.dev3", true}} {
		if got := versionAtLeast(tc.version, MotoMinimum); got != tc.want {
			t.Errorf("versionAtLeast(%q, %q) = %v, want %v", tc.version, MotoMinimum, got, tc.want)
		}
	}
}
