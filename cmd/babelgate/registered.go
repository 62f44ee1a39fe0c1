package main

import (
	"errors"
	"fmt"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Every registered dialect (dialects.Register) owns a section under
// dialects: in the config file.
func init() { registerSections() }

// registerSections tells config the section of every registered dialect:
// the standard limits section over its rules, or its own (NewOptions).
// It may be called again after more dialects registered.
func registerSections() {
	for _, p := range dialects.Registered() {
		config.RegisterDialectSection(p.Name, config.DialectSection{Order: p.Order, Rules: p.Rules})
	}
}

// registeredOptions decodes each registered dialect's own config section
// (Plugin.NewOptions; limits sections are decoded by config) into its
// options (defaults first), by dialect name.
func registeredOptions(cfg *config.Config) (map[string]any, error) {
	out := map[string]any{}
	var errs []error
	for _, p := range dialects.Registered() {
		var opts any
		if p.NewOptions != nil {
			opts = p.NewOptions()
			if err := cfg.DecodeDialect(p.Name, opts); err != nil {
				errs = append(errs, err)
				continue
			}
			if c, ok := opts.(dialects.OptionsChecker); ok {
				if field, err := c.Check(); err != nil {
					errs = append(errs, cfg.DialectErrorf(p.Name, field, "%v", err))
					continue
				}
			}
		}
		out[p.Name] = opts
	}
	return out, errors.Join(errs...)
}

// dialectEnv is what every front dialect is built from.
type dialectEnv struct {
	cfg    *config.Config
	engine *translate.Engine
	creds  dialects.Credentials
}

// completeKeepAlive is how every dialect keeps a long
// CompleteMultipartUpload alive: server.complete_keepalive is the grace
// period, the interval the dialects' default. A nil option (a config built
// without defaults) means the dialects' defaults.
func (env dialectEnv) completeKeepAlive() *dialects.KeepAlive {
	ka := env.cfg.Server.CompleteKeepAlive
	if ka == nil {
		return nil
	}
	return &dialects.KeepAlive{Grace: ka.Duration}
}

// dialectDomains returns each registered dialect's own virtual-host
// domains: its section's, and for the fallback dialect (which serves
// requests under server.domains) server.domains first.
func dialectDomains(cfg *config.Config) map[string][]string {
	out := map[string][]string{}
	for _, p := range dialects.Registered() {
		var own []string
		if p.Fallback {
			own = append(own, cfg.Server.Domains...)
		}
		out[p.Name] = append(own, cfg.Dialects.Limits[p.Name].Domains...)
	}
	return out
}

// buildRegistered builds every registered dialect and returns them by
// name, with their domains (for the detector's domain rows).
func buildRegistered(cfg *config.Config, env dialectEnv) (fronts map[string]dialects.Dialect, domains map[string][]string, err error) {
	opts, err := registeredOptions(cfg)
	if err != nil {
		return nil, nil, err
	}
	domains = dialectDomains(cfg)
	var modes []dialects.AWSMode
	for _, p := range dialects.Registered() {
		if p.AWSMode {
			modes = append(modes, dialects.AWSMode{Dialect: p.Name, Domains: cfg.Dialects.Limits[p.Name].Domains,
				Regions: cfg.Dialects.Limits[p.Name].Regions})
		}
	}
	fronts = map[string]dialects.Dialect{}
	for _, p := range dialects.Registered() {
		denv := dialects.Env{Engine: env.engine, Credentials: env.creds, MaxSkew: cfg.Server.MaxSkew.Duration,
			CompleteKeepAlive: env.completeKeepAlive(), UploadIDSecret: []byte(cfg.Server.UploadIDSecret),
			Domains: domains[p.Name], Regions: cfg.Dialects.Limits[p.Name].Regions, AWSModes: modes}
		if p.Rules != nil {
			denv.Rules, _ = cfg.DialectRules(p.Name)
		}
		d, err := p.Build(denv, opts[p.Name])
		if err != nil {
			return nil, nil, fmt.Errorf("dialect %s: %w", p.Name, err)
		}
		fronts[p.Name] = d
	}
	return fronts, domains, nil
}
