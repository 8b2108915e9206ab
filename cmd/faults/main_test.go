package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Environment variables that tune the suite.
const (
	// envScale multiplies the flood's volume: 1 is 1,000 jobs.
	envScale = "ANKLET_FAULTS_SCALE"
	// envRace builds the programs with the race detector when "1".
	envRace = "ANKLET_FAULTS_RACE"
)

// defaultScale runs the full flood: 1,000 jobs take about 85 s on two
// cores, most of it spent starting fake anka processes.
const defaultScale = 1.0

// Paths of the built programs, set by TestMain.
var (
	ankletBin   string
	receiverBin string
	repoRoot    string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	repoRoot = root
	dir, err := os.MkdirTemp("", "anklet-faults-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	if err := buildPrograms(dir); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	return m.Run()
}

// buildPrograms builds anklet and anklet-receiver into dir.
func buildPrograms(dir string) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceBuild || os.Getenv(envRace) == "1" {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/anklet", "./cmd/anklet-receiver")
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	ankletBin = filepath.Join(dir, "anklet")
	receiverBin = filepath.Join(dir, "anklet-receiver")
	return nil
}

// scale is the flood's volume factor from ANKLET_FAULTS_SCALE.
func scale(t *testing.T) float64 {
	v := os.Getenv(envScale)
	if v == "" {
		return defaultScale
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		t.Fatalf("%s=%q: want a positive number", envScale, v)
	}
	return f
}
