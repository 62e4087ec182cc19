package main

import (
	"os"
	"testing"
)

func TestZZProf(t *testing.T) {
	f := os.Getenv("ZZFILE")
	if f == "" {
		t.Skip()
	}
	runAll(t, "/tmp/big/b400.db", [][]string{{"calibrate", "--responses", f, "--model", "3pl", "--dry-run", "-q", "--threads", os.Getenv("ZZT")}})
}
