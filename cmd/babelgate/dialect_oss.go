package main

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/oss"
)

// The OSS front dialect: OSS rules with the config's dialects.oss
// overrides, the server's clock-skew limit.
func init() {
	dialectFactories[dialects.OSS] = func(env dialectEnv) dialects.Dialect {
		return oss.New(oss.Config{Engine: env.engine, Credentials: env.creds, Rules: env.cfg.OSSRules(),
			MaxSkew: env.cfg.Server.MaxSkew.Duration, Region: "cn-hangzhou", CompleteKeepAlive: env.completeKeepAlive()})
	}
}
