//go:build !race

package fuzz

// raceEnabled reports whether the tests run under the race detector,
// which makes every large copy tens of times slower.
const raceEnabled = false
