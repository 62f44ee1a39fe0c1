// Command babelgate is an object-storage gateway that speaks the S3 dialect
// (and, as they land, OSS, OBS and Glacier) on one endpoint over a
// configured backend.
//
// Usage:
//
//	babelgate [serve] [--config FILE] [--listen ADDR] [--data DIR]
//	          [--access-key AK --secret-key SK] [--domain NAME]...
//	babelgate check-config [--connect] FILE
//	babelgate version
//	babelgate help [COMMAND]
//
// SIGHUP reloads users, grants and routes from the config file (reload.go).
// With no --config, babelgate serves the fs backend under ./data on
// 127.0.0.1:9000 with a development credential that it creates once, keeps
// in the data directory and prints at start-up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/babelgate/babelgate/backends"
	_ "github.com/babelgate/babelgate/backends/azure"
	_ "github.com/babelgate/babelgate/backends/fs"
	_ "github.com/babelgate/babelgate/backends/oss"
	_ "github.com/babelgate/babelgate/backends/s3"
	"github.com/babelgate/babelgate/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			cmd, args = "help", args[1:]
		case "-version", "--version":
			cmd, args = "version", args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				cmd, args = args[0], args[1:]
			}
		}
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCommand(ctx, args, stdout, stderr)
	case "check-config":
		err = checkConfig(ctx, args, stdout, stderr)
	case "migrate":
		err = migrateCommand(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, readBuildInfo())
	case "help":
		err = help(args, stdout, stderr)
	default:
		usage(stderr)
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "babelgate:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `babelgate is an object-storage gateway: S3, OSS and OBS on one endpoint.

Usage:
  babelgate [serve] [flags]                  serve (development mode on ./data without --config)
  babelgate check-config [--connect] FILE    validate a config file; --connect also reaches each backend
  babelgate migrate --config FILE [flags]    copy, verify or dry-run the migrating routes (from:/to:)
  babelgate version                          print the version and commit (also --version)
  babelgate help [COMMAND]                   this help, or a command's (also --help)

Run "babelgate help serve" for serve's flags. SIGHUP reloads users, grants
and routes from --config; SIGINT and SIGTERM drain and stop.
`)
}

// help prints the usage, or one command's help.
func help(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stdout)
		return nil
	}
	switch args[0] {
	case "serve":
		return serveCommand(context.Background(), []string{"--help"}, stdout, stderr)
	case "check-config":
		return checkConfig(context.Background(), []string{"--help"}, stdout, stderr)
	case "migrate":
		return migrateCommand(context.Background(), []string{"--help"}, stdout, stderr)
	case "version", "help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

// wantsHelp reports whether args ask for help (-h, -help or --help before
// a "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// connectTimeout bounds check-config --connect's call to each backend.
const connectTimeout = 30 * time.Second

// checkConfig validates a config file as serve would (strict decoding,
// every backend's options and their own checks) without serving; with
// --connect it also opens each backend and makes one cheap call to it
// (backends.Probe, as /readyz), reporting each backend on its own line.
func checkConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	connect := fs.Bool("connect", false, "also open each backend and make one cheap call to it (as /readyz does), reporting each")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: babelgate check-config [--connect] FILE

Validates FILE as serve would (strict YAML, every value, each backend's
options: an fs root that can be created, store credentials, endpoint URLs)
and exits 0 if it is valid, else prints each problem with its line and
exits 1.

`)
		fs.PrintDefaults()
	}
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	}
	fs.SetOutput(stderr)
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return errors.New("check-config takes one file")
	}
	file := files[0]
	cfg, err := config.Load(file)
	if err != nil {
		return err
	}
	if _, err := registeredOptions(cfg); err != nil {
		return err
	}
	if _, err := openBackends(ctx, cfg, false); err != nil {
		return err
	}
	if *connect {
		if failed := connectBackends(ctx, cfg, stdout); failed > 0 {
			return fmt.Errorf("%s: %d of %d backends could not be reached", file, failed, len(cfg.Backends))
		}
	}
	fmt.Fprintf(stdout, "%s: ok (%d users, %d backends)\n", file, len(cfg.Users), len(cfg.Backends))
	return nil
}

// connectBackends opens each backend of cfg, probes it as /readyz does
// (backends.Probe: the backend's own cheap call, else ListBuckets), prints
// one line per backend, closes them, and returns how many failed.
func connectBackends(ctx context.Context, cfg *config.Config, stdout io.Writer) (failed int) {
	for i := range cfg.Backends {
		bc := &cfg.Backends[i]
		one := &config.Config{Backends: []config.Backend{*bc}}
		start := time.Now()
		bs, err := openBackends(ctx, one, true)
		if b := bs[bc.Name]; err == nil && b != nil {
			cctx, cancel := context.WithTimeout(ctx, connectTimeout)
			err = backends.Probe(cctx, b)
			cancel()
			if err == nil {
				fmt.Fprintf(stdout, "backend %s (%s): ok, %v\n", bc.Name, bc.Type, time.Since(start).Round(time.Millisecond))
			}
		}
		for _, b := range bs {
			if c, ok := b.(io.Closer); ok {
				c.Close()
			}
		}
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "backend %s (%s): FAILED: %v\n", bc.Name, bc.Type, err)
		}
	}
	return failed
}
