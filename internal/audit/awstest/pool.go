package awstest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// Pool shares warm moto servers among a package's tests, each test in an account of its own.
// moto builds a service's backend on its first call, so a shape made in a fresh account of a
// warm server takes about 1.5 s, against 6 s for a new server; accounts keep the tests apart as
// AWS keeps accounts apart. A test that changes the whole server (EnforceIAM, an Organization)
// starts its own with StartMoto.
type Pool struct {
	// Size is how many servers it runs; each is one Python process, so about one core.
	Size int

	mu       sync.Mutex
	servers  []*Server
	accounts int
	err      error
}

// Account returns a server of the pool and an account of it no other test has had, started on
// first use. Stop the pool in TestMain, after the tests.
func (p *Pool) Account(t testing.TB) (*Server, string) {
	t.Helper()
	testenv.SkipWhenShort(t, "moto's server (a local AWS API)")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		t.Fatal(p.err)
	}
	p.accounts++
	i := (p.accounts - 1) % max(p.Size, 1)
	if i == len(p.servers) {
		s, err := start()
		if err != nil {
			p.err = err
			t.Fatal(err)
		}
		p.servers = append(p.servers, s)
	}
	// Numbered apart from moto's default account and the accounts the stack configs name.
	return p.servers[i], fmt.Sprintf("3000%08d", p.accounts)
}

// Stop stops the pool's servers.
func (p *Pool) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.servers {
		s.stop()
	}
	p.servers = nil
}

// ConfigIn is the server's configuration with the credentials of a role in account, which moto
// gives without asking whether the role exists.
func (s *Server) ConfigIn(account string) aws.Config {
	return AssumeRole(s.Config(), account, "awstest")
}
