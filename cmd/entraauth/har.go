package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// harLog collects the traced exchanges for --trace-file, written as HAR
// 1.2 (http://www.softwareishard.com/blog/har-12-spec/), which browsers'
// developer tools import.
type harLog struct {
	mu      sync.Mutex
	entries []harEntry
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	StartedDateTime string         `json:"startedDateTime"`
	Time            float64        `json:"time"`
	Request         harRequest     `json:"request"`
	Response        harResponse    `json:"response"`
	Cache           struct{}       `json:"cache"`
	Timings         map[string]any `json:"timings"`
	Comment         string         `json:"comment,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params"`
	Text     string  `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

func nvs(pairs [][2]string) []harNV {
	out := []harNV{}
	for _, p := range pairs {
		out = append(out, harNV{p[0], p[1]})
	}
	return out
}

// add appends x as a HAR entry.
func (h *harLog) add(x *exchange) {
	e := harEntry{
		StartedDateTime: x.start.UTC().Format(time.RFC3339Nano),
		Time:            float64(x.dur.Microseconds()) / 1000,
		Request: harRequest{Method: x.method, URL: x.url, HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
			Headers: nvs(x.reqHeaders), QueryString: []harNV{}, HeadersSize: -1, BodySize: x.reqSize},
		Response: harResponse{Status: x.status, StatusText: x.statusText, HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
			Headers: nvs(x.respHeaders), HeadersSize: -1, BodySize: x.respSize,
			Content: harContent{Size: x.respSize, MimeType: x.respMime, Text: x.respBody}},
		Timings: map[string]any{"send": 0, "wait": float64(x.dur.Microseconds()) / 1000, "receive": 0},
		Comment: x.err,
	}
	if u, err := url.Parse(x.url); err == nil {
		for _, k := range sortedKeys(u.Query()) {
			for _, v := range u.Query()[k] {
				e.Request.QueryString = append(e.Request.QueryString, harNV{k, v})
			}
		}
	}
	if x.form != nil {
		var text []string
		for _, f := range x.form {
			text = append(text, url.QueryEscape(f[0])+"="+url.QueryEscape(f[1]))
		}
		e.Request.PostData = &harPostData{MimeType: x.reqMime, Params: nvs(x.form), Text: strings.Join(text, "&")}
	}
	if strings.HasPrefix(x.respBody, "[") && strings.HasSuffix(x.respBody, "]") && !strings.Contains(x.respMime, "json") {
		e.Response.Content.Text, e.Response.Content.Comment = "", "body not recorded: "+x.respBody
	}
	h.mu.Lock()
	h.entries = append(h.entries, e)
	h.mu.Unlock()
}

// writeTo writes the log as HAR 1.2 to f and closes f.
// commit writes the log to the temp file f (mode 0600) and renames it over
// path; on any failure the temp file is removed and path left as it was.
func (h *harLog) commit(f *os.File, path string) error {
	err := h.writeTo(f)
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("--trace-file: %w", err)
	}
	return nil
}

func (h *harLog) writeTo(f *os.File) error {
	h.mu.Lock()
	entries := h.entries
	h.mu.Unlock()
	if entries == nil {
		entries = []harEntry{}
	}
	doc := map[string]any{"log": map[string]any{
		"version": "1.2",
		"creator": map[string]string{"name": "entraauth", "version": moduleVersion()},
		"pages":   []any{},
		"entries": entries,
	}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	if err == nil {
		_, err = f.Write(jsonSafe(b.Bytes())) // someone will cat it
	}
	return errors.Join(err, f.Chmod(0o600), f.Sync(), f.Close())
}
