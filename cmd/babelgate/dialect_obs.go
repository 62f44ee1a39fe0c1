package main

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/obs"
)

// The OBS native dialect (Authorization: OBS, x-obs-* headers), under
// translate.OBSRules with the dialects.obs overrides.
func init() {
	dialectFactories[dialects.OBS] = func(env dialectEnv) dialects.Dialect {
		return obs.New(obs.Config{Engine: env.engine, Credentials: env.creds, Rules: env.cfg.OBSRules(),
			MaxSkew: env.cfg.Server.MaxSkew.Duration, CompleteKeepAlive: env.completeKeepAlive()})
	}
}
