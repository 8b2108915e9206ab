//go:build !race

package faults

// raceBuild is true when this test binary has the race detector: the
// programs under test are then built with it too.
const raceBuild = false
