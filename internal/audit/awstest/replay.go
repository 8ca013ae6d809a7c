package awstest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Replayer stands in front of a server and answers a request it has seen before with the answer
// the server gave then. It is for read-only calls that a test repeats many times: moto spends a
// third of a second on one audit, the replayer next to nothing.
type Replayer struct {
	URL string

	mu      sync.Mutex
	answers map[string]answer
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// Replay starts a Replayer in front of target (a server's URL) on a loopback port, stopped when
// the test ends.
func Replay(t testing.TB, target string) *Replayer {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	rp := &Replayer{answers: map[string]answer{}}
	proxy := httputil.NewSingleHostReverseProxy(to)
	proxy.ModifyResponse = rp.record
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := requestKey(r, body)
		rp.mu.Lock()
		a, seen := rp.answers[key]
		rp.mu.Unlock()
		if !seen {
			r.Body = io.NopCloser(bytes.NewReader(body))
			proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyOf{}, key)))
			return
		}
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(srv.Close)
	rp.URL = srv.URL
	return rp
}

type keyOf struct{}

// record keeps the server's answer to a request not seen before.
func (rp *Replayer) record(resp *http.Response) error {
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.StatusCode >= http.StatusInternalServerError || resp.StatusCode == http.StatusTooManyRequests {
		// A server in trouble answers otherwise the next time: replaying its error would fail every
		// retry the SDK makes, and the audit with them.
		return nil
	}
	key, _ := resp.Request.Context().Value(keyOf{}).(string)
	rp.mu.Lock()
	rp.answers[key] = answer{status: resp.StatusCode, header: resp.Header.Clone(), body: body}
	rp.mu.Unlock()
	return nil
}

// requestKey is what makes two requests the same call: the method, the path and query, the JSON
// protocols' target, the body, and the signer's access key and service (the endpoint is one URL
// for every service, and the same path can mean different calls to two of them).
func requestKey(r *http.Request, body []byte) string {
	scope := r.Header.Get("Authorization")
	if i := strings.Index(scope, "Credential="); i >= 0 {
		parts := strings.Split(strings.SplitN(scope[i+len("Credential="):], ",", 2)[0], "/")
		if len(parts) == 5 { // key/date/region/service/aws4_request: not the date
			scope = parts[0] + "/" + parts[2] + "/" + parts[3]
		}
	}
	return strings.Join([]string{r.Method, r.URL.RequestURI(), r.Header.Get("X-Amz-Target"), scope, string(body)}, "\n")
}
