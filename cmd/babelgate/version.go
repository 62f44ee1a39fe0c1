package main

import (
	"cmp"
	"fmt"
	"path/filepath"
	"runtime/debug"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3". When empty, the module version Go
// stamped into the binary is used ("(devel)" for a plain build).
var version string

// buildInfo is what the binary knows about its own build.
type buildInfo struct {
	Version string
	// Commit is the VCS revision the binary was built from, "" if unknown
	// (go run, or a build outside a checkout); Modified reports
	// uncommitted changes in that checkout.
	Commit   string
	Modified bool
}

// readBuildInfo returns the version and commit from the build info Go
// embeds (runtime/debug.ReadBuildInfo: vcs.revision, vcs.modified).
func readBuildInfo() buildInfo {
	b := buildInfo{Version: version}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "unknown"
		}
		return b
	}
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the version line: "babelgate VERSION commit REV[ (modified)]".
func (b buildInfo) String() string {
	commit := b.Commit
	if commit == "" {
		commit = "unknown"
	} else if b.Modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("babelgate %s commit %s", b.Version, commit)
}

// buildAttrs are the version and commit as log attributes.
func buildAttrs() []any {
	b := readBuildInfo()
	return []any{"version", b.Version, "commit", b.Commit, "modified", b.Modified}
}

// startupAttrs are the start-up event's attributes: the URL served, the
// mode (development, with its data directory, or config, with its file),
// the version and the commit.
func startupAttrs(f serveFlags, url string) []any {
	mode := []any{"mode", "config", "config", f.config}
	if f.config == "" {
		data, _ := filepath.Abs(cmp.Or(f.data, "data"))
		mode = []any{"mode", "development", "data", data}
	}
	return append(append([]any{"url", url}, mode...), buildAttrs()...)
}
