// Package awstest runs a local AWS API (moto's server) for tests, and creates in it the
// resources of an offline plan, from the inputs the plan recorded.
package awstest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// Region is where the tests' resources live: the region the offline plans are recorded in.
const Region = "eu-west-1"

// Account is moto's default account, which the offline plans' ARNs also name.
const Account = "123456789012"

// Server is a running moto server on loopback.
type Server struct {
	URL string
	cmd *exec.Cmd
	log bytes.Buffer
}

// MotoCommand is how moto's server is run: the machine's python3 (make test-deps checks its
// version, pgtest.MotoMinimum).
func MotoCommand() ([]string, error) {
	if err := exec.Command("python3", "-c", "import moto.server").Run(); err != nil {
		return nil, fmt.Errorf("moto's server is not importable by python3: run make test-deps, which says what is missing: %w", err)
	}
	return []string{"python3", "-m", "moto.server"}, nil
}

// StartMoto starts moto's server on a free loopback port and stops it when the test ends.
func StartMoto(t testing.TB) *Server {
	t.Helper()
	testenv.SkipWhenShort(t, "moto's server (a local AWS API)")
	s, err := start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("moto's log:\n%s", lastLines(s.log.String(), 40))
		}
	})
	return s
}

func start() (*Server, error) {
	argv, err := MotoCommand()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port)}
	s.cmd = exec.Command(argv[0], append(argv[1:], "-H", "127.0.0.1", "-p", strconv.Itoa(port))...) //nolint:gosec // fixed argv
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	// The AWS managed policies the plans attach exist only when moto loads them; no test runs an
	// EC2 instance, so moto's AMI catalogue is not loaded.
	s.cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "MOTO_EC2_LOAD_DEFAULT_AMIS=false")
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/") //nolint:gosec,noctx // loopback, the server just started
		if err == nil {
			_ = resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("moto did not answer on %s within 60 s: %w\n%s", s.URL, err, s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := bytes.Split([]byte(s), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Config is an SDK configuration that talks to the server, with moto's test credentials.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.URL),
		// moto answers a call it lacks with HTTP 500: retrying it only waits.
		RetryMaxAttempts: 1,
	}
}

// Env is the environment that points a process (bin/audit) at the server through the standard
// settings: AWS_ENDPOINT_URL, AWS_REGION and the credentials.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL=" + s.URL, "AWS_REGION=" + Region, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_MAX_ATTEMPTS=1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
}

// Reset empties the server: every account and region, as when it started.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "text/plain", nil) //nolint:gosec,noctx // loopback
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
}

// EnforceIAM makes the server authorize every call from now on against the caller's IAM
// policies, as AWS does.
func (s *Server) EnforceIAM(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset-auth", "text/plain", bytes.NewBufferString("0")) //nolint:gosec,noctx // loopback
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	t.Cleanup(func() {
		resp, err := http.Post(s.URL+"/moto-api/reset-auth", "text/plain", bytes.NewBufferString("inf")) //nolint:gosec,noctx // loopback
		if err == nil {
			_ = resp.Body.Close()
		}
	})
}

// Ctx is a context for calls to the server.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// User makes an IAM user of the server with an inline policy, and returns its access key ID and
// secret.
func User(t testing.TB, ctx context.Context, cfg aws.Config, name, policy string) [2]string {
	t.Helper()
	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("audit"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)}
}
