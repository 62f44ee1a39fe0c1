package main

import (
	"errors"
	"fmt"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
)

// Every registered dialect (dialects.Register) owns a section under
// dialects: in the config file.
func init() {
	for _, p := range dialects.Registered() {
		config.RegisterDialectSection(p.Name)
	}
}

// registeredOptions decodes each registered dialect's config section into
// its options (defaults first), by dialect name.
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

// buildRegistered builds every registered dialect into fronts and returns
// their detection rows.
func buildRegistered(cfg *config.Config, env dialectEnv, fronts map[string]dialects.Dialect) ([]dialects.DetectRow, error) {
	opts, err := registeredOptions(cfg)
	if err != nil {
		return nil, err
	}
	denv := dialects.Env{Engine: env.engine, Credentials: env.creds, MaxSkew: cfg.Server.MaxSkew.Duration,
		CompleteKeepAlive: env.completeKeepAlive(), UploadIDSecret: []byte(cfg.Server.UploadIDSecret)}
	var rows []dialects.DetectRow
	for _, p := range dialects.Registered() {
		d, err := p.Build(denv, opts[p.Name])
		if err != nil {
			return nil, fmt.Errorf("dialect %s: %w", p.Name, err)
		}
		fronts[p.Name] = d
		for _, row := range p.Rows {
			row.Dialect = d
			rows = append(rows, row)
		}
	}
	return rows, nil
}
