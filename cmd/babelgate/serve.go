package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// serveFlags are the command-line overrides of serve.
type serveFlags struct {
	config, listen, data, accessKey, secretKey string
	metricsListen                              string
	domains                                    listFlag
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", "", "YAML config file (default: development mode on ./data)")
	fs.StringVar(&f.listen, "listen", "", "listen address, host:port (overrides server.listen)")
	fs.StringVar(&f.data, "data", "", "serve one fs backend rooted at DIR (overrides backends)")
	fs.StringVar(&f.accessKey, "access-key", "", "serve one user with this access key and every bucket (overrides users)")
	fs.StringVar(&f.secretKey, "secret-key", "", "the secret key of --access-key")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "admin listener for /metrics, /healthz, /readyz, host:port (overrides server.metrics_listen)")
	fs.Var(&f.domains, "domain", "virtual-host base domain (repeatable; overrides server.domains)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if (f.accessKey == "") != (f.secretKey == "") {
		return f, errors.New("--access-key and --secret-key go together")
	}
	return f, nil
}

// loadServeConfig builds the effective config: the file (or development
// defaults) with the flags applied, validated.
func loadServeConfig(f serveFlags, stdout io.Writer) (*config.Config, error) {
	var cfg *config.Config
	if f.config != "" {
		c, err := config.Load(f.config)
		if err != nil {
			return nil, err
		}
		cfg = c
		if f.data != "" {
			cfg.Backends = []config.Backend{config.FSBackend("local", f.data)}
			cfg.DefaultBackend = "local"
		}
	} else {
		data := f.data
		if data == "" {
			data = "data"
		}
		id, err := devIdentity(data)
		if err != nil {
			return nil, err
		}
		ak, sk := id.AccessKey, id.SecretKey
		if f.accessKey != "" {
			ak, sk = f.accessKey, f.secretKey
		}
		cfg = config.Dev(data, ak, sk, id.UploadIDSecret)
		if f.accessKey == "" {
			abs, _ := filepath.Abs(data)
			fmt.Fprintf(stdout, "babelgate development mode: fs backend at %s\n", abs)
			fmt.Fprintf(stdout, "  access key: %s\n  secret key: %s\n", ak, sk)
		}
	}
	if f.accessKey != "" {
		cfg.Users = []config.User{{AccessKey: f.accessKey, SecretKey: f.secretKey,
			Buckets: []config.Grant{{Name: "*", Access: config.AccessReadWrite}}}}
	}
	if f.listen != "" {
		cfg.Server.Listen = f.listen
	}
	if f.metricsListen != "" {
		cfg.Server.MetricsListen = f.metricsListen
	}
	if len(f.domains) > 0 {
		cfg.Server.Domains = nil
		for _, d := range f.domains {
			cfg.Server.Domains = append(cfg.Server.Domains, strings.ToLower(d))
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// openBackends opens every configured backend through the registry. With
// open false it only decodes and validates the options (check-config).
func openBackends(ctx context.Context, cfg *config.Config, open bool) (map[string]translate.Backend, error) {
	out := map[string]translate.Backend{}
	var errs []error
	for i := range cfg.Backends {
		bc := &cfg.Backends[i]
		info, err := backends.Lookup(bc.Type)
		if err != nil {
			errs = append(errs, bc.Errorf("type", "%v", err))
			continue
		}
		opts := info.NewOptions()
		if err := bc.DecodeOptions(opts); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := backends.ValidateOptions(opts); err != nil {
			errs = append(errs, optionErrors(bc, err)...)
			continue
		}
		if !open {
			continue
		}
		b, err := info.New(ctx, bc.Name, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("backend %q: %w", bc.Name, err))
			continue
		}
		out[bc.Name] = b
	}
	return out, errors.Join(errs...)
}

// optionErrors places a backend's option problems (backends.OptionError,
// possibly joined) at their lines in the config file.
func optionErrors(bc *config.Backend, err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, optionErrors(bc, e)...)
		}
		return out
	}
	var oe *backends.OptionError
	if errors.As(err, &oe) {
		return []error{bc.Errorf("options."+oe.Option, "%s", oe.Msg)}
	}
	return []error{bc.Errorf("options", "%v", err)}
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flagOut := stderr
	if wantsHelp(args) {
		flagOut = stdout // asked for: help is output, not an error
	}
	f, err := parseServeFlags(args, flagOut)
	if err != nil {
		return err
	}
	cfg, err := loadServeConfig(f, stdout)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, stderr)
	slog.SetDefault(logger) // backends log through the default logger
	bs, err := openBackends(ctx, cfg, true)
	defer func() {
		for name, b := range bs {
			if c, ok := b.(io.Closer); ok {
				if err := c.Close(); err != nil {
					logger.Warn("closing backend", "backend", name, "error", err)
				}
			}
		}
	}()
	if err != nil {
		return err
	}
	bs = instrumentBackends(bs)
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: bs, Default: cfg.DefaultBackend,
		Routes: cfg.TranslateRoutes(), UploadIDSecret: []byte(cfg.Server.UploadIDSecret),
		Anonymous: cfg.TranslateAnonymous(), SettingsTTL: cfg.Server.BucketSettingsTTL.Duration})
	if err != nil {
		return err
	}
	creds := dialects.NewSwappableCredentials(credentialsOf(cfg))
	stopReload := newReloader(f, cfg, logger, creds, engine).watch(ctx) // SIGHUP: reload.go
	defer stopReload()
	fronts, domains, err := buildRegistered(cfg, dialectEnv{cfg: cfg, engine: engine, creds: creds})
	if err != nil {
		return err
	}
	pipeline := &dialects.Pipeline{
		Detector:   dialects.NewDetector(dialects.DetectConfig{Dialects: fronts, Domains: domains}),
		Addressing: dialects.Addressing{Domains: cfg.AllDomains()},
		Logger:     logger,
		Access:     engine,

		BodyReadTimeout: cfg.Server.BodyReadTimeout.Duration, MaxInflight: cfg.Server.MaxInflight,
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	adm, err := startAdmin(cfg, bs, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer adm.Close()
	scheme := "http"
	if cfg.Server.TLS.Enabled() {
		scheme = "https"
	}
	logger.Info("babelgate listening", startupAttrs(f, scheme+"://"+ln.Addr().String())...)
	return dialects.Serve(ctx, ln, dialects.NewEcho(pipeline), dialects.ServerOptions{
		TLSCert: cfg.Server.TLS.Cert, TLSKey: cfg.Server.TLS.Key,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout.Duration, IdleTimeout: cfg.Server.IdleTimeout.Duration,
		ShutdownTimeout: cfg.Server.ShutdownTimeout.Duration, Logger: logger, OnDrain: adm.Draining})
}
