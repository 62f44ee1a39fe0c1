// Command babelgate is an object-storage gateway that speaks the S3 dialect
// (and, as they land, OSS, OBS and Glacier) on one endpoint over a
// configured backend.
//
// Usage:
//
//	babelgate [serve] [--config FILE] [--listen ADDR] [--data DIR]
//	          [--access-key AK --secret-key SK] [--domain NAME]...
//	babelgate check-config FILE
//	babelgate version
//
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

	_ "github.com/babelgate/babelgate/backends/fs"
	_ "github.com/babelgate/babelgate/backends/oss"
	_ "github.com/babelgate/babelgate/backends/s3"
	"github.com/babelgate/babelgate/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCommand(ctx, args, stdout, stderr)
	case "check-config":
		err = checkConfig(args, stdout)
	case "version":
		fmt.Fprintln(stdout, "babelgate", version)
	case "help", "-h", "--help":
		usage(stdout)
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
	fmt.Fprint(w, `usage:
  babelgate [serve] [--config FILE] [--listen ADDR] [--data DIR] [--access-key AK --secret-key SK] [--domain NAME]...
  babelgate check-config FILE
  babelgate version
`)
}

func checkConfig(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("check-config takes one file")
	}
	cfg, err := config.Load(args[0])
	if err != nil {
		return err
	}
	if _, err := registeredOptions(cfg); err != nil {
		return err
	}
	if _, err := openBackends(context.Background(), cfg, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%d users, %d backends)\n", args[0], len(cfg.Users), len(cfg.Backends))
	return nil
}
