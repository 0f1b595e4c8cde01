using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Automation.Console.Tests;

/// <summary>
/// The Segments and Broadcasts pages in Chromium, against a server that sends: its scheduler walks due broadcasts
/// (the broadcast job, every second) and its dispatcher sends to the file outbox, as a production node would.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleBroadcastTests : ConsoleBrowserFixture
{
    private const string EmptySegment = "nobody-console";
    private const string Template = "broadcasts/new-arrivals";

    /// <summary>Every outcome a walked member's message can end in, as GET /v1/broadcasts/{id} names them (queued is not an end).</summary>
    private static readonly string[] Outcomes = ["sent", "failed", "skippedByCap", "deferredByQuietHours", "suppressed", "heldOut"];

    protected override Task<ConsoleServer> StartServerAsync() => ConsoleServer.StartAsync(sending: true);

    [Test]
    public async Task The_segments_page_shows_each_count_and_first_members_and_says_when_a_segment_is_empty()
    {
        await File.WriteAllTextAsync(Path.Combine(Server.Root.FullName, "rules", "segments", $"{EmptySegment}.json"),
            """{ "Description": "Nobody: for the console test.", "Expression": "stats.OrderCount > 1000000" }""");
        // Like every console page, it needs a sign-in.
        var anonymous = await NewPageAsync();
        await anonymous.GotoAsync($"{Server.Url}/console/segments");
        anonymous.Url.Should().StartWith($"{Server.Url}/console/login");

        var page = await LoggedInPageAsync();
        await page.ClickAsync("nav >> text=Segments");
        await page.WaitForURLAsync($"{Server.Url}/console/segments");
        var empty = page.Locator($"#segment-{EmptySegment}");
        for (var attempt = 0; attempt < 40 && await empty.CountAsync() == 0; attempt++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        (await empty.TextContentAsync()).Should().Contain("No customer is in this segment now.").And.Contain("stats.OrderCount > 1000000");

        // Every count is the API's, and every non-empty segment lists members linking to their customer page.
        var counts = await SegmentCountsAsync();
        counts.Should().ContainKey(EmptySegment).And.Contain(c => c.Value > 0);
        foreach (var (name, count) in counts)
        {
            var card = page.Locator($"#segment-{name}");
            (await card.Locator(".count").TextContentAsync()).Should().Be(count.ToString("N0", CultureInfo.InvariantCulture), name);
            (await card.Locator("ul.members li").CountAsync()).Should().Be((int)Math.Min(count, 10), name);
        }
        var (busiest, _) = counts.MaxBy(c => c.Value);
        var member = page.Locator($"#segment-{busiest} ul.members a").First;
        var memberId = await member.TextContentAsync();
        await member.ClickAsync();
        await page.WaitForURLAsync(new Regex("/console/customers\\?q="));
        (await page.TextContentAsync("main")).Should().Contain(memberId);
        await ScreenshotAsync(page, "segments");
    }

    /// <summary>The new-broadcast form with the busiest segment, email and the new-arrivals template chosen.</summary>
    private async Task<(IPage Page, string Segment)> FilledFormAsync()
    {
        var segment = await BusiestSegmentAsync();
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/broadcasts/new");
        await page.SelectOptionAsync("#segment", segment);
        await page.SelectOptionAsync("#channel", "email");
        await page.SelectOptionAsync("#template", Template);
        return (page, segment);
    }

    [Test]
    public async Task The_broadcast_forms_preview_follows_the_form_as_it_changes()
    {
        var (page, _) = await FilledFormAsync();

        // Nobody clicked Preview: the form's changes rendered it.
        var code = page.Locator("#live-preview section.preview .note code").First;
        await code.WaitForAsync();
        (await code.TextContentAsync()).Should().Contain("new-arrivals");
        (await page.Locator("#live-preview .audience").TextContentAsync()).Should().Contain("Audience now:");

        await page.SelectOptionAsync("#template", "broadcasts/clearance");
        await Assertions.Expect(code).ToContainTextAsync("clearance");
        page.Url.Should().EndWith("/console/broadcasts/new", "the preview came without leaving the page");
    }

    [Test]
    public async Task A_broadcast_form_previews_the_message_shows_field_errors_and_a_scheduled_broadcast_is_cancelled()
    {
        var (page, segment) = await FilledFormAsync();
        // Two A/B arms, the second with a template of its own: each is rendered.
        await page.FillAsync("#variant-0-name", "A");
        await page.FillAsync("#variant-1-name", "B");
        await page.SelectOptionAsync("#variant-1-template", "broadcasts/clearance");
        await page.ClickAsync("#preview");
        var preview = page.Locator("#broadcast-preview");
        (await preview.Locator(".audience").TextContentAsync()).Should().Contain("Audience now:");
        (await preview.Locator("section.preview h3").AllTextContentsAsync()).Should().Equal("send · email · variant A", "send · email · variant B");
        (await preview.Locator("section.preview .note code").AllTextContentsAsync())
            .Should().SatisfyRespectively(a => a.Should().Contain("new-arrivals"), b => b.Should().Contain("clearance"));
        (await preview.Locator(".subject").First.TextContentAsync()).Should().NotBeNullOrWhiteSpace();
        (await preview.Locator(".text-part").First.TextContentAsync()).Should().NotBeNullOrWhiteSpace();
        (await preview.Locator("iframe.email").First.GetAttributeAsync("sandbox")).Should().Be("");
        await ScreenshotAsync(page, "broadcast-preview");

        // A broadcast without a name, for a time gone by, with an arm named twice: the API's errors, each next to its
        // field, and nothing stored.
        await page.FillAsync("#sendAt", "2020-01-01T09:00:00+00:00");
        await page.FillAsync("#variant-1-name", "A");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#schedule"), r => r.Url.Contains("/console/broadcasts/new"));
        refused.Status.Should().Be(400);
        (await page.TextContentAsync("#name-errors")).Should().Contain("is required");
        (await page.TextContentAsync("#sendAt-errors")).Should().Contain("is in the past");
        (await page.TextContentAsync("#variant-1-errors")).Should().Contain("'A' is used twice");
        (await page.TextContentAsync("#variant-0-errors")).Should().BeNullOrWhiteSpace();
        (await page.InputValueAsync("#sendAt")).Should().Be("2020-01-01T09:00:00+00:00");
        (await page.Locator("#segment option:checked").TextContentAsync()).Should().StartWith(segment);
        await ScreenshotAsync(page, "broadcast-errors");

        var name = "Console scheduled " + Guid.NewGuid().ToString("N")[..8];
        await page.FillAsync("#name", name);
        await page.FillAsync("#sendAt", "2099-12-24T09:00:00+08:00");
        await page.FillAsync("#variant-1-name", "B");
        await page.FillAsync("#holdoutPercent", "10");
        await page.ClickAsync("#schedule");
        await page.WaitForURLAsync(new Regex("/console/broadcasts/\\d+$"));
        (await page.TextContentAsync("#status")).Should().Be("scheduled");
        (await page.TextContentAsync("main")).Should().Contain("A: broadcasts/new-arrivals").And.Contain("B: broadcasts/clearance").And.Contain("10%");

        await page.ClickAsync("nav >> text=Broadcasts");
        var row = page.Locator("table.broadcasts tr", new() { Has = page.Locator("a", new() { HasTextString = name }) });
        (await row.TextContentAsync()).Should().Contain("scheduled").And.Contain(segment).And.Contain("2099-12-24 01:00 UTC");
        var id = Regex.Match(await row.Locator("a").First.GetAttributeAsync("href") ?? "", @"\d+$").Value;

        // A cancel needs the form's antiforgery token, as every console form does: signed in is not enough.
        var forged = await page.APIRequest.PostAsync($"{Server.Url}/console/broadcasts?handler=Cancel&id={id}",
            new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
        forged.Status.Should().Be(400);
        (await BroadcastAsync(id))["status"]!.GetValue<string>().Should().Be("scheduled");

        await row.Locator("button.cancel").ClickAsync();
        (await page.TextContentAsync("[role=status]")).Should().Contain("is cancelled");
        (await row.TextContentAsync()).Should().Contain("cancelled");
        (await row.Locator("button.cancel").CountAsync()).Should().Be(0);
        (await BroadcastAsync(id))["status"]!.GetValue<string>().Should().Be("cancelled");
        await ScreenshotAsync(page, "broadcasts");
    }

    [Test]
    public async Task A_broadcast_sent_now_shows_its_results_with_a_chart()
    {
        var segment = await BusiestSegmentAsync();
        var page = await LoggedInPageAsync();
        await page.GotoAsync($"{Server.Url}/console/broadcasts/new?segment={segment}");
        var name = "Console now " + Guid.NewGuid().ToString("N")[..8];
        await page.FillAsync("#name", name);
        await page.SelectOptionAsync("#template", Template);
        await page.FillAsync("#holdoutPercent", "20");
        await page.ClickAsync("#schedule");
        await page.WaitForURLAsync(new Regex("/console/broadcasts/\\d+$"));
        var id = Regex.Match(page.Url, @"\d+$").Value;

        // The broadcast job walks the segment, then the dispatcher sends: the page is reloaded until nothing is queued.
        JsonObject broadcast = await BroadcastAsync(id);
        for (var attempt = 0; attempt < 120 && !IsFinished(broadcast); attempt++)
        {
            await Task.Delay(500);
            broadcast = await BroadcastAsync(id);
        }
        IsFinished(broadcast).Should().BeTrue($"broadcast {id} should be walked and dispatched: {broadcast.ToJsonString()}");
        await page.ReloadAsync();
        (await page.TextContentAsync("#status")).Should().Be("done");
        var results = broadcast["results"]!;
        var enqueued = broadcast["enqueued"]!.GetValue<long>();
        results["sent"]!.GetValue<long>().Should().BePositive();
        var outcomes = Outcomes.Sum(k => results[k]!.GetValue<long>());
        outcomes.Should().Be(enqueued, "every member walked has one outcome");
        var shown = await page.Locator("#results").InnerTextAsync();
        shown.Should().MatchRegex($@"Sent\s+{results["sent"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture)}\s")
            .And.MatchRegex($@"Held out\s+{results["heldOut"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture)}\b");
        (await page.TextContentAsync("#progress")).Should().Contain($"{enqueued.ToString("N0", CultureInfo.InvariantCulture)} enqueued");
        (await page.Locator("#broadcast-outcomes svg").CountAsync()).Should().Be(1);
        (await page.Locator("#broadcast-outcomes table").TextContentAsync()).Should().Contain("Skipped by cap").And.Contain("Quiet hours");
        // The conversions block is there exactly when the API gives conversions.
        (await page.Locator("#conversions").CountAsync()).Should().Be(broadcast["conversions"] is null ? 0 : 1);

        // Members order after it: each arm's conversions and the holdout's appear, with a chart, as the API counts them.
        await OrderAsync(segment);
        broadcast = await BroadcastAsync(id);
        broadcast["conversions"].Should().NotBeNull();
        await page.ReloadAsync();
        var conversions = await page.Locator("table.conversions").InnerTextAsync();
        var sentArm = broadcast["conversions"]!["variants"]![0]!["results"]!;
        sentArm["conversions"]!.GetValue<long>().Should().BePositive();
        conversions.Should().MatchRegex($@"sent\s+{sentArm["messages"]!.GetValue<long>()}\s+{sentArm["conversions"]!.GetValue<long>()}\s");
        // One row per arm, and the holdout's when hashing put anyone in it.
        (await page.Locator("table.conversions tbody tr").CountAsync())
            .Should().Be(broadcast["conversions"]!["variants"]!.AsArray().Count + (broadcast["conversions"]!["holdout"] is null ? 0 : 1));
        (await page.Locator("#broadcast-conversions svg").CountAsync()).Should().Be(1);
        // Opens and clicks per arm: the file outbox sends no tracking pixel, so the rates say so rather than 0 %.
        var email = broadcast["conversions"]!["variants"]![0]!["email"]!;
        email["openTracking"]!.GetValue<string>().Should().Be("off");
        (await page.Locator("table.engagement").InnerTextAsync())
            .Should().MatchRegex($@"sent\s+{email["sent"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture)}\s+0\s+tracking off\s+0\s+tracking off\s+tracking off");
        await ScreenshotAsync(page, "broadcast-results");

        await page.GotoAsync($"{Server.Url}/console/broadcasts");
        var row = page.Locator($"#broadcast-{id}");
        (await row.TextContentAsync()).Should().Contain(name).And.Contain("done");
        (await row.Locator("button.cancel").CountAsync()).Should().Be(0);
    }

    /// <summary>Every member of <paramref name="segment"/> places an order now, through the track API.</summary>
    private async Task OrderAsync(string segment)
    {
        using var http = ApiClient();
        var members = await http.GetFromJsonAsync<JsonObject>($"/v1/segments/{segment}/customers?limit=1000");
        foreach (var member in members!["customers"]!.AsArray())
        {
            var response = await http.PostAsJsonAsync("/v1/track", new
            {
                userId = member!["externalId"]?.GetValue<string>(),
                anonymousId = member["anonymousId"]?.GetValue<string>(),
                @event = "Order Completed",
                properties = new { order_id = "console-" + Guid.NewGuid().ToString("N"), total = 40.0, currency = "USD" },
            });
            response.EnsureSuccessStatusCode();
        }
    }

    private static bool IsFinished(JsonObject broadcast) =>
        broadcast["status"]!.GetValue<string>() == "done" && broadcast["results"]!["queued"]!.GetValue<long>() == 0;

    private async Task<string> BusiestSegmentAsync() => (await SegmentCountsAsync()).MaxBy(c => c.Value).Key;

    private async Task<Dictionary<string, long>> SegmentCountsAsync()
    {
        using var http = ApiClient();
        var body = await http.GetFromJsonAsync<JsonObject>("/v1/segments");
        return body!["segments"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["count"]!.GetValue<long>());
    }

    private async Task<JsonObject> BroadcastAsync(string id)
    {
        using var http = ApiClient();
        return (await http.GetFromJsonAsync<JsonObject>($"/v1/broadcasts/{id}"))!;
    }

    private HttpClient ApiClient()
    {
        var http = new HttpClient { BaseAddress = new Uri(Server.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleServer.ApiKey);
        return http;
    }
}
