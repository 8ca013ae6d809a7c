// Package repo holds the tests of the repository itself: what git tracks and ignores.
package repo
