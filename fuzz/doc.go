// Package fuzz holds rawhttpd's fuzz targets, their seed corpus
// (testdata/fuzz/<Target>/) and the hardening tests that attack a live
// server over loopback: slowloris, request smuggling, memory under
// maximum-size requests, and a pipelining flood. Everything here is a
// test; nothing imports this package. README.md says how to run each
// target and lists where rawhttpd deliberately differs from net/http.
package fuzz
