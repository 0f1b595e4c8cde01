using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Broadcasts;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Automation.Tests.Server;

/// <summary>
/// Open and click rates per journey step and per broadcast, end to end on both databases: emails sent through a real
/// SMTP server on loopback, their pixels and links requested by readers and by machines, then the rates read from
/// <c>/v1/metrics/attribution</c>, <c>/v1/broadcasts/{id}</c>, <c>automation report</c> and the console's pages; and
/// "tracking off", not 0 %, for emails that went out without tracking.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed partial class EngagementReportTests(string provider)
{
    private const string Journey = "engagement-report";
    private const string Password = "correct-horse-battery";
    private const string Browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)";
    private static readonly string[] Customers = ["ann", "bob", "cat", "dan"];
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);

    [Test]
    public async Task Reader_opens_and_clicks_become_rates_per_step_and_per_broadcast_in_the_api_the_report_and_the_console()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Now);
        await using var factory = Factory(db, clock, smtp, tracking: true);
        using var api = factory.CreateAuthorizedClient();
        await SendJourneyEmailsAsync(factory, api);
        var broadcast = await SendBroadcastAsync(factory, api);
        using var reader = Reader(factory, Browser);
        using var appleProxy = Reader(factory, "Mozilla/5.0");
        var mails = smtp.Received();

        clock.Advance(TimeSpan.FromMinutes(20));
        (await reader.GetAsync(Pixel(mails, "ann", "sale"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.GetAsync(Pixel(mails, "ann", "sale"))).StatusCode.Should().Be(HttpStatusCode.OK, "a second open of one email counts once");
        (await reader.GetAsync(Link(mails, "ann", "sale"))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await reader.GetAsync(Pixel(mails, "bob", "sale"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await appleProxy.GetAsync(Pixel(mails, "cat", "sale"))).StatusCode.Should().Be(HttpStatusCode.OK, "Apple's proxy loads it: a machine open");
        (await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, Link(mails, "cat", "sale")))).StatusCode.Should().Be(HttpStatusCode.Redirect, "a scanner's HEAD");
        (await reader.GetAsync(Pixel(mails, "dan", "news"))).StatusCode.Should().Be(HttpStatusCode.OK);

        var attribution = JsonNode.Parse(await api.GetStringAsync($"/v1/metrics/attribution?journey={Journey}&from=2026-06-01&to=2026-06-02"))!;
        var step = attribution["steps"]!.AsArray().Should().ContainSingle().Subject!;
        step["variants"]![0]!["email"]!.ToJsonString().Should().Be(Email(sent: 4, opens: 2, openRate: 0.5, clicks: 1, clickRate: 0.25, clickToOpen: 0.5));
        var shown = JsonNode.Parse(await api.GetStringAsync($"/v1/broadcasts/{broadcast}"))!;
        shown["conversions"]!["variants"]![0]!["email"]!.ToJsonString().Should().Be(Email(sent: 4, opens: 1, openRate: 0.25, clicks: 0, clickRate: 0.0, clickToOpen: 0.0),
            "tracked and not clicked is 0 %, unlike tracking off");

        var (code, output, errors) = await AutomationCli.RunAsync(["report", "--Storage:Provider", db.Provider, "--Storage:ConnectionString", db.ConnectionString,
            "--from", "2026-06-01", "--to", "2026-06-02"], clock: clock);
        (code, errors).Should().Be((0, ""));
        Cells(output, Journey).Should().Equal(Journey, "notice", "-", "4", "2", "50.0%", "1", "25.0%", "50.0%");
        Cells(output, Broadcast.JourneyOf(broadcast)).Should().Equal(Broadcast.JourneyOf(broadcast), "send", "-", "4", "1", "25.0%", "0", "0.0%", "0.0%");

        using var console = await ConsoleAsync(factory);
        var journeyPage = await console.GetStringAsync($"/console/journeys/{Journey}");
        Cell("open-rate").Matches(journeyPage).Select(m => m.Groups[1].Value).Should().Equal("50.0 %");
        Cell("click-rate").Matches(journeyPage).Select(m => m.Groups[1].Value).Should().Equal("25.0 %");
        Cell("click-to-open").Matches(journeyPage).Select(m => m.Groups[1].Value).Should().Equal("50.0 %");
        var broadcastPage = await console.GetStringAsync($"/console/broadcasts/{broadcast}");
        broadcastPage.Should().Contain("<h2 id=\"engagement\">Opens and clicks</h2>");
        Cell("open-rate").Matches(broadcastPage).Select(m => m.Groups[1].Value).Should().Equal("25.0 %");
        Cell("click-rate").Matches(broadcastPage).Select(m => m.Groups[1].Value).Should().Equal("0.0 %");
    }

    [Test]
    public async Task Emails_sent_without_tracking_say_tracking_off_rather_than_zero()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Now);
        await using var factory = Factory(db, clock, smtp, tracking: false);
        using var api = factory.CreateAuthorizedClient();
        await SendJourneyEmailsAsync(factory, api);
        var broadcast = await SendBroadcastAsync(factory, api);
        smtp.Received().Should().HaveCount(8).And.OnlyContain(m => !(m.HtmlBody ?? "").Contains("/t/o/", StringComparison.Ordinal), "no pixel went out");
        await using (var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None))
        {
            // What the reports rely on: each sent email's row says it carried no tracking.
            (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND sent_at IS NOT NULL AND tracked_opens = @no AND tracked_clicks = @no", new { no = false }))
                .Should().Be(8);
        }
        clock.Advance(TimeSpan.FromMinutes(20));

        var step = JsonNode.Parse(await api.GetStringAsync($"/v1/metrics/attribution?journey={Journey}&from=2026-06-01&to=2026-06-02"))!["steps"]![0]!;
        var email = step["variants"]![0]!["email"]!;
        email.ToJsonString().Should().Be(new JsonObject
        {
            ["sent"] = 4, ["openTracking"] = "off", ["trackedForOpens"] = 0, ["uniqueOpens"] = 0, ["openRate"] = null,
            ["clickTracking"] = "off", ["trackedForClicks"] = 0, ["uniqueClicks"] = 0, ["clickRate"] = null, ["clickToOpenRate"] = null,
        }.ToJsonString());
        JsonNode.Parse(await api.GetStringAsync($"/v1/broadcasts/{broadcast}"))!["conversions"]!["variants"]![0]!["email"]!["openTracking"]!.GetValue<string>().Should().Be("off");

        var (_, output, _) = await AutomationCli.RunAsync(["report", "--Storage:Provider", db.Provider, "--Storage:ConnectionString", db.ConnectionString,
            "--from", "2026-06-01", "--to", "2026-06-02"], clock: clock);
        output.Split('\n').Should().Contain(l => UntrackedRow().IsMatch(l), "delivered 4, then opened 0 and its rate, clicked 0 and its rate, click-to-open");

        using var console = await ConsoleAsync(factory);
        foreach (var page in new[] { $"/console/journeys/{Journey}", $"/console/broadcasts/{broadcast}" })
        {
            var html = await console.GetStringAsync(page);
            foreach (var rate in new[] { "open-rate", "click-rate", "click-to-open" })
                Cell(rate).Matches(html).Select(m => m.Groups[1].Value).Should().Equal(["tracking off"], $"{page} {rate}");
        }
    }

    private static AutomationFactory Factory(TestDatabase db, FakeTimeProvider clock, SmtpServer smtp, bool tracking)
    {
        var factory = new AutomationFactory(db, clock, settings: new Dictionary<string, string>
        {
            ["Channels:Email:Host"] = "127.0.0.1", ["Channels:Email:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Channels:Email:Security"] = "None", ["Channels:Email:From"] = "shop@example.com",
            ["Channels:Email:Tracking:Opens"] = tracking ? "true" : "false", ["Channels:Email:Tracking:Clicks"] = tracking ? "true" : "false",
            ["Messaging:PublicUrl"] = "https://mail.shop.example",
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
            ["Console:Users:0:Name"] = "ann", ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
        });
        Write(factory, $"rules/{Journey}.json", $$"""
            { "WorkflowName": "{{Journey}}", "Trigger": { "Event": "Sale Started" }, "ReEntry": "Never",
              "Rules": [ { "RuleName": "notice", "Expression": "journey.HoursSinceEntry >= 0",
                "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "{{Journey}}/notice" } } } } ] }
            """);
        Write(factory, $"templates/{Journey}/notice.email.liquid",
            "---\nsubject: The sale is on\n---\n<html><body><p><a href=\"https://shop.example/sale\">See the sale</a></p></body></html>\n");
        Write(factory, "rules/segments/everyone.json", """{ "Expression": "stats.OrderCount >= 0" }""");
        Write(factory, "templates/news.email.liquid", "---\nsubject: News\n---\n<html><body><p><a href=\"https://shop.example/news\">New in</a></p></body></html>\n");
        return factory;
    }

    private static void Write(AutomationFactory factory, string path, string text)
    {
        var file = Path.Combine(factory.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private static async Task SendJourneyEmailsAsync(AutomationFactory factory, HttpClient api)
    {
        foreach (var customer in Customers)
        {
            (await api.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com" } })).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Sale Started", properties = new { } })).EnsureSuccessStatusCode();
        }
        await factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
    }

    private static async Task<long> SendBroadcastAsync(AutomationFactory factory, HttpClient api)
    {
        var created = await api.PostAsJsonAsync("/v1/broadcasts", new { name = "News", segment = "everyone", channel = "email", template = "news" });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        await factory.Services.GetRequiredService<BroadcastSender>().SendDueAsync(CancellationToken.None);
        await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        return JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
    }

    private static HttpClient Reader(AutomationFactory factory, string userAgent)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        return client;
    }

    private static async Task<HttpClient> ConsoleAsync(AutomationFactory factory)
    {
        var console = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await console.GetStringAsync("/console/login");
        var token = AntiForgery().Match(login).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["name"] = "ann", ["password"] = Password });
        (await console.PostAsync("/console/login", form)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        return console;
    }

    /// <summary>The HTML of the email sent to <paramref name="customer"/> whose link leads to <paramref name="page"/>.</summary>
    private static string Html(IReadOnlyList<MimeMessage> mails, string customer, string page) =>
        mails.Single(m => m.To.Mailboxes.Single().Address == $"{customer}@example.com" && m.Subject == (page == "sale" ? "The sale is on" : "News")).HtmlBody ?? "";

    private static string Pixel(IReadOnlyList<MimeMessage> mails, string customer, string page) =>
        new Uri(PixelSource().Match(Html(mails, customer, page)).Groups[1].Value).PathAndQuery;

    private static string Link(IReadOnlyList<MimeMessage> mails, string customer, string page) =>
        new Uri(WebUtility.HtmlDecode(Links().Match(Html(mails, customer, page)).Groups[1].Value)).PathAndQuery;

    private static string Email(long sent, long opens, double openRate, long clicks, double clickRate, double clickToOpen) => new JsonObject
    {
        ["sent"] = sent, ["openTracking"] = "on", ["trackedForOpens"] = sent, ["uniqueOpens"] = opens, ["openRate"] = openRate,
        ["clickTracking"] = "on", ["trackedForClicks"] = sent, ["uniqueClicks"] = clicks, ["clickRate"] = clickRate, ["clickToOpenRate"] = clickToOpen,
    }.ToJsonString();

    /// <summary>The cells of the email engagement table's row that starts with <paramref name="journey"/>.</summary>
    private static string[] Cells(string output, string journey)
    {
        var table = output[output.IndexOf("Email engagement:", StringComparison.Ordinal)..];
        return table.Split('\n').Single(l => l.StartsWith(journey + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static Regex Cell(string rate) => new($"<td class=\"num {rate}\">([^<]*)</td>");

    [GeneratedRegex($"^{Journey} +notice +- +4 +0 +tracking off +0 +tracking off +tracking off$")]
    private static partial Regex UntrackedRow();

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex PixelSource();

    [GeneratedRegex("<a href=\"([^\"]+/t/c/[^\"]+)\"")]
    private static partial Regex Links();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();
}
