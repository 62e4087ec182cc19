package bank

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// twoLogs is a bank with itemsCSV(8) and two logs: March 2026 on form F1,
// then April 2026 on forms F1 and F2 with one undated response.
func twoLogs(t *testing.T) *Bank {
	t.Helper()
	ctx := context.Background()
	b := withItems(t, 8)
	log1 := "examinee,form,item,option,administered_at\n" +
		"E1,F1,IT001,B,2026-03-02T10:00:00Z\nE1,F1,IT002,A,2026-03-02T10:01:00Z\n" +
		"E2,F1,IT001,A,2026-03-30T09:00:00Z\nE2,F1,IT002,C,2026-03-30T09:02:00Z\n"
	log2 := "examinee,form,item,option,administered_at\n" +
		"E3,F1,IT001,B,2026-04-01T00:00:00Z\nE3,F1,IT002,C,2026-04-01T00:01:00Z\n" +
		"E4,F2,IT001,-,2026-04-20\nE4,F2,IT003,D,2026-04-20\n" +
		"E5,F2,IT001,B,\n"
	for i, log := range []string{log1, log2} {
		if _, err := b.ImportLong(ctx, []string{"march.csv", "april.csv"}[i], strings.NewReader(log), ResponseOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestWindows(t *testing.T) {
	ctx := context.Background()
	b := twoLogs(t)
	byImport, undated, err := b.Windows(ctx, "import")
	if err != nil {
		t.Fatal(err)
	}
	// Import 1 is the items file; the logs are 2 and 3.
	want := []Window{{Label: "import 2", Import: 2, Source: "march.csv", Responses: 4}, {Label: "import 3", Import: 3, Source: "april.csv", Responses: 5}}
	if !reflect.DeepEqual(byImport, want) || undated != 0 {
		t.Errorf("by import: %+v (%d undated)\nwant %+v", byImport, undated, want)
	}
	byMonth, undated, err := b.Windows(ctx, "month")
	if err != nil {
		t.Fatal(err)
	}
	march, april, may := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	want = []Window{{Label: "2026-03", From: march.Unix(), To: april.Unix(), Responses: 4}, {Label: "2026-04", From: april.Unix(), To: may.Unix(), Responses: 4}}
	if !reflect.DeepEqual(byMonth, want) || undated != 1 {
		t.Errorf("by month: %+v (%d undated)\nwant %+v, 1 undated", byMonth, undated, want)
	}
	if _, _, err := b.Windows(ctx, "week"); err == nil {
		t.Error("windows by week were accepted")
	}

	// A month's matrix and analysis data hold that month's responses only
	// (April 1st, 00:00, is April's), and none without a date.
	m, err := b.ResponseMatrix(ctx, MatrixFilter{From: april.Unix(), To: may.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Examinees, ",") != "E3,E4" || m.NResponses() != 4 {
		t.Errorf("April's matrix: examinees %v, %d responses", m.Examinees, m.NResponses())
	}
	d, err := b.AnalysisData(ctx, AnalysisFilter{From: march.Unix(), To: april.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Examinees, ",") != "E1,E2" || d.NResponses() != 4 {
		t.Errorf("March's analysis data: examinees %v, %d responses", d.Examinees, d.NResponses())
	}
	// Exclusion leaves an item out; an unknown one is an error.
	m, err = b.ResponseMatrix(ctx, MatrixFilter{Exclude: []string{"IT002"}})
	if err != nil || strings.Join(m.Codes(), ",") != "IT001,IT003,IT004,IT005,IT006,IT007,IT008" {
		t.Errorf("excluding IT002: %v %v", m.Codes(), err)
	}
	m, err = b.ResponseMatrix(ctx, MatrixFilter{Items: []string{"IT001", "IT002"}, Exclude: []string{"IT001"}})
	if err != nil || strings.Join(m.Codes(), ",") != "IT002" || m.NResponses() != 3 {
		t.Errorf("IT001 and IT002 less IT001: %v, %d responses, %v", m.Codes(), m.NResponses(), err)
	}
	if _, err := b.ResponseMatrix(ctx, MatrixFilter{Exclude: []string{"NOPE"}}); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("excluding an unknown item: %v", err)
	}
}

func TestItemExposureAndRuns(t *testing.T) {
	ctx := context.Background()
	b := twoLogs(t)
	exp, err := b.ItemExposure(ctx, "IT001")
	if err != nil {
		t.Fatal(err)
	}
	want := []FormExposure{
		{Form: "F1", Origin: "log", Position: 1, Responses: 3, First: "2026-03-02T10:00:00Z", Last: "2026-04-01T00:00:00Z"},
		{Form: "F2", Origin: "log", Position: 1, Responses: 2, First: "2026-04-20T00:00:00Z", Last: "2026-04-20T00:00:00Z"},
	}
	if !reflect.DeepEqual(exp, want) {
		t.Errorf("IT001's exposure: %+v\nwant %+v", exp, want)
	}
	if exp, err := b.ItemExposure(ctx, "IT008"); err != nil || len(exp) != 0 {
		t.Errorf("an item never administered: %+v %v", exp, err)
	}
	if _, err := b.ItemExposure(ctx, "NOPE"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("an unknown item: %v", err)
	}
	for _, c := range []*Calibration{
		{Model: "2pl", D: 1, Source: "em", LatentSD: 1, Params: []ParamRow{{Item: "IT001", Model: "2pl", A: 1.1, B: 0.2, SEA: 0.1, SEB: 0.05, N: 5}}},
		{Model: "3pl", D: 1.702, Source: "em", LatentSD: 1, Params: []ParamRow{{Item: "IT002", Model: "3pl", A: 1, B: 0, C: 0.2}}},
		{Model: "3pl", D: 1.702, Source: "em", LatentSD: 1, Params: []ParamRow{{Item: "IT001", Model: "3pl", A: 0.9, B: -0.1, C: 0.1, SEA: 0.2, SEB: 0.1, SEC: 0.05, N: 4}}, Fixed: []string{"IT001"}},
	} {
		if _, err := b.SaveCalibration(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := b.ItemRuns(ctx, "IT001")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Run != 1 || runs[1].Run != 3 || runs[1].D != 1.702 || !runs[1].Fixed || runs[0].Fixed ||
		runs[0].Param.B != 0.2 || runs[1].Param.C != 0.1 || runs[1].Param.SEC != 0.05 || runs[0].Param.N != 5 || runs[0].Param.Model != "2pl" {
		t.Errorf("IT001's runs: %+v", runs)
	}
}
