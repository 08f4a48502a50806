// Package fakeauthority is a fake Microsoft Entra ID authority for tests
// and CI: it speaks Entra's v2.0 dialect closely enough that real MSAL Go
// works against it unchanged, and it is strict where Entra is strict.
//
// (The full guide is being written; see the Example functions.)
package fakeauthority
