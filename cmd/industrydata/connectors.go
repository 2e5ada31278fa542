package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"industrydata/client"
)

const connectorsSummary = "list and create data connectors, where rosters are uploaded (connectors list|create)"

// The summaries of the commands, in the group's list and atop their --help.
const (
	connectorsListSummary   = "list the tenant's data connectors, each with its source system and inbound flows"
	connectorsCreateSummary = "create a data connector (azureDataLakeConnector) with its source system, and with --flow an inbound flow"
)

// connectorsGroup is `industrydata connectors <command>`.
var connectorsGroup = commandGroup{name: "connectors", subs: []subcommand{
	{name: "list", summary: connectorsListSummary, run: runConnectorsList},
	{name: "create", args: "NAME", summary: connectorsCreateSummary, run: runConnectorsCreate},
}}

func runConnectors(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return connectorsGroup.run(ctx, args, getenv, stdout, stderr)
}

func runConnectorsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("connectors list")
	help := commandHelp{summary: connectorsListSummary,
		usage: "industrydata connectors list [--output table|json]"}
	f, _, c, err := apiCommand(fs, args, 0, 0, "", getenv, help, stderr)
	if err != nil {
		return err
	}
	var conns []client.DataConnector
	for conn, err := range c.DataConnectors().List(ctx, &client.Query{Expand: []string{"sourceSystem"}}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		conns = append(conns, conn)
	}
	if f.json() {
		return printJSON(stdout, nonNil(conns))
	}
	// The flows say whether the connector's files are validated (ready).
	flows := map[string][]string{}
	for fl, err := range c.InboundFlows().List(ctx, &client.Query{Expand: []string{"dataConnector"}}) {
		if err != nil {
			return failed(fs.Name(), err)
		}
		if fl.DataConnector != nil {
			flows[fl.DataConnector.ID] = append(flows[fl.DataConnector.ID], fmt.Sprintf("%s (%s)", fl.DisplayName, fl.ReadinessStatus))
		}
	}
	t := newTable(stdout, "ID", "DISPLAY NAME", "SOURCE SYSTEM", "INBOUND FLOWS")
	for _, conn := range conns {
		source := ""
		if conn.SourceSystem != nil {
			source = conn.SourceSystem.DisplayName
		}
		t.row(conn.ID, conn.DisplayName, source, strings.Join(flows[conn.ID], ", "))
	}
	return t.flush()
}

// created is what connectors create made, for --output json.
type created struct {
	SourceSystem  *client.SourceSystem `json:"sourceSystem,omitempty"`
	DataConnector client.DataConnector `json:"dataConnector"`
	Year          *client.Year         `json:"year,omitempty"`
	InboundFlow   *client.InboundFlow  `json:"inboundFlow,omitempty"`
}

func runConnectorsCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("connectors create")
	sourceID := fs.String("source-system", "", "`ID` of the source system the connector reads; without it, one named NAME is created")
	vendor := fs.String("vendor", "", "`VENDOR` of the source system created")
	flow := fs.String("flow", "", "also create an inbound flow `NAME` of the connector, which runs/start imports once its files are validated")
	year := fs.Int("year", 0, "school `YEAR` of the flow, the year it ends in (2026 for 2025-2026); the current school year by default")
	help := commandHelp{summary: connectorsCreateSummary,
		usage: "industrydata connectors create NAME [--source-system ID | --vendor VENDOR] [--flow NAME [--year YYYY]] [--output table|json]",
		about: "With --flow, the flow reads the connector for the school year --year (a year of that code is created unless\n" +
			"the tenant has one), from the year's start (August 1st) on."}
	f, rest, c, err := apiCommand(fs, args, 1, 1, "NAME, the connector's display name", getenv, help, stderr)
	if err != nil {
		return err
	}
	if *sourceID != "" && *vendor != "" {
		return usageError{msg: fs.Name() + ": --vendor is for the source system created: not with --source-system"}
	}
	if *year == 0 {
		*year = schoolYear(time.Now())
	}
	if *year < 2000 || *year > 2050 {
		return usageError{msg: fmt.Sprintf("%s: --year %d must be a year from 2000 to 2050 (RefAcademicYear)", fs.Name(), *year)}
	}
	var out created
	if *sourceID == "" {
		ss := client.SourceSystem{DisplayName: rest[0]}
		if *vendor != "" {
			ss.Vendor = vendor
		}
		ss, err = c.SourceSystems().Create(ctx, ss)
		if err != nil {
			return failed(fs.Name(), err)
		}
		out.SourceSystem, *sourceID = &ss, ss.ID
	}
	out.DataConnector, err = c.DataConnectors().Create(ctx, client.DataConnector{DisplayName: rest[0],
		SourceSystemBind: client.Bind("sourceSystems", *sourceID)})
	if err != nil {
		return failed(fs.Name(), err)
	}
	if *flow != "" {
		y, err := findOrCreateYear(ctx, c, *year)
		if err != nil {
			return failed(fs.Name(), err)
		}
		start, _ := time.Parse(time.DateOnly, y.StartDate)
		fl, err := c.InboundFlows().Create(ctx, client.InboundFlow{DisplayName: *flow, DataDomain: "educationRostering",
			EffectiveDateTime: start, DataConnectorBind: client.Bind("dataConnectors", out.DataConnector.ID), YearBind: client.Bind("years", y.ID)})
		if err != nil {
			return failed(fs.Name(), err)
		}
		out.Year, out.InboundFlow = &y, &fl
	}
	if f.json() {
		return printJSON(stdout, out)
	}
	t := newTable(stdout, "CREATED", "ID", "DISPLAY NAME")
	if out.SourceSystem != nil {
		t.row("sourceSystem", out.SourceSystem.ID, out.SourceSystem.DisplayName)
	}
	t.row("dataConnector", out.DataConnector.ID, out.DataConnector.DisplayName)
	if out.InboundFlow != nil {
		t.row("inboundFlow", out.InboundFlow.ID, out.InboundFlow.DisplayName+" ("+string(out.InboundFlow.ReadinessStatus)+")")
	}
	return t.flush()
}

// schoolYear is the school year at t, by the year it ends in: a school
// year runs from August 1st to July 31st.
func schoolYear(t time.Time) int {
	if t.Month() >= time.August {
		return t.Year() + 1
	}
	return t.Year()
}

// findOrCreateYear returns the tenant's year of code y (the first, if it
// has several), creating "y-1–y" (August 1st to July 31st) when it has none.
func findOrCreateYear(ctx context.Context, c *client.Client, y int) (client.Year, error) {
	code := strconv.Itoa(y)
	for yr, err := range c.Years().List(ctx, nil) {
		if err != nil {
			return yr, err
		}
		if yr.Year != nil && yr.Year.Code == code {
			return yr, nil
		}
	}
	return c.Years().Create(ctx, client.Year{
		DisplayName: fmt.Sprintf("%d-%d", y-1, y),
		StartDate:   fmt.Sprintf("%d-08-01", y-1),
		EndDate:     fmt.Sprintf("%d-07-31", y),
		Year:        client.Code(code),
	})
}
